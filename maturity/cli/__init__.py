"""Command line: python -m maturity COMMAND; each feature's commands live in a module of this package."""

from __future__ import annotations

import argparse
import logging
import sys

from maturity.cli import content, database, people, reports, serve
from maturity.domain.roles import COMMAND_LINE
from maturity.logs import configure_logging
from maturity.services.authz import acting_as
from maturity.services.errors import ServiceError, known_failure

log = logging.getLogger("maturity.cli")

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
        epilog=COMMANDS_HELP
        + "\noptions: --debug (anywhere) prints the full traceback of an unexpected error and debug log lines"
        + "\nenvironment: MATURITY_DB_URL, MATURITY_CONTENT_DIR, MATURITY_LOG_LEVEL, MATURITY_LOG_FORMAT (see README.md)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (content, database, reports, serve, people):
        module.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # anywhere on the line: `python -m maturity report --debug` reads naturally
    argv = [a for a in argv if a != "--debug"]
    configure_logging(level="DEBUG" if debug else None, default_level="WARNING")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        with acting_as(COMMAND_LINE):  # whoever runs the command line can read the database file anyway
            return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except ServiceError as exc:  # a refusal says what to do; no traceback
        log.info("refused: %s: %s", args.command, exc)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a person reads this, not a developer
        if debug:
            log.exception("%s failed", args.command)
        sentence = known_failure(exc) or f"{type(exc).__name__}: {exc}"
        if not debug:
            sentence += " (run again with --debug for the full traceback)"
        print(f"error: {sentence}", file=sys.stderr)
        return 2
