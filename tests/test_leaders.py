"""The leaders' view against a real database: consensus history, standing, follow-through, perception, trend points,
and the chart specs built from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from maturity import charts
from maturity.domain import trends
from maturity.services import demo, leaders, perception, rounds, voting
from maturity.services import workshops as ws
from maturity.services.authz import acting_as
from maturity.services.consensus import record_consensus
from maturity.storage.engine import write_session
from maturity.storage.migrate import upgrade
from maturity.storage.tables import Action
from tests.conftest import TEST_ADMIN

T = pd.Timestamp
MODEL = "data-maturity"
MIN_SIZE = 5
DEMO_TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class Org:
    finance: int
    legal: int
    sales: int
    finance_workshops: tuple[int, int, int]
    legal_workshop: int
    sales_workshop: int


def held(url: str, model, team_id: int, held_on: date, decided: dict[str, tuple[int, int]], *, phones: int) -> int:
    """A phone workshop with `phones` participants joined and a consensus per segment: {segment: (level, target)}."""
    w = ws.create_workshop(url, team_id=team_id, model=model, segment_ids=list(decided), held_on=held_on)
    for _ in range(phones):
        voting.join_workshop(url, w.join_code)
    for segment_id, (level, target) in decided.items():
        record_consensus(url, workshop_id=w.id, segment_id=segment_id, level=level, target_level=target)
    return w.id


def noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def add_action(
    url: str, team_id: int, segment_id: str, title: str, status: str, created: str, due: str | None, completed: str | None
):
    with write_session(url) as session:
        session.add(
            Action(
                title=title, team_id=team_id, model_id=MODEL, segment_id=segment_id, status=status,
                created_at=noon(created), updated_at=noon(created), due_on=date.fromisoformat(due) if due else None,
                completed_at=noon(completed) if completed else None,
            )
        )  # fmt: skip


@pytest.fixture
def org(db_url, dmm, builtin_catalog) -> Org:
    """Finance (6 phones): skills flat at 2 below target 4 for three workshops, metrics rising 1 → 2 → 3 to its target.
    Legal (2 phones): one workshop, too small to be shown. Sales: show of hands, at most 7 hands in a round.
    One Finance workshop on another model, which no data-maturity query may see."""
    finance = ws.get_or_create_team(db_url, "Finance").id
    legal = ws.get_or_create_team(db_url, "Legal").id
    sales = ws.get_or_create_team(db_url, "Sales").id
    f1 = held(db_url, dmm, finance, date(2026, 1, 15), {"skills": (2, 4), "metrics": (1, 3)}, phones=6)
    f2 = held(db_url, dmm, finance, date(2026, 4, 15), {"skills": (2, 4), "metrics": (2, 3)}, phones=6)
    f3 = held(db_url, dmm, finance, date(2026, 7, 15), {"skills": (2, 4), "metrics": (3, 3)}, phones=6)
    lw = held(db_url, dmm, legal, date(2026, 5, 10), {"skills": (4, 5), "metrics": (1, 2)}, phones=2)
    health = builtin_catalog.models["data-team-health-check"]
    held(db_url, health, finance, date(2026, 5, 1), {"instrumentation": (1, 3)}, phones=6)

    hands = ws.create_workshop(
        db_url, team_id=sales, model=dmm, segment_ids=["skills", "metrics"], held_on=date(2026, 6, 1), mode="show_of_hands"
    )
    skills_first = rounds.segment_rounds(db_url, hands.id, "skills")[0]
    rounds.record_hand_counts(db_url, skills_first.id, {1: 3, 2: 2}, dont_know=1)  # 6 hands
    second = rounds.open_second_round(db_url, hands.id, "skills")
    rounds.record_hand_counts(db_url, second.id, {2: 5, 3: 2})  # 7 hands: the most in any round
    rounds.record_hand_counts(db_url, rounds.segment_rounds(db_url, hands.id, "metrics")[0].id, {2: 4})  # 4 hands
    record_consensus(db_url, workshop_id=hands.id, segment_id="skills", level=2, target_level=3)
    record_consensus(db_url, workshop_id=hands.id, segment_id="metrics", level=2, target_level=3)

    add_action(db_url, finance, "skills", "Before everything", "done", "2025-11-01", "2025-11-30", "2025-12-01")
    add_action(db_url, finance, "metrics", "Define the metrics", "done", "2026-01-20", "2026-02-28", "2026-03-01")
    add_action(db_url, finance, "skills", "Still open", "open", "2026-02-01", "2026-03-15", None)
    add_action(db_url, finance, "metrics", "Given up", "dropped", "2026-02-01", "2026-03-15", None)
    add_action(db_url, finance, "skills", "After the last workshop", "done", "2026-07-20", "2026-08-31", "2026-08-01")
    return Org(finance, legal, sales, (f1, f2, f3), lw, hands.id)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory, builtin_catalog) -> str:
    """The demo organisation, loaded once for the read-only tests below."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    upgrade(url)
    with acting_as(TEST_ADMIN):  # module-scoped: before the per-test admin of conftest
        demo.load_demo(url, catalog=builtin_catalog, today=DEMO_TODAY)
    return url


def flat(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def rows(spec: dict, part: dict | None = None) -> list[dict]:
    """The inline rows a chart (or one of its layers) draws."""
    data = (part or {}).get("data") or spec["data"]
    return spec["datasets"][data["name"]]


# --------------------------------------------------------------------------- consensus history


def test_consensus_history_has_one_row_per_consensus_with_who_took_part(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    assert list(history.columns) == trends.HISTORY_COLUMNS
    f1, f2, f3 = org.finance_workshops
    lw, sw = org.legal_workshop, org.sales_workshop
    assert history["workshop_id"].tolist() == [f1, f1, f2, f2, lw, lw, sw, sw, f3, f3]  # oldest first, one model only
    key = {"skills": 0, "metrics": 1}
    got = flat(history, "team", "workshop_id", "held_on", "participants", "segment_id", "level", "target")
    assert sorted(got, key=lambda r: (r[2], r[1], key[r[4]])) == [
        ("Finance", f1, T("2026-01-15"), 6, "skills", 2.0, 4.0), ("Finance", f1, T("2026-01-15"), 6, "metrics", 1.0, 3.0),
        ("Finance", f2, T("2026-04-15"), 6, "skills", 2.0, 4.0), ("Finance", f2, T("2026-04-15"), 6, "metrics", 2.0, 3.0),
        ("Legal", lw, T("2026-05-10"), 2, "skills", 4.0, 5.0), ("Legal", lw, T("2026-05-10"), 2, "metrics", 1.0, 2.0),
        ("Sales", sw, T("2026-06-01"), 7, "skills", 2.0, 3.0), ("Sales", sw, T("2026-06-01"), 7, "metrics", 2.0, 3.0),
        ("Finance", f3, T("2026-07-15"), 6, "skills", 2.0, 4.0), ("Finance", f3, T("2026-07-15"), 6, "metrics", 3.0, 3.0),
    ]  # fmt: skip
    assert str(history["held_on"].dtype) == "datetime64[ns]" and history["level"].dtype == "float64"


def test_show_of_hands_participants_are_the_most_hands_counted_in_any_round(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL, team_ids=(org.sales,)))
    assert history["participants"].tolist() == [7, 7]  # rounds of 6, 7 and 4 hands, "don't know" hands included


def test_consensus_history_filters_by_team_and_period(db_url, org):
    teams = leaders.consensus_history(db_url, leaders.Filters(MODEL, team_ids=(org.legal, org.sales)))
    assert sorted(set(teams["team"])) == ["Legal", "Sales"] and len(teams) == 4
    period = leaders.consensus_history(db_url, leaders.Filters(MODEL, start=date(2026, 4, 15), end=date(2026, 6, 1)))
    assert sorted(set(period["workshop_id"])) == sorted([org.finance_workshops[1], org.legal_workshop, org.sales_workshop])
    both = leaders.consensus_history(db_url, leaders.Filters(MODEL, team_ids=(org.finance,), start=date(2026, 5, 1)))
    assert set(both["workshop_id"]) == {org.finance_workshops[2]}
    other = leaders.consensus_history(db_url, leaders.Filters("data-team-health-check"))
    assert flat(other, "team", "segment_id", "level", "participants") == [("Finance", "instrumentation", 1.0, 6)]


def test_consensus_history_of_an_empty_database_is_an_empty_frame(db_url):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    assert history.empty and list(history.columns) == trends.HISTORY_COLUMNS


# --------------------------------------------------------------------------- actions


def test_action_dates_are_day_timestamps_and_done_actions_respect_the_period(db_url, org):
    actions = leaders.action_dates(db_url, leaders.Filters(MODEL))
    assert list(actions.columns) == trends.ACTION_COLUMNS and len(actions) == 5  # the period is applied later
    first = actions[actions["title"] == "Define the metrics"].iloc[0]
    assert (first["created_on"], first["due_on"], first["completed_on"]) == (T("2026-01-20"), T("2026-02-28"), T("2026-03-01"))
    assert actions.loc[actions["title"] == "Still open", "completed_on"].isna().all()

    everything = leaders.done_actions(actions, leaders.Filters(MODEL))
    assert sorted(everything["title"]) == ["After the last workshop", "Before everything", "Define the metrics"]
    period = leaders.Filters(MODEL, start=date(2026, 3, 1), end=date(2026, 8, 1))  # both ends inclusive
    assert sorted(leaders.done_actions(actions, period)["title"]) == ["After the last workshop", "Define the metrics"]
    narrow = leaders.Filters(MODEL, start=date(2026, 3, 2), end=date(2026, 7, 31))
    assert leaders.done_actions(actions, narrow).empty


def test_action_dates_filter_by_team(db_url, org):
    assert leaders.action_dates(db_url, leaders.Filters(MODEL, team_ids=(org.legal,))).empty
    assert len(leaders.action_dates(db_url, leaders.Filters(MODEL, team_ids=(org.finance,)))) == 5


def test_follow_through_steps_effect_and_flow(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    follow = leaders.follow_through(db_url, history, leaders.Filters(MODEL), min_size=MIN_SIZE, today=date(2026, 8, 10))
    finance = follow.steps[follow.steps["team"] == "Finance"]
    assert sorted(flat(finance, "segment_id", "end", "change", "actions_done")) == [
        ("metrics", T("2026-04-15"), 1.0, 1),  # "Define the metrics", done 1 March
        ("metrics", T("2026-07-15"), 1.0, 0),
        ("skills", T("2026-04-15"), 0.0, 0),
        ("skills", T("2026-07-15"), 0.0, 0),
    ]
    assert len(follow.steps) == 4  # Legal and Sales met once: no step
    effect = follow.effect
    assert (effect.with_actions, effect.without_actions, effect.steps_with, effect.steps_without) == (1.0, 0.33, 1, 3)
    assert follow.flow.to_dict("records") == [
        {"quarter": "2025 Q4", "quarter_start": T("2025-10-01"), "opened": 1, "done": 1, "overdue": 0},
        {"quarter": "2026 Q1", "quarter_start": T("2026-01-01"), "opened": 3, "done": 1, "overdue": 1},
        {"quarter": "2026 Q2", "quarter_start": T("2026-04-01"), "opened": 0, "done": 0, "overdue": 1},
        {"quarter": "2026 Q3", "quarter_start": T("2026-07-01"), "opened": 1, "done": 1, "overdue": 1},
    ]
    per_segment = follow.per_segment.sort_values("segment_id")
    # every action done counts for its segment, also the ones before the first or after the last workshop
    assert flat(per_segment, "segment_id", "actions_done", "change", "teams") == [("metrics", 1, 2.0, 1), ("skills", 2, 0.0, 1)]


def test_follow_through_leaves_out_a_small_teams_level_steps(db_url, dmm, org):
    held(db_url, dmm, org.legal, date(2026, 8, 1), {"skills": (5, 5)}, phones=2)  # Legal's second workshop: a step
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL, team_ids=(org.legal,)))
    follow = leaders.follow_through(db_url, history, leaders.Filters(MODEL, team_ids=(org.legal,)), min_size=MIN_SIZE)
    assert follow.steps.empty and follow.effect.rows == [] and follow.per_segment.empty
    smaller = leaders.follow_through(db_url, history, leaders.Filters(MODEL, team_ids=(org.legal,)), min_size=2)
    assert flat(smaller.steps, "team", "segment_id", "change") == [("Legal", "skills", 1.0)]


def test_follow_through_in_a_period_counts_only_actions_done_in_it(db_url, org):
    filters = leaders.Filters(MODEL, start=date(2026, 4, 1), end=date(2026, 12, 31))
    history = leaders.consensus_history(db_url, filters)
    follow = leaders.follow_through(db_url, history, filters, min_size=MIN_SIZE, today=date(2026, 8, 10))
    assert follow.done["title"].tolist() == ["After the last workshop"]
    assert follow.flow["quarter"].tolist() == ["2026 Q2", "2026 Q3"]  # until today, not the end of the period
    assert follow.effect.steps_with == 0 and follow.effect.steps_without == 2  # only Finance's f2 → f3 steps


# --------------------------------------------------------------------------- standing


def test_standing_leaves_out_a_small_team_and_flags_the_stuck_segment(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    standing = leaders.standing(history, MIN_SIZE, stuck_after=3)
    assert sorted(flat(standing.cells, "team", "segment_id", "level", "target", "gap", "stuck")) == [
        ("Finance", "metrics", 3.0, 3.0, 0.0, False),
        ("Finance", "skills", 2.0, 4.0, 2.0, True),
        ("Sales", "metrics", 2.0, 3.0, 1.0, False),
        ("Sales", "skills", 2.0, 3.0, 1.0, False),
    ]
    assert standing.protected.hidden == ("Legal",)
    assert standing.protected.note == "1 team(s) with fewer than 5 participants are left out."
    assert flat(standing.stuck, "team", "segment_id", "since", "workshops") == [("Finance", "skills", T("2026-01-15"), 3)]


def test_standing_does_not_flag_a_hidden_teams_stuck_segment(db_url, dmm, org):
    for n, day in enumerate((date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))):
        held(db_url, dmm, org.legal, day, {"skills": (1 if n else 2, 5)}, phones=2)  # a dip, then flat: stuck
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    assert "Legal" in set(trends.stuck_segments(history, after=3)["team"])
    standing = leaders.standing(history, MIN_SIZE, stuck_after=3)
    assert "Legal" not in set(standing.stuck["team"]) and "Legal" not in set(standing.cells["team"])


def test_standing_with_a_lower_minimum_shows_the_small_team(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    standing = leaders.standing(history, 2)
    assert sorted(set(standing.cells["team"])) == ["Finance", "Legal", "Sales"] and standing.protected.note == ""


# --------------------------------------------------------------------------- trend points


def test_trend_points_for_all_teams_are_one_quarterly_series(db_url, dmm, org):
    filters = leaders.Filters(MODEL)
    history = leaders.consensus_history(db_url, filters)
    points = leaders.trend_points(history, leaders.action_dates(db_url, filters), dmm, filters, by="segment", min_size=MIN_SIZE)
    assert points.panels == [s.name for s in dmm.segments] and points.hidden_workshops == 0
    assert set(points.points["series"]) == {leaders.ALL_TEAMS}
    assert points.points["workshop_id"].isna().all()
    skills = points.points[points.points["panel"] == "Skills"]
    assert [(d, round(lv, 4), round(tg, 4)) for d, lv, tg in flat(skills, "held_on", "level", "target")] == [
        (T("2026-02-15"), 2.0, 4.0),
        (T("2026-05-16"), 2.0, 3.5),  # Finance 2, Sales 2; targets 4, 3 — Legal (2 phones) is never averaged in alone
        (T("2026-08-15"), 2.0, 4.0),
    ]
    # for the whole organisation, actions done are counted per panel and month (one line each), not listed
    done = points.done.assign(month=points.done["completed_on"].dt.strftime("%Y-%m"))
    expected = leaders.done_actions(leaders.action_dates(db_url, filters), filters)
    expected = expected.assign(panel=expected["segment_id"].map({s.id: s.name for s in dmm.segments}))
    counts = expected.groupby(["panel", expected["completed_on"].dt.strftime("%Y-%m")]).size()
    assert sorted(flat(done, "panel", "month", "title")) == sorted(
        (panel, month, f"{n} action(s) done that month") for (panel, month), n in counts.items()
    )
    assert set(done["series"]) == {leaders.ALL_TEAMS} and (done["completed_on"].dt.day == 15).all()


def test_trend_points_for_chosen_teams_are_one_series_per_team_with_workshop_ids(db_url, dmm, org):
    filters = leaders.Filters(MODEL, team_ids=(org.finance, org.legal, org.sales))
    history = leaders.consensus_history(db_url, filters)
    points = leaders.trend_points(history, leaders.action_dates(db_url, filters), dmm, filters, by="segment", min_size=MIN_SIZE)
    assert points.hidden_workshops == 1  # Legal's, with two phones
    assert sorted(set(points.points["series"])) == ["Finance", "Sales"]
    finance = points.points[(points.points["series"] == "Finance") & (points.points["panel"] == "Metrics")]
    assert flat(finance, "workshop_id", "level", "target") == [
        (org.finance_workshops[0], 1.0, 3.0),
        (org.finance_workshops[1], 2.0, 3.0),
        (org.finance_workshops[2], 3.0, 3.0),
    ]
    assert finance["workshop"].str.startswith("Finance").all()
    assert set(points.done["series"]) == {"Finance"}


def test_trend_points_by_section_average_the_sections_segments(db_url, dmm, org):
    filters = leaders.Filters(MODEL, team_ids=(org.finance,))
    history = leaders.consensus_history(db_url, filters)
    points = leaders.trend_points(history, leaders.action_dates(db_url, filters), dmm, filters, by="section", min_size=MIN_SIZE)
    assert points.panels == [s.name for s in dmm.sections]
    assert sorted(set(points.points["panel"])) == ["People", "Tools"]  # skills and metrics
    people = points.points[points.points["panel"] == "People"]
    assert people["level"].tolist() == [2.0, 2.0, 2.0]
    assert set(points.done["panel"]) == {"People", "Tools"}


# --------------------------------------------------------------------------- the demo's story


def test_demo_actions_done_go_with_larger_rises(demo_url):
    filters = leaders.Filters(MODEL)
    history = leaders.consensus_history(demo_url, filters)
    follow = leaders.follow_through(demo_url, history, filters, min_size=MIN_SIZE, today=DEMO_TODAY)
    effect = follow.effect
    assert effect.steps_with >= 10 and effect.steps_without >= 10
    assert effect.with_actions > effect.without_actions + 0.3
    assert [r["steps"] for r in effect.rows] == [trends.NO_ACTION, trends.WITH_ACTION]
    assert follow.flow["quarter"].iloc[-1] == "2026 Q4" and follow.flow["opened"].sum() > 0


def test_demo_small_team_never_stands_alone(demo_url):
    history = leaders.consensus_history(demo_url, leaders.Filters(MODEL))
    assert history.loc[history["team"] == "Legal & Compliance", "participants"].max() < MIN_SIZE
    standing = leaders.standing(history, MIN_SIZE, stuck_after=3)
    assert "Legal & Compliance" not in set(standing.cells["team"])
    assert "Legal & Compliance" not in set(standing.stuck["team"])
    assert standing.protected.hidden == ("Legal & Compliance",)
    assert {"Finance", "Marketing", "Operations", "Product & Engineering"} <= set(standing.cells["team"])


def test_demo_perception_compares_the_room_with_the_data_literacy_survey(demo_url, builtin_catalog, dmm):
    filters = leaders.Filters(MODEL)
    history = leaders.consensus_history(demo_url, filters)
    seen = perception.room_vs_survey(demo_url, builtin_catalog, dmm, history, filters, min_size=5)
    frame = seen.rows
    assert frame["segment_id"].tolist() == ["skills", "behaviour"]  # the model's order
    assert seen.unmapped == len(dmm.segments) - 2 and len(seen.sources) == 1
    assert frame["survey"].between(0, 5).all() and frame["room"].between(0, 5).all()
    latest = trends.latest_per_segment(history)
    latest = latest[latest["team"] != "Legal & Compliance"]  # too small to count on its own, as on the heatmap
    for segment_id, room in zip(frame["segment_id"], frame["room"], strict=True):
        assert room == pytest.approx(latest.loc[latest["segment_id"] == segment_id, "level"].mean())
    assert (frame["difference"] == frame["room"] - frame["survey"]).all()
    assert set(frame["source"]) == set(seen.sources)


def test_perception_names_each_survey_wave_once(demo_url, builtin_catalog, dmm):
    """The wave's own title already starts with the survey's title ("Data skills self-check — wave 2 (Oct 2026)")."""
    filters = leaders.Filters(MODEL)
    seen = perception.room_vs_survey(
        demo_url, builtin_catalog, dmm, leaders.consensus_history(demo_url, filters), filters, min_size=5
    )
    title = builtin_catalog.surveys["data-literacy"].title
    assert [source.count(title) for source in seen.sources] == [1], seen.sources


# --------------------------------------------------------------------------- chart specs


def test_trend_chart_facets_by_panel_selects_workshops_and_dashes_the_target(db_url, dmm, org):
    filters = leaders.Filters(MODEL, team_ids=(org.finance,))
    history = leaders.consensus_history(db_url, filters)
    points = leaders.trend_points(history, leaders.action_dates(db_url, filters), dmm, filters, by="segment", min_size=MIN_SIZE)
    spec = charts.trend_chart(charts.trend_frame(points.points, points.done), dmm, points.panels).to_dict()
    assert spec["facet"]["field"] == "panel" and spec["facet"]["sort"] == points.panels and spec["columns"] == 3
    (param,) = spec["params"]
    assert param["name"] == "workshop" and param["select"]["fields"] == ["workshop_id"]
    target, line, dots, done = spec["spec"]["layer"]
    assert target["mark"]["strokeDash"] == [5, 4] and target["transform"] == [{"filter": "(datum.kind === 'Target')"}]
    assert "strokeDash" not in line["mark"]
    assert dots["encoding"]["opacity"]["condition"]["param"] == "workshop"
    assert done["mark"]["type"] == "rule" and done["transform"] == [{"filter": f"(datum.kind === '{charts.ACTION_DONE}')"}]
    data = rows(spec)
    skills = [
        (r["kind"], r["level"], r["workshop_id"]) for r in data if r["panel"] == "Skills" and r["kind"] != charts.ACTION_DONE
    ]
    f1, f2, f3 = org.finance_workshops
    assert skills == [("Consensus", 2.0, f1), ("Consensus", 2.0, f2), ("Consensus", 2.0, f3)] + [
        ("Target", 4.0, f) for f in (f1, f2, f3)
    ]
    metrics = [r["level"] for r in data if r["panel"] == "Metrics" and r["kind"] == "Consensus"]
    assert metrics == [1.0, 2.0, 3.0]
    marks = sorted((r["panel"], r["title"], r["held_on"][:10]) for r in data if r["kind"] == charts.ACTION_DONE)
    assert marks == [
        ("Metrics", "Define the metrics", "2026-03-01"),
        ("Skills", "After the last workshop", "2026-08-01"),
        ("Skills", "Before everything", "2025-12-01"),
    ]


def test_trend_chart_for_all_teams_has_no_workshop_ids(db_url, dmm, org):
    filters = leaders.Filters(MODEL)
    history = leaders.consensus_history(db_url, filters)
    points = leaders.trend_points(history, leaders.action_dates(db_url, filters), dmm, filters, by="segment", min_size=MIN_SIZE)
    spec = charts.trend_chart(charts.trend_frame(points.points), dmm, points.panels).to_dict()
    data = rows(spec)
    assert {r["series"] for r in data} == {leaders.ALL_TEAMS} and all(r["workshop_id"] is None for r in data)
    assert [r["level"] for r in data if r["panel"] == "Metrics" and r["kind"] == "Consensus"] == pytest.approx([1.0, 2.0, 3.0])


def test_heatmap_colours_the_gap_and_outlines_the_stuck_cell(db_url, dmm, org):
    standing = leaders.standing(leaders.consensus_history(db_url, leaders.Filters(MODEL)), MIN_SIZE, stuck_after=3)
    names = {s.id: s.name for s in dmm.segments}
    cells = standing.cells.assign(segment=standing.cells["segment_id"].map(names))
    spec = charts.heatmap_chart(cells, dmm, [s.name for s in dmm.segments], ["Finance", "Sales"]).to_dict()
    rect, text = spec["layer"]
    scale = rect["encoding"]["color"]["scale"]
    assert scale["range"] == charts.GAP_COLOURS and scale["domain"] == list(range(len(charts.GAP_COLOURS)))
    assert rect["encoding"]["stroke"]["condition"] == {"test": "datum.stuck", "value": "#111827"}
    assert rect["encoding"]["strokeWidth"]["condition"]["value"] == 3 and rect["encoding"]["strokeWidth"]["value"] == 0
    assert text["encoding"]["text"]["field"] == "label"
    data = {(r["team"], r["segment"]): r for r in rows(spec)}
    assert set(data) == {("Finance", "Skills"), ("Finance", "Metrics"), ("Sales", "Skills"), ("Sales", "Metrics")}
    stuck = data[("Finance", "Skills")]
    assert (stuck["stuck"], stuck["state"], stuck["label"], stuck["gap_shown"]) == (True, "Stuck", "2 → 4", 2.0)
    assert [data[k]["stuck"] for k in (("Finance", "Metrics"), ("Sales", "Skills"))] == [False, False]
    assert data[("Finance", "Metrics")]["label"] == "3 → 3"


def test_heatmap_draws_the_smaller_teams_row(db_url, dmm, org):
    audit = ws.get_or_create_team(db_url, "Audit").id
    held(db_url, dmm, audit, date(2026, 6, 20), {"skills": (1, 3), "metrics": (3, 3)}, phones=3)  # with Legal's 2: five
    standing = leaders.standing(leaders.consensus_history(db_url, leaders.Filters(MODEL)), MIN_SIZE)
    cells = standing.cells.assign(segment=standing.cells["segment_id"].map({s.id: s.name for s in dmm.segments}))
    spec = charts.heatmap_chart(cells, dmm, ["Skills", "Metrics"], ["Finance", "Sales", trends.SMALLER_TEAMS]).to_dict()
    group = {r["segment"]: r["label"] for r in rows(spec) if r["team"] == trends.SMALLER_TEAMS}
    assert group == {"Skills": "2.5 → 4", "Metrics": "2 → 2.5"}  # medians of Legal (4 → 5, 1 → 2) and Audit (1 → 3, 3 → 3)
    assert not {"Legal", "Audit"} & {r["team"] for r in rows(spec)}


def test_flow_chart_draws_opened_and_done_bars_and_the_overdue_line(db_url, dmm, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    flow = leaders.follow_through(db_url, history, leaders.Filters(MODEL), min_size=MIN_SIZE, today=date(2026, 8, 10)).flow
    spec = charts.flow_chart(flow).to_dict()
    bars, overdue = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["sort"] == ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]
    assert overdue["mark"]["type"] == "line" and overdue["encoding"]["y"]["field"] == "overdue"
    assert overdue["encoding"]["color"]["scale"]["domain"] == ["Opened", "Done", "Overdue"]
    assert overdue["encoding"]["color"]["scale"]["range"][2] == "#dc2626"
    assert [(r["quarter"], r["overdue"], r["what"]) for r in rows(spec, overdue)] == [
        ("2025 Q4", 0, "Overdue"), ("2026 Q1", 1, "Overdue"), ("2026 Q2", 1, "Overdue"), ("2026 Q3", 1, "Overdue"),
    ]  # fmt: skip
    assert sorted((r["quarter"], r["what"], r["actions"]) for r in rows(spec, bars) if r["quarter"] == "2026 Q1") == [
        ("2026 Q1", "Done", 1),
        ("2026 Q1", "Opened", 3),
    ]


def test_effect_chart_labels_each_bar_with_the_change_and_the_steps(db_url, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    effect = leaders.follow_through(db_url, history, leaders.Filters(MODEL), min_size=MIN_SIZE, today=date(2026, 8, 10)).effect
    spec = charts.effect_chart(effect.rows).to_dict()
    bars, text = spec["layer"]
    assert text["encoding"]["text"]["field"] == "label"
    assert bars["encoding"]["color"]["scale"]["domain"] == [trends.NO_ACTION, trends.WITH_ACTION]
    assert [(r["steps"], r["label"]) for r in rows(spec)] == [
        (trends.NO_ACTION, "+0.33 levels (3 steps)"),
        (trends.WITH_ACTION, "+1.00 levels (1 steps)"),
    ]


def test_segment_follow_chart_puts_actions_and_change_side_by_side(db_url, dmm, org):
    history = leaders.consensus_history(db_url, leaders.Filters(MODEL))
    per_segment = leaders.follow_through(
        db_url, history, leaders.Filters(MODEL), min_size=MIN_SIZE, today=date(2026, 8, 10)
    ).per_segment
    frame = per_segment.assign(segment=per_segment["segment_id"].map({s.id: s.name for s in dmm.segments}))
    spec = charts.segment_follow_chart(frame, ["Skills", "Metrics"]).to_dict()
    done, change = spec["hconcat"]
    assert done["encoding"]["x"]["field"] == "actions_done" and change["encoding"]["x"]["field"] == "change"
    assert change["encoding"]["color"]["condition"]["test"] == "(datum.change < 0)"
    assert sorted((r["segment"], r["actions_done"], r["change"]) for r in rows(spec)) == [("Metrics", 1, 2.0), ("Skills", 2, 0.0)]


def test_perception_chart_places_room_and_survey_on_the_ladder(demo_url, builtin_catalog, dmm):
    filters = leaders.Filters(MODEL)
    seen = perception.room_vs_survey(
        demo_url, builtin_catalog, dmm, leaders.consensus_history(demo_url, filters), filters, min_size=5
    )
    frame = seen.rows.assign(segment=seen.rows["segment_id"].map({s.id: s.name for s in dmm.segments}))
    spec = charts.perception_chart(frame, dmm, [s.name for s in dmm.segments]).to_dict()
    gap, dots = spec["layer"]
    assert dots["encoding"]["x"]["scale"]["domain"] == [0, 5]
    assert dots["encoding"]["color"]["scale"]["domain"] == ["Workshop consensus", "Survey score"]
    drawn = {(r["segment"], r["what"]): r["level"] for r in rows(spec)}
    for segment, room, survey in flat(frame, "segment", "room", "survey"):
        assert drawn[(segment, "Workshop consensus")] == pytest.approx(room)
        assert drawn[(segment, "Survey score")] == pytest.approx(survey)
    assert len(drawn) == 4
