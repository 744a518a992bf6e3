"""Command line: python -m maturity validate | migrate | init | demo | status | report | serve."""

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
  report               write the leaders' report (HTML, charts included) for teams or a workshop
  serve                run several app processes on one database behind nginx (a big room)
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
    }[args.command]
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
