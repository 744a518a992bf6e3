"""Command line: python -m maturity validate | migrate | init | demo | status | report | serve | remind | grant | check-sign-in | audit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maturity.config import get_settings
from maturity.domain.roles import COMMAND_LINE
from maturity.services.authz import acting_as

COMMANDS_HELP = """commands:
  validate [PATH ...]  check content files (all configured content when no path is given)
  migrate              create or upgrade the database schema
  init                 migrate, then offer demo data when the database is empty
  demo                 fill the database with realistic demo data (safe to run twice)
  status               show the database, its schema revision and what it holds
  report               write the leaders' report (HTML, charts included) for teams or a workshop
  serve                run several app processes on one database behind nginx (a big room)
  remind               e-mail each action owner their overdue and soon-due actions (from cron, once a day)
  grant EMAIL ROLE     give someone a role (admin, facilitator, leader, owner, or none) for sign-in with the identity provider
  check-sign-in        check that the identity provider answers and accepts this app's client
  audit                export the audit log (who changed what) as CSV
  backup [FILE]        a consistent copy of the SQLite database, safe while the app serves
  restore FILE         put a backup back, safe while the app serves (the current contents are kept first)
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
    report = commands.add_parser(
        "report",
        help="write a report as one HTML file",
        description="Where the teams stand, how they moved and whether the actions got done, "
        "or one workshop's summary: one self-contained HTML file with the charts as images.",
    )
    report.add_argument("--model", default="data-maturity", help="maturity model id (default data-maturity)")
    report.add_argument("--team", action="append", default=[], metavar="NAME", help="a team (repeat for several; default all)")
    report.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day of the period (default: all time)")
    report.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day of the period (default: today)")
    report.add_argument("--workshop", type=int, metavar="ID", help="report on one workshop instead")
    report.add_argument("--out", type=Path, metavar="FILE", help="where to write it (default: a name in data/)")
    serve = commands.add_parser(
        "serve",
        help="run several app processes behind nginx",
        description="Start WORKERS app processes on one database and nginx in front of them, with sticky sessions "
        "and websockets, and keep them running (an app process that stops is restarted). Ctrl+C stops everything.",
    )
    serve.add_argument("--workers", type=int, default=2, help="app processes, about one per core (default 2)")
    serve.add_argument("--port", type=int, default=8501, help="the port nginx listens on (default 8501)")
    serve.add_argument("--host", default="0.0.0.0", help="the address nginx listens on (default: every interface)")
    serve.add_argument(
        "--first-worker-port", type=int, default=8511, help="app processes listen on 127.0.0.1 from this port on (default 8511)"
    )
    serve.add_argument("--run-dir", type=Path, default=Path("data/serve"), help="logs and nginx's files (default data/serve)")
    remind = commands.add_parser(
        "remind",
        help="e-mail action owners their overdue and soon-due actions",
        description="One e-mail per owner listing their open actions that are overdue or due soon, at most once a day "
        "per owner: run it from cron. Mail goes through MATURITY_SMTP_HOST, from MATURITY_SMTP_FROM.",
    )
    remind.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="the day to remind for (default: today)")
    remind.add_argument("--days", type=int, metavar="N", help="list actions due within N days (default MATURITY_REMIND_DAYS, 7)")
    remind.add_argument("--dry-run", action="store_true", help="print who would get what; send and record nothing")
    grant = commands.add_parser(
        "grant",
        help="give someone a role",
        description="Give the person who signs in with this e-mail a role; 'none' takes their access away. "
        "The first admin of an installation that signs in with an identity provider is made this way, or with MATURITY_ADMIN_EMAILS.",
    )
    grant.add_argument("email", help="their e-mail, as the identity provider knows it")
    grant.add_argument("role", choices=["admin", "facilitator", "leader", "owner", "none"], help="the role")
    commands.add_parser(
        "check-sign-in",
        help="check sign-in with the identity provider",
        description="Ask the identity provider (MATURITY_OIDC_ISSUER) for its configuration and whether it accepts this "
        "app's client id and secret, without signing anyone in. Exit 0 when sign-in will work.",
    )
    audit = commands.add_parser(
        "audit", help="export the audit log as CSV", description="Who changed what and when, newest first."
    )
    audit.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day (default: all time)")
    audit.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day (default: today)")
    audit.add_argument("--out", type=Path, metavar="FILE", help="where to write it (default: standard output)")
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
    return parser


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-01-31") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = {
        "validate": _validate,
        "migrate": _migrate,
        "init": _init,
        "demo": _demo,
        "status": _status,
        "report": _report,
        "serve": _serve,
        "remind": _remind,
        "grant": _grant,
        "check-sign-in": _check_sign_in,
        "audit": _audit,
        "backup": _backup,
        "restore": _restore,
    }[args.command]
    try:
        with acting_as(COMMAND_LINE):  # whoever runs the command line can read the database file anyway
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


def _report(args) -> int:
    from maturity.content.catalog import load_catalog
    from maturity.services import leaders, reports
    from maturity.services.database import prepare_database
    from maturity.services.workshops import list_teams

    settings = get_settings()
    prepare_database(settings.db_url)
    catalog = load_catalog(settings.content_sources)
    if args.workshop is not None:
        report = reports.workshop_report(settings.db_url, catalog, args.workshop)
    else:
        teams = {t.name.casefold(): t.id for t in list_teams(settings.db_url)}
        unknown = [name for name in args.team if name.casefold() not in teams]
        if unknown:
            known = ", ".join(sorted(t.name for t in list_teams(settings.db_url))) or "none yet"
            print(f"error: no team named {', '.join(map(repr, unknown))}; the teams are: {known}", file=sys.stderr)
            return 1
        if args.since and args.until and args.since > args.until:
            print(f"error: --since {args.since} is after --until {args.until}", file=sys.stderr)
            return 1
        filters = leaders.Filters(args.model, tuple(teams[n.casefold()] for n in args.team), args.since, args.until)
        report = reports.period_report(settings.db_url, catalog, filters, min_size=settings.min_group_size)
    out = args.out or Path("data") / report.file_name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.html, encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KB)")
    return 0


def _serve(args) -> int:
    import signal

    from maturity.serve import Cluster, ServeError

    def stop(*_):  # systemd and `kill` send SIGTERM: stop the app processes and nginx too, never orphan them
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    if args.workers < 1 or args.workers > 64:
        print("error: --workers must be from 1 to 64 (about one per core)", file=sys.stderr)
        return 1
    _init(argparse.Namespace(demo="no"))  # once, before the processes start: they must not race to migrate
    cluster = Cluster(
        args.workers, port=args.port, host=args.host, first_worker_port=args.first_worker_port, run_dir=args.run_dir.resolve()
    )
    try:
        with cluster:
            print(
                f"maturity is serving on {cluster.url} with {args.workers} app process(es) on 127.0.0.1:"
                f"{args.first_worker_port}-{args.first_worker_port + args.workers - 1}; logs in {cluster.run_dir}. Ctrl+C stops it."
            )
            cluster.supervise()
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopped.")
    return 0


def _remind(args) -> int:
    from datetime import date

    from maturity.services import reminders
    from maturity.services.database import prepare_database

    settings = get_settings()
    if settings.smtp is None and not args.dry_run:
        print(
            "error: reminders need a mail server: set MATURITY_SMTP_HOST (and MATURITY_SMTP_PORT) and MATURITY_SMTP_FROM, "
            "the address they come from; --dry-run shows who would get what without one",
            file=sys.stderr,
        )
        return 1
    days = settings.remind_days if args.days is None else args.days
    if days < 0:
        print(f"error: --days must be 0 or more, not {days}", file=sys.stderr)
        return 1
    prepare_database(settings.db_url)
    result = reminders.send_reminders(
        settings.db_url, settings.smtp, today=args.today or date.today(), within_days=days,
        public_url=settings.public_url, dry_run=args.dry_run,
    )  # fmt: skip
    for owner in result.sent:
        print(f"{'would send' if result.dry_run else 'sent'} to {owner.name} <{owner.email}>: {owner.subject}")
    for owner in result.skipped:
        print(f"already sent today: {owner.name} <{owner.email}>")
    for owner in result.failed:
        print(
            f"not sent: {owner.name} <{owner.email}>"
            if owner.reason == result.problem
            else f"failed: {owner.name} <{owner.email}>: {owner.reason}"
        )
    if result.dry_run:
        print(
            f"dry run: {len(result.sent)} reminder(s) would be sent, {len(result.skipped)} already sent today; nothing was sent or recorded"
        )
    elif not (result.sent or result.skipped or result.failed):
        print(f"nobody has open actions overdue or due within {days} day(s); nothing to send")
    else:
        print(f"{len(result.sent)} reminder(s) sent, {len(result.skipped)} already sent today, {len(result.failed)} failed")
    if result.problem:
        print(f"error: {result.problem}", file=sys.stderr)
    return 1 if result.failed else 0


def _grant(args) -> int:
    from maturity.services import accounts
    from maturity.services.database import prepare_database
    from maturity.services.errors import ServiceError

    settings = get_settings()
    prepare_database(settings.db_url)
    role = "" if args.role == "none" else args.role
    email = args.email.strip().lower()
    try:
        existing = next((a for a in accounts.list_accounts(settings.db_url) if a.email == email), None)
        if existing is None:
            account = accounts.add_account(settings.db_url, email=email, role=role)
        elif existing.role == role:
            account = existing  # granting twice is harmless (a script may run again)
        else:
            account = accounts.set_role(settings.db_url, existing.id, role, expected_version=existing.version)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{account.email} is now {account.role or 'without access'}"
        + (
            ""
            if settings.oidc
            else " (sign-in with an identity provider is not configured yet: see MATURITY_OIDC_ISSUER in the README)"
        )
    )
    return 0


def _check_sign_in(args) -> int:
    from maturity.services.signin import check_provider

    oidc = get_settings().oidc
    if oidc is None:
        print(
            "Sign-in with an identity provider is not configured (MATURITY_OIDC_ISSUER is not set): everyone signs in with the admin secret."
        )
        return 0
    check = check_provider(oidc.streamlit_auth())
    if not check.ok:
        print(f"error: {check.problem}\n{check.fix}", file=sys.stderr)
        return 1
    print(f"ok: {check.issuer} answers and accepts the client {oidc.client_id!r}; people come back to {oidc.redirect_uri}")
    return 0


def _audit(args) -> int:
    from maturity.services import audit
    from maturity.services.database import prepare_database

    settings = get_settings()
    prepare_database(settings.db_url)
    if args.since and args.until and args.since > args.until:
        print(f"error: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return 1
    events = audit.list_events(settings.db_url, since=args.since, until=args.until, limit=1_000_000)
    data = audit.export_csv(events)
    if args.out is None:
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(f"wrote {args.out}: {len(events)} change(s)", file=sys.stderr)
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
