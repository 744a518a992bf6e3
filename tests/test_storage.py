"""The SQLite engine: pragmas, one engine per URL, read-then-write under many threads."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from maturity.storage.engine import get_engine, read_session, write_session
from maturity.storage.tables import Participant, Round, Team, Vote, Workshop


@pytest.mark.sqlite_only
def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(db_url):
    with get_engine(db_url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_one_engine_per_url(db_url, tmp_path):
    assert get_engine(db_url) is get_engine(db_url)
    assert get_engine(db_url) is not get_engine(f"sqlite:///{tmp_path / 'other.db'}")


def test_missing_data_folder_is_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'maturity.db'}"
    with write_session(url) as session:
        session.exec(select(1))
    assert (tmp_path / "deep" / "er" / "maturity.db").exists()


def test_foreign_keys_are_enforced(db_url):
    with pytest.raises(IntegrityError):
        with write_session(db_url) as session:
            session.add(Workshop(team_id=999, model_id="m", model_version="1", title="t", held_on=date.today()))


def test_failed_write_leaves_nothing_behind(db_url):
    with pytest.raises(RuntimeError):
        with write_session(db_url) as session:
            session.add(Team(name="Half written"))
            session.flush()
            raise RuntimeError("boom")
    with read_session(db_url) as session:
        assert session.exec(select(Team)).all() == []


def _workshop_with_round(db_url) -> tuple[int, int]:
    with write_session(db_url) as session:
        team = Team(name="Finance")
        session.add(team)
        session.flush()
        workshop = Workshop(team_id=team.id, model_id="m", model_version="1", title="t", held_on=date.today())
        session.add(workshop)
        session.flush()
        rnd = Round(workshop_id=workshop.id, segment_id="quality")
        participant = Participant(workshop_id=workshop.id, token="tok")
        session.add_all([rnd, participant])
        session.flush()
        return rnd.id, participant.id


def test_database_refuses_a_second_vote_for_the_same_round(db_url):
    round_id, participant_id = _workshop_with_round(db_url)
    with write_session(db_url) as session:
        session.add(Vote(round_id=round_id, participant_id=participant_id, level=2))
    with pytest.raises(IntegrityError):
        with write_session(db_url) as session:
            session.add(Vote(round_id=round_id, participant_id=participant_id, level=3))


def test_read_then_write_under_many_threads_neither_fails_nor_loses_updates(db_url):
    with write_session(db_url) as session:
        session.add(Team(name="counter", description="0"))
    threads, increments = 24, 40
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait()
        for _ in range(increments):
            try:
                with write_session(db_url) as session:
                    team = session.exec(select(Team).where(Team.name == "counter")).one()  # read ...
                    team.description = str(int(team.description) + 1)  # ... then write
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    with read_session(db_url) as session:
        assert session.exec(select(Team.description).where(Team.name == "counter")).one() == str(threads * increments)


def test_readers_are_not_blocked_by_an_open_write(db_url):
    with write_session(db_url) as session:
        session.add(Team(name="Finance"))
    with write_session(db_url) as writer:
        writer.add(Team(name="Marketing"))
        writer.flush()
        with read_session(db_url) as reader:  # WAL: the reader sees the last commit, without waiting
            assert [t.name for t in reader.exec(select(Team)).all()] == ["Finance"]
