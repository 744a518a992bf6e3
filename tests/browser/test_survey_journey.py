"""A survey from launch to results in a real browser: two phones answer anonymously, hostile text stays harmless.

One journey, as a data lead and two colleagues would click it: the signed-in facilitator launches the built-in
"Data trust pulse" with a minimum group size of 2 and reads its anonymous link; two phone-sized browsers open the
link, press Submit too early and are told what is missing, answer the required questions (one answer reveals a
show-if question, the other does not) and type hostile text into the free-text question, submit, and stay on the
thank-you after a reload. The facilitator then reads the results: 2 responses, the hostile texts as plain text
(no script run, no HTML rendered), and a CSV export in which the formula is defused by a leading apostrophe.

This module runs its own Streamlit server on its own fresh database: it sorts before test_journeys.py, whose
first journey expects the shared server's database to be empty.
"""

from __future__ import annotations

import re
import time

import pytest

from .conftest import PHONE, open_app, sign_in, wait_for_app_idle
from .helpers import download_csv, main_area, metric, pick

pytestmark = pytest.mark.browser

pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

SURVEY_ID = "data-trust-pulse"
SURVEY_TITLE = "Data trust pulse"
CAMPAIGN_TITLE = "Browser trust pulse"
MIN_GROUP = 2
FORMULA = '=HYPERLINK("http://evil","x")'
MARKUP = "<script>alert(1)</script><b>bold</b>"
FREE_TEXT = "If the data team could fix one thing about the numbers, what should it be?"
CONDITION = "Have two sources given you different answers to the same question lately?"
CONDITIONAL = "Where did the numbers disagree? Pick all that apply."
NPS = "How likely are you to point a new colleague to our reports and dashboards?"
PLEASE_ANSWER = "Please answer this question."
THANKS = "Thank you! Your answers are in."
LINK = re.compile(r"https?://\S+/\?survey=[\w-]+")

# What each phone answers: the required questions (a radio label each), the free text, and extras.
PHONES = [
    {
        "I trust the numbers in the reports I use.": "Agree",
        "How often do you find a number that turns out to be wrong?": "Sometimes",
        CONDITION: "Yes, often",  # reveals CONDITIONAL
        "free_text": FORMULA,
        "nps": "9",
    },
    {
        "I trust the numbers in the reports I use.": "Disagree",
        "How often do you find a number that turns out to be wrong?": "Often",
        CONDITION: "Not that I noticed",  # CONDITIONAL stays hidden
        "free_text": MARKUP,
    },
]


@pytest.fixture(scope="module")
def app_url(own_app_url: str) -> str:
    """Its own server: the shared one must stay empty for test_journeys.py's first journey."""
    return own_app_url


def _widget(page, test_id: str, label: str):
    """The widget (by its test id) whose label contains `label`."""
    return main_area(page).get_by_test_id(test_id).filter(has=page.get_by_test_id("stWidgetLabel").filter(has_text=label))


def _pick(page, box, option: str) -> None:
    """Choose an option and check the box shows it."""
    pick(page, box, option)
    expect(box).to_have_value(option)


def _no_dialogs(page) -> list[str]:
    """Record (and dismiss) any alert/confirm/prompt the page opens; the caller asserts the list stays empty."""
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def launch_campaign(page, app_url: str, title: str = CAMPAIGN_TITLE) -> str:
    """Launch the trust pulse with a minimum group size of MIN_GROUP; return the anonymous link shown for it."""
    sign_in(page, app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Survey campaigns", exact=True).click()
    wait_for_app_idle(page)
    main = main_area(page)
    expect(main.get_by_role("heading", name="Survey campaigns")).to_be_visible()
    form = main.get_by_test_id("stForm").filter(has_text="Launch")
    _pick(page, form.get_by_role("combobox", name="Survey"), SURVEY_TITLE)
    form.get_by_role("textbox", name="Title (optional)").fill(title)
    minimum = form.get_by_role("spinbutton", name="Minimum group size shown in results")
    minimum.fill(str(MIN_GROUP))
    minimum.press("Tab")  # commit the number before the form is submitted
    form.get_by_role("button", name="Launch").click()
    wait_for_app_idle(page)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Launched “{title}”. Share its link below.")
    expect(main.get_by_role("combobox", name="Campaign")).to_have_value(title)
    code = main.get_by_test_id("stCode").filter(has_text="?survey=")
    expect(code).to_have_count(1)
    found = LINK.search(code.text_content() or "")
    assert found, f"no survey link in {code.text_content()!r}"
    link = found.group(0)
    assert link.startswith(app_url), f"the link {link} is not on the app's address {app_url}"
    return link


def choose(phone, question: str, option: str) -> None:
    """Tap one option of a radio question and see it checked."""
    radio = _widget(phone, "stRadio", question)
    expect(radio).to_have_count(1)
    radio.get_by_text(option, exact=True).click()
    wait_for_app_idle(phone)
    expect(radio.get_by_role("radio", name=option, exact=True)).to_be_checked()


def answer_on_phone(phone, link: str, answers: dict, survey, *, shot_prefix: str | None, artifacts) -> None:
    main = main_area(phone)
    open_app(phone, link)
    expect(main.get_by_role("heading", name=SURVEY_TITLE, level=1)).to_be_visible()
    expect(main.get_by_text(f"results are only shown for groups of {MIN_GROUP} or more people")).to_be_visible()
    required = [q for q in survey.questions if q.required]
    shown = [q for q in survey.questions if q.show_if is None]
    follow_ups = [q for q in survey.questions if q.show_if is not None and q.show_if.question == "disagree"]
    expect(main.get_by_text(f"0 of {len(required)} required answered · 0 of {len(shown)} in all", exact=True)).to_be_visible()
    for question in required:  # required questions say so in their label
        expect(main.get_by_test_id("stWidgetLabel").filter(has_text=f"{question.text} *")).to_have_count(1)
    expect(main.get_by_text(CONDITIONAL)).to_have_count(0)  # its condition is not met yet
    if shot_prefix:
        phone.screenshot(path=artifacts / f"{shot_prefix}-phone.png")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the survey page is {overflow}px wider than a 375px phone screen"

    # Too early: nothing stored, and each required question says what is missing.
    submit = main.get_by_role("button", name="Submit")
    submit.click()
    wait_for_app_idle(phone)
    errors = main.get_by_test_id("stAlertContentError").filter(has_text=PLEASE_ANSWER)
    expect(errors).to_have_count(len(required))
    # and beside the button, where a phone user is looking, a summary of what is missing
    expect(
        main.get_by_test_id("stAlertContentError").filter(has_text=f"{len(required)} question(s) need an answer")
    ).to_be_visible()
    expect(main.get_by_text(THANKS)).to_have_count(0)
    if shot_prefix:
        errors.first.evaluate("e => e.scrollIntoView({block: 'center'})")
        phone.screenshot(path=artifacts / f"{shot_prefix}-phone-errors.png")

    # The required questions, and the condition: "Yes, often" reveals the follow-up, "Not that I noticed" does not.
    for question, option in answers.items():
        if question in ("free_text", "nps"):
            continue
        choose(phone, question, option)
    reveals = answers[CONDITION] in ("Yes, often", "Once or twice")
    if reveals:
        expect(_widget(phone, "stMultiSelect", CONDITIONAL)).to_be_visible()
        expect(main.get_by_role("textbox", name=re.compile(r"^Which number was it"))).to_be_visible()
    else:
        expect(main.get_by_text(CONDITIONAL)).to_have_count(0)
    if "nps" in answers:  # the 0-10 pills: a radio group of buttons, all eleven on one row of a 375 px phone
        scale = _widget(phone, "stButtonGroup", NPS).get_by_role("radio")
        expect(scale).to_have_count(11)
        tops = scale.evaluate_all("pills => pills.map(p => Math.round(p.getBoundingClientRect().top))")
        rights = scale.evaluate_all("pills => pills.map(p => p.getBoundingClientRect().right)")
        assert len(set(tops)) == 1, f"the 0-10 scale wraps onto {len(set(tops))} rows at 375 px"
        assert max(rights) <= PHONE["width"], f"the 0-10 scale runs off the screen ({max(rights):.0f} px)"
        pill = _widget(phone, "stButtonGroup", NPS).get_by_role("radio", name=answers["nps"], exact=True)
        pill.click()
        wait_for_app_idle(phone)
        expect(pill).to_be_checked()

    text = main.get_by_role("textbox", name=re.compile(rf"^{re.escape(FREE_TEXT)}"))
    text.fill(answers["free_text"])
    text.evaluate("e => e.blur()")  # a text area sends its value when it loses focus
    wait_for_app_idle(phone)
    answered = sum(1 for k in answers if k != "free_text") + 1
    on_page = len(shown) + (len(follow_ups) if reveals else 0)
    expect(
        main.get_by_text(f"{len(required)} of {len(required)} required answered · {answered} of {on_page} in all", exact=True)
    ).to_be_visible()
    expect(errors).to_have_count(0)  # answered since the first try: the messages have gone
    expect(text).to_have_value(answers["free_text"])
    if shot_prefix:
        text.evaluate("e => e.scrollIntoView({block: 'end'})")
        phone.screenshot(path=artifacts / f"{shot_prefix}-phone-answered.png")

    submit.click()
    wait_for_app_idle(phone)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(THANKS)
    expect(main.get_by_role("button", name="Submit")).to_have_count(0)
    assert re.search(r"[?&]r=[\w-]+", phone.url), f"no visit token in {phone.url}: a reload would be a new respondent"
    if shot_prefix:
        phone.screenshot(path=artifacts / f"{shot_prefix}-phone-thanks.png")

    # A reload is a new Streamlit session: the visit token in the URL still says this phone has answered.
    phone.reload()
    phone.get_by_test_id("stAppViewContainer").wait_for(state="attached")
    wait_for_app_idle(phone)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(THANKS)
    expect(main.get_by_role("button", name="Submit")).to_have_count(0)
    expect(main.get_by_test_id("stRadio")).to_have_count(0)


def test_two_phones_answer_the_trust_pulse_and_hostile_text_stays_harmless(page, app_url, new_phone, artifacts, builtin_catalog):
    started_at = time.monotonic()
    survey = builtin_catalog.surveys[SURVEY_ID]
    assert {q.text for q in survey.questions if q.required} == {k for k in PHONES[0] if k not in ("free_text", "nps")}
    dialogs = _no_dialogs(page)

    # (1) The facilitator launches the campaign and reads its anonymous link.
    link = launch_campaign(page, app_url)

    # (2) Two phones answer it.
    for number, answers in enumerate(PHONES):
        phone = new_phone()
        dialogs += _no_dialogs(phone)
        answer_on_phone(phone, link, answers, survey, shot_prefix="survey" if number == 0 else None, artifacts=artifacts)

    # (3) The results: two responses, the hostile texts as plain text.
    main = main_area(page)
    main.get_by_role("button", name="Results").click()
    expect(page).to_have_url(re.compile(r"/results\?c=\d+$"))
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="Survey results")).to_be_visible()
    expect(main.get_by_role("combobox", name="Campaign")).to_have_value(CAMPAIGN_TITLE)
    expect(metric(page, "Responses")).to_have_text("2")
    expect(metric(page, "Smallest group shown")).to_have_text(str(MIN_GROUP))
    expect(main.get_by_role("combobox", name="Break down by")).to_have_value("Everyone")
    page.screenshot(path=artifacts / "survey-results-desktop.png")
    card = main.get_by_test_id("stLayoutWrapper").filter(has=page.get_by_text(FREE_TEXT, exact=True))
    expect(card.last.get_by_text("2 of 2 answered", exact=True)).to_be_visible()
    grid = card.last.get_by_test_id("stDataFrame")
    grid.evaluate("e => e.scrollIntoView({block: 'center'})")
    expect(grid).to_be_visible()
    expect(grid.get_by_test_id("data-grid-canvas")).to_be_visible()
    # The grid draws on a canvas; its cells are also in a table inside the canvas (for screen readers), as text.
    expect(grid.get_by_role("columnheader", name="Answer", include_hidden=True)).to_have_count(1)
    cells = grid.locator("td[role='gridcell']")
    expect(cells).to_have_count(2)
    assert sorted(cells.all_text_contents()) == sorted([FORMULA, MARKUP]), cells.all_text_contents()
    expect(page.locator("b", has_text="bold")).to_have_count(0)  # no <b> from an answer rendered anywhere
    expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    page.screenshot(path=artifacts / "survey-results-free-text-desktop.png")

    # (4) The CSV export: the formula is defused for Excel, the markup kept as the text it was.
    rows = download_csv(page, "Responses (CSV)")
    assert len(rows) == 2, rows
    texts = {row["fix-one-thing"] for row in rows}
    assert texts == {"'" + FORMULA, MARKUP}, texts
    assert {row["disagree"] for row in rows} == {"often", "never"}, rows

    assert not dialogs, f"a page opened a dialog: {dialogs}"
    elapsed = time.monotonic() - started_at
    assert elapsed < 90, f"the survey journey took {elapsed:.0f} s"


ANSWERED_HERE = "This browser has already answered this survey, so it does not take a second response."


def answer_required(phone, link: str) -> None:
    """Open the link, answer only the required questions (as the second phone of PHONES), submit, and see the thanks."""
    main = main_area(phone)
    open_app(phone, link)
    expect(main.get_by_role("heading", name=SURVEY_TITLE, level=1)).to_be_visible()
    for question, option in PHONES[1].items():
        if question != "free_text":
            choose(phone, question, option)
    main.get_by_role("button", name="Submit").click()
    wait_for_app_idle(phone)
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text(THANKS)


def test_a_browser_that_answered_the_link_is_thanked_instead_of_answering_again(page, app_url, new_phone):
    link = launch_campaign(page, app_url, title="One per browser")
    main = main_area(page)
    expect(main.get_by_text("One response per browser", exact=False)).to_be_visible()  # said where the link is shared
    main.get_by_role("button", name="Results").click()
    expect(page).to_have_url(re.compile(r"/results\?c=\d+$"))
    wait_for_app_idle(page)
    expect(main.get_by_role("combobox", name="Campaign")).to_have_value("One per browser")
    campaign_id = int(re.search(r"c=(\d+)", page.url).group(1))
    expect(metric(page, "Responses")).to_have_text("0")

    phone = new_phone()
    answer_required(phone, link)
    # The marker names the campaign and nothing else: no response id, no visit token.
    marker = f"maturity_answered_{campaign_id}"
    deadline = time.monotonic() + 10
    while not [c for c in phone.context.cookies() if c["name"] == marker]:
        assert time.monotonic() < deadline, f"no {marker} cookie after answering: {phone.context.cookies()}"
        phone.wait_for_timeout(100)
    assert [(c["name"], c["value"]) for c in phone.context.cookies() if c["name"].startswith("maturity_answered_")] == [
        (marker, "1")
    ]

    # The same browser opens the link again (a new tab, the link from the mail again): thanked, no form.
    open_app(phone, link)
    phone_main = main_area(phone)
    expect(phone_main.get_by_test_id("stAlertContentSuccess")).to_contain_text(ANSWERED_HERE)
    expect(phone_main.get_by_role("button", name="Submit")).to_have_count(0)
    expect(phone_main.get_by_test_id("stRadio")).to_have_count(0)
    page.reload()
    wait_for_app_idle(page)
    expect(metric(page, "Responses")).to_have_text("1")

    # Another browser (another person) answers as usual.
    answer_required(new_phone(), link)
    page.reload()
    wait_for_app_idle(page)
    expect(metric(page, "Responses")).to_have_text("2")
