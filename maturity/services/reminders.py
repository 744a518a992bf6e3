"""Reminders for action owners: a daily e-mail digest of overdue and soon-due actions, and a calendar feed per owner."""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from maturity.config import SmtpSettings
from maturity.domain.roles import Permission
from maturity.domain.typed import one_line
from maturity.services.actions import OPEN_STATUSES, STATUS_LABELS
from maturity.services.authz import requires
from maturity.services.calendar_feeds import calendar_url, feed_token
from maturity.services.errors import InvalidInput, ServiceError
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import Action, Person, ReminderSent, Team

SMTP_TIMEOUT_S = 20
NO_SMTP = (
    "Reminder e-mails need a mail server: set MATURITY_SMTP_HOST (and MATURITY_SMTP_PORT if it is not the usual one) "
    "and MATURITY_SMTP_FROM, the address they come from."
)


class MailNotSent(ServiceError):
    """The mail server could not be reached, or refused the log-in or the message; the text says what to check."""


@dataclass(frozen=True)
class DueActionView:
    id: int
    title: str
    team_name: str
    segment_id: str | None
    due_on: date
    status: str
    priority: str
    days_left: int  # negative when overdue

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


@dataclass(frozen=True)
class DigestView:
    """One owner's reminder: overdue actions (most overdue first), then those due soon (soonest first)."""

    person_id: int
    name: str
    email: str
    overdue: tuple[DueActionView, ...]
    due_soon: tuple[DueActionView, ...]
    within_days: int

    @property
    def action_ids(self) -> list[int]:
        return [a.id for a in (*self.overdue, *self.due_soon)]


@dataclass(frozen=True)
class ReminderView:
    """One owner in a run; `reason` says why it failed."""

    name: str
    email: str
    overdue: int
    due_soon: int
    subject: str
    reason: str = ""


@dataclass(frozen=True)
class RemindResult:
    sent: tuple[ReminderView, ...] = ()  # in a dry run: would be sent
    skipped: tuple[ReminderView, ...] = ()  # already sent today
    failed: tuple[ReminderView, ...] = ()
    dry_run: bool = False
    problem: str = ""  # what stopped the whole run (no connection, log-in refused); each failed owner carries it too


# --------------------------------------------------------------------------- digests


@requires(Permission.VIEW_ACTIONS)
def digests(url: str, *, today: date, within_days: int) -> list[DigestView]:
    """One digest per active owner with an e-mail and open actions overdue or due within `within_days` days."""
    return _digests(url, today, within_days)


def _digests(url: str, today: date, within_days: int) -> list[DigestView]:
    if within_days < 0:
        raise InvalidInput(f"The number of days ahead must be 0 or more, not {within_days}.")
    with read_session(url) as session:
        rows = session.exec(
            select(
                Person.id,
                Person.name,
                Person.email,
                Action.id,
                Action.title,
                Team.name,
                Action.segment_id,
                Action.due_on,
                Action.status,
                Action.priority,
            )
            .select_from(Action)
            .join(Person, col(Action.owner_id) == Person.id)
            .outerjoin(Team, col(Action.team_id) == Team.id)
            .where(
                col(Action.status).in_(OPEN_STATUSES),
                col(Action.due_on).is_not(None),
                col(Action.due_on) <= today + timedelta(days=within_days),
                col(Person.active).is_(True),
                Person.email != "",
            )
            .order_by(func.lower(Person.name), Person.id, Action.due_on, Action.id)
        ).all()
    people: dict[int, tuple[str, str, list[DueActionView]]] = {}
    for person_id, name, email, *action in rows:
        action_id, title, team_name, segment_id, due_on, status, priority = action
        item = DueActionView(action_id, title, team_name or "", segment_id, due_on, status, priority, (due_on - today).days)
        people.setdefault(person_id, (name, email, []))[2].append(item)
    return [
        DigestView(
            person_id,
            name,
            email,
            tuple(a for a in items if a.days_left < 0),
            tuple(a for a in items if a.days_left >= 0),
            within_days,
        )
        for person_id, (name, email, items) in people.items()
    ]


# --------------------------------------------------------------------------- e-mail


@requires(Permission.VIEW_ACTIONS)
def send_reminders(
    url: str,
    smtp: SmtpSettings | None,
    *,
    today: date,
    within_days: int,
    public_url: str | None,
    dry_run: bool = False,
) -> RemindResult:
    """Send each owner their digest, at most once a day per owner; InvalidInput without SMTP settings (unless dry_run)."""
    due = _digests(url, today, within_days)
    with read_session(url) as session:
        done_today = set(session.exec(select(ReminderSent.person_id).where(ReminderSent.sent_on == today)).all())
    skipped = [_outcome(d) for d in due if d.person_id in done_today]
    todo = [d for d in due if d.person_id not in done_today]
    if dry_run:
        return RemindResult(sent=tuple(_outcome(d) for d in todo), skipped=tuple(skipped), dry_run=True)
    if not todo:
        return RemindResult(skipped=tuple(skipped))
    if smtp is None:
        raise InvalidInput(NO_SMTP)
    feeds = _feed_links(url, [d.person_id for d in todo], public_url)
    sent: list[ReminderView] = []
    failed: list[ReminderView] = []
    try:
        with _mail_server(smtp) as server:
            for digest in todo:
                # Reserved and committed before sending: a second run, even one at the same moment,
                # finds the row and skips. A crash between the two loses one day's e-mail, never doubles it.
                if not _reserve(url, digest, today):
                    skipped.append(_outcome(digest))
                    continue
                message = _message(smtp, digest, public_url=public_url, feed_link=feeds.get(digest.person_id))
                try:
                    server.send_message(message)
                except (smtplib.SMTPException, OSError) as exc:
                    _release(url, digest.person_id, today)  # so the next run tries again
                    failed.append(_outcome(digest, _explain(exc, smtp, to=digest.email)))
                else:
                    sent.append(_outcome(digest))
    except MailNotSent as exc:  # no connection or no log-in: nothing was sent and nothing recorded
        return RemindResult(skipped=tuple(skipped), failed=tuple(_outcome(d, str(exc)) for d in todo), problem=str(exc))
    return RemindResult(sent=tuple(sent), skipped=tuple(skipped), failed=tuple(failed))


@requires(Permission.MANAGE_SETTINGS)
def send_test_email(smtp: SmtpSettings | None, to: str) -> None:
    """Send one short e-mail through these settings; raise MailNotSent (or InvalidInput) saying what to check."""
    if smtp is None:
        raise InvalidInput(NO_SMTP)
    address = to.strip()
    if "@" not in address:
        raise InvalidInput(f"{address or 'An empty address'!r} is not an e-mail address.")
    message = _envelope(smtp, address, "", "maturity: test e-mail")
    message.set_content(
        f"This is a test e-mail from maturity, sent through {smtp.host}:{smtp.port} ({smtp.security}).\n"
        "Reminders to action owners will come the same way.\n"
    )
    with _mail_server(smtp) as server:
        try:
            server.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailNotSent(_explain(exc, smtp, to=address)) from exc


def _outcome(digest: DigestView, reason: str = "") -> ReminderView:
    return ReminderView(digest.name, digest.email, len(digest.overdue), len(digest.due_soon), _subject(digest), reason)


def _reserve(url: str, digest: DigestView, today: date) -> bool:
    try:
        with write_session(url) as session:
            session.add(ReminderSent(person_id=digest.person_id, sent_on=today, action_ids=json.dumps(digest.action_ids)))
    except IntegrityError:
        return False
    return True


def _release(url: str, person_id: int, today: date) -> None:
    with write_session(url) as session:
        for row in session.exec(
            select(ReminderSent).where(ReminderSent.person_id == person_id, ReminderSent.sent_on == today)
        ).all():
            session.delete(row)


def _feed_links(url: str, person_ids: list[int], public_url: str | None) -> dict[int, str]:
    if not public_url:
        return {}
    with write_session(url) as session:
        people = session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()
        return {p.id: calendar_url(public_url, feed_token(session, p, renew=False)) for p in people}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _subject(digest: DigestView) -> str:
    parts = []
    if digest.overdue:
        parts.append(f"{_plural(len(digest.overdue), 'action')} overdue")
    if digest.due_soon:
        count = len(digest.due_soon) if digest.overdue else _plural(len(digest.due_soon), "action")
        parts.append(f"{count} due {_ahead(digest.within_days)}")
    return "maturity: " + ", ".join(parts)


def _ahead(days: int) -> str:
    return "today" if days == 0 else "by tomorrow" if days == 1 else f"in the next {days} days"


def _when(action: DueActionView) -> str:
    if action.days_left < 0:
        return f"due {action.due_on.isoformat()}, {_plural(action.days_overdue, 'day')} overdue"
    if action.days_left == 0:
        return f"due today, {action.due_on.isoformat()}"
    if action.days_left == 1:
        return f"due tomorrow, {action.due_on.isoformat()}"
    return f"due {action.due_on.isoformat()}, in {action.days_left} days"


def _lines(actions: tuple[DueActionView, ...]) -> list[str]:
    lines = []
    for a in actions:
        where = " · ".join(part for part in (a.team_name, a.segment_id or "", STATUS_LABELS.get(a.status, a.status)) if part)
        lines += [f"  - {one_line(a.title)} (action #{a.id})", f"    {_when(a)} · {one_line(where)}"]
    return lines


def _body(digest: DigestView, *, public_url: str | None, feed_link: str | None) -> str:
    lines = [f"Hello {one_line(digest.name)},", ""]
    if digest.overdue:
        lines += [f"Overdue ({len(digest.overdue)}):", *_lines(digest.overdue), ""]
    if digest.due_soon:
        lines += [f"Due {_ahead(digest.within_days)} ({len(digest.due_soon)}):", *_lines(digest.due_soon), ""]
    if public_url:
        lines.append(f'Update them, or mark them done, on the "My actions" page: {public_url}/my_actions')
    else:
        lines.append('Update them, or mark them done, on the "My actions" page of maturity.')
    if feed_link:
        lines += ["", "These due dates in your calendar app (subscribe to this link; it is yours alone):", feed_link]
    lines += ["", "You get this e-mail on days when actions you own are overdue or due soon."]
    return "\n".join(lines) + "\n"


def _envelope(smtp: SmtpSettings, to: str, name: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("maturity", smtp.sender))
    message["To"] = formataddr((one_line(name), to)) if one_line(name) else to  # a typed name has no line break here
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    return message


def _message(smtp: SmtpSettings, digest: DigestView, *, public_url: str | None, feed_link: str | None) -> EmailMessage:
    message = _envelope(smtp, digest.email, digest.name, _subject(digest))
    message["Auto-Submitted"] = "auto-generated"  # out-of-office replies stay away
    message.set_content(_body(digest, public_url=public_url, feed_link=feed_link))
    return message


@contextmanager
def _mail_server(smtp: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """One connection, secured and logged in as the settings say; MailNotSent when that fails."""
    try:
        server = _connect(smtp)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(_explain(exc, smtp)) from exc
    try:
        yield server
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S, context=context)
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S)
    try:
        if smtp.security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        if smtp.username:
            server.login(smtp.username, smtp.password)
    except BaseException:
        server.close()
        raise
    return server


def _explain(exc: BaseException, smtp: SmtpSettings, *, to: str = "") -> str:
    """What went wrong, for the person who reads the cron mail or the settings page, and what to check."""
    server = f"{smtp.host}:{smtp.port}"
    where = "check MATURITY_SMTP_HOST and MATURITY_SMTP_PORT"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return (
            f"the mail server refused the address {to} ({code} {_text(text)}); check this person's e-mail in the owner registry."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"the mail server refused to send from {smtp.sender} ({exc.smtp_code} {_text(exc.smtp_error)}); check MATURITY_SMTP_FROM."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"the mail server {server} refused the log-in ({exc.smtp_code} {_text(exc.smtp_error)}); "
            "check MATURITY_SMTP_USER and MATURITY_SMTP_PASSWORD."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc).upper():
        return (
            f"the mail server {server} does not offer STARTTLS; set MATURITY_SMTP_SECURITY=ssl (usually port 465), "
            "or none on a trusted network, and check MATURITY_SMTP_PORT."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"the mail server {server} does not offer a log-in (SMTP AUTH) on this connection; unset MATURITY_SMTP_USER, "
            "or use MATURITY_SMTP_SECURITY=starttls or ssl (many servers offer AUTH only over TLS)."
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return f"the mail server {server} closed the connection; {where}, and MATURITY_SMTP_SECURITY (starttls, ssl or none)."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {server} answered {exc.smtp_code} {_text(exc.smtp_error)}" + (f" for {to}." if to else ".")
    if isinstance(exc, socket.gaierror):
        return f"cannot find the mail server {smtp.host!r} (unknown host); check MATURITY_SMTP_HOST."
    if isinstance(exc, ConnectionRefusedError):
        return f"the mail server {server} refused the connection (is it running?); {where}."
    if isinstance(exc, TimeoutError):
        return f"the mail server {server} did not answer within {SMTP_TIMEOUT_S} s; {where} (and any firewall in between)."
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return (
            f"a secure connection to the mail server {server} failed ({exc}); check MATURITY_SMTP_SECURITY "
            "(ssl is usually port 465, starttls 587) and MATURITY_SMTP_PORT."
        )
    if isinstance(exc, OSError):
        return f"cannot reach the mail server {server} ({exc}); {where}."
    return f"the e-mail could not be sent ({type(exc).__name__}: {exc})."


def _text(raw: bytes | str) -> str:
    return (raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)).strip()
