"""Locators and actions the browser journeys share: the main area, metrics, sidebar links, selectboxes, downloads."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .conftest import wait_for_app_idle


def button(scope, label: str):
    """A button by its label; a button with a keyboard shortcut is named with it too ("Next Shortcut →")."""
    return scope.get_by_role("button", name=re.compile(rf"^{re.escape(label)}( Shortcut \S+)?$"))


def main_area(page):
    return page.get_by_test_id("stMain")


def metric(page, label: str):
    """The value of the st.metric whose label is exactly `label`."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    found = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").filter(has_text=label_re))
    return found.get_by_test_id("stMetricValue")


def go(page, link: str) -> None:
    """Click a page in the facilitator's sidebar menu and wait for it."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    wait_for_app_idle(page)


def pick(page, box, option: str | re.Pattern[str]) -> None:
    """Open a Streamlit selectbox or multiselect and click one of its options (listed in a popover).

    The popover closes when the page scrolls under it, as it may just after a click that first scrolled
    the box into view: open it again (a short poll) rather than fail.
    """
    choice = page.get_by_role("option", name=option, exact=isinstance(option, str))
    for _ in range(4):
        box.evaluate("e => e.scrollIntoView({block: 'center'})")
        box.click()
        try:
            choice.wait_for(state="visible", timeout=2_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    choice.click()


def pick_all(page, multiselect, label: str, options: list[str]) -> None:
    """Choose `options`, in order, in a multiselect inside a form (no rerun between picks).

    A chosen option leaves the list, so one a closing popover swallowed is told by its missing chip: choose it
    again, at once, so the chips keep the order asked for. The chips are looked at with the list closed: while
    it is open they are hidden from the accessibility tree."""
    box = multiselect.get_by_role("combobox", name=label)
    for option in options:
        chip = multiselect.get_by_role("button", name=f"Remove {option}", exact=True)
        for attempt in range(3):
            pick(page, box, option)
            page.keyboard.press("Escape")
            try:
                expect(chip).to_have_count(1, timeout=3_000)
                break
            except AssertionError:
                if attempt == 2:
                    raise


def download_csv(page, button: str) -> list[dict[str, str]]:
    """Click a download button in the main area and read the CSV it gives (UTF-8 with a BOM)."""
    with page.expect_download() as info:
        main_area(page).get_by_role("button", name=button).click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))
