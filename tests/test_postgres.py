"""The same code on PostgreSQL: migrations, demo data, concurrent read-then-write. Skipped without a server."""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import pytest
from sqlmodel import select

from maturity.services import demo, leaders, perception, reports, status
from maturity.storage.engine import dispose_engines, read_session, write_session
from maturity.storage.migrate import current_revision, head_revision, upgrade
from maturity.storage.tables import Team
from tests import databases

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    """An empty database on the PostgreSQL server, whatever the rest of the suite runs on."""
    try:
        url = databases.postgres().create()
    except Exception as exc:  # noqa: BLE001 - any failure to reach a server means: skip
        pytest.skip(f"no PostgreSQL server at {databases.PG_ADMIN_URL} ({type(exc).__name__}); set MATURITY_TEST_PG_URL")
    yield url
    dispose_engines()
    databases.release(url)


def test_migrations_and_demo_run_on_postgresql(pg_url, builtin_catalog):
    assert upgrade(pg_url) == head_revision() == current_revision(pg_url)
    demo.load_demo(pg_url, catalog=builtin_catalog)
    counts = status.database_status(pg_url).counts
    assert counts["teams"] == 6 and counts["votes"] > 2000
    assert demo.load_demo(pg_url, catalog=builtin_catalog).created == {}


def test_the_leaders_view_gives_the_same_figures_on_postgresql(pg_url, sqlite_url, builtin_catalog):
    """The same demo on both databases: every leaders' query and the report agree to the number."""
    today = date(2026, 11, 21)
    upgrade(pg_url)
    for url in (pg_url, sqlite_url):
        demo.load_demo(url, catalog=builtin_catalog, today=today)
    model = builtin_catalog.models["data-maturity"]
    filters = leaders.Filters("data-maturity")
    views = {}
    for url in (pg_url, sqlite_url):
        history = leaders.consensus_history(url, filters)
        follow = leaders.follow_through(url, history, filters, min_size=5, today=today)
        views[url] = (
            history.drop(columns=["team_id", "workshop_id"])
            .sort_values(["team", "held_on", "segment_id"])
            .reset_index(drop=True),
            leaders.standing(history, 5)
            .cells[["team", "segment_id", "level", "target", "stuck"]]
            .sort_values(["team", "segment_id"])
            .reset_index(drop=True),
            follow.flow,
            follow.effect,
            perception.room_vs_survey(url, builtin_catalog, model, history, filters, min_size=5).rows,
        )
        assert leaders.models_in_use(url) == {"data-maturity", "data-team-health-check"}
    pg, lite = views[pg_url], views[sqlite_url]
    assert len(pg[0]) > 300 and pg[0]["participants"].min() == 3
    for left, right in zip(pg, lite, strict=True):
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right)
        else:
            assert left == right
    report = reports.period_report(pg_url, builtin_catalog, filters, min_size=5, today=today)
    assert "Where we stand" in report.html and report.html.count("data:image/png;base64,") == 6


def test_read_then_write_on_postgresql_loses_no_update(pg_url):
    upgrade(pg_url)
    with write_session(pg_url) as session:
        session.add(Team(name="counter", description="0"))
    errors: list[BaseException] = []

    def worker() -> None:
        for _ in range(20):
            try:
                with write_session(pg_url) as session:
                    team = session.exec(select(Team).where(Team.name == "counter")).one()
                    team.description = str(int(team.description) + 1)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(pg_url) as session:
        assert session.exec(select(Team.description).where(Team.name == "counter")).one() == "160"


def test_voting_upserts_on_postgresql(pg_url, builtin_catalog):
    from concurrent.futures import ThreadPoolExecutor

    from maturity.services import rounds, voting
    from maturity.services import workshops as ws

    upgrade(pg_url)
    team = ws.get_or_create_team(pg_url, "Finance")
    workshop = ws.create_workshop(pg_url, team_id=team.id, model=builtin_catalog.models["data-maturity"], mode="self_paced")
    people = [voting.join_workshop(pg_url, workshop.join_code) for _ in range(10)]
    round_ids = [rounds.segment_rounds(pg_url, workshop.id, s)[0].id for s in workshop.segment_ids[:3]]
    jobs = [(p.token, r, lv) for p in people for r in round_ids for lv in (1, 1, 4)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: voting.cast_vote(pg_url, token=job[0], round_id=job[1], level=job[2]), jobs))
    for round_id in round_ids:
        rounds.reveal_round(pg_url, round_id)
        result = rounds.round_result(pg_url, round_id)
        assert result.votes == 10 and set(result.counts) <= {1, 4}
