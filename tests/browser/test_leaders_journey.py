"""The leaders' view in a real browser: from the demo organisation to a report on one team, to take to a meeting.

One journey, as a head of data would click it: sign in, load the demo data from Home, and open "Where we stand":
a heatmap of four teams (Data & Analytics runs another model; Legal & Compliance has too few people to be shown
on its own, and a caption says so), with Operations among the stuck segments. Then "Maturity trends" for the
organisation, narrowed to Finance, down to one of Finance's workshop summaries. The Finance choice follows the
leader to "Follow-through" (actions done, and the levels rose after them), to "Room vs organisation" (the widest
perception gap) and to "Reports", which builds a self-contained HTML file on Finance with its charts as pictures.

This module runs its own Streamlit server on its own fresh database: the demo data must not reach other journeys.
"""

from __future__ import annotations

import re
import time

import pytest

from .conftest import sign_in, wait_for_app_idle
from .helpers import go, main_area, metric, pick

pytestmark = pytest.mark.browser

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

TEAM = "Finance"
TEAMS_SHOWN = ["Finance", "Marketing", "Operations", "Product & Engineering"]  # the demo's data-maturity teams, big enough
LEVEL_NUMBER = re.compile(r"^\d\.\d$")


@pytest.fixture(scope="module")
def app_url(own_app_url: str) -> str:
    """Its own server: the demo data must stay out of the shared server's database."""
    return own_app_url


def load_demo_data(page) -> None:
    main = main_area(page)
    expect(main.get_by_role("heading", name="Start here")).to_be_visible()  # the database is empty
    main.get_by_role("button", name="Load demo data").click()
    wait_for_app_idle(page)
    expect(main.get_by_test_id("stAlertContentSuccess").filter(has_text="Demo data loaded")).to_be_visible(timeout=60_000)
    expect(main.get_by_role("heading", name="In this database")).to_be_visible()


def expect_chart(page, key_or_index: int = 0):
    """The n-th Altair chart of the main area, drawn (a canvas or svg of a real size); return it."""
    chart = main_area(page).get_by_test_id("stVegaLiteChart").nth(key_or_index)
    expect(chart).to_be_visible()
    drawing = chart.locator("canvas, svg").first
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box and box["width"] > 150 and box["height"] > 100, f"the chart is drawn at {box}"
    return chart


def teams_filter(page):
    return main_area(page).get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name="Teams"))


def expect_teams_chosen(page, names: list[str]) -> None:
    chips = teams_filter(page).get_by_role("button", name=re.compile(r"^Remove "))
    expect(chips).to_have_count(len(names))
    for name in names:
        expect(teams_filter(page).get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible()


def top(page) -> None:
    main_area(page).evaluate("element => { element.scrollTop = 0; }")


def scroll_to(locator, *, block: str) -> None:
    """Scroll the app's main area (not the document: screenshots miss it) to show `locator`."""
    locator.evaluate("(element, block) => element.scrollIntoView({block})", block)


def test_leaders_follow_one_team_from_the_heatmap_to_a_report(page, app_url, artifacts, tmp_path):
    started_at = time.monotonic()
    main = main_area(page)

    # (1) The demo organisation, and where it stands.
    sign_in(page, app_url)
    load_demo_data(page)
    go(page, "Where we stand")
    expect(main.get_by_role("heading", name="Where we stand")).to_be_visible()
    expect(main.get_by_role("combobox", name="Maturity model")).to_have_value("Data Maturity Model")
    expect(main.get_by_role("combobox", name="Period")).to_have_value("Last 2 years")
    expect_teams_chosen(page, [])
    expect(metric(page, "Teams shown")).to_have_text(str(len(TEAMS_SHOWN)))
    expect(metric(page, "Average gap to target")).to_have_text(re.compile(r"^\d\.\d levels$"))
    expect(metric(page, "Stuck segments")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect_chart(page)
    anonymity = main.get_by_test_id("stCaptionContainer").filter(has_text="Anonymity:")
    expect(anonymity).to_contain_text("1 team(s) with fewer than 5 participants are left out")
    expect(main.get_by_role("heading", name="Stuck segments")).to_be_visible()
    stuck = main.get_by_test_id("stDataFrame")
    expect(stuck).to_have_count(1)
    stuck.evaluate("e => e.scrollIntoView({block: 'center'})")
    expect(stuck.get_by_test_id("data-grid-canvas")).to_be_visible()
    # The grid draws on a canvas; the rows in view are also in a table inside it (for screen readers), as text.
    expect(stuck.get_by_role("columnheader", name="Workshops without a rise", include_hidden=True)).to_have_count(1)
    expect(stuck.locator("td[role='gridcell']").filter(has_text=re.compile(r"^Operations$")).first).to_be_attached()
    page.screenshot(path=artifacts / "leaders-standing-stuck.png")
    top(page)
    page.screenshot(path=artifacts / "leaders-standing.png")

    # (2) Trends for the organisation, then for Finance, down to one of its workshops.
    go(page, "Maturity trends")
    expect(main.get_by_role("heading", name="Maturity trends")).to_be_visible()
    expect_teams_chosen(page, [])
    expect(metric(page, "All teams (mean) · average level")).to_have_text(LEVEL_NUMBER)
    expect_chart(page)
    page.screenshot(path=artifacts / "leaders-trends-all.png")
    pick(page, teams_filter(page).get_by_role("combobox", name="Teams"), TEAM)
    page.keyboard.press("Escape")
    wait_for_app_idle(page)
    expect_teams_chosen(page, [TEAM])
    expect(metric(page, f"{TEAM} · average level")).to_have_text(LEVEL_NUMBER)
    expect(metric(page, "All teams (mean) · average level")).to_have_count(0)
    expect_chart(page)
    top(page)
    page.screenshot(path=artifacts / "leaders-trends-finance.png")
    scroll_to(main.get_by_test_id("stVegaLiteChart"), block="start")
    page.screenshot(path=artifacts / "leaders-trends-finance-chart.png")
    behind = main.get_by_test_id("stExpander").filter(has_text=re.compile(r"The \d+ workshop\(s\) behind these lines"))
    expect(behind).to_have_count(1)
    behind.locator("summary").click()
    chosen = behind.get_by_role("combobox", name="Workshop")
    summary_link = behind.get_by_role("link", name="Open its summary")
    expect(summary_link).to_be_visible()
    scroll_to(summary_link, block="center")
    expect(summary_link).to_be_in_viewport()
    page.wait_for_timeout(300)  # the expander slides open
    page.screenshot(path=artifacts / "leaders-trends-workshops.png")
    expect(chosen).to_have_value(re.compile(rf"^\d\d \w{{3}} \d{{4}} · {TEAM} — "))
    workshop_title = chosen.input_value().split(" · ", 1)[1]
    summary_link.click()
    expect(page).to_have_url(re.compile(r"/summary\?w=\d+$"))
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", level=1)).to_have_text(workshop_title)
    expect(main.get_by_role("heading", level=1)).to_contain_text(TEAM)
    page.screenshot(path=artifacts / "leaders-trends-workshop-summary.png")

    # (3) Follow-through on Finance: the team choice came along.
    go(page, "Follow-through")
    expect(main.get_by_role("heading", name="Follow-through")).to_be_visible()
    expect_teams_chosen(page, [TEAM])
    done = metric(page, "Actions done")
    expect(done).to_have_text(re.compile(r"^\d+$"))
    assert int(done.inner_text()) > 0
    expect(metric(page, "Rise after an action")).to_have_text(re.compile(r"^\+\d\.\d\d$"))
    expect_chart(page)
    page.screenshot(path=artifacts / "leaders-follow-through.png")
    for heading, shot in (("Are the actions working?", "effect"), ("Per segment", "per-segment")):
        scroll_to(main.get_by_role("heading", name=heading), block="start")
        page.screenshot(path=artifacts / f"leaders-follow-through-{shot}.png")

    go(page, "Room vs organisation")
    expect(main.get_by_role("heading", name="Room vs organisation")).to_be_visible()
    expect_teams_chosen(page, [TEAM])
    widest = main.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(r"^\s*Widest gap: \S"))
    )
    expect(widest).to_have_count(1)
    expect(widest.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d\.\d levels$"))
    expect(widest.get_by_test_id("stMetricDelta")).to_have_text(re.compile(r"^the room sits (above|below) the survey$"))
    expect_chart(page)
    page.screenshot(path=artifacts / "leaders-perception.png")

    # (4) A report on Finance, downloaded and opened on its own.
    go(page, "Reports")
    expect(main.get_by_role("heading", name="Reports")).to_be_visible()
    expect_teams_chosen(page, [TEAM])
    main.get_by_role("button", name="Build the report").click()
    wait_for_app_idle(page)
    expect(main.get_by_test_id("stAlertContentSuccess").filter(has_text="Ready:")).to_contain_text(
        re.compile(r"Ready: maturity-report-finance-[\w-]+\.html \(\d[\d,]* KB\)\.")
    )
    page.screenshot(path=artifacts / "leaders-reports.png")
    with page.expect_download() as info:
        main.get_by_role("button", name="Download the report (HTML)").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert re.fullmatch(r"maturity-report-finance-[\w-]+\.html", download.suggested_filename), download.suggested_filename
    report_file = tmp_path / download.suggested_filename
    download.save_as(report_file)
    html = report_file.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "<h2>Where we stand</h2>" in html
    assert f"{TEAM} · " in html, "the report's scope line names the team"
    assert "Marketing" not in html and "Operations" not in html, "a report on Finance shows no other team"
    assert "data:image/png;base64," in html

    report = page.context.new_page()
    try:
        report.goto(report_file.as_uri())
        expect(report.get_by_role("heading", level=1)).to_contain_text("Data maturity report")
        expect(report.get_by_role("heading", level=2, name="Where we stand")).to_be_visible()
        images = report.locator("img")
        assert images.count() >= 3
        widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        assert all(w > 0 for w in widths), widths
        report.screenshot(path=artifacts / "leaders-report.png")
        report.screenshot(path=artifacts / "leaders-report-full.png", full_page=True)
    finally:
        report.close()

    elapsed = time.monotonic() - started_at
    assert elapsed < 60, f"the leaders' journey took {elapsed:.0f} s"
