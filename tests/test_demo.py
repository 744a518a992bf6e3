"""Demo data: realistic, consistent, and safe to load twice."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from maturity.services import demo, status
from maturity.services.demo.surveys import WAVES
from maturity.storage.engine import read_session
from maturity.storage.tables import Action, ActionEvent, Answer, Consensus, SurveyCampaign, Team, Vote, Workshop


def test_demo_fills_an_empty_database_and_is_idempotent(db_url, builtin_catalog):
    assert status.is_empty(db_url)
    first = demo.load_demo(db_url, catalog=builtin_catalog, today=date(2026, 11, 21))
    counts = status.database_status(db_url).counts
    assert counts["teams"] == 6 and counts["workshops"] >= 30 and counts["votes"] > 2000
    assert counts["survey responses"] > 200 and counts["people"] >= 10 and counts["actions"] > 20
    assert first.created["workshops"] == counts["workshops"]

    again = demo.load_demo(db_url, catalog=builtin_catalog, today=date(2027, 3, 10))  # months later
    assert again.created == {}
    assert demo.describe(again) == "Demo data is already loaded; nothing added."
    assert status.database_status(db_url).counts == counts


def test_demo_history_is_quarterly_over_two_years_and_improves(db_url, builtin_catalog):
    demo.load_demo(db_url, catalog=builtin_catalog, today=date(2026, 11, 21))
    with read_session(db_url) as session:
        finance = session.exec(select(Team).where(Team.name == "Finance")).one()
        held = session.exec(
            select(Workshop.held_on)
            .where(Workshop.team_id == finance.id, Workshop.model_id == "data-maturity")
            .order_by(Workshop.held_on)
        ).all()
        assert len(held) == 8 and held[-1] <= date(2026, 11, 21) and (held[-1] - held[0]).days > 600
        first_avg, last_avg = (
            session.exec(
                select(func.avg(Consensus.level)).join(Workshop).where(Workshop.team_id == finance.id, Workshop.held_on == day)
            ).one()
            for day in (held[0], held[-1])
        )
        assert last_avg > first_avg
        # every consensus sits on the ladder and below or at its target
        assert (
            session.exec(select(func.count()).select_from(Consensus).where(Consensus.target_level < Consensus.level)).one() == 0
        )
        assert session.exec(select(func.max(Vote.level))).one() <= 5
        # actions carry their history, and some are overdue
        assert (
            session.exec(select(func.count()).select_from(ActionEvent)).one()
            > session.exec(select(func.count()).select_from(Action)).one()
        )
        statuses = set(session.exec(select(Action.status)).all())
        assert {"done", "open"} <= statuses
        assert (
            session.exec(
                select(func.count()).select_from(SurveyCampaign).where(SurveyCampaign.survey_id == "data-trust-pulse")
            ).one()
            == 4
        )
        assert session.exec(select(func.count()).select_from(Answer)).one() > 1000


def test_demo_with_a_library_missing_a_model_says_so(db_url, builtin_catalog):
    from dataclasses import replace

    partial = replace(builtin_catalog, models={"data-maturity": builtin_catalog.models["data-maturity"]})
    summary = demo.load_demo(db_url, catalog=partial)
    assert any("data-team-health-check" in s for s in summary.skipped)
    assert summary.created["workshops"] > 0


def test_demo_commits_in_small_batches_so_votes_go_through_while_it_loads(db_url, builtin_catalog, dmm):
    """One transaction for the whole demo held the write lock ~1.5 s; between its batches a vote must get through."""
    import threading
    from contextlib import contextmanager

    from maturity.services import rounds, voting
    from maturity.services import workshops as ws
    from maturity.services.authz import acting_as
    from tests.conftest import TEST_ADMIN

    team = ws.get_or_create_team(db_url, "A live room")
    live = ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["skills"])
    round_id = rounds.segment_rounds(db_url, live.id, "skills")[0].id
    token = voting.join_workshop(db_url, live.join_code).token
    batches, between, go_on = [], threading.Event(), threading.Event()
    original = demo.write_session

    @contextmanager
    def counted(url):
        batches.append(1)
        if len(batches) == 3:  # the organisation and the first team are committed: hold here, between two batches
            between.set()
            go_on.wait(60)
        with original(url) as session:
            yield session

    def load():
        with acting_as(TEST_ADMIN):
            demo.load_demo(db_url, catalog=builtin_catalog)

    demo.write_session = counted
    try:
        loader = threading.Thread(target=load)
        loader.start()
        assert between.wait(60), "the demo never let go of the write lock between its parts"
        voting.cast_vote(db_url, token=token, round_id=round_id, level=2)  # would wait for the whole demo before
        go_on.set()
        loader.join(120)
    finally:
        go_on.set()
        demo.write_session = original
    assert len(batches) == 1 + len(demo.TEAMS) + len(WAVES) + 1  # the organisation, each team, each survey, the audit line
    assert voting.my_ballot(db_url, token).votes == {round_id: 2}
    assert status.database_status(db_url).counts["teams"] == len(demo.TEAMS) + 1


def test_a_demo_load_cut_short_is_finished_by_the_next_run(db_url, builtin_catalog, tmp_path):
    from tests import databases

    original, calls = demo.workshop_history, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("the process was stopped")
        return original(*args, **kwargs)

    demo.workshop_history = failing
    try:
        with pytest.raises(RuntimeError):
            demo.load_demo(db_url, catalog=builtin_catalog)
    finally:
        demo.workshop_history = original
    partial = status.database_status(db_url).counts["workshops"]
    assert partial > 0
    demo.load_demo(db_url, catalog=builtin_catalog)
    clean = databases.fresh_url(tmp_path / "clean", migrated=True)
    demo.load_demo(clean, catalog=builtin_catalog)
    for kind in ("teams", "workshops", "survey campaigns", "people"):  # what one uninterrupted run makes
        assert status.database_status(db_url).counts[kind] == status.database_status(clean).counts[kind], kind
    assert demo.load_demo(db_url, catalog=builtin_catalog).created == {}  # nothing left to add
    databases.release(clean)
