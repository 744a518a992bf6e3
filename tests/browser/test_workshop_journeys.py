"""Live workshops in a real browser: a facilitator's shared screen and three phones, clicking real buttons.

Each phone is its own browser context (own cookies, own Streamlit session), as three people in a room are.
The facilitator moves between pages with the sidebar; a reload or page.goto starts a new Streamlit session,
which the signed cookie (maturity_facilitator) keeps signed in.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass

import pytest

from .conftest import APP_TIMEOUT_MS, open_app, sign_in, wait_for_app_idle
from .helpers import button, download_csv, go, main_area, metric, pick, pick_all

pytestmark = pytest.mark.browser

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

SEGMENTS = ["Data strategy", "Skills", "Metrics"]
SEGMENT_IDS = ["data-strategy", "skills", "metrics"]
LEVEL_NAMES = {0: "Unaware", 1: "Aware", 2: "Reactive", 3: "Proactive", 4: "Managed", 5: "Optimised"}
LEVELS = {0: "0 · Unaware", 1: "1 · Aware", 2: "2 · Reactive", 3: "3 · Proactive", 4: "4 · Managed", 5: "5 · Optimised"}
DONT_KNOW = "Don't know"
NAMES = ["Ana", "Ben", "Caro"]
TALLY_TIMEOUT_MS = 10_000  # the shared screen refreshes its tally every 2 s
PHONE_POLL_TIMEOUT_MS = 12_000  # lock-step phones poll every 3 s
FACILITATOR_ONLY = [
    "Reveal the votes", "End workshop", "Start the workshop", "Save the consensus", "Next", "Consensus (CSV)", "Sign out",
]  # fmt: skip
COOKIE = "maturity_facilitator"
JOIN_CODE = re.compile(r"^\s*[A-Z0-9]{4,12}\s*$")


@dataclass(frozen=True)
class Started:
    workshop_id: int
    code: str
    title: str


def _sidebar(page):
    return page.get_by_test_id("stSidebar")


def join_panel(page) -> str:
    """Check the shared screen's join panel in the sidebar (code in large type, QR code, join link); return the code."""
    sidebar = _sidebar(page)
    expect(sidebar.get_by_text("Join on your phone", exact=True)).to_be_visible()
    code_box = sidebar.get_by_test_id("stHtml").filter(has_text=JOIN_CODE)
    expect(code_box).to_have_count(1)
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    style = (
        code_box.locator("div")
        .filter(has_text=code)
        .last.evaluate("e => { const s = getComputedStyle(e); return {size: parseFloat(s.fontSize), family: s.fontFamily}; }")
    )
    assert style["size"] >= 40 and "monospace" in style["family"], f"the join code is not in large monospace: {style}"
    expect(sidebar.get_by_test_id("stImage").locator("img")).to_be_visible()  # the QR code
    expect(sidebar.get_by_role("link", name=re.compile(rf"[?]join={code}$"))).to_be_visible()
    return code


def _facilitator_cookie(page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == COOKIE), None)


def wait_for_cookie(page, *, present: bool) -> None:
    """Wait until the browser has (or no longer has) the facilitator's sign-in cookie, set and cleared by the server."""
    deadline = time.monotonic() + APP_TIMEOUT_MS / 1000
    while bool(_facilitator_cookie(page)) != present:
        assert time.monotonic() < deadline, f"the {COOKIE} cookie is {'missing' if present else 'still set'}"
        page.wait_for_timeout(100)


def start_workshop(page, app_url: str, *, team: str, mode: str) -> Started:
    """Sign in, start a workshop on the three SEGMENTS for a new team; land on its shared screen."""
    sign_in(page, app_url)
    go(page, "Workshops")
    expect(page).to_have_url(re.compile(r"/workshops$"))
    main = main_area(page)
    form = main.get_by_test_id("stForm")
    expect(main.get_by_role("combobox", name="Maturity model")).to_have_value("Data Maturity Model")

    # Other tests may have created teams, and then the form defaults to the first of them.
    team_box = form.get_by_role("combobox", name="Team")
    pick(page, team_box, "— a new team —")
    expect(team_box).to_have_value("— a new team —")
    form.get_by_role("textbox", name="New team name").fill(team)

    segments = form.get_by_test_id("stMultiSelect")
    segments.get_by_role("button", name="Clear all").click()
    pick_all(page, segments, "Segments to vote on", SEGMENTS)
    expect(segments.get_by_role("group", name="Selected values")).to_have_text(re.compile(r"^Data strategy.*Skills.*Metrics$"))
    expect(segments.get_by_role("button", name=re.compile(r"^Remove "))).to_have_count(3)

    radios = form.get_by_test_id("stRadio")
    radios.get_by_text(re.compile(rf"^{re.escape(mode)}:")).click()
    radios.get_by_text("Names optional", exact=True).click()
    expect(form.get_by_role("radio", name=re.compile(rf"^{re.escape(mode)}:"))).to_be_checked()
    form.get_by_role("button", name="Start the workshop").click()

    expect(page).to_have_url(re.compile(r"/screen\?w=\d+$"))
    wait_for_app_idle(page)
    workshop_id = int(re.search(r"w=(\d+)", page.url).group(1))
    title = main.get_by_role("heading", level=3, name=re.compile(rf"^{team} · Data Maturity Model"))
    expect(title).to_be_visible()
    code = join_panel(page)
    expect(main.get_by_text("Segment 1 of 3", exact=True)).to_be_visible()
    return Started(workshop_id, code, title.inner_text().strip())


def join(phone, app_url: str, started: Started, nickname: str) -> str:
    """Open the join link as a phone would after scanning the QR code; return the participant token."""
    code = started.code
    open_app(phone, f"{app_url}/?join={code}")
    main = main_area(phone)
    expect(main.get_by_role("heading", name="Join a workshop")).to_be_visible()
    expect(main.get_by_role("textbox", name="Join code")).to_have_value(code)
    main.get_by_role("textbox", name="Your name (optional)").fill(nickname)
    main.get_by_role("button", name="Join").click()
    expect(phone).to_have_url(re.compile(r"/\?p=[\w-]+$"))
    wait_for_app_idle(phone)
    expect(main.get_by_test_id("stCaptionContainer").first).to_have_text(f"{started.title} · you are {nickname}")
    expect(phone.get_by_test_id("stSidebarNav")).to_have_count(0)
    return re.search(r"p=([\w-]+)", phone.url).group(1)


def vote(phone, choice: int | None, *, scope=None) -> None:
    """Tap a level (None: don't know) and wait for the phone to confirm it."""
    scope = scope or main_area(phone)
    label = DONT_KNOW if choice is None else LEVELS[choice]
    scope.get_by_role("button", name=label, exact=True).click()
    shown = "don't know" if choice is None else LEVELS[choice]
    expect(scope.get_by_test_id("stAlertContentSuccess").filter(has_text="Your vote:")).to_contain_text(f"Your vote: {shown}.")
    wait_for_app_idle(phone)


def reveal(page, *, expected_voters: int) -> None:
    main = main_area(page)
    expect(metric(page, "People joined")).to_have_text(str(expected_voters), timeout=TALLY_TIMEOUT_MS)
    expect(metric(page, "Votes in")).to_have_text(str(expected_voters), timeout=TALLY_TIMEOUT_MS)
    expect(main.get_by_text("Everyone has voted.")).to_be_visible()
    button(main, "Reveal the votes").click()
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="The votes", exact=True)).to_be_visible()
    expect(button(main, "Reveal the votes")).to_have_count(0)
    expect(main.get_by_test_id("stVegaLiteChart")).to_be_visible()


def _expect_level_metric(page, label: str, level: int) -> None:
    """A result figure: the level number as the metric's value, its name in a caption under it."""
    expect(metric(page, label)).to_have_text(str(level))
    column = page.get_by_test_id("stColumn").filter(has=metric(page, label))
    expect(column.get_by_test_id("stCaptionContainer")).to_have_text(LEVEL_NAMES[level])


def expect_result(page, *, median: int, lowest: int, highest: int, dont_know: int, discuss: bool) -> None:
    main = main_area(page)
    _expect_level_metric(page, "Median", median)
    _expect_level_metric(page, "Lowest", lowest)
    _expect_level_metric(page, "Highest", highest)
    expect(metric(page, "Don't know")).to_have_text(str(dont_know))
    if discuss:
        expect(main.get_by_test_id("stAlertContentWarning").filter(has_text="Discuss before recording")).to_be_visible()
    else:
        expect(main.get_by_text("Discuss before recording")).to_have_count(0)
        expect(main.get_by_text("The room broadly agrees (within one level).")).to_be_visible()


def expect_phone_result(scope, votes: list[int | None]) -> None:
    """A phone's group result: a bar per level chosen ("2 · Reactive: 1") and the middle vote, spread and don't-knows."""
    counts = Counter(v for v in votes if v is not None)
    levels = sorted(v for v in votes if v is not None)
    median, lowest, highest = levels[(len(levels) - 1) // 2], levels[0], levels[-1]
    dont_know = votes.count(None)
    expect(scope.get_by_text("The votes are in")).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
    expect(scope.get_by_test_id("stProgress")).to_have_text([f"{LEVELS[v]}: {n}" for v, n in sorted(counts.items())])
    caption = (
        f"Everyone chose {LEVELS[lowest]} · don't know: {dont_know}"
        if lowest == highest
        else f"Middle vote: {LEVELS[median]} · from {lowest} to {highest} · don't know: {dont_know}"
    )
    expect(scope.get_by_text(caption, exact=True)).to_be_visible()


def save_consensus(page, *, level: int, target: int, notes: str = "") -> None:
    """Save the consensus pre-filled by the median rule (checked, not chosen), with optional notes."""
    main = main_area(page)
    form = main.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save the consensus"))
    expect(form.get_by_role("combobox", name="Consensus level")).to_have_value(LEVELS[level])
    expect(form.get_by_role("combobox", name="Target level")).to_have_value(LEVELS[target])
    if notes:
        form.get_by_role("textbox", name="Notes from the discussion").fill(notes)
    form.get_by_role("button", name="Save the consensus").click()
    wait_for_app_idle(page)
    expect(main.get_by_test_id("stAlertContentSuccess").filter(has_text="Saved:")).to_have_text(
        f"Saved: {LEVELS[level]}, target {LEVELS[target]}."
    )


def next_segment(page, position: int) -> None:
    main = main_area(page)
    button(main, "Next").click()
    wait_for_app_idle(page)
    expect(main.get_by_text(f"Segment {position} of 3", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", level=2, name=SEGMENTS[position - 1])).to_be_visible()


def end_workshop(page) -> None:
    main_area(page).get_by_role("button", name="End workshop").click()
    expect(page).to_have_url(re.compile(r"/summary\?w=\d+$"))
    wait_for_app_idle(page)
    main = main_area(page)
    expect(main.get_by_text(re.compile(r" · ended · consensus rule: median$"))).to_be_visible()
    expect(metric(page, "People joined")).to_have_text("3")
    expect(metric(page, "Segments recorded")).to_have_text("3 of 3")


def _assert_fits_a_phone(phone) -> None:
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the ballot is {overflow}px wider than a 375px phone screen"


def _scroll_to_top(locator) -> None:
    """Scroll the app so `locator` is at the top of the window, as a facilitator would before a screenshot."""
    locator.evaluate("element => element.scrollIntoView({block: 'start'})")
    expect(locator).to_be_in_viewport()


def test_lock_step_workshop_with_three_phones(page, app_url, new_phone, artifacts):
    started = start_workshop(page, app_url, team="Lock-step browser team", mode="Lock-step")
    main = main_area(page)
    page.screenshot(path=artifacts / "workshop-screen-join-desktop.png")

    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the shared screen

    phones = [new_phone() for _ in NAMES]
    for phone, name in zip(phones, NAMES, strict=True):
        join(phone, app_url, started, name)
        expect(main_area(phone).get_by_text("Segment 1 of 3", exact=True)).to_be_visible()
        expect(main_area(phone).get_by_role("heading", name="Data strategy")).to_be_visible()
    # The tally fragment picks the joiners up without a reload, and says who has not voted yet.
    expect(metric(page, "People joined")).to_have_text("3", timeout=TALLY_TIMEOUT_MS)
    expect(metric(page, "Votes in")).to_have_text("0")
    expect(main.get_by_text("Still to vote: Ana, Ben, Caro")).to_be_visible(timeout=TALLY_TIMEOUT_MS)

    # (segment, votes per phone, median, lowest, highest, don't know, discuss?, consensus, target)
    plan = [
        ([1, 2, 4], 2, 1, 4, 0, True),
        ([3, 3, 4], 3, 3, 4, 0, False),
        ([0, 1, None], 0, 0, 1, 1, False),
    ]
    for position, (votes, median, lowest, highest, dont_know, discuss) in enumerate(plan, start=1):
        segment = SEGMENTS[position - 1]
        for phone in phones:  # lock-step: each phone followed the screen to this segment on its own
            expect(main_area(phone).get_by_text(f"Segment {position} of 3", exact=True)).to_be_visible(
                timeout=PHONE_POLL_TIMEOUT_MS
            )
            expect(main_area(phone).get_by_role("heading", name=segment)).to_be_visible()
            expect(main_area(phone).get_by_role("button", name=LEVELS[5], exact=True)).to_be_visible()
        if position == 1:
            phones[0].screenshot(path=artifacts / "workshop-phone-ballot.png")
            _assert_fits_a_phone(phones[0])
        vote(phones[0], votes[0])
        expect(metric(page, "Votes in")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)
        for phone, choice in zip(phones[1:], votes[1:], strict=True):
            vote(phone, choice)
        if position == 1:
            vote(phones[0], 0)  # a change of mind before the reveal replaces the vote: still 3 votes
            vote(phones[0], votes[0])
            phones[0].screenshot(path=artifacts / "workshop-phone-voted.png")

        if position == 1:  # the tally reached 3 votes by its own refreshes, not by a reload of the page
            expect(metric(page, "Votes in")).to_have_text("3", timeout=TALLY_TIMEOUT_MS)
            assert page.evaluate("window.__sameDocument === true"), "the shared screen was reloaded"
        reveal(page, expected_voters=3)
        expect_result(page, median=median, lowest=lowest, highest=highest, dont_know=dont_know, discuss=discuss)
        if position == 1:
            expect(main.get_by_text(f"Invite the people who voted {LEVELS[4]} to speak first.")).to_be_visible()
            _scroll_to_top(main.get_by_role("heading", name="The votes", exact=True))
            expect(main.get_by_test_id("stVegaLiteChart").locator("canvas, svg").first).to_be_visible()
            page.screenshot(path=artifacts / "workshop-screen-reveal-desktop.png")

        # The phones show the group result by themselves, and no longer offer the levels.
        for phone, choice in zip(phones, votes, strict=True):
            phone_main = main_area(phone)
            expect(phone_main.get_by_text("The votes are in")).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
            expect_phone_result(phone_main, votes)
            expect(
                phone_main.get_by_text(f"You voted {DONT_KNOW.lower() if choice is None else LEVELS[choice]}.")
            ).to_be_visible()
            expect(phone_main.get_by_role("button", name=LEVELS[5], exact=True)).to_have_count(0)
        if position == 1:
            phones[0].screenshot(path=artifacts / "workshop-phone-after-reveal.png")

        notes = "Ana and Caro disagreed about funding" if position == 1 else ""
        save_consensus(page, level=median, target=median + 1, notes=notes)
        if position < 3:
            next_segment(page, position + 1)

    end_workshop(page)
    expect(main.get_by_test_id("stVegaLiteChart")).to_be_visible()
    page.screenshot(path=artifacts / "workshop-summary-desktop.png")

    rows = download_csv(page, "Consensus (CSV)")
    assert [row["segment"] for row in rows] == SEGMENTS
    assert list(rows[0]) == [
        "segment", "consensus", "target", "gap", "confidence", "rule", "voters", "level_votes", "dont_know",
        "median", "lowest", "highest", "notes", "evidence",
    ]  # fmt: skip
    assert [(row["consensus"], row["target"], row["voters"], row["level_votes"], row["dont_know"]) for row in rows] == [
        ("2", "3", "3", "3", "0"),
        ("3", "4", "3", "3", "0"),
        ("0", "1", "3", "2", "1"),  # "voters" counts everyone; "level_votes" the levels chosen; "don't know" is apart
    ]
    assert rows[0]["notes"] == "Ana and Caro disagreed about funding"
    votes = download_csv(page, "Anonymised votes (CSV)")
    assert len(votes) == 9, votes
    assert not any(name in str(row) for row in votes for name in NAMES), "the anonymised votes name a participant"

    for phone in phones:
        expect(main_area(phone).get_by_text("This workshop has ended. Thank you for taking part!")).to_be_visible(
            timeout=PHONE_POLL_TIMEOUT_MS
        )
        expect(main_area(phone).get_by_role("button", name=LEVELS[0], exact=True)).to_have_count(0)


def test_self_paced_workshop_with_three_phones(page, app_url, new_phone, artifacts):
    started = start_workshop(page, app_url, team="Self-paced browser team", mode="Self-paced ballot")
    main = main_area(page)
    expect(main.get_by_text("Self-paced ballot: everyone votes every segment on their phone")).to_be_visible()

    # Each phone votes every segment on one page, in any order it likes.
    votes = {  # phone -> choice per segment
        "Ana": [2, 1, 5],
        "Ben": [2, 2, 5],
        "Caro": [3, 4, None],
    }
    phones = [new_phone() for _ in NAMES]
    for phone, name in zip(phones, NAMES, strict=True):
        join(phone, app_url, started, name)
        phone_main = main_area(phone)
        expect(phone_main.get_by_role("heading", level=3)).to_have_text(SEGMENTS)
        expect(phone_main.get_by_text("0 of 3 segments voted")).to_be_visible()
        for position in (3, 1, 2):
            card = phone_main.locator(f".st-key-segment_{SEGMENT_IDS[position - 1]}")
            expect(card.get_by_role("heading", name=SEGMENTS[position - 1])).to_be_visible()
            vote(phone, votes[name][position - 1], scope=card)
        expect(phone_main.get_by_text("3 of 3 segments voted")).to_be_visible()
    phones[2].screenshot(path=artifacts / "workshop-phone-self-paced.png")
    _assert_fits_a_phone(phones[2])

    results = [  # median, lowest, highest, don't know, discuss?
        (2, 2, 3, 0, False),
        (2, 1, 4, 0, True),
        (5, 5, 5, 1, False),
    ]
    for position, (median, lowest, highest, dont_know, discuss) in enumerate(results, start=1):
        expect(main.get_by_role("heading", level=2, name=SEGMENTS[position - 1])).to_be_visible()
        reveal(page, expected_voters=3)
        if position == 1:
            # Ben changes his mind on Metrics (and back) while his phone is about to redraw for the reveal: no tap is lost.
            metrics_card = main_area(phones[1]).locator(f".st-key-segment_{SEGMENT_IDS[2]}")
            vote(phones[1], 0, scope=metrics_card)
            vote(phones[1], votes["Ben"][2], scope=metrics_card)
        expect_result(page, median=median, lowest=lowest, highest=highest, dont_know=dont_know, discuss=discuss)
        # Nobody taps: every phone shows this segment's result by itself (it polls), and keeps its other votes.
        for phone, name in zip(phones, NAMES, strict=True):
            card = main_area(phone).locator(f".st-key-segment_{SEGMENT_IDS[position - 1]}")
            expect_phone_result(card, [votes[n][position - 1] for n in NAMES])
            expect(card.get_by_role("button", name=LEVELS[0], exact=True)).to_have_count(0)
            if position < 3:
                later = main_area(phone).locator(f".st-key-segment_{SEGMENT_IDS[2]}")
                choice = votes[name][2]
                shown = "don't know" if choice is None else LEVELS[choice]
                expect(later.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Your vote: {shown}.")
        save_consensus(page, level=median, target=min(5, median + 1))
        if position < 3:
            next_segment(page, position + 1)

    phone_main = main_area(phones[0])
    expect(phone_main.get_by_text("The votes are in")).to_have_count(3)
    for position, segment in enumerate(SEGMENTS):
        card = phone_main.locator(f".st-key-segment_{SEGMENT_IDS[position]}")
        expect(card.get_by_role("heading", name=segment)).to_be_visible()
        expect_phone_result(card, [votes[name][position] for name in NAMES])
    expect(phone_main.get_by_role("button", name=LEVELS[0], exact=True)).to_have_count(0)
    expect(phone_main.get_by_role("button", name=re.compile("revealed results"))).to_have_count(0)  # nothing to ask for
    phones[0].screenshot(path=artifacts / "workshop-phone-self-paced-results.png")

    end_workshop(page)
    rows = download_csv(page, "Consensus (CSV)")
    assert [(row["segment"], row["consensus"], row["target"]) for row in rows] == [
        ("Data strategy", "2", "3"),
        ("Skills", "2", "3"),
        ("Metrics", "5", "5"),
    ]

    for phone in phones:  # the end reaches every phone by itself too
        expect(main_area(phone).get_by_text("This workshop has ended. Thank you for taking part!")).to_be_visible(
            timeout=PHONE_POLL_TIMEOUT_MS
        )


def _expect_no_facilitator_page(page, code: str) -> None:
    main = main_area(page)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stHtml").filter(has_text=JOIN_CODE)).to_have_count(0)  # the shared screen's join code
    expect(page.get_by_text(code)).to_have_count(0)
    for label in FACILITATOR_ONLY:
        expect(button(page, label)).to_have_count(0)
    expect(
        main.get_by_role("heading", name=re.compile(r"^(Workshops|Start a workshop|Workshop summary|The votes)$"))
    ).to_have_count(0)


def test_a_phone_cannot_open_the_facilitator_pages(page, app_url, new_phone):
    started = start_workshop(page, app_url, team="Curious phone team", mode="Lock-step")
    phone = new_phone()
    token = join(phone, app_url, started, "Dana")
    w = started.workshop_id

    # With its participant token, every facilitator address leads back to the ballot.
    for path in ("screen", "workshops", "summary", "library"):
        open_app(phone, f"{app_url}/{path}?w={w}&p={token}")
        _expect_no_facilitator_page(phone, started.code)
        expect(main_area(phone).get_by_text("Segment 1 of 3", exact=True)).to_be_visible()
        expect(main_area(phone).get_by_role("button", name=LEVELS[3], exact=True)).to_be_visible()

    # Without it (a copied link, a new tab), it is a visitor: the join page, never the shared screen.
    for path in ("screen", "workshops", "summary"):
        open_app(phone, f"{app_url}/{path}?w={w}")
        _expect_no_facilitator_page(phone, started.code)
        expect(main_area(phone).get_by_role("heading", name="Join a workshop")).to_be_visible()

    # And the facilitator's screen, still signed in, saw one person join and nobody vote.
    expect(metric(page, "People joined")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)
    expect(metric(page, "Votes in")).to_have_text("0")


def _expect_shared_screen(page, app_url: str, started: Started) -> None:
    main = main_area(page)
    expect(page).to_have_url(re.compile(rf"/screen\?w={started.workshop_id}$"))
    expect(main.get_by_role("heading", level=3, name=started.title, exact=True)).to_be_visible()
    assert join_panel(page) == started.code, "the shared screen shows another workshop's join code"
    expect(main.get_by_text("Segment 1 of 3", exact=True)).to_be_visible()
    expect(button(main, "Reveal the votes")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(_sidebar(page).get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def test_facilitator_stays_signed_in_across_a_reload_until_signing_out(page, app_url):
    started = start_workshop(page, app_url, team="Reloading facilitator team", mode="Lock-step")
    wait_for_cookie(page, present=True)  # set by the server's /signin/complete, where the sign-in page sent the browser

    # A new Streamlit session (an address typed in, a reload) keeps the facilitator on the shared screen.
    open_app(page, f"{app_url}/screen?w={started.workshop_id}")
    _expect_shared_screen(page, app_url, started)
    page.reload()
    wait_for_app_idle(page)
    _expect_shared_screen(page, app_url, started)

    _sidebar(page).get_by_role("button", name="Sign out", exact=True).click()
    wait_for_app_idle(page)
    wait_for_cookie(page, present=False)
    page.reload()
    wait_for_app_idle(page)
    expect(main_area(page).get_by_role("heading", name="Join a workshop")).to_be_visible()
    _expect_no_facilitator_page(page, started.code)
    expect(_sidebar(page).get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def _font_px(locator) -> float:
    return locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_presentation_mode_on_a_projector(projector_page, app_url, new_phone, artifacts):
    """The shared screen at 1920x1080 in presentation mode: no menu, the join code always in view, keys to run it."""
    page = projector_page
    started = start_workshop(page, app_url, team="Projector team", mode="Lock-step")
    main = main_area(page)
    button(main, "Present").click()
    wait_for_app_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]present=1"))
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stHeader")).to_be_hidden()

    panel = page.locator(".st-key-join_panel")
    expect(panel).to_be_visible()
    code = panel.get_by_test_id("stHtml").locator(".join-code")
    expect(code).to_have_text(started.code)
    assert _font_px(code) >= 64, "the join code must read from the back of the room"
    qr = panel.get_by_test_id("stImage").locator("img")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 280

    phone = new_phone()
    join(phone, app_url, started, "Dee")
    expect(metric(page, "People joined")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)
    # The text itself, not its box: a paragraph inside the metric has a size of its own.
    assert _font_px(metric(page, "People joined").locator("p")) >= 56, "the key numbers must read from the back of the room"
    vote(phone, 3)
    expect(metric(page, "Votes in")).to_have_text("1", timeout=TALLY_TIMEOUT_MS)

    page.keyboard.press("v")  # reveal
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="The votes", exact=True)).to_be_visible()
    expect(metric(page, "Median")).to_have_text("3")
    assert _font_px(metric(page, "Median").locator("p")) >= 56
    assert _font_px(main.get_by_role("heading", level=2, name="Data strategy")) >= 40
    page.screenshot(path=artifacts / "workshop-screen-presentation-1920x1080.png")
    page.mouse.wheel(0, 4000)  # however far the facilitator scrolls, the code stays on screen
    page.wait_for_timeout(300)
    expect(panel).to_be_in_viewport()
    page.screenshot(path=artifacts / "workshop-screen-presentation-scrolled-1920x1080.png")

    page.keyboard.press("ArrowRight")
    wait_for_app_idle(page)
    expect(main.get_by_text("Segment 2 of 3", exact=True)).to_be_visible()
    expect(main_area(phone).get_by_text("Segment 2 of 3", exact=True)).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
    page.keyboard.press("ArrowLeft")
    wait_for_app_idle(page)
    expect(main.get_by_text("Segment 1 of 3", exact=True)).to_be_visible()

    page.reload()  # the projector's tab reloads into presentation mode: it is in the URL
    wait_for_app_idle(page)
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.keyboard.press("p")  # and out again: the menu comes back
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"present=1"))
    expect(page.locator(".st-key-join_panel")).to_have_count(0)
