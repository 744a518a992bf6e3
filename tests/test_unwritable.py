"""A database that cannot be written (read-only file, full disk) or is damaged: every page says so, nothing is lost."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from maturity.services import voting
from maturity.services import workshops as ws
from maturity.storage.engine import dispose_engines, get_engine
from maturity.ui.access import PARTICIPANT_PARAM, SECRET_FLAG
from maturity.ui.ballot import shared_snapshot
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.sqlite_only  # read-only files, page limits and damaged files are SQLite's


@pytest.fixture
def workshop_file(tmp_path, db_url, dmm, monkeypatch):
    """A database with an open workshop and one participant, no admin secret stored, MATURITY_ADMIN_SECRET unset."""
    monkeypatch.delenv("MATURITY_ADMIN_SECRET")
    team = ws.get_or_create_team(db_url, "Finance")
    workshop = ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["skills"])
    participant = voting.join_workshop(db_url, workshop.join_code)
    dispose_engines()
    shared_snapshot.clear()
    return Path(db_url.removeprefix("sqlite:///")), workshop, participant


def read_only(path: Path, monkeypatch) -> str:
    """The same file opened read-only (as for a file the app's user cannot write; root ignores file modes)."""
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    monkeypatch.setenv("MATURITY_DB_URL", url)
    return url


def problem(phone: AppTest) -> str:
    """What the phone tells its person about their last tap."""
    return " ".join(unescape(w.value) for w in phone.warning)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.logs_errors  # the failure is the point: it is logged with a reference
def test_a_read_only_database_still_shows_pages_and_says_why_a_change_fails(workshop_file, monkeypatch):
    path, workshop, participant = workshop_file
    read_only(path, monkeypatch)
    before = path.read_bytes()

    join = run(AppTest.from_file(APP, default_timeout=60))
    assert join.title[0].value == "Join a workshop"
    join.text_input(key="join_code").input(workshop.join_code)
    join.button(key="FormSubmitter:join_form-Join").click()
    run(join)
    assert "Could not join: the database file cannot be written" in unescape(join.error[0].value)

    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params[PARTICIPANT_PARAM] = participant.token
    run(phone)
    next(b for b in phone.button if b.label.startswith("3")).click()
    run(phone)
    assert "Your vote was not saved: the database file cannot be written" in problem(phone)

    signin = run(AppTest.from_file(APP, default_timeout=60))
    run(signin.switch_page(page_path("signin")))  # no secret was ever stored
    assert "The admin secret could not be stored" in signin.error[0].value and "cannot be written" in signin.error[0].value

    screen = AppTest.from_file(APP, default_timeout=60)
    screen.session_state[SECRET_FLAG] = True
    run(screen)
    screen.switch_page(page_path("screen")).query_params["w"] = str(workshop.id)
    run(screen)
    screen.button(key="end_workshop").click()
    run(screen)
    assert "That did not work: the database file cannot be written" in unescape(screen.error[0].value)
    assert path.read_bytes() == before  # nothing was half-written


@pytest.mark.logs_errors  # the failure is the point: it is logged with a reference
def test_a_full_disk_is_said_on_the_phone_and_the_vote_can_be_cast_again(workshop_file):
    path, workshop, participant = workshop_file
    url = f"sqlite:///{path}"
    engine = get_engine(url)

    # The disk is the boundary faked here: every write fails as SQLite fails when the disk is full.
    @event.listens_for(engine, "before_cursor_execute")
    def disk_full(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")

    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params[PARTICIPANT_PARAM] = participant.token
    run(phone)
    next(b for b in phone.button if b.label.startswith("3")).click()
    run(phone)
    assert "Your vote was not saved: the disk is full, so nothing was saved" in problem(phone)
    assert voting.my_ballot(url, participant.token).votes == {}

    event.remove(engine, "before_cursor_execute", disk_full)  # space again: the same tap works
    next(b for b in phone.button if b.label.startswith("3")).click()
    run(phone)
    assert problem(phone) == "" and list(voting.my_ballot(url, participant.token).votes.values()) == [3]


@pytest.mark.logs_errors  # the failure is the point: it is logged with a reference
def test_a_damaged_database_file_is_explained(workshop_file, monkeypatch, tmp_path):
    path, _, _ = workshop_file
    damaged = tmp_path / "damaged.db"
    shutil.copy(path, damaged)
    with damaged.open("r+b") as handle:  # keep the header, overwrite the pages after it
        handle.seek(4096)
        handle.write(b"\xde\xad\xbe\xef" * 4096)
    monkeypatch.setenv("MATURITY_DB_URL", f"sqlite:///{damaged}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    run(at)
    shown = " ".join(e.value for e in at.error)
    assert "damaged" in shown or "not a SQLite database" in shown, shown
    assert "sqlalchemy" not in shown.lower() and "Traceback" not in shown
