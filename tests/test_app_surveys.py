"""Surveys through the real app: answer on the respondent page, see the response in the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from maturity.services import surveys as sv
from maturity.storage.engine import read_session
from maturity.storage.tables import Answer
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def respondent(link_token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["survey"] = link_token
    return at.run()


def answer_required(at: AppTest, survey) -> None:
    for q in survey.questions:
        if not q.required:
            continue
        widget = at.radio(key=f"q_{q.id}")
        widget.set_value(widget.options and (4 if q.type.value == "likert" else q.options[0].value)).run()


@pytest.fixture
def trust(builtin_catalog):
    return builtin_catalog.surveys["data-trust-pulse"]


def test_answer_submit_and_a_reload_does_not_answer_twice(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, min_group_size=2)
    at = respondent(campaign.link_token)
    assert unescape(at.title[0].value) == trust.title and not at.exception
    at.button(key="survey_submit").click().run()
    assert sum(unescape(e.value) == "Please answer this question." for e in at.error) == 3
    assert any(e.value.startswith("3 question(s) need an answer") for e in at.error)  # beside the button
    answer_required(at, trust)
    assert not [e for e in at.error if unescape(e.value) == "Please answer this question."]  # answered: messages gone
    at.text_area(key="q_" + next(q.id for q in trust.questions if q.type.value == "text" and not q.show_if)).input(
        "<script>alert(1)</script>"
    ).run()
    at.button(key="survey_submit").click().run()
    assert not at.exception and at.success[0].value == "Thank you! Your answers are in."
    assert sv.get_campaign(db_url, campaign.id).responses == 1
    reload = AppTest.from_file(APP, default_timeout=60)
    reload.query_params.update({"survey": campaign.link_token, "r": at.query_params["r"]})
    reload.run()
    assert reload.success[0].value == "Thank you! Your answers are in."  # same visit: no second response
    assert sv.get_campaign(db_url, campaign.id).responses == 1


def test_a_used_access_code_is_told_so_and_nothing_more_is_stored(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, access_codes=2)
    code = sv.access_codes(db_url, campaign.id)[0][0]
    first = respondent(campaign.link_token)
    first.text_input(key="survey_code").input(code)
    answer_required(first, trust)
    first.button(key="survey_submit").click().run()
    assert not first.exception and first.success[0].value == "Thank you! Your answers are in."

    # A second person with the same slip (or the first one again, in a new tab): told, not thanked.
    second = respondent(campaign.link_token)
    second.text_input(key="survey_code").input(code.lower())
    answer_required(second, trust)
    second.button(key="survey_submit").click().run()
    assert not second.exception and not second.success
    assert [unescape(e.value) for e in second.error] == [sv.CODE_USED]
    assert "already been used" in sv.CODE_USED and "another one" in sv.CODE_USED
    assert second.text_input(key="survey_code").value == code.lower()  # the form and its answers stay
    assert second.radio(key=f"q_{next(q.id for q in trust.questions if q.required)}").value is not None
    second.text_input(key="survey_code").input("ZZZZ2222").run()  # a code that does not exist
    second.button(key="survey_submit").click().run()
    assert [unescape(e.value) for e in second.error] == ["That access code is not valid for this survey. Check it and try again."]
    assert sv.get_campaign(db_url, campaign.id).responses == 1
    assert sv.access_codes(db_url, campaign.id).count((code, True)) == 1


def cookie_scripts(at: AppTest) -> list[str]:
    return [h.value for h in at.get("html") if "document.cookie" in h.value]


def test_a_link_answer_leaves_a_marker_in_the_browser_that_names_only_the_campaign(db_url, trust):
    """The browser side (the marker read back when the link is reopened) is tests/browser/test_survey_journey.py."""
    campaign = sv.launch_campaign(db_url, trust)
    at = respondent(campaign.link_token)
    assert cookie_scripts(at) == []  # nothing before answering
    answer_required(at, trust)
    at.button(key="survey_submit").click().run()
    assert at.success[0].value == "Thank you! Your answers are in."
    # "answered campaign N" and nothing else: no response id, no visit token, no answer
    assert cookie_scripts(at) == [
        f"<script>document.cookie = 'maturity_answered_{campaign.id}=1; path=/; max-age=34560000; SameSite=Lax';</script>"
    ]
    assert at.query_params["r"] not in cookie_scripts(at)[0]

    # With codes the code is the guarantee, and one laptop may be passed round a room: no marker.
    coded = sv.launch_campaign(db_url, trust, access_codes=1)
    at = respondent(coded.link_token)
    at.text_input(key="survey_code").input(sv.access_codes(db_url, coded.id)[0][0])
    answer_required(at, trust)
    at.button(key="survey_submit").click().run()
    assert at.success[0].value == "Thank you! Your answers are in." and cookie_scripts(at) == []


def test_the_campaigns_page_says_what_one_response_per_person_means(db_url, trust):
    link_only = sv.launch_campaign(db_url, trust, title="Link only")
    coded = sv.launch_campaign(db_url, trust, title="With codes", access_codes=3)
    at = facilitator("surveys")
    for campaign, meaning in ((link_only, "One response per browser"), (coded, "One response per code")):
        at.selectbox(key="campaign_pick").set_value(campaign.id).run()
        said = [c.value for c in at.caption if c.value.startswith("One response per")]
        assert len(said) == 1 and said[0].startswith(meaning), said
    at.selectbox(key="campaign_pick").set_value(link_only.id).run()
    said = next(c.value for c in at.caption if c.value.startswith("One response per"))
    assert "two devices" in said and "clears their cookies" in said and "use single-use codes" in said


def test_closed_and_unknown_links_say_so_plainly(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust)
    sv.set_campaign_status(db_url, campaign.id, "closed")
    assert "has closed" in respondent(campaign.link_token).info[0].value
    assert "not valid" in respondent("made-up").info[0].value


def test_a_respondent_cannot_reach_other_pages(db_url, trust):
    at = respondent(sv.launch_campaign(db_url, trust).link_token)
    for name in ("home", "surveys", "results", "screen"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(name))


def facilitator(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    at.switch_page(page_path(page))
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_launch_a_campaign_then_read_results_that_hide_small_groups(db_url, builtin_catalog, trust):
    at = facilitator("surveys")
    at.selectbox(key="launch_survey").set_value("data-trust-pulse")
    at.text_input(key="launch_title").input("Trust pulse — test wave")
    at.number_input(key="launch_min").set_value(3)
    next(b for b in at.button if b.key == "FormSubmitter:launch_campaign-Launch").click().run()
    assert not at.exception and at.success[0].value.startswith("Launched “Trust pulse — test wave”")
    link = next(c.value for c in at.code if "?survey=" in c.value)
    campaign = sv.list_campaigns(db_url)[0]
    assert link.endswith(campaign.link_token)
    for i, text in enumerate(["Finance and sales disagree", '=HYPERLINK("x")', "<b>bold?</b>"]):
        answers = {q.id: (4 if q.type.value == "likert" else q.options[0].value) for q in trust.questions if q.required}
        text_q = next(q for q in trust.questions if q.type.value == "text" and not q.show_if)
        sv.submit_response(
            db_url, trust, link_token=campaign.link_token, visit_token=f"v{i}", answers={**answers, text_q.id: text}
        )
    results = facilitator("results", c=str(campaign.id))
    assert not results.exception
    assert next(m.value for m in results.metric if m.label == "Responses") == "3"
    texts = next(d.value for d in results.dataframe if "Answer" in d.value.columns)["Answer"].tolist()
    assert "<b>bold?</b>" in texts  # shown as plain text in a table cell
    results.selectbox(key="results_group_by").set_value("disagree").run()
    assert not results.exception
    assert len(results.selectbox(key="results_group_disagree").options) == 1  # everyone chose the same: one group of 3
    assert next(m.value for m in results.metric if m.label == "Responses") == "3"


@pytest.mark.parametrize("page", ["surveys", "results"])
def test_survey_pages_render_with_the_demo_waves(db_url, builtin_catalog, page):
    from maturity.services import demo

    demo.load_demo(db_url, catalog=builtin_catalog)
    at = facilitator(page)
    assert not at.exception and at.title
    if page == "results":
        trust_wave = next(c for c in sv.list_campaigns(db_url) if c.survey_id == "data-trust-pulse")
        at.selectbox(key="results_campaign").set_value(trust_wave.id).run()
        assert not at.exception
        assert any(h.value == "Wave by wave" for h in at.subheader)  # four trust waves compared
        assert any(h.value.startswith("As levels of") for h in at.subheader)


def test_two_campaigns_with_one_title_are_two_choices(db_url, trust):
    # Streamlit tells a box's options apart by their label: the second wave once opened the first one's link
    first = sv.launch_campaign(db_url, trust, title="Trust pulse")
    second = sv.launch_campaign(db_url, trust, title="Trust pulse")
    at = facilitator("surveys")
    box = at.selectbox(key="campaign_pick")
    assert len(set(box.options)) == 2
    box.set_value(second.id).run()
    assert not at.exception
    assert any(c.value.endswith(second.link_token) for c in at.code) and not any(c.value.endswith(first.link_token) for c in at.code)
    results = facilitator("results")
    results.selectbox(key="results_campaign").set_value(first.id).run()
    assert results.selectbox(key="results_campaign").value == first.id


def test_a_multiselect_answer_off_its_options_is_dropped_not_a_traceback(db_url, trust):
    # What a crafted client sends over the websocket: the options' labels, plus a value that is not one of them.
    # Streamlit formats every value it is sent through the page's format_func; a None there was a TypeError
    # inside the widget, before the page could refuse anything.
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    from streamlit.testing.v1.element_tree import Multiselect

    question = next(q for q in trust.questions if q.type.value == "multiple_choice" and not q.show_if)
    campaign = sv.launch_campaign(db_url, trust, min_group_size=2)
    at = respondent(campaign.link_token)
    answer_required(at, trust)
    target = at.multiselect(key=f"q_{question.id}").id
    sent = ["not-an-option", question.options[0].label, "", "x" * 5000]
    original = Multiselect._widget_state

    def crafted(widget):
        if widget.id != target:
            return original.fget(widget)
        state = WidgetState(id=widget.id)
        state.string_array_value.data[:] = sent
        return state

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Multiselect, "_widget_state", property(crafted))
        at.run()
    assert not at.exception
    assert at.multiselect(key=f"q_{question.id}").value == [question.options[0].value]  # the option kept, the rest dropped
    at.button(key="survey_submit").click().run()
    assert not at.exception and at.success[0].value == "Thank you! Your answers are in."
    with read_session(db_url) as session:
        stored = session.exec(select(Answer.value_text).where(Answer.question_id == question.id)).all()
    assert stored == [json.dumps([question.options[0].value])]
