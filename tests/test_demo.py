"""Demo data: realistic, consistent, and safe to load twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from maturity.services import demo, status
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
