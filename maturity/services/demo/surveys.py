"""Demo survey waves: anonymous responses whose trust improves from wave to wave."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, timedelta

from sqlmodel import Session, select

from maturity.content.catalog import Catalog
from maturity.content.definitions import QuestionType, SurveyDefinition
from maturity.domain.surveys import is_shown
from maturity.services.demo.common import DemoSummary
from maturity.services.demo.common import at as _at
from maturity.storage.tables import Answer, SurveyCampaign, SurveyResponse

COMMENTS = [
    "Finance and the sales dashboard still disagree on monthly revenue.",
    "I never know which of the three customer tables is the right one.",
    "Much better since the metric definitions were published.",
    "Dashboards load slowly and are often stale on Monday mornings.",
    "We export to spreadsheets because the reports do not have the cut we need.",
    "The data team is helpful but the queue is long.",
]


WAVES = [("data-trust-pulse", 4, 180), ("data-personas", 1, 0), ("data-literacy", 2, 365)]


def survey_waves(session: Session, rng, catalog: Catalog, today: date, summary: DemoSummary, plan=WAVES) -> None:
    """The waves of each survey in `plan` (survey id, waves, days between them) not there yet."""
    existing = set(session.exec(select(SurveyCampaign.title)).all())
    for survey_id, waves, every_days in plan:
        survey = catalog.surveys.get(survey_id)
        if survey is None:
            summary.skipped.append(f"survey {survey_id} is not in the content library")
            continue
        for wave in range(waves):
            opens = today - timedelta(days=every_days * (waves - 1 - wave) + 40)
            wave_name = f"{survey.title} — wave {wave + 1}"
            if any(t.startswith(wave_name + " (") for t in existing):  # by wave, not date: reruns months apart add nothing
                continue
            title = f"{wave_name} ({opens:%b %Y})"
            campaign = SurveyCampaign(
                survey_id=survey.id,
                survey_version=survey.version,
                title=title,
                audience="Whole organisation",
                audience_size=140,
                opens_on=opens,
                closes_on=opens + timedelta(days=21),
                status="closed",
                link_token=secrets.token_urlsafe(16),
                created_at=_at(opens, 8),
            )
            session.add(campaign)
            session.flush()
            mood = 0.35 + 0.12 * wave  # trust improves from wave to wave
            for _ in range(rng.randint(38, 72)):
                _respond(session, rng, campaign, survey, mood, opens)
                summary.add("survey responses")
            summary.add("survey campaigns")


def _respond(session, rng, campaign, survey: SurveyDefinition, mood: float, opens: date) -> None:
    response = SurveyResponse(
        campaign_id=campaign.id,
        respondent_key=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        submitted_at=_at(opens + timedelta(days=rng.randint(0, 20)), rng.randint(8, 18)),
    )
    session.add(response)
    session.flush()
    given: dict = {}
    for question in survey.questions:
        if not is_shown(question, given) or (not question.required and rng.random() < 0.1):
            continue
        value = _answer_value(rng, question, survey, mood)
        if value is None:
            continue
        given[question.id] = value
        number = value if isinstance(value, int | float) else None
        text = None if number is not None else (json.dumps(value) if isinstance(value, list) else value)
        session.add(Answer(response_id=response.id, question_id=question.id, value_number=number, value_text=text))


def _answer_value(rng, question, survey: SurveyDefinition, mood: float):
    t = question.type
    lean = 1 - mood if question.reverse else mood
    if t == QuestionType.LIKERT:
        n = len(survey.all_scales[question.scale])
        return max(1, min(n, round(rng.gauss(1 + lean * (n - 1) + 0.6, 0.9))))
    if t in (QuestionType.RATING, QuestionType.NPS):
        return max(0, min(10, round(rng.gauss(lean * 10 + 1.5, 2.0))))
    if t == QuestionType.SINGLE_CHOICE:
        return rng.choice(question.options).value
    if t == QuestionType.MULTIPLE_CHOICE:
        return [o.value for o in rng.sample(question.options, rng.randint(1, min(3, len(question.options))))]
    if t == QuestionType.NUMBER:
        low, high = question.min or 0, question.max if question.max is not None else 40
        return round(rng.uniform(low, low + (high - low) / 3))
    return rng.choice(COMMENTS) if rng.random() < 0.3 else None
