"""Backups taken while votes pour in hold every vote acknowledged before them; restoring one loses nothing."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from maturity.services import audit, backup, voting
from maturity.services import rounds as rd
from maturity.services import workshops as ws
from maturity.services.authz import acting_as
from maturity.services.errors import InvalidInput
from tests.conftest import TEST_ADMIN

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANTS = 240


def votes_in(path: Path) -> dict[str, int]:
    """participant token -> level, read from a database file with plain sqlite3."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT p.token, v.level FROM vote v JOIN participant p ON p.id = v.participant_id").fetchall())


@pytest.fixture
def burst(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Finance")
    workshop = ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["skills"])
    round_id = rd.segment_rounds(db_url, workshop.id, "skills")[0].id
    people = [voting.join_workshop(db_url, workshop.join_code).token for _ in range(PARTICIPANTS)]
    return db_url, round_id, people


@pytest.mark.sqlite_only
def test_a_backup_taken_mid_burst_holds_every_vote_acknowledged_before_it(burst, tmp_path):
    url, round_id, people = burst
    acknowledged: dict[str, tuple[float, int]] = {}  # token -> (when the phone was told, level)
    queue = list(people)
    random.Random(1).shuffle(queue)
    lock = threading.Lock()
    half = threading.Event()

    def voter():
        while True:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            level = random.randint(0, 5)
            voting.cast_vote(url, token=token, round_id=round_id, level=level)
            with lock:
                acknowledged[token] = (time.monotonic(), level)
                if len(acknowledged) >= PARTICIPANTS // 2:
                    half.set()

    threads = [threading.Thread(target=voter) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert half.wait(60)
    started = time.monotonic()
    made = backup.backup(url, tmp_path / "backups" / "mid-burst.db")
    for thread in threads:
        thread.join(60)

    assert len(acknowledged) == PARTICIPANTS
    saved = votes_in(made.path)
    before = {token: level for token, (when, level) in acknowledged.items() if when < started}
    assert len(before) >= PARTICIPANTS // 2
    assert {t: saved[t] for t in before if t in saved} == before and set(before) <= set(saved)  # every one of them
    assert set(saved) <= set(acknowledged)  # and nothing that was never cast
    assert made.counts["vote"] == len(saved) and made.revision
    assert not any(p.name.endswith("-wal") for p in made.path.parent.iterdir())  # one self-contained file


@pytest.mark.sqlite_only
def test_restoring_while_the_app_reads_puts_the_backup_back_and_keeps_what_was_there(burst, tmp_path):
    url, round_id, people = burst
    for token in people[:100]:
        voting.cast_vote(url, token=token, round_id=round_id, level=2)
    made = backup.backup(url, tmp_path / "b.db")
    for token in people[100:]:  # after the backup: these will be in the kept copy, not in the restored database
        voting.cast_vote(url, token=token, round_id=round_id, level=4)

    stop, seen, errors = threading.Event(), [], []

    def reader():  # a page reading the tally while the restore runs
        while not stop.is_set():
            try:
                seen.append(rd.round_tally(url, round_id).votes)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)


    def reading():
        with acting_as(TEST_ADMIN):
            reader()

    thread = threading.Thread(target=reading)
    thread.start()
    done = backup.restore(url, made.path, keep_current=tmp_path / "kept.db")
    stop.set()
    thread.join(30)

    live = Path(url.removeprefix("sqlite:///"))
    assert votes_in(live) == {t: 2 for t in people[:100]}
    assert votes_in(done.kept) == {**{t: 2 for t in people[:100]}, **{t: 4 for t in people[100:]}}
    assert not errors, errors[:3]
    assert set(seen) <= {100, PARTICIPANTS}  # each read saw the database before or after, never half of it
    assert audit.list_events(url, entity="database")[0].summary.startswith("Database restored from b.db")


@pytest.mark.sqlite_only
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(db_url, tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("not a database at all" * 100)
    with pytest.raises(InvalidInput, match="not a usable SQLite database"):
        backup.restore(db_url, junk, keep_current=tmp_path / "kept.db")
    assert not (tmp_path / "kept.db").exists()


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_") or k.startswith("MATURITY_TEST_")}
    return subprocess.run(
        [sys.executable, "-m", "maturity", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.sqlite_only
def test_backup_and_restore_from_the_command_line(burst, tmp_path):
    url, round_id, people = burst
    for token in people[:10]:
        voting.cast_vote(url, token=token, round_id=round_id, level=1)
    env = {"MATURITY_DB_URL": url}
    made = cli("backup", str(tmp_path / "night.db"), env=env)
    assert made.returncode == 0 and "10 vote" in made.stdout, made.stderr
    asked = cli("restore", str(tmp_path / "night.db"), env=env)
    assert asked.returncode == 1 and "add --yes" in asked.stderr
    restored = cli("restore", str(tmp_path / "night.db"), "--yes", env=env)
    assert restored.returncode == 0 and "what the database held before is in" in restored.stdout, restored.stderr
    default = cli("backup", env=env)
    assert default.returncode == 0 and "/backups/maturity-" in default.stdout


def test_backup_of_a_postgresql_database_says_how_with_pg_dump():
    result = cli("backup", env={"MATURITY_DB_URL": "postgresql+psycopg://maturity@db.internal/maturity"})
    assert result.returncode == 1 and "pg_dump --format=custom" in result.stderr and "pg_restore" in result.stderr
