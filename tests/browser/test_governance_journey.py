"""From gaps to done in a real browser: a finished workshop's gaps become owned actions, and the next workshop sees them.

One journey, as a data lead would click it: add an owner to the registry, run a short show-of-hands workshop
(no phones needed) that records two segments below target, follow the summary to the gaps, create an action
from each gap starting from a playbook, mark one done on the governance board, then start the team's next
workshop and find the open action on the first segment and the done one on the second, before the vote.

This module runs its own Streamlit server on its own fresh database: it sorts before test_journeys.py, whose
first journey expects the shared server's database to be empty.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from maturity.content.definitions import HORIZON_LABELS

from .conftest import sign_in, wait_for_app_idle
from .helpers import button, go, main_area, metric, pick, pick_all

pytestmark = pytest.mark.browser

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

MODEL = "data-maturity"
SEGMENTS = [("data-strategy", "Data strategy"), ("skills", "Skills")]
TEAM = "Governance browser team"
PERSON = {
    "Name": "Priya Natarajan",
    "E-mail": "priya.natarajan@governance.example",
    "Team": "Data office",
    "Role": "Data steward",
}
OWNER_OPTION = f"{PERSON['Name']} ({PERSON['Role']})"
LEVELS = {0: "0 · Unaware", 1: "1 · Aware", 2: "2 · Reactive", 3: "3 · Proactive", 4: "4 · Managed", 5: "5 · Optimised"}
LEVEL, TARGET = 1, 3
EDITOR = "Sam Okafor"  # typed in the sidebar's "Your name": who the histories say made each change
DONE_COMMENT = "Two people now cover every report; the data clinic runs on Thursdays."


@pytest.fixture(scope="module")
def app_url(own_app_url: str) -> str:
    """Its own server: the shared one must stay empty for test_journeys.py's first journey."""
    return own_app_url


def _choose(page, box, option: str) -> None:
    """Choose an option of a selectbox and check it is shown as chosen (after the rerun it may start).

    On a loaded machine the click can land while the popover is closing and choose nothing: choose again
    once, then insist."""
    pick(page, box, option)
    wait_for_app_idle(page)
    try:
        expect(box).to_have_value(option, timeout=5_000)
    except AssertionError:
        pick(page, box, option)
        wait_for_app_idle(page)
        expect(box).to_have_value(option)


def _success(page, text: str):
    return main_area(page).get_by_test_id("stAlertContentSuccess").filter(has_text=text)


def add_owner(page) -> None:
    go(page, "Data owners")
    main = main_area(page)
    expect(main.get_by_role("heading", name="Data owners")).to_be_visible()
    form = main.get_by_test_id("stForm").filter(has_text="Save person")
    for label, value in PERSON.items():
        form.get_by_role("textbox", name=label, exact=True).fill(value)
    form.get_by_role("button", name="Save person").click()
    wait_for_app_idle(page)
    expect(_success(page, f"Saved {PERSON['Name']}.")).to_be_visible()


def start_show_of_hands_workshop(page, *, new_team: bool) -> int:
    """Start a show-of-hands workshop on SEGMENTS for TEAM (new, or chosen from the list); return its id."""
    go(page, "Workshops")
    main = main_area(page)
    expect(main.get_by_role("combobox", name="Maturity model")).to_have_value("Data Maturity Model")
    form = main.get_by_test_id("stForm").filter(has_text="Start the workshop")
    team_box = form.get_by_role("combobox", name="Team")
    if new_team:
        _choose(page, team_box, "— a new team —")
        form.get_by_role("textbox", name="New team name").fill(TEAM)
    else:
        _choose(page, team_box, TEAM)
    segments = form.get_by_test_id("stMultiSelect")
    segments.get_by_role("button", name="Clear all").click()
    pick_all(page, segments, "Segments to vote on", [name for _, name in SEGMENTS])
    expect(segments.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(len(SEGMENTS))
    form.get_by_test_id("stRadio").get_by_text(re.compile(r"^Show of hands:")).click()
    expect(form.get_by_role("radio", name=re.compile(r"^Show of hands:"))).to_be_checked()
    form.get_by_role("button", name="Start the workshop").click()
    expect(page).to_have_url(re.compile(r"/screen\?w=\d+$"))
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", level=3, name=re.compile(rf"^{TEAM} · Data Maturity Model"))).to_be_visible()
    return int(re.search(r"w=(\d+)", page.url).group(1))


def expect_segment(page, position: int) -> None:
    main = main_area(page)
    expect(main.get_by_text(f"Segment {position} of {len(SEGMENTS)}", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", level=2, name=SEGMENTS[position - 1][1], exact=True)).to_be_visible()


def count_hands_and_record(page, *, hands: dict[int, int]) -> None:
    """Type the hands counted per level, record them (which reveals), and save consensus LEVEL with target TARGET."""
    main = main_area(page)
    form = main.get_by_test_id("stForm").filter(has_text="Record the count")
    for level, count in hands.items():
        field = form.get_by_label(LEVELS[level], exact=True)
        field.fill(str(count))
        field.press("Tab")  # commit the number before the form is submitted
    form.get_by_role("button", name="Record the count").click()
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="The votes", exact=True)).to_be_visible()

    consensus = main.get_by_test_id("stForm").filter(has_text="Save the consensus")
    expect(consensus.get_by_role("combobox", name="Consensus level")).to_have_value(LEVELS[LEVEL])  # the median rule
    _choose(page, consensus.get_by_role("combobox", name="Target level"), LEVELS[TARGET])
    consensus.get_by_role("button", name="Save the consensus").click()
    wait_for_app_idle(page)
    expect(_success(page, "Saved:")).to_have_text(f"Saved: {LEVELS[LEVEL]}, target {LEVELS[TARGET]}.")


def next_segment(page, position: int) -> None:
    button(main_area(page), "Next").click()
    wait_for_app_idle(page)
    expect_segment(page, position)


def _scroll_to(locator, *, block: str) -> None:
    """Scroll the app's main area (not the document: full-page screenshots miss it) to show `locator`."""
    locator.evaluate("(element, block) => element.scrollIntoView({block})", block)


def _scroll_down_until_in_view(page, locator) -> None:
    """Scroll the main area to its end until `locator` (near the end of the page, in an expander that
    is still sliding open) is wholly on screen."""
    deadline = time.monotonic() + 5
    while True:
        main_area(page).evaluate("element => { element.scrollTop = element.scrollHeight; }")
        box = locator.bounding_box()
        if box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]:
            return
        assert time.monotonic() < deadline, f"{locator} does not scroll into view: {box}"
        page.wait_for_timeout(100)


def actions_on_this_segment(page):
    """The list under "Actions on this segment" on the shared screen (the markdown right after its label)."""
    label = main_area(page).get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^Actions on this segment$"))
    expect(label).to_have_count(1)
    return label.locator("xpath=following::*[@data-testid='stMarkdown'][1]")


def test_gaps_become_owned_actions_that_the_next_workshop_sees(page, app_url, artifacts, builtin_catalog):
    started_at = time.monotonic()
    playbooks = {sid: builtin_catalog.playbooks_for(MODEL, sid, LEVEL)[0] for sid, _ in SEGMENTS}
    (first_id, first_name), (second_id, second_name) = SEGMENTS
    main = main_area(page)

    # (1) An owner to assign the actions to.
    sign_in(page, app_url)
    your_name = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name")
    your_name.fill(EDITOR)
    your_name.press("Enter")
    wait_for_app_idle(page)
    add_owner(page)
    expect(your_name).to_have_value(EDITOR)

    # (2) A short show-of-hands workshop: both segments end up at LEVEL with a target of TARGET.
    workshop_id = start_show_of_hands_workshop(page, new_team=True)
    expect_segment(page, 1)
    expect(main.get_by_text("No open or recently done actions for this team.")).to_be_visible()
    count_hands_and_record(page, hands={0: 1, 1: 3, 2: 1})
    next_segment(page, 2)
    count_hands_and_record(page, hands={1: 4})
    main.get_by_role("button", name="End workshop").click()
    expect(page).to_have_url(re.compile(rf"/summary\?w={workshop_id}$"))
    wait_for_app_idle(page)

    # (3) The summary flags both gaps as having no action, and leads to the gaps page.
    expect(metric(page, "Segments recorded")).to_have_text("2 of 2")
    expect(metric(page, "Segments below target")).to_have_text("2")
    warning = main.get_by_test_id("stAlertContentWarning").filter(has_text="No action yet on:")
    expect(warning).to_contain_text(re.compile(rf"No action yet on: ({first_name}, {second_name}|{second_name}, {first_name})\."))
    main.get_by_role("link", name=re.compile("Go from gaps to actions")).click()
    expect(page).to_have_url(re.compile(rf"/gaps\?w={workshop_id}$"))
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="Gaps and actions")).to_be_visible()
    expect(metric(page, "Segments below target")).to_have_text("2")
    expect(metric(page, "Gaps with no action")).to_have_text("2")

    # (4) One action per gap, each started from its playbook and owned by the person just added.
    assert {p.horizon.value for p in playbooks.values()} == {"urgent"}, "both foundations playbooks are urgent"
    due = date.today() + timedelta(days=30)  # an urgent action is due in about a month
    for remaining, (segment_id, segment_name) in zip((1, 0), SEGMENTS, strict=True):
        playbook = playbooks[segment_id]
        heading = page.get_by_role("heading", name=f"{segment_name}: {LEVEL} → {TARGET} (gap {TARGET - LEVEL})", exact=True)
        card = main.get_by_test_id("stLayoutWrapper").filter(has=heading)
        expect(card).to_have_count(1)
        expect(card.get_by_text("no action yet")).to_be_visible()
        expect(card.get_by_test_id("stExpander").filter(has_text=playbook.title)).to_be_visible()  # the playbook itself
        _choose(page, card.get_by_role("combobox", name="Start from a playbook"), f"{playbook.title} ({playbook.horizon.value})")
        form = card.get_by_test_id("stForm")
        expect(form.get_by_role("textbox", name="Title", exact=True)).to_have_value(playbook.title)
        first_step = " ".join(playbook.steps[0].split())
        expect(form.get_by_role("textbox", name="Steps", exact=True)).to_have_value(
            re.compile(rf"^- {re.escape(first_step[:60])}")
        )
        expect(form.get_by_role("combobox", name="Horizon")).to_have_value(HORIZON_LABELS[playbook.horizon])
        _choose(page, form.get_by_role("combobox", name="Owner"), OWNER_OPTION)
        if segment_id == first_id:
            page.screenshot(path=artifacts / "governance-gaps-create-action.png")
        form.get_by_role("button", name="Create the action").click()
        wait_for_app_idle(page)
        expect(_success(page, "Created")).to_contain_text(  # after the icon's ligature
            f"Created “{playbook.title}” for {PERSON['Name']}, due {due:%d %b %Y}."
        )
        expect(metric(page, "Gaps with no action")).to_have_text(str(remaining))
        expect(card.get_by_text("1 open action(s)")).to_be_visible()
    expect(main.get_by_text("no action yet", exact=False)).to_have_count(0)
    _scroll_to(main.get_by_role("heading", name="Gaps and actions"), block="start")
    expect(metric(page, "Gaps with no action")).to_be_in_viewport()
    page.screenshot(path=artifacts / "governance-gaps-all-owned.png")

    # (5) On the board, the owner's view shows both; the second segment's action is marked done with a comment.
    go(page, "Governance board")
    expect(main.get_by_role("heading", name="Governance board")).to_be_visible()
    _choose(page, main.get_by_role("combobox", name="My actions / owner"), PERSON["Name"])
    expect(metric(page, "Actions shown")).to_have_text("2")
    expect(metric(page, "Overdue")).to_have_text("0")
    done_playbook = playbooks[second_id]
    action_box = main.get_by_role("combobox", name="Action", exact=True)
    done_option = re.compile(rf"^#\d+ {re.escape(done_playbook.title)}$")
    pick(page, action_box, done_option)
    wait_for_app_idle(page)
    edit = main.get_by_test_id("stForm").filter(has_text="Save changes")
    expect(edit.get_by_role("textbox", name="Title", exact=True)).to_have_value(done_playbook.title)
    _choose(page, edit.get_by_role("combobox", name="Status"), "Done")
    edit.get_by_role("textbox", name="Comment for the history (optional)").fill(DONE_COMMENT)
    edit.get_by_role("button", name="Save changes").click()
    wait_for_app_idle(page)
    expect(_success(page, "Saved")).to_contain_text(f"Saved “{done_playbook.title}” (Done).")
    expect(metric(page, "Done in the last 90 days")).to_have_text("1")

    # Done actions are filtered out by default: add "Done" to the status filter to find it and its history.
    status_filter = main.get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name="Status"))
    pick(page, status_filter.get_by_role("combobox", name="Status"), "Done")
    page.keyboard.press("Escape")
    # Until the rerun ends, the filter can be on screen twice: the "Saved" note above it is gone, so the new
    # filter is drawn one place higher while the old one is still shown, faded. Look once the run is over.
    wait_for_app_idle(page)
    expect(status_filter.get_by_role("button", name="Remove Done")).to_be_visible()
    expect(metric(page, "Actions shown")).to_have_text("2")
    pick(page, action_box, done_option)  # saving it as done dropped it from the default (open) filter
    wait_for_app_idle(page)
    expect(edit.get_by_role("combobox", name="Status")).to_have_value("Done")
    history = main.get_by_test_id("stExpander").filter(has_text=re.compile(r"History \(2\)"))
    expect(history).to_have_count(1)
    history.locator("summary").click()
    expect(history.get_by_text("status Open → Done")).to_be_visible()
    expect(history.get_by_text(DONE_COMMENT, exact=True)).to_be_visible()
    expect(history.get_by_text(re.compile(rf"· {EDITOR} · status Open → Done$"))).to_be_visible()
    expect(history.get_by_text(re.compile(rf"· {EDITOR} · created$"))).to_be_visible()
    _scroll_down_until_in_view(page, history.get_by_text(re.compile(rf"· {EDITOR} · created$")))  # the last line
    expect(history.get_by_text(DONE_COMMENT, exact=True)).to_be_in_viewport()
    page.screenshot(path=artifacts / "governance-board-done-history.png")

    # (6) The team's next workshop: each segment shows its actions before the vote.
    next_id = start_show_of_hands_workshop(page, new_team=False)
    assert next_id != workshop_id
    expect_segment(page, 1)
    expect(main.get_by_text(re.compile(rf": {re.escape(LEVELS[LEVEL])}, target {re.escape(LEVELS[TARGET])}$"))).to_be_visible()
    first_actions = actions_on_this_segment(page)
    open_playbook = playbooks[first_id]
    expect(first_actions.get_by_role("listitem")).to_have_count(1)
    expect(first_actions.get_by_role("listitem")).to_have_text(
        re.compile(rf"^{re.escape(open_playbook.title)} — {PERSON['Name']}, open, due {due:%d %b}$")
    )
    page.screenshot(path=artifacts / "governance-next-workshop-open-action.png")

    next_segment(page, 2)
    second_actions = actions_on_this_segment(page)
    expect(second_actions.get_by_role("listitem")).to_have_count(1)
    expect(second_actions.get_by_role("listitem")).to_have_text(
        re.compile(rf"^{re.escape(done_playbook.title)} — {PERSON['Name']}, done {datetime.now(UTC):%d %b}$")
    )
    page.screenshot(path=artifacts / "governance-next-workshop-done-action.png")

    main.get_by_role("button", name="End workshop").click()
    expect(page).to_have_url(re.compile(rf"/summary\?w={next_id}$"))
    wait_for_app_idle(page)
    elapsed = time.monotonic() - started_at
    assert elapsed < 90, f"the governance journey took {elapsed:.0f} s"
