"""Typed text in a real browser (issue 18): what Streamlit's own Markdown renderer makes of hostile names.

A workshop whose team, title and phones' nicknames are a Markdown link, emphasis, a formula that
GFM would turn into a link, HTML and a right-to-left override is shown on a 1920×1080 projector and
on two 375 px phones; a person and an action with such names are shown on Data owners and the
board. No page may hold a link, bold text, a heading or an element that came from what was typed;
every value must read exactly as typed (the invisible word joiners that stop GFM's bare-URL links
aside); a 10,000-character note must not make the page scroll sideways.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.domain.roles import Actor, StaffRole
from maturity.services.authz import acting_as
from tests import databases

from .conftest import PHONE, PROJECTOR, _new_page, open_app, sign_in, streamlit_server, wait_for_app_idle
from .helpers import main_area

pytestmark = pytest.mark.browser
pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

TEAM = "[Team](https://evil.example/team) **bold**"
TITLE = '=HYPERLINK("http://x","y") # not a heading'
NICKNAMES = ["[Click me](https://evil.example/)", "<b>html</b> _em_ \u202eabc"]
PERSON = "**Person** <i>x</i> javascript:alert(1)"
ACTION = "[Action](javascript:alert(1)) www.evil.example a@b.example"
LONG_NOTE = "[x](http://e.x/)" * 625  # 10,000 characters and no space to break at

# Elements no typed value may become, and what of them we write ourselves (the app's own bold labels).
FORBIDDEN = "[data-testid=stMain] a[href*='evil'], [data-testid=stMain] a[href^='http://x'], a[href^='javascript:'], a[href^='mailto:']"
MARKUP_FROM_TYPED = "strong, em, h1, h2, h3, i, b, del, img"
MADE_BY_TYPED_MARKUP = {"bold", "em", "html", "x", "Person", "not a heading", "Team", "Click me", "Action"}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory) -> tuple[str, dict]:
    from maturity.config import builtin_sources
    from maturity.content.catalog import load_catalog
    from maturity.services import actions as ax
    from maturity.services import consensus, owners, rounds, voting
    from maturity.services import workshops as ws

    folder: Path = tmp_path_factory.mktemp("typed-text")
    url = databases.fresh_url(folder, migrated=True)
    model = load_catalog(builtin_sources()).models["data-maturity"]
    segments = [s.id for s in model.segments[:2]]
    with acting_as(Actor("Seeder", StaffRole.ADMIN, how="test")):
        workshop = ws.create_workshop(url, team_name=TEAM, model=model, segment_ids=segments, title=TITLE, anonymous=False)
        phones = [voting.join_workshop(url, workshop.join_code, name) for name in NICKNAMES]
        rnd = rounds.segment_rounds(url, workshop.id, segments[0])[0]
        voting.cast_vote(url, token=phones[0].token, round_id=rnd.id, level=2)  # the other one is "still to vote"
        consensus.record_consensus(url, workshop_id=workshop.id, segment_id=segments[1], level=1, target_level=3, notes=LONG_NOTE)
        person = owners.save_person(url, name=PERSON, email="person@example.org", team_name=TEAM)
        ax.create_action(url, title=ACTION, workshop_id=workshop.id, segment_id=segments[1], owner_id=person.id)
    from maturity.storage.engine import dispose_engines

    dispose_engines()
    with streamlit_server(folder, database=url) as base_url:
        yield base_url, {"workshop": workshop.id, "tokens": [p.token for p in phones]}


def _read(text: str) -> str:
    return text.replace("\u2060", "").replace("\u2068", "").replace("\u2069", "")


def expect_only_text(page, *values: str) -> None:
    """No link, emphasis, heading or HTML element from a typed value; each value reads as typed."""
    main = main_area(page)
    expect(main).to_be_visible()
    assert page.locator(FORBIDDEN).count() == 0, page.locator(FORBIDDEN).evaluate_all("els => els.map(e => e.outerHTML)")
    # what the typed markup would have made: <strong>bold</strong>, <em>em</em>, <b>html</b>, <h1>not a heading</h1>…
    # (the app's own bold around a whole name is fine: its text is the name as typed)
    made = main.locator(MARKUP_FROM_TYPED).evaluate_all("els => els.map(e => e.innerText.trim())")
    assert not [t for t in made if t in MADE_BY_TYPED_MARKUP], made
    shown = _read(main.inner_text())
    for value in values:
        assert value.replace("\u202e", "") in shown, f"{value!r} is not shown as typed in {shown!r}"
    assert "\u202e" not in main.inner_text()
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_the_projector_and_the_phones_show_names_as_typed(browser, hostile_app):
    base_url, seeded = hostile_app
    for projector in _new_page(browser, PROJECTOR):
        sign_in(projector, base_url)
        open_app(projector, f"{base_url}/screen?w={seeded['workshop']}")
        expect(main_area(projector).get_by_text("Still to vote", exact=False)).to_be_visible(timeout=15_000)
        expect_only_text(projector, TITLE, NICKNAMES[1])
        projector.screenshot(path=str(Path("test-artifacts") / "typed-text-projector.png"))
    for n, token in enumerate(seeded["tokens"]):
        for phone in _new_page(browser, PHONE):
            open_app(phone, f"{base_url}/?p={token}")
            expect_only_text(phone, TITLE, NICKNAMES[n])
            if n == 0:
                phone.screenshot(path=str(Path("test-artifacts") / "typed-text-phone.png"), full_page=True)


def test_owners_the_board_and_the_summary_show_names_as_typed(browser, hostile_app):
    base_url, seeded = hostile_app
    for page in _new_page(browser, PROJECTOR):
        sign_in(page, base_url)
        open_app(page, f"{base_url}/owners")
        expect_only_text(page)  # the registry is a table (drawn on a canvas): nothing of it may become markup
        open_app(page, f"{base_url}/board")
        main_area(page).get_by_test_id("stButtonGroup").get_by_text("Board", exact=True).click()  # the cards, not the table
        wait_for_app_idle(page)
        expect_only_text(page, ACTION)
        open_app(page, f"{base_url}/summary?w={seeded['workshop']}")
        expect_only_text(page, TITLE)  # with the 10,000-character note in its table
