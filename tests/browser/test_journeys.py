"""Journeys through the real app in a real browser: what a newcomer clicks, and what they see.

The app asks for the admin secret before anything but joining a workshop, so each journey signs in first.
"""

from __future__ import annotations

import re
import urllib.request
import zipfile

import pytest

from .conftest import sign_in, wait_for_app_idle
from .helpers import go, main_area

pytestmark = pytest.mark.browser

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect


def _metric(page, label: str):
    """The value of the st.metric whose label is exactly `label`."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").filter(has_text=label_re))
    return metric.get_by_test_id("stMetricValue")


def test_newcomer_loads_the_demo_data_from_the_home_page(page, app_url, artifacts):
    # Runs first in this session: the server's database is fresh, so the home page shows "Start here".
    sign_in(page, app_url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="maturity", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Start here")).to_be_visible()
    page.screenshot(path=artifacts / "home-empty-desktop.png", full_page=False)
    expect(main.get_by_text("Browse the content library", exact=False).first).to_be_visible()
    expect(main.get_by_text("Load the demo data", exact=False).first).to_be_visible()
    expect(main.get_by_role("link", name=re.compile("Open the content library"))).to_be_visible()
    expect(_metric(page, "Playbooks")).to_have_text("48")

    main.get_by_role("button", name=re.compile("Load demo data")).click()
    wait_for_app_idle(page)

    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("Demo data loaded: 6 teams, 12 people", timeout=30_000)
    expect(success).to_contain_text(re.compile(r"\d+ workshops, \d+ survey responses"))
    expect(main.get_by_role("heading", name="In this database")).to_be_visible()
    expect(main.get_by_role("heading", name="Start here")).to_have_count(0)
    expect(_metric(page, "Teams")).to_have_text("6")
    expect(_metric(page, "People")).to_have_text("12")
    expect(_metric(page, "Workshops")).to_have_text(re.compile(r"^[1-9][\d,]*$"))
    expect(_metric(page, "Votes")).to_have_text(re.compile(r"^[1-9][\d,]*$"))
    expect(main.get_by_role("button", name=re.compile("Load demo data"))).to_have_count(0)
    page.screenshot(path=artifacts / "home-after-demo-desktop.png", full_page=False)


def test_browsing_the_content_library(page, app_url, artifacts):
    sign_in(page, app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Content library").click()
    expect(page).to_have_url(re.compile(r"/library$"))
    wait_for_app_idle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Content library")).to_be_visible()

    tabs = main.get_by_role("tab")
    expect(tabs).to_have_text(
        [*(re.compile(rf"^{name} \(\d+\)$") for name in ("Models", "Surveys", "Playbooks", "Problems")), "Your files"]  # an admin's
    )
    expect(main.get_by_role("tab", name="Playbooks (48)")).to_be_visible()

    # Models tab: the Data Maturity Model is chosen; open one segment and read its extremes.
    # Only the selected tab's panel is in the page.
    models = main.get_by_role("tabpanel")
    expect(models.get_by_role("heading", name=re.compile(r"Data Maturity Model · v"))).to_be_visible()
    summary = page.locator("summary").filter(has_text=re.compile(r"Data strategy\s+·\s+\d+ playbook"))
    segment = models.get_by_test_id("stExpander").filter(has=summary)
    expect(segment).to_have_count(1)
    segment.locator("summary").click()
    expect(segment.get_by_test_id("stAlertContentError")).to_be_visible()
    expect(segment.get_by_test_id("stAlertContentError")).to_contain_text("Awful — Data work is a list of requests")
    expect(segment.get_by_test_id("stAlertContentSuccess")).to_contain_text("Excellent —")
    page.screenshot(path=artifacts / "library-desktop.png", full_page=False)

    # Playbooks tab: searching narrows the list, and the count caption says so.
    main.get_by_role("tab", name="Playbooks (48)").click()
    playbooks = main.get_by_role("tabpanel")
    expect(playbooks.get_by_text("48 of 48 playbooks")).to_be_visible()
    search = playbooks.get_by_label("Search")
    search.fill("privacy")
    search.press("Enter")
    wait_for_app_idle(page)
    expect(playbooks.get_by_text(re.compile(r"^\d+ of 48 playbooks$"))).not_to_have_text("48 of 48 playbooks")
    expect(playbooks.get_by_text("3 of 48 playbooks")).to_be_visible()
    expect(playbooks.get_by_test_id("stExpander")).to_have_count(3)
    page.screenshot(path=artifacts / "library-playbooks-search.png", full_page=False)


def test_the_audit_log_exports_what_was_just_done(page, app_url, tmp_path):
    """Both files are built when their button is clicked, one after the other, not on every run of the page."""
    sign_in(page, app_url)
    go(page, "Data owners")
    form = main_area(page).get_by_test_id("stForm").filter(has_text="Save person")
    form.get_by_role("textbox", name="Name", exact=True).fill("Audrey Trail")
    form.get_by_role("textbox", name="E-mail", exact=True).fill("audrey.trail@example.org")
    form.get_by_role("button", name="Save person").click()
    wait_for_app_idle(page)
    expect(main_area(page).get_by_text("Saved Audrey Trail.")).to_be_visible()
    go(page, "Audit log")
    files = {}
    for label in ("Export (CSV)", "Export (Excel)"):
        with page.expect_download() as info:
            main_area(page).get_by_role("button", name=label).click()
        assert info.value.failure() is None, info.value.failure()
        files[info.value.suggested_filename] = info.value.path().read_bytes()
    assert set(files) == {"audit-log.csv", "audit-log.xlsx"}
    assert "Audrey Trail <audrey.trail@example.org> added to the registry" in files["audit-log.csv"].decode("utf-8-sig")
    (tmp_path / "audit.xlsx").write_bytes(files["audit-log.xlsx"])
    with zipfile.ZipFile(tmp_path / "audit.xlsx") as book:
        assert "Audrey Trail" in book.read("xl/sharedStrings.xml").decode()


def test_home_page_fits_a_phone(phone_page, app_url, artifacts):
    page = sign_in(phone_page, app_url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="maturity", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Content")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=artifacts / "home-phone.png", full_page=False)
    assert overflow <= 0, f"the home page is {overflow}px wider than a 375px phone screen"


def test_health_endpoint_answers_ok(app_url):
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=5) as response:
        assert response.status == 200
        assert response.read().decode() == "ok"
