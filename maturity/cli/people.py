"""People: roles for sign-in, the sign-in check, and the owners' reminder e-mails."""

from __future__ import annotations

import sys

from maturity.cli.common import day as _day
from maturity.config import get_settings


def add_parsers(commands) -> None:
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
    check_sign_in = commands.add_parser(
        "check-sign-in",
        help="check sign-in with the identity provider",
        description="Ask the identity provider (MATURITY_OIDC_ISSUER) for its configuration and whether it accepts this "
        "app's client id and secret, without signing anyone in. Exit 0 when sign-in will work.",
    )
    remind.set_defaults(handler=_remind)
    grant.set_defaults(handler=_grant)
    check_sign_in.set_defaults(handler=_check_sign_in)


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
    from maturity.domain.names import email_key
    from maturity.services import accounts
    from maturity.services.database import prepare_database
    from maturity.services.errors import ServiceError

    settings = get_settings()
    prepare_database(settings.db_url)
    role = "" if args.role == "none" else args.role
    email = email_key(args.email)  # as accounts store it
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
