"""The leaders' pages through the real app (AppTest) on the real demo data: what a leader sees, and what is withheld."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from maturity.services import demo
from maturity.services import workshops as ws
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LEADER_PAGES = ["standing", "trends", "follow_through", "perception", "reports"]


def facilitator(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    at.switch_page(page_path(page)).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {unescape(m.label): m.value for m in at.metric}


def chart(at: AppTest, index: int = 0) -> tuple[dict, list]:
    """The spec of a drawn Altair chart and its datasets as frames, as the browser receives them."""
    proto = at.get("vega_lite_chart")[index].proto
    return json.loads(proto.spec), [convert_arrow_bytes_to_pandas_df(d.data.data) for d in proto.datasets]


@pytest.fixture
def demo_db(db_url, builtin_catalog):
    demo.load_demo(db_url, catalog=builtin_catalog, today=date.today())
    return db_url


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_an_empty_database_says_what_to_do(db_url, page):
    at = facilitator(page)
    assert "No workshop has recorded a consensus yet" in at.info[0].value
    assert not at.get("vega_lite_chart") and [b.key for b in at.button] == ["sign_out"]


def test_where_we_stand_shows_teams_gaps_and_stuck_segments_and_never_a_small_team(demo_db):
    at = facilitator("standing")
    shown = metrics(at)
    assert shown["Teams shown"] == "4"  # Data & Analytics runs the other model; Legal & Compliance is too small
    assert int(shown["Stuck segments"]) > 0
    assert "1 team(s) with fewer than 5 participants are left out" in unescape(" ".join(c.value for c in at.caption))
    spec, (cells,) = chart(at)
    assert set(cells["team"]) == {"Finance", "Marketing", "Operations", "Product & Engineering"}
    assert "Legal & Compliance" not in json.dumps(spec)
    assert (cells["gap"] == cells["target"] - cells["level"]).all()
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["field"] == "gap_shown" and colour["scale"]["range"][0] == "#dcfce7"
    stuck_table = at.dataframe[0].value
    assert "Operations" in set(stuck_table["team"])
    assert len(stuck_table) == int(shown["Stuck segments"])


def test_a_lower_minimum_shows_the_small_team(demo_db, monkeypatch):
    monkeypatch.setenv("MATURITY_MIN_GROUP_SIZE", "3")
    at = facilitator("standing")
    assert metrics(at)["Teams shown"] == "5"
    _, (cells,) = chart(at)
    assert "Legal & Compliance" in set(cells["team"])


def test_a_mistyped_minimum_is_a_clear_error(demo_db, monkeypatch):
    monkeypatch.setenv("MATURITY_MIN_GROUP_SIZE", "five")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    assert not at.exception
    assert "MATURITY_MIN_GROUP_SIZE must be a whole number of 2 or more" in unescape(at.error[0].value)


def test_trends_for_the_organisation_then_a_team_leads_to_its_workshops(demo_db):
    at = facilitator("trends")
    assert "All teams (mean) · average level" in metrics(at)
    spec, datasets = chart(at)
    assert spec["facet"]["field"] == "panel" and spec["columns"] == 3
    (pick,) = spec["params"]  # a click on a point selects its workshop
    assert pick["name"] == "workshop" and pick["select"]["fields"] == ["workshop_id"]
    (frame,) = datasets
    assert set(frame["series"].dropna()) == {"All teams (mean)"}
    assert {"Consensus", "Target", "Action done"} <= set(frame["kind"])
    assert "Pick one or more teams" in " ".join(c.value for c in at.caption)

    finance = next(t.id for t in ws.list_teams(demo_db) if t.name == "Finance")
    at.multiselect(key="leaders_teams").set_value([finance]).run()
    assert not at.exception
    assert "Finance · average level" in metrics(at)
    _, (frame,) = chart(at)
    finance_workshops = {w.id for w in ws.list_workshops(demo_db, team_id=finance) if w.model_id == "data-maturity"}
    recent = {
        w.id for w in ws.list_workshops(demo_db, team_id=finance) if w.held_on >= date.today().replace(year=date.today().year - 2)
    }
    assert set(frame["workshop_id"].dropna().astype(int)) == finance_workshops & recent
    chosen = at.selectbox(key="trend_workshop")
    assert chosen.value in finance_workshops

    # the choice follows the leader to the next page
    at.switch_page(page_path("standing")).run()
    assert at.multiselect(key="leaders_teams").value == [finance]
    assert metrics(at)["Teams shown"] == "1"


def test_a_small_team_alone_gets_no_line(demo_db):
    at = facilitator("trends")
    legal = next(t.id for t in ws.list_teams(demo_db) if t.name == "Legal & Compliance")
    at.multiselect(key="leaders_teams").set_value([legal]).run()
    assert "fewer than 5 participants, so no team line is shown" in at.warning[0].value
    assert not at.get("vega_lite_chart")


def test_follow_through_and_room_vs_organisation_on_the_demo(demo_db):
    at = facilitator("follow_through")
    shown = metrics(at)
    assert int(shown["Actions done"]) > 0 and int(shown["Actions opened"]) >= int(shown["Actions done"])
    assert shown["Rise after an action"].startswith("+")
    _, (bars, line) = chart(at)
    assert set(bars["what"]) == {"Opened", "Done"} and bars["actions"].sum() == int(shown["Actions opened"]) + int(
        shown["Actions done"]
    )
    assert line["overdue"].iloc[-1] == int(shown["Overdue now"])

    at.switch_page(page_path("perception")).run()
    assert not at.exception
    widest = next(m for m in at.metric if m.label.startswith("Widest gap:"))
    assert widest.value.endswith("levels")
    table = at.dataframe[0].value
    assert set(table["segment"]) == {"Skills", "Behaviour"}  # the data-literacy survey maps these two
    assert table["survey"].between(0, 5).all() and table["room"].between(0, 5).all()


def test_reports_page_builds_an_organisation_and_a_workshop_report(demo_db):
    at = facilitator("reports")
    at.button(key="build_report").click().run()
    assert not at.exception and not at.error
    assert unescape(at.success[0].value).startswith("Ready: maturity-report-all-teams")
    assert at.get("download_button")[0].label == "Download the report (HTML)"

    at.segmented_control(key="report_kind").set_value("One workshop").run()
    assert "build it again" in at.caption[-1].value  # the old report is not offered for the new choice
    at.button(key="build_report").click().run()
    assert unescape(at.success[0].value).startswith("Ready: workshop-")


def test_pages_with_only_a_small_team_chosen_show_no_number_of_theirs(demo_db):
    legal = next(t.id for t in ws.list_teams(demo_db) if t.name == "Legal & Compliance")
    at = facilitator("perception")
    at.multiselect(key="leaders_teams").set_value([legal]).run()
    assert not at.exception
    assert not any(m.label.startswith("Widest gap") for m in at.metric)  # no room score to compare: no "nan"
    assert at.dataframe[0].value["room"].isna().all()
    at.switch_page(page_path("standing")).run()
    assert "fewer than 5 participants in its latest workshops" in at.warning[0].value
    at.switch_page(page_path("follow_through")).run()
    assert not at.exception and "Rise after an action" not in metrics(at)
