"""Survey campaigns (waves) and anonymous responses: one per link visit or access code, never a name."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from maturity.content.definitions import QuestionType, SurveyDefinition
from maturity.domain.codes import ALPHABET
from maturity.domain.roles import Permission
from maturity.domain.surveys import validate_answers
from maturity.services import audit
from maturity.services.authz import requires, token_access
from maturity.services.errors import InvalidInput, NotFound, ServiceError
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import AccessCode, Answer, CampaignStatus, SurveyCampaign, SurveyResponse, Team, utcnow

CODE_LENGTH = 8
MAX_CODES = 2000


class CampaignUnavailable(ServiceError):
    """The campaign is closed, not open yet, or unknown; the message says which."""


class CodeAlreadyUsed(InvalidInput):
    """A single-use access code that has already answered; nothing was stored."""


CODE_USED = (
    "This access code has already been used, so these answers were not stored. Ask the person who gave you the "
    "code for another one, then enter the new code and submit again."
)


class AnswersInvalid(InvalidInput):
    """Some answers need attention; `problems` maps question id to what to fix."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(f"{len(problems)} answer(s) need attention.")
        self.problems = problems


@dataclass(frozen=True)
class CampaignView:
    id: int
    survey_id: str
    survey_version: str
    title: str
    team_id: int | None
    team_name: str
    audience: str
    audience_size: int | None
    opens_on: date
    closes_on: date | None
    status: str
    link_token: str
    single_use_codes: bool
    min_group_size: int
    responses: int

    def accepting(self, today: date | None = None) -> bool:
        today = today or date.today()
        return (
            self.status == CampaignStatus.OPEN.value
            and self.opens_on <= today
            and (self.closes_on is None or today <= self.closes_on)
        )

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.audience_size if self.audience_size else None


@requires(Permission.RUN_SURVEYS)
def launch_campaign(
    url: str,
    survey: SurveyDefinition,
    *,
    title: str = "",
    team_id: int | None = None,
    audience: str = "",
    audience_size: int | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
    access_codes: int = 0,
    min_group_size: int = 5,
) -> CampaignView:
    """Open a new wave of a survey with its anonymous link (and single-use codes if asked for)."""
    opens_on = opens_on or date.today()
    if closes_on is not None and closes_on < opens_on:
        raise InvalidInput("The closing date is before the opening date.")
    if audience_size is not None and audience_size < 1:
        raise InvalidInput("The audience size must be at least 1, or left empty.")
    if not 0 <= access_codes <= MAX_CODES:
        raise InvalidInput(f"Ask for 0 to {MAX_CODES} access codes.")
    if not 2 <= min_group_size <= 100:
        raise InvalidInput("The minimum group size must be between 2 and 100.")
    with write_session(url) as session:
        if team_id is not None and session.get(Team, team_id) is None:
            raise InvalidInput("That team does not exist.")
        waves = session.exec(select(func.count()).select_from(SurveyCampaign).where(SurveyCampaign.survey_id == survey.id)).one()
        campaign = SurveyCampaign(
            survey_id=survey.id, survey_version=survey.version, title=(title.strip() or f"{survey.title} — wave {waves + 1}")[:200],
            team_id=team_id, audience=audience.strip()[:200], audience_size=audience_size, opens_on=opens_on, closes_on=closes_on,
            status=CampaignStatus.OPEN.value, link_token=secrets.token_urlsafe(12), single_use_codes=access_codes > 0,
            min_group_size=min_group_size,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        for code in _new_codes(access_codes):
            session.add(AccessCode(campaign_id=campaign.id, code=code))
        session.flush()
        audit.record(
            session, entity="campaign", entity_id=campaign.id, verb="launched",
            summary=f"“{campaign.title}” ({survey.title})" + (f" with {access_codes} access codes" if access_codes else ""),
        )  # fmt: skip
        return _view(session, campaign)


def _new_codes(count: int) -> set[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))
    return codes


@requires(Permission.RUN_SURVEYS, Permission.VIEW_LEADERS)
def list_campaigns(url: str, survey_id: str | None = None) -> list[CampaignView]:
    """Newest first."""
    with read_session(url) as session:
        query = select(SurveyCampaign).order_by(SurveyCampaign.opens_on.desc(), SurveyCampaign.id.desc())
        if survey_id:
            query = query.where(SurveyCampaign.survey_id == survey_id)
        return [_view(session, c) for c in session.exec(query).all()]


@requires(Permission.RUN_SURVEYS, Permission.VIEW_LEADERS)
def get_campaign(url: str, campaign_id: int) -> CampaignView:
    with read_session(url) as session:
        campaign = session.get(SurveyCampaign, campaign_id)
        if campaign is None:
            raise NotFound(f"There is no survey campaign {campaign_id}.")
        return _view(session, campaign)


@requires(Permission.RUN_SURVEYS)
def set_campaign_status(url: str, campaign_id: int, status: str) -> CampaignView:
    """Close or reopen a campaign; doing it twice is harmless."""
    if status not in (CampaignStatus.OPEN.value, CampaignStatus.CLOSED.value):
        raise InvalidInput("A campaign is either open or closed.")
    with write_session(url) as session:
        campaign = session.get(SurveyCampaign, campaign_id)
        if campaign is None:
            raise NotFound(f"There is no survey campaign {campaign_id}.")
        if campaign.status != status:
            audit.record(
                session, entity="campaign", entity_id=campaign.id, verb="closed" if status == CampaignStatus.CLOSED.value else "reopened",
                summary=f"“{campaign.title}” {'closed' if status == CampaignStatus.CLOSED.value else 'reopened'}",
                changes={"status": [campaign.status, status]},
            )  # fmt: skip
        campaign.status = status
        session.add(campaign)
        session.flush()
        return _view(session, campaign)


@requires(Permission.RUN_SURVEYS)
def access_codes(url: str, campaign_id: int) -> list[tuple[str, bool]]:
    """(code, used) for printing; codes are not linked to anyone."""
    with read_session(url) as session:
        rows = session.exec(
            select(AccessCode.code, AccessCode.used_at).where(AccessCode.campaign_id == campaign_id).order_by(AccessCode.code)
        ).all()
        return [(code, used is not None) for code, used in rows]


def _view(session, campaign: SurveyCampaign) -> CampaignView:
    team = session.get(Team, campaign.team_id) if campaign.team_id else None
    responses = session.exec(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)
    ).one()
    return CampaignView(
        campaign.id, campaign.survey_id, campaign.survey_version, campaign.title, campaign.team_id, team.name if team else "",
        campaign.audience, campaign.audience_size, campaign.opens_on, campaign.closes_on, campaign.status, campaign.link_token,
        campaign.single_use_codes, campaign.min_group_size, responses,
    )  # fmt: skip


# --------------------------------------------------------------------------- respondents


@token_access
def open_campaign(url: str, link_token: str, today: date | None = None) -> CampaignView:
    """The campaign behind a survey link, if it takes answers today; CampaignUnavailable says why not."""
    with read_session(url) as session:
        campaign = session.exec(select(SurveyCampaign).where(SurveyCampaign.link_token == link_token)).first()
        if campaign is None:
            raise CampaignUnavailable("This survey link is not valid. Check the link you were sent.")
        view = _view(session, campaign)
    today = today or date.today()
    if view.status == CampaignStatus.CLOSED.value or (view.closes_on and today > view.closes_on):
        raise CampaignUnavailable("This survey has closed. Thank you for your interest.")
    if today < view.opens_on:
        raise CampaignUnavailable(f"This survey opens on {view.opens_on:%d %B %Y}.")
    return view


def respondent_key(campaign_id: int, visit_token: str | None = None, code: str | None = None) -> str:
    """A one-way key for 'has this link visit or code answered already', with nothing about the person."""
    source = f"code:{code.strip().upper()}" if code else f"visit:{visit_token}"
    return hashlib.sha256(f"{campaign_id}:{source}".encode()).hexdigest()


@token_access
def has_responded(url: str, campaign_id: int, key: str) -> bool:
    with read_session(url) as session:
        return (
            session.exec(
                select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign_id, SurveyResponse.respondent_key == key)
            ).first()
            is not None
        )


@token_access
def submit_response(
    url: str, survey: SurveyDefinition, *, link_token: str, visit_token: str | None = None, code: str | None = None, answers: dict,
    today: date | None = None,
) -> bool:  # fmt: skip
    """Store one anonymous response; True when stored, False when this link visit had already answered.

    Raises AnswersInvalid (per question), CampaignUnavailable, CodeAlreadyUsed for a code that has answered
    (a second person must be told, not thanked), or InvalidInput for an unknown access code.
    """
    campaign = open_campaign(url, link_token, today)
    if survey.id != campaign.survey_id:
        raise InvalidInput(f"These answers are for survey {survey.id!r}, but this link is for {campaign.survey_id!r}.")
    kept, problems = validate_answers(survey, answers)
    if problems:
        raise AnswersInvalid(problems)
    if campaign.single_use_codes and not code:
        raise InvalidInput("This survey needs the access code you were given.")
    if not campaign.single_use_codes and not visit_token:
        raise InvalidInput("This page lost its survey session; reload the survey link.")
    key = respondent_key(campaign.id, visit_token, code if campaign.single_use_codes else None)
    try:
        with write_session(url) as session:
            if session.exec(
                select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign.id, SurveyResponse.respondent_key == key)
            ).first():
                if campaign.single_use_codes:
                    raise CodeAlreadyUsed(CODE_USED)
                return False  # a double submit or a reload after submitting
            if campaign.single_use_codes:
                row = session.exec(
                    select(AccessCode).where(AccessCode.campaign_id == campaign.id, AccessCode.code == code.strip().upper())
                ).first()
                if row is None:
                    raise InvalidInput("That access code is not valid for this survey. Check it and try again.")
                if row.used_at is not None:
                    raise CodeAlreadyUsed(CODE_USED)
                row.used_at = utcnow()
                session.add(row)
            response = SurveyResponse(campaign_id=campaign.id, respondent_key=key)
            session.add(response)
            session.flush()
            for question in survey.questions:
                if question.id in kept:
                    session.add(_answer(response.id, question.type, question.id, kept[question.id]))
    except IntegrityError:
        # The unique key caught a concurrent duplicate: still exactly one response. Of a visit it was
        # the same person pressing twice; of a code, someone else holding the same code.
        if campaign.single_use_codes:
            raise CodeAlreadyUsed(CODE_USED) from None
        return False
    return True


def _answer(response_id: int, question_type: QuestionType, question_id: str, value) -> Answer:
    if question_type in (QuestionType.LIKERT, QuestionType.RATING, QuestionType.NPS, QuestionType.NUMBER):
        return Answer(response_id=response_id, question_id=question_id, value_number=float(value))
    if question_type == QuestionType.MULTIPLE_CHOICE:
        return Answer(response_id=response_id, question_id=question_id, value_text=json.dumps(list(value)))
    return Answer(response_id=response_id, question_id=question_id, value_text=str(value))
