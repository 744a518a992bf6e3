"""Command line: python -m maturity validate | migrate | init | demo | status."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maturity.config import get_settings

COMMANDS_HELP = """commands:
  validate [PATH ...]  check content files (all configured content when no path is given)
  migrate              create or upgrade the database schema
  init                 migrate, then offer demo data when the database is empty
  demo                 fill the database with realistic demo data (safe to run twice)
  status               show the database, its schema revision and what it holds
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m maturity",
        description="Data maturity workshops, surveys and governance actions.",
        epilog=COMMANDS_HELP + "\nenvironment: MATURITY_DB_URL, MATURITY_CONTENT_DIR (see README.md)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    validate = commands.add_parser("validate", help="check content files")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="a content file or folder")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    init = commands.add_parser("init", help="migrate, then offer demo data on an empty database")
    init.add_argument(
        "--demo", choices=["ask", "yes", "no"], default="ask", help="load demo data when empty (default: ask on a terminal)"
    )
    demo = commands.add_parser("demo", help="fill the database with demo data")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    commands.add_parser("status", help="show the database and what it holds")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = {"validate": _validate, "migrate": _migrate, "init": _init, "demo": _demo, "status": _status}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a person reads this, not a developer
        from maturity.services.errors import describe_failure

        print(f"error: {describe_failure(exc)}", file=sys.stderr)
        return 2


def _validate(args) -> int:
    from maturity.content.catalog import load_catalog, validate_paths

    settings = get_settings()
    if args.paths:
        catalog = validate_paths(args.paths, settings.content_sources)
    else:
        catalog = load_catalog(settings.content_sources)
    for problem in catalog.problems:
        print(problem)
    if catalog.problems:
        print(f"{len(catalog.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"ok: {catalog.files_read} file(s) checked"
        + (
            ""
            if args.paths
            else f"; {len(catalog.models)} models, {len(catalog.surveys)} surveys, {len(catalog.playbooks)} playbooks"
        ),
        file=sys.stderr,
    )
    return 0


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
