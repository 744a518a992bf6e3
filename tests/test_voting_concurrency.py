"""Many phones at once: no vote lost, none counted twice, the last change wins."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from maturity.services import rounds, voting
from maturity.services import workshops as ws
from maturity.storage.engine import dispose_engines, get_engine, read_session
from maturity.storage.tables import Vote
from tests import databases

PARTICIPANTS, THREADS = 50, 16


def test_fifty_people_twelve_segments_double_clicks_and_changed_votes(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Everyone")
    workshop = ws.create_workshop(db_url, team_id=team.id, model=dmm, mode="self_paced")
    assert len(workshop.segment_ids) == 12
    people = [voting.join_workshop(db_url, workshop.join_code) for _ in range(PARTICIPANTS)]
    round_ids = [rounds.segment_rounds(db_url, workshop.id, s)[0].id for s in workshop.segment_ids]
    rng = random.Random(3)
    first = {(p.token, r): rng.randint(0, 5) for p in people for r in round_ids}
    final = {key: rng.choice([0, 1, 2, 3, 4, 5, None]) for key in first}

    def cast(job):
        token, round_id, level = job
        voting.cast_vote(db_url, token=token, round_id=round_id, level=level)

    # Phase 1: every vote submitted twice, both at once (a double tap); phase 2: everyone changes their mind.
    doubled = [(t, r, lv) for (t, r), lv in first.items() for _ in range(2)]
    rng.shuffle(doubled)
    changed = [(t, r, lv) for (t, r), lv in final.items()]
    rng.shuffle(changed)
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(cast, doubled))  # re-raises the first failure, if any
        list(pool.map(cast, changed))

    with read_session(db_url) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == PARTICIPANTS * 12
        per_pair = session.exec(select(func.count()).select_from(Vote).group_by(Vote.round_id, Vote.participant_id)).all()
        assert set(per_pair) == {1}
    for round_id in round_ids:
        rounds.reveal_round(db_url, round_id)
        result = rounds.round_result(db_url, round_id)
        expected = [lv for (t, r), lv in final.items() if r == round_id]
        assert result.votes + result.dont_know == PARTICIPANTS
        assert result.counts == {lv: expected.count(lv) for lv in set(expected) if lv is not None}
        assert result.dont_know == expected.count(None)


def test_no_vote_lands_after_the_reveal_even_when_they_race(db_url, dmm):
    """Votes do not queue behind each other on PostgreSQL; a reveal must still see every vote it counts, and no later one."""
    import time

    from maturity.services.errors import RoundNotOpen

    team = ws.get_or_create_team(db_url, "Everyone")
    workshop = ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["skills"])
    round_id = rounds.segment_rounds(db_url, workshop.id, "skills")[0].id
    people = [voting.join_workshop(db_url, workshop.join_code).token for _ in range(120)]
    accepted, refused = [], []
    go = threading.Barrier(9)

    # Widen the race: each vote waits 20 ms between its checks and its write, as a busy server might.
    @event.listens_for(get_engine(db_url), "after_cursor_execute")
    def slow_vote(_conn, _cursor, statement, *_args):
        if "FROM participant" in statement and "JOIN round" in statement:  # the check before the upsert
            time.sleep(0.02)

    def voter(tokens):
        go.wait()
        for token in tokens:
            try:
                voting.cast_vote(db_url, token=token, round_id=round_id, level=3)
                accepted.append(token)
            except RoundNotOpen:
                refused.append(token)

    threads = [threading.Thread(target=voter, args=(people[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    go.wait()
    while len(accepted) < 30:  # reveal while votes are still arriving
        pass
    rounds.reveal_round(db_url, round_id)
    at_reveal = rounds.round_result(db_url, round_id)  # what the shared screen shows the room
    for thread in threads:
        thread.join(60)
    with read_session(db_url) as session:
        stored = session.exec(select(func.count()).select_from(Vote).where(Vote.round_id == round_id)).one()
    assert refused, "the race did not happen: every vote came before the reveal"
    assert len(accepted) + len(refused) == 120
    assert stored == len(accepted) == at_reveal.votes  # every accepted vote is in what was revealed, and no vote came after
    assert rounds.round_result(db_url, round_id) == at_reveal
    event.remove(get_engine(db_url), "after_cursor_execute", slow_vote)


@pytest.fixture
def pg_url():
    """A migrated database on the PostgreSQL server, whatever the rest of the suite runs on."""
    try:
        url = databases.postgres().create(migrated=True)
    except Exception as exc:  # noqa: BLE001 - any failure to reach a server means: skip
        pytest.skip(f"no PostgreSQL server at {databases.PG_ADMIN_URL} ({type(exc).__name__}); set MATURITY_TEST_PG_URL")
    yield url
    dispose_engines()
    databases.postgres().drop(url)


@pytest.mark.postgres
def test_two_last_votes_at_once_still_reveal_the_round(pg_url, dmm):
    """On PostgreSQL votes run side by side: each of the last two cannot see the other's row before it commits."""
    team = ws.get_or_create_team(pg_url, "Everyone")
    workshop = ws.create_workshop(pg_url, team_id=team.id, model=dmm, segment_ids=["skills"], auto_reveal=True)
    round_id = rounds.segment_rounds(pg_url, workshop.id, "skills")[0].id
    people = [voting.join_workshop(pg_url, workshop.join_code).token for _ in range(6)]
    for token in people[:-2]:
        voting.cast_vote(pg_url, token=token, round_id=round_id, level=2)
    both_done = threading.Barrier(2, timeout=10)

    # Each of the last two votes waits at its commit until the other has reached its own: whatever
    # either vote reads inside its transaction, it cannot see the other's row.
    def hold(connection):
        if connection.get_execution_options().get("maturity_workshop_scoped"):  # a vote's transaction
            both_done.wait()

    failures = []

    def last_vote(token):
        try:
            voting.cast_vote(pg_url, token=token, round_id=round_id, level=4)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    event.listen(get_engine(pg_url), "commit", hold)
    try:
        threads = [threading.Thread(target=last_vote, args=(token,)) for token in people[-2:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(get_engine(pg_url), "commit", hold)
    assert not failures and not both_done.broken
    assert rounds.segment_rounds(pg_url, workshop.id, "skills")[0].revealed
    assert rounds.round_result(pg_url, round_id).counts == {2: 4, 4: 2}
