"""Reports from the command line: the leaders' report and the audit log."""

from __future__ import annotations

import sys
from pathlib import Path

from maturity.cli.common import day as _day
from maturity.config import get_settings


def add_parsers(commands) -> None:
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
    audit = commands.add_parser(
        "audit", help="export the audit log as CSV", description="Who changed what and when, newest first."
    )
    audit.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day (default: all time)")
    audit.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day (default: today)")
    audit.add_argument("--out", type=Path, metavar="FILE", help="where to write it (default: standard output)")
    report.set_defaults(handler=_report)
    audit.set_defaults(handler=_audit)


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
