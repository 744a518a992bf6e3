"""Reminders: the right digest to the right owner once a day through a real SMTP server, and calendar feeds apps can read."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar

from maturity.config import SmtpSettings
from maturity.domain.roles import Actor, StaffRole
from maturity.services import actions as ax
from maturity.services import audit, calendar_feeds, owners, reminders
from maturity.services.authz import NotAllowed, acting_as
from maturity.services.errors import InvalidInput
from tests.browser.conftest import _free_port as free_port
from tests.browser.conftest import streamlit_server

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 10)
PUBLIC_URL = "https://maturity.example.org"
SENDER = "maturity@example.org"


class Mailbox:
    """An aiosmtpd handler that keeps every message, and refuses the recipients in `refuse` with a 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


def accept_maturity_right(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"maturity", b"right")
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(port: int | None = None, **smtp_parameters) -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **smtp_parameters)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mail() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "MATURITY_SMTP_HOST": "127.0.0.1",
        "MATURITY_SMTP_PORT": str(port),
        "MATURITY_SMTP_FROM": SENDER,
        "MATURITY_SMTP_SECURITY": "none",
        "MATURITY_SMTP_USER": "",
        "MATURITY_SMTP_PASSWORD": "",
        "MATURITY_PUBLIC_URL": PUBLIC_URL,
        **extra,
    }


def remind(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "maturity", "remind", "--today", TODAY.isoformat(), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MATURITY_REMIND_DAYS": "", **env},  # the default 7 days, whatever this shell sets
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def people(db_url):
    """Bea and Carl have actions to be reminded of; Dana left (inactive); Eve has nothing due."""
    bea = owners.save_person(db_url, name="Bea Santos", email="bea@example.org", team_name="Data")
    carl = owners.save_person(db_url, name="Carl Okafor", email="carl@example.org")
    dana = owners.save_person(db_url, name="Dana Weiss", email="dana@example.org")
    eve = owners.save_person(db_url, name="Eve Lind", email="eve@example.org")

    def action(title, owner, due_in_days=None, status="open", **fields):
        due = TODAY + timedelta(days=due_in_days) if due_in_days is not None else None
        made = ax.create_action(db_url, title=title, owner_id=owner.id, due_on=due, segment_id="data-strategy", **fields)
        if status != "open":
            made = ax.update_action(db_url, made.id, expected_version=made.version, status=status)
        return made

    made = {
        "strategy": action("Write the data strategy", bea, -10, priority="high"),
        "metrics": action("Name metric owners", bea, -2, status="in_progress"),
        "catalogue": action("Pick a catalogue", bea, 0),
        "glossary": action("Publish the glossary", bea, 3, status="blocked"),
        "done": action("Old finished work", bea, -5, status="done"),
        "dropped": action("Abandoned idea", bea, -1, status="dropped"),
        "later": action("Far future plan", bea, 30),
        "undated": action("Someday maybe", bea),
        "training": action("Train the analysts", carl, 7),
        "beyond": action("Beyond the window", carl, 8),
        "dana": action("Dana's overdue task", dana, -3),
        "unowned": ax.create_action(db_url, title="Nobody's yet", due_on=TODAY - timedelta(days=1)),
    }
    owners.save_person(
        db_url, name="Dana Weiss", email="dana@example.org", active=False, person_id=dana.id, expected_version=dana.version
    )
    return {"bea": bea, "carl": carl, "dana": dana, "eve": eve, "actions": made}


# --------------------------------------------------------------------------- digests


def test_digests_list_overdue_and_soon_due_open_actions_of_active_owners(db_url, people):
    found = reminders.digests(db_url, today=TODAY, within_days=7)
    assert [(d.name, d.email) for d in found] == [("Bea Santos", "bea@example.org"), ("Carl Okafor", "carl@example.org")]
    bea, carl = found
    assert [(a.title, a.days_overdue) for a in bea.overdue] == [("Write the data strategy", 10), ("Name metric owners", 2)]
    assert [(a.title, a.days_left) for a in bea.due_soon] == [("Pick a catalogue", 0), ("Publish the glossary", 3)]
    first = bea.overdue[0]
    assert (first.id, first.team_name, first.segment_id, first.due_on, first.status) == (
        people["actions"]["strategy"].id, "", "data-strategy", TODAY - timedelta(days=10), "open",
    )  # fmt: skip
    assert [a.title for a in carl.due_soon] == ["Train the analysts"] and carl.overdue == ()


def test_digests_refuse_a_negative_window(db_url):
    with pytest.raises(InvalidInput, match="0 or more"):
        reminders.digests(db_url, today=TODAY, within_days=-1)


# --------------------------------------------------------------------------- the remind command


def test_remind_sends_each_owner_one_email_with_their_own_actions(db_url, people, mail):
    mailbox, port = mail
    result = remind(env={"MATURITY_DB_URL": db_url, **smtp_env(port)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sent to Bea Santos <bea@example.org>: maturity: 2 actions overdue, 2 due in the next 7 days" in result.stdout
    assert "sent to Carl Okafor <carl@example.org>: maturity: 1 action due in the next 7 days" in result.stdout
    assert result.stdout.rstrip().endswith("2 reminder(s) sent, 0 already sent today, 0 failed")
    assert len(mailbox.messages) == 2 and len(mailbox.to("bea@example.org")) == 1 and len(mailbox.to("carl@example.org")) == 1

    message = mailbox.to("bea@example.org")[0]
    assert message["Subject"] == "maturity: 2 actions overdue, 2 due in the next 7 days"
    assert message["From"].addresses[0].addr_spec == SENDER and message["To"].addresses[0].display_name == "Bea Santos"
    body = message.get_content()
    assert body.startswith("Hello Bea Santos,")
    overdue, soon = body.index("Overdue (2):"), body.index("Due in the next 7 days (2):")
    assert overdue < body.index("Write the data strategy") < body.index("Name metric owners") < soon
    assert soon < body.index("Pick a catalogue") < body.index("Publish the glossary")
    assert "due 2026-02-28, 10 days overdue" in body and "due 2026-03-08, 2 days overdue" in body
    assert "due today, 2026-03-10" in body and "due 2026-03-13, in 3 days" in body
    assert f"action #{people['actions']['strategy'].id}" in body and "In progress" in body and "Blocked" in body
    for absent in ("Old finished work", "Abandoned idea", "Far future plan", "Someday maybe", "Train the analysts", "Dana"):
        assert absent not in body
    assert f"{PUBLIC_URL}/my_actions" in body
    token = calendar_feeds.calendar_token(db_url, people["bea"].id)  # the link the e-mail gave, made on the way
    assert calendar_feeds.calendar_url(PUBLIC_URL, token) in body

    carl = mailbox.to("carl@example.org")[0].get_content()
    assert "Train the analysts" in carl and "Beyond the window" not in carl and "Write the data strategy" not in carl


def test_a_second_run_the_same_day_sends_nothing_and_says_so(db_url, people, mail):
    mailbox, port = mail
    env = {"MATURITY_DB_URL": db_url, **smtp_env(port)}
    assert remind(env=env).returncode == 0
    again = remind(env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already sent today: Bea Santos <bea@example.org>" in again.stdout
    assert "already sent today: Carl Okafor <carl@example.org>" in again.stdout
    assert "0 reminder(s) sent, 2 already sent today, 0 failed" in again.stdout
    assert len(mailbox.messages) == 2
    tomorrow = remind("--today", (TODAY + timedelta(days=1)).isoformat(), env=env)  # the last --today wins
    assert tomorrow.returncode == 0 and len(mailbox.messages) == 4


def test_two_runs_at_the_same_moment_send_each_owner_once(db_url, people, mail):
    mailbox, port = mail
    env = {**os.environ, "MATURITY_REMIND_DAYS": "", "MATURITY_DB_URL": db_url, **smtp_env(port)}
    command = [sys.executable, "-m", "maturity", "remind", "--today", TODAY.isoformat()]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    said = "".join(out for out, _ in outputs)
    assert said.count("sent to Bea Santos") == 1 and said.count("sent to Carl Okafor") == 1
    assert sorted(m["X-Envelope-To"] for m in mailbox.messages) == ["bea@example.org", "carl@example.org"]


def test_dry_run_sends_and_records_nothing_and_needs_no_mail_server(db_url, people, mail):
    mailbox, port = mail
    dry = remind("--dry-run", env={"MATURITY_DB_URL": db_url, "MATURITY_SMTP_HOST": ""})
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would send to Bea Santos <bea@example.org>: maturity: 2 actions overdue, 2 due in the next 7 days" in dry.stdout
    assert "would send to Carl Okafor <carl@example.org>" in dry.stdout
    assert "nothing was sent or recorded" in dry.stdout
    assert mailbox.messages == []
    real = remind(env={"MATURITY_DB_URL": db_url, **smtp_env(port)})
    assert real.returncode == 0 and len(mailbox.messages) == 2  # the dry run recorded nothing


def test_days_widens_the_window(db_url, people):
    dry = remind("--dry-run", "--days", "8", env={"MATURITY_DB_URL": db_url, "MATURITY_SMTP_HOST": ""})
    assert "would send to Carl Okafor <carl@example.org>: maturity: 2 actions due in the next 8 days" in dry.stdout


def test_remind_without_mail_settings_names_them(db_url, people):
    result = remind(env={"MATURITY_DB_URL": db_url, "MATURITY_SMTP_HOST": ""})
    assert result.returncode == 1
    assert "MATURITY_SMTP_HOST" in result.stderr and "MATURITY_SMTP_FROM" in result.stderr and "Traceback" not in result.stderr


def test_a_mail_server_that_is_down_fails_clearly_and_the_next_run_sends(db_url, people):
    port = free_port()  # nothing listens there
    env = {"MATURITY_DB_URL": db_url, **smtp_env(port)}
    down = remind(env=env)
    assert down.returncode == 1
    assert f"error: the mail server 127.0.0.1:{port} refused the connection" in down.stderr
    assert "check MATURITY_SMTP_HOST and MATURITY_SMTP_PORT" in down.stderr and "Traceback" not in down.stderr
    assert "not sent: Bea Santos <bea@example.org>" in down.stdout and "2 failed" in down.stdout
    with smtp_server(port) as (mailbox, _):
        up = remind(env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    assert len(mailbox.messages) == 2  # the failed run recorded nobody as reminded


def test_a_refused_recipient_fails_that_owner_only_and_is_retried(db_url, people, mail):
    mailbox, port = mail
    mailbox.refuse.add("bea@example.org")
    env = {"MATURITY_DB_URL": db_url, **smtp_env(port)}
    result = remind(env=env)
    assert result.returncode == 1
    assert (
        "failed: Bea Santos <bea@example.org>: the mail server refused the address bea@example.org "
        "(550 5.1.1 No such mailbox here); check this person's e-mail in the owner registry." in result.stdout
    )
    assert "sent to Carl Okafor" in result.stdout and "1 reminder(s) sent, 0 already sent today, 1 failed" in result.stdout
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["carl@example.org"]

    mailbox.refuse.clear()
    retry = remind(env=env)
    assert retry.returncode == 0
    assert "sent to Bea Santos" in retry.stdout and "already sent today: Carl Okafor" in retry.stdout
    assert [m["X-Envelope-To"] for m in mailbox.messages] == ["carl@example.org", "bea@example.org"]


def test_a_wrong_smtp_password_is_explained(db_url, people):
    with smtp_server(authenticator=accept_maturity_right, auth_require_tls=False) as (mailbox, port):
        env = {"MATURITY_DB_URL": db_url, **smtp_env(port, MATURITY_SMTP_USER="maturity", MATURITY_SMTP_PASSWORD="wrong")}
        wrong = remind(env=env)
        assert wrong.returncode == 1 and mailbox.messages == []
        assert f"error: the mail server 127.0.0.1:{port} refused the log-in (535" in wrong.stderr
        assert "check MATURITY_SMTP_USER and MATURITY_SMTP_PASSWORD" in wrong.stderr
        right = remind(env={**env, "MATURITY_SMTP_PASSWORD": "right"})
        assert right.returncode == 0, right.stdout + right.stderr
        assert len(mailbox.messages) == 2


def test_the_settings_page_test_email_arrives_and_failures_are_sentences(mail):
    mailbox, port = mail
    settings = SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, security="none")
    reminders.send_test_email(settings, "admin@example.org")
    assert [m["Subject"] for m in mailbox.to("admin@example.org")] == ["maturity: test e-mail"]

    mailbox.refuse.add("nobody@example.org")
    with pytest.raises(reminders.MailNotSent, match="refused the address nobody@example.org"):
        reminders.send_test_email(settings, "nobody@example.org")
    with pytest.raises(reminders.MailNotSent, match="check MATURITY_SMTP_HOST and MATURITY_SMTP_PORT"):
        reminders.send_test_email(SmtpSettings(host="127.0.0.1", port=free_port(), sender=SENDER, security="none"), "a@b.org")
    with pytest.raises(reminders.MailNotSent, match="unknown host.*MATURITY_SMTP_HOST"):
        reminders.send_test_email(SmtpSettings(host="no-such-host.invalid", port=25, sender=SENDER, security="none"), "a@b.org")
    with pytest.raises(reminders.MailNotSent, match="does not offer STARTTLS"):
        reminders.send_test_email(SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, security="starttls"), "a@b.org")
    with acting_as(Actor(name="Fran", role=StaffRole.FACILITATOR)), pytest.raises(NotAllowed):
        reminders.send_test_email(settings, "admin@example.org")


# --------------------------------------------------------------------------- calendar feeds


def events(feed: str) -> dict[str, dict]:
    calendar = Calendar.from_ical(feed)
    return {
        str(e["SUMMARY"]): {
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "uid": str(e["UID"]),
            "text": str(e["DESCRIPTION"]),
        }
        for e in calendar.walk("VEVENT")
    }


def test_the_calendar_feed_has_one_all_day_event_per_open_dated_action_of_that_person(db_url, people):
    token = calendar_feeds.calendar_token(db_url, people["bea"].id)
    feed = calendar_feeds.calendar_feed(db_url, token, public_url=PUBLIC_URL)
    calendar = Calendar.from_ical(feed)
    assert str(calendar["X-WR-CALNAME"]) == "maturity — Bea Santos's actions"
    found = events(feed)
    assert sorted(found) == [
        "Due: Far future plan", "Due: Name metric owners", "Due: Pick a catalogue",
        "Due: Publish the glossary", "Due: Write the data strategy",
    ]  # fmt: skip
    strategy = found["Due: Write the data strategy"]
    assert (strategy["start"], strategy["end"]) == (date(2026, 2, 28), date(2026, 3, 1))
    assert strategy["uid"] == f"action-{people['actions']['strategy'].id}@maturity"
    assert "Segment: data-strategy" in strategy["text"] and "Priority: high" in strategy["text"]
    assert "Status: Open" in strategy["text"] and f"{PUBLIC_URL}/my_actions" in strategy["text"]
    assert "Status: Blocked" in found["Due: Publish the glossary"]["text"]
    assert "DTSTART;VALUE=DATE:20260228" in feed and "DTSTAMP:" in feed
    assert "my_actions" not in calendar_feeds.calendar_feed(db_url, token, public_url=None)

    carl = events(calendar_feeds.calendar_feed(db_url, calendar_feeds.calendar_token(db_url, people["carl"].id), public_url=None))
    assert sorted(carl) == ["Due: Beyond the window", "Due: Train the analysts"]


def test_an_unknown_token_has_no_feed_and_renewing_kills_the_old_link(db_url, people):
    assert calendar_feeds.calendar_feed(db_url, "not-a-token", public_url=None) is None
    assert calendar_feeds.calendar_feed(db_url, "", public_url=None) is None
    old = calendar_feeds.calendar_token(db_url, people["bea"].id)
    assert calendar_feeds.calendar_token(db_url, people["bea"].id) == old  # the same link until renewed
    new = calendar_feeds.calendar_token(db_url, people["bea"].id, renew=True)
    assert new != old and len(new) >= 32
    assert calendar_feeds.calendar_feed(db_url, old, public_url=None) is None
    assert "Due: Pick a catalogue" in events(calendar_feeds.calendar_feed(db_url, new, public_url=None))
    lines = audit.list_events(db_url, entity="person")
    assert [e.verb for e in lines[:2]] == ["calendar renewed", "calendar created"]
    assert all(old not in e.summary and new not in e.summary for e in lines)


def test_an_owner_gets_their_own_calendar_link_but_not_someone_elses(db_url, people):
    bea = Actor(name="Bea Santos", role=StaffRole.OWNER, email="bea@example.org", person_id=people["bea"].id)
    with acting_as(bea):
        token = calendar_feeds.calendar_token(db_url, people["bea"].id)
        with pytest.raises(NotAllowed, match="their own actions only"):
            calendar_feeds.calendar_token(db_url, people["carl"].id)
        with pytest.raises(NotAllowed):
            reminders.digests(db_url, today=TODAY, within_days=7)
    assert calendar_feeds.calendar_token(db_url, people["bea"].id) == token
    with acting_as(Actor(name="Lee", role=StaffRole.LEADER)), pytest.raises(NotAllowed):
        calendar_feeds.calendar_token(db_url, people["bea"].id)


@pytest.mark.server
def test_the_app_serves_the_calendar_feed_at_its_link(db_url, people, tmp_path):
    token = calendar_feeds.calendar_token(db_url, people["bea"].id)
    port = free_port()
    public = {"MATURITY_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    with streamlit_server(tmp_path, env_extra=public, port=port, database=db_url) as base_url:
        with urllib.request.urlopen(f"{base_url}/calendar/{token}.ics", timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/calendar")
            feed = response.read().decode()
        with pytest.raises(urllib.error.HTTPError) as unknown:
            urllib.request.urlopen(f"{base_url}/calendar/not-a-token.ics", timeout=30)
    found = events(feed)
    assert len(found) == 5 and found["Due: Pick a catalogue"]["start"] == TODAY
    assert f"{base_url}/my_actions" in found["Due: Pick a catalogue"]["text"]
    assert unknown.value.code == 404
    assert "This calendar link is not valid (any more)" in unknown.value.read().decode()
