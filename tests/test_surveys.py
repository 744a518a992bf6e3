"""Survey campaigns: one anonymous response per visit or code, conditions, scoring and the anonymity threshold."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from maturity.domain.surveys import validate_answers
from maturity.services import survey_results as sr
from maturity.services import surveys as sv
from maturity.services.errors import InvalidInput


@pytest.fixture
def trust(builtin_catalog):
    return builtin_catalog.surveys["data-trust-pulse"]


def answers_for(survey, **overrides):
    """A complete, valid set of answers to every required question, plus overrides."""
    given = {}
    for q in survey.questions:
        if q.type.value in ("likert",):
            given[q.id] = 4
        elif q.type.value in ("rating", "nps"):
            given[q.id] = 8
        elif q.type.value == "single_choice":
            given[q.id] = q.options[0].value
    return {**given, **overrides}


def test_one_response_per_visit_even_under_concurrent_double_submits(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, audience_size=40)
    answers = answers_for(trust)
    visits = [f"visit-{i}" for i in range(12)]
    jobs = [v for v in visits for _ in range(3)]  # every respondent presses Submit three times at once
    with ThreadPoolExecutor(8) as pool:
        stored = list(
            pool.map(
                lambda v: sv.submit_response(db_url, trust, link_token=campaign.link_token, visit_token=v, answers=answers), jobs
            )
        )
    assert stored.count(True) == 12 and sv.get_campaign(db_url, campaign.id).responses == 12
    assert sv.get_campaign(db_url, campaign.id).response_rate == pytest.approx(0.3)


def test_single_use_codes(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, access_codes=3)
    codes = [c for c, _ in sv.access_codes(db_url, campaign.id)]
    assert len(codes) == 3 and all(len(c) == 8 for c in codes)
    answers = answers_for(trust)
    with pytest.raises(InvalidInput, match="access code you were given"):
        sv.submit_response(db_url, trust, link_token=campaign.link_token, visit_token="v", answers=answers)
    with pytest.raises(InvalidInput, match="not valid"):
        sv.submit_response(db_url, trust, link_token=campaign.link_token, code="NOTACODE", answers=answers)
    assert sv.submit_response(db_url, trust, link_token=campaign.link_token, code=codes[0].lower(), answers=answers)
    assert sv.access_codes(db_url, campaign.id).count((codes[0], True)) == 1


def test_a_used_code_is_refused_with_what_to_do_and_nothing_is_stored(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, access_codes=2)
    code = sv.access_codes(db_url, campaign.id)[0][0]
    assert sv.submit_response(db_url, trust, link_token=campaign.link_token, code=code, answers=answers_for(trust))
    # Someone else with the same slip (or the same person again): told plainly, never thanked, nothing stored.
    for typed in (code, f"  {code.lower()} "):
        with pytest.raises(sv.CodeAlreadyUsed, match="already been used.*not stored.*another one"):
            sv.submit_response(db_url, trust, link_token=campaign.link_token, code=typed, answers=answers_for(trust))
    with pytest.raises(InvalidInput, match="not valid") as unknown:
        sv.submit_response(db_url, trust, link_token=campaign.link_token, code="ZZZZ2222", answers=answers_for(trust))
    assert not isinstance(unknown.value, sv.CodeAlreadyUsed)
    assert sv.get_campaign(db_url, campaign.id).responses == 1


def test_one_code_submitted_from_several_phones_at_once_stores_one_response(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, access_codes=1)
    code = sv.access_codes(db_url, campaign.id)[0][0]

    def submit(_):
        try:
            return sv.submit_response(db_url, trust, link_token=campaign.link_token, code=code, answers=answers_for(trust))
        except sv.CodeAlreadyUsed:
            return "used"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(submit, range(8)))
    assert sorted(outcomes, key=str) == [True] + ["used"] * 7, outcomes
    assert sv.get_campaign(db_url, campaign.id).responses == 1
    assert sv.access_codes(db_url, campaign.id) == [(code, True)]


def test_closed_future_and_unknown_campaigns_say_so(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, opens_on=date.today() + timedelta(days=3))
    with pytest.raises(sv.CampaignUnavailable, match="opens on"):
        sv.open_campaign(db_url, campaign.link_token)
    sv.set_campaign_status(db_url, campaign.id, "closed")
    with pytest.raises(sv.CampaignUnavailable, match="closed"):
        sv.open_campaign(db_url, campaign.link_token)
    with pytest.raises(sv.CampaignUnavailable, match="not valid"):
        sv.open_campaign(db_url, "nope")
    with pytest.raises(InvalidInput, match="before the opening"):
        sv.launch_campaign(db_url, trust, opens_on=date(2026, 5, 2), closes_on=date(2026, 5, 1))


def test_required_questions_and_hidden_answers(trust):
    kept, problems = validate_answers(trust, {})
    assert problems and all(m == "Please answer this question." for m in problems.values())
    conditional = next(q for q in trust.questions if q.show_if)
    answers = answers_for(trust, **{conditional.id: "anything"})
    source = conditional.show_if.question
    hide = next(
        o.value for o in next(q for q in trust.questions if q.id == source).options if o.value not in conditional.show_if.wanted
    )
    kept, problems = validate_answers(trust, {**answers, source: hide})
    assert conditional.id not in kept and conditional.id not in problems  # hidden: dropped, not stored
    likert = next(q for q in trust.questions if q.type.value == "likert")
    assert validate_answers(trust, {**answers, likert.id: 9})[1][likert.id].startswith("Choose a value from 1 to")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("multiple_choice", ["not-an-option"]),
        ("multiple_choice", [["ask-data-team"]]),  # unhashable items were a TypeError
        ("multiple_choice", [{"value": "ask-data-team"}]),
        ("multiple_choice", [1, 2]),
        ("multiple_choice", "ask-data-team"),
        ("single_choice", ["a", "list"]),  # so was an unhashable single choice
        ("single_choice", {"a": "mapping"}),
        ("single_choice", 3),
    ],
)
def test_a_choice_off_its_options_is_refused_as_an_answer_to_fix(db_url, trust, kind, value):
    question = next(q for q in trust.questions if q.type.value == kind and not q.show_if)
    campaign = sv.launch_campaign(db_url, trust)
    with pytest.raises(sv.AnswersInvalid) as refused:
        sv.submit_response(
            db_url, trust, link_token=campaign.link_token, visit_token="v", answers=answers_for(trust, **{question.id: value})
        )
    wanted = "Choose among the options." if kind == "multiple_choice" else "Choose one of the options."
    assert refused.value.problems == {question.id: wanted}
    assert sv.get_campaign(db_url, campaign.id).responses == 0


def test_results_are_hidden_below_the_minimum_and_groups_too(db_url, builtin_catalog):
    personas = builtin_catalog.surveys["data-personas"]
    campaign = sv.launch_campaign(db_url, personas, min_group_size=5)
    for i in range(4):
        sv.submit_response(
            db_url,
            personas,
            link_token=campaign.link_token,
            visit_token=f"a{i}",
            answers=answers_for(personas, persona="consumer"),
        )
    assert sr.results(db_url, campaign.id, personas).hidden
    for i in range(6):
        sv.submit_response(
            db_url,
            personas,
            link_token=campaign.link_token,
            visit_token=f"b{i}",
            answers=answers_for(personas, persona="creator"),
        )
    everyone = sr.results(db_url, campaign.id, personas)
    assert not everyone.hidden and everyone.respondents == 10
    assert everyone.questions["persona"].counts == {"consumer": 4, "creator": 6}
    assert sr.visible_groups(db_url, campaign.id, "persona") == {"creator": 6}  # consumers (4) are never listed
    small = sr.results(db_url, campaign.id, personas, group_by="persona", group_value="consumer")
    assert small.hidden and small.questions == {} and small.groups_hidden == ("consumer",)
    assert not sr.results(db_url, campaign.id, personas, group_by="persona", group_value="creator").hidden


def test_nps_and_segment_scores_and_waves(db_url, trust):
    first = sv.launch_campaign(db_url, trust, min_group_size=2)
    nps_q = next(q for q in trust.questions if q.type.value == "nps")
    for i, score in enumerate([10, 9, 7, 3]):
        sv.submit_response(
            db_url, trust, link_token=first.link_token, visit_token=f"v{i}", answers=answers_for(trust, **{nps_q.id: score})
        )
    result = sr.results(db_url, first.id, trust)
    assert result.questions[nps_q.id].nps == 25  # 2 promoters, 1 detractor of 4
    scores = sr.segment_scores(db_url, first.id, trust, 1, 3)
    assert set(scores) <= {"trust-in-numbers", "single-source-of-truth", "data-quality-testing", "self-serve-literacy"}
    assert all(1 <= s <= 3 for s in scores.values())
    second = sv.launch_campaign(db_url, trust, min_group_size=2)
    assert second.title.endswith("wave 2")
    for i in range(3):
        sv.submit_response(
            db_url, trust, link_token=second.link_token, visit_token=f"w{i}", answers=answers_for(trust, **{nps_q.id: 10})
        )
    waves = sr.wave_means(db_url, trust)
    assert [c.id for c, _ in waves] == [first.id, second.id] and waves[1][1][nps_q.id] == 10


def test_hostile_text_comes_back_harmless_in_the_export(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, min_group_size=2)
    text_q = next(q for q in trust.questions if q.type.value == "text" and not q.show_if)
    for i, text in enumerate(['=HYPERLINK("http://evil","click")', "<script>alert(1)</script>"]):
        sv.submit_response(
            db_url, trust, link_token=campaign.link_token, visit_token=f"h{i}", answers=answers_for(trust, **{text_q.id: text})
        )
    rows = list(csv.reader(io.StringIO(sr.responses_csv(db_url, campaign.id, trust).decode("utf-8-sig"))))
    column = rows[0].index(text_q.id)
    assert rows[1][column].startswith("'=HYPERLINK") and rows[2][column] == "<script>alert(1)</script>"
    assert sr.results(db_url, campaign.id, trust).questions[text_q.id].texts[1] == "<script>alert(1)</script>"


def test_results_export_counts_answers_by_label(db_url, trust):
    campaign = sv.launch_campaign(db_url, trust, min_group_size=2)
    for i in range(2):
        sv.submit_response(db_url, trust, link_token=campaign.link_token, visit_token=f"x{i}", answers=answers_for(trust))
    result = sr.results(db_url, campaign.id, trust)
    rows = list(csv.reader(io.StringIO(sr.results_csv(result, trust).decode("utf-8-sig"))))
    likert = next(q for q in trust.questions if q.type.value == "likert")
    assert [likert.id, likert.text, trust.all_scales[likert.scale][3], "2", "2"] in rows
    hidden = sr.results(db_url, sv.launch_campaign(db_url, trust).id, trust)
    assert list(csv.reader(io.StringIO(sr.results_csv(hidden, trust).decode("utf-8-sig")))) == [
        ["question", "text", "answer", "respondents", "answered"]
    ]
