"""The database: migrate, init, demo, status, backup and restore."""

from __future__ import annotations

import sys
from pathlib import Path

from maturity.config import get_settings


def add_parsers(commands) -> None:
    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    init = commands.add_parser("init", help="migrate, then offer demo data on an empty database")
    init.add_argument(
        "--demo", choices=["ask", "yes", "no"], default="ask", help="load demo data when empty (default: ask on a terminal)"
    )
    init.add_argument(
        "--address", metavar="URL", help="the app's address (make run passes it): the facilitator sign-in page is printed"
    )
    demo = commands.add_parser("demo", help="fill the database with demo data")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    status = commands.add_parser("status", help="show the database and what it holds")
    backup = commands.add_parser(
        "backup",
        help="back up the SQLite database while the app serves",
        description="Copy the database with SQLite's online backup API: a snapshot of one moment, including what is "
        "still in the -wal file, taken while the app keeps serving (a plain cp can lose recent votes). "
        "For PostgreSQL it says how to use pg_dump.",
    )
    backup.add_argument(
        "file", nargs="?", type=Path, metavar="FILE", help="where to write it (default: data/backups/maturity-DATE-TIME.db)"
    )
    restore = commands.add_parser(
        "restore",
        help="put a backup back",
        description="Check the backup, keep the database's current contents in data/backups/, then copy the backup in, "
        "all while the app serves; the schema is then brought up to date.",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="a file written by `python -m maturity backup`")
    restore.add_argument("--yes", action="store_true", help="do not ask (needed when not run on a terminal)")
    migrate.set_defaults(handler=_migrate)
    init.set_defaults(handler=_init)
    demo.set_defaults(handler=_demo)
    status.set_defaults(handler=_status)
    backup.set_defaults(handler=_backup)
    restore.set_defaults(handler=_restore)


def _migrate(args) -> int:
    from maturity.services.database import prepare_database

    settings = get_settings()
    revision = prepare_database(settings.db_url)
    print(f"database {settings.db_url} is at revision {revision}")
    return 0


def _init(args) -> int:
    from maturity.services import demo, status
    from maturity.services.access import admin_secret

    _migrate(args)
    settings = get_settings()
    if settings.auth:
        secret = admin_secret(settings.db_url, settings)
        where = (
            "from MATURITY_ADMIN_SECRET"
            if secret.source == "environment"
            else f"{secret.value}  (set MATURITY_ADMIN_SECRET to choose your own)"
        )
        print(f"Facilitator sign-in secret: {where}")
        if args.address:  # where to type it: the app opens on the participants' join page
            print(f"Facilitator sign-in page: {args.address.rstrip('/')}/signin")
    if not status.is_empty(settings.db_url):
        return 0
    choice = args.demo
    if choice == "ask":
        if not sys.stdin.isatty():
            print("The database is empty. To explore with demo data: python -m maturity demo (or `make demo`).")
            return 0
        answer = input("The database is empty. Load demo data (teams, workshops, surveys, actions)? [Y/n] ")
        choice = "no" if answer.strip().lower().startswith("n") else "yes"
    if choice == "yes":
        print(demo.describe(demo.load_demo(settings.db_url)))
    return 0


def _demo(args) -> int:
    from maturity.services import demo
    from maturity.services.database import prepare_database

    settings = get_settings()
    prepare_database(settings.db_url)
    print(demo.describe(demo.load_demo(settings.db_url, seed=args.seed)))
    return 0


def _status(args) -> int:
    from maturity.services import status

    settings = get_settings()
    report = status.database_status(settings.db_url)
    print(f"database: {report.url}")
    print(f"revision: {report.revision or 'none (run: python -m maturity migrate)'}")
    for name, count in report.counts.items():
        print(f"{name}: {count}")
    return 0


def _backup(args) -> int:
    from maturity.services import backup
    from maturity.services.errors import InvalidInput

    settings = get_settings()
    try:
        target = args.file or backup.default_backup_path(settings.db_url)
        made = backup.backup(settings.db_url, target)
    except InvalidInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n:,} {name}" for name, n in made.counts.items())
    print(f"wrote {made.path} ({made.size / 1024:,.0f} KB, schema {made.revision}): {counts}")
    return 0


def _restore(args) -> int:
    from maturity.services import backup
    from maturity.services.errors import InvalidInput

    settings = get_settings()
    try:
        held = backup.check_backup(args.file)
        keep = backup.default_backup_path(settings.db_url).with_name(
            f"before-restore-{backup.default_backup_path(settings.db_url).name}"
        )
        counts = ", ".join(f"{n:,} {name}" for name, n in held.counts.items())
        if not args.yes:
            if not sys.stdin.isatty():
                print(
                    "error: restoring replaces everything in the database; add --yes to do it without a question", file=sys.stderr
                )
                return 1
            answer = input(
                f"Replace the contents of {settings.db_url} with {args.file} ({counts})? What it holds now is kept in {keep} first. [y/N] "
            )
            if not answer.strip().lower().startswith("y"):
                print("nothing was changed.")
                return 1
        done = backup.restore(settings.db_url, args.file, keep_current=keep)
    except InvalidInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file} ({counts})" + (f"; what the database held before is in {done.kept}" if done.kept else ""))
    return 0
