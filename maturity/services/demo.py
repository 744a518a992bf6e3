"""Realistic, idempotent demo data: teams, two years of quarterly workshops, surveys, owners, actions."""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, select

from maturity.config import get_settings
from maturity.content.catalog import Catalog, load_catalog
from maturity.content.definitions import ModelDefinition, QuestionType, SurveyDefinition
from maturity.domain.surveys import is_shown
from maturity.domain.tally import summarise, suggested_consensus
from maturity.storage.engine import write_session
from maturity.storage.tables import (
    Action,
    ActionEvent,
    Answer,
    Consensus,
    ConsensusChange,
    DataDomain,
    Participant,
    Person,
    Round,
    SurveyCampaign,
    SurveyResponse,
    Team,
    Vote,
    Workshop,
    WorkshopSegment,
)

QUARTERS = 8
NICKNAMES = ["Sam", "Priya", "Jonas", "Amara", "Leo", "Mei", "Tomás", "Ines", "Kofi", "Hana", "Olu", "Rita"]
# (team, description, starting level, progress per quarter, models run)
TEAMS = [
    ("Finance", "Group finance, FP&A and the month-end close.", 1.6, 0.22, ["data-maturity"]),
    ("Marketing", "Brand, acquisition and lifecycle campaigns.", 1.0, 0.12, ["data-maturity"]),
    ("Product & Engineering", "Product squads and the platform teams that build the app.", 1.9, 0.18, ["data-maturity", "data-team-health-check"]),
    ("Operations", "Fulfilment, logistics and supplier management.", 0.8, 0.05, ["data-maturity"]),
    ("Data & Analytics", "The central data team: engineering, analytics and BI.", 2.3, 0.2, ["data-team-health-check"]),
]
PEOPLE = [
    ("Alex Morgan", "alex.morgan", "Chief Data Officer", None),
    ("Bea Santos", "bea.santos", "Head of data engineering", "Data & Analytics"),
    ("Chris Okafor", "chris.okafor", "Analytics lead", "Data & Analytics"),
    ("Dana Kim", "dana.kim", "Data protection officer", None),
    ("Elif Yilmaz", "elif.yilmaz", "Finance controller", "Finance"),
    ("Femi Adeyemi", "femi.adeyemi", "FP&A manager", "Finance"),
    ("Grace Liu", "grace.liu", "Marketing operations lead", "Marketing"),
    ("Hugo Petit", "hugo.petit", "CRM manager", "Marketing"),
    ("Isla Brown", "isla.brown", "Engineering manager", "Product & Engineering"),
    ("Jamal Reed", "jamal.reed", "Product manager", "Product & Engineering"),
    ("Kasia Nowak", "kasia.nowak", "Operations analyst", "Operations"),
    ("Luis Ortega", "luis.ortega", "Head of operations", "Operations"),
]
DOMAINS = [
    ("Customers", "Customer accounts, contacts and consent.", "grace.liu", "hugo.petit", "Marketing", "Marketing, Customer success, Finance"),
    ("Orders & revenue", "Orders, invoices, refunds and recognised revenue.", "elif.yilmaz", "femi.adeyemi", "Finance", "Finance, Leadership, Operations"),
    ("Product events", "Click-stream and feature usage events from the app.", "isla.brown", "jamal.reed", "Product & Engineering", "Product, Marketing, Data & Analytics"),
    ("Campaigns", "Campaign spend, audiences and attribution.", "grace.liu", "chris.okafor", "Marketing", "Marketing, Finance"),
    ("Fulfilment", "Shipments, stock levels and supplier lead times.", "luis.ortega", "kasia.nowak", "Operations", "Operations, Finance"),
    ("Data platform", "Warehouse, pipelines and the metrics layer.", "bea.santos", "chris.okafor", "Data & Analytics", "Everyone"),
]
COMMENTS = [
    "Finance and the sales dashboard still disagree on monthly revenue.",
    "I never know which of the three customer tables is the right one.",
    "Much better since the metric definitions were published.",
    "Dashboards load slowly and are often stale on Monday mornings.",
    "We export to spreadsheets because the reports do not have the cut we need.",
    "The data team is helpful but the queue is long.",
]
STATUS_COMMENTS = {
    "in_progress": "Kicked off with the owner; first draft under way.",
    "blocked": "Waiting on access to the source system.",
    "done": "Delivered and shown at the team meeting.",
    "dropped": "Superseded by the platform migration.",
}


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


def describe(summary: DemoSummary) -> str:
    if not summary.created:
        return "Demo data is already loaded; nothing added."
    made = ", ".join(f"{n:,} {name}" for name, n in summary.created.items())
    skipped = f" (skipped: {'; '.join(summary.skipped)})" if summary.skipped else ""
    return f"Demo data loaded: {made}.{skipped}"


def load_demo(url: str, *, seed: int = 7, today: date | None = None, catalog: Catalog | None = None) -> DemoSummary:
    """Add whatever part of the demo is missing, in one transaction; running it twice adds nothing."""
    catalog = catalog or load_catalog(get_settings().content_sources)
    today = today or date.today()
    rng = random.Random(seed)
    summary = DemoSummary()
    with write_session(url) as session:
        teams = _teams(session, summary)
        people = _people(session, teams, summary)
        _domains(session, teams, people, summary)
        for name, _desc, start, pace, model_ids in TEAMS:
            if name not in teams.new:
                continue
            for model_id in model_ids:
                model = catalog.models.get(model_id)
                if model is None:
                    summary.skipped.append(f"model {model_id} is not in the content library")
                    continue
                _workshop_history(session, rng, teams.all[name], model, start, pace, today, people, catalog, summary)
        _survey_waves(session, rng, catalog, today, summary)
    return summary


@dataclass
class _Teams:
    all: dict[str, Team]
    new: set[str]


def _teams(session: Session, summary: DemoSummary) -> _Teams:
    existing = {t.name: t for t in session.exec(select(Team)).all()}
    new = set()
    for name, description, *_ in TEAMS:
        if name not in existing:
            existing[name] = Team(name=name, description=description)
            session.add(existing[name])
            new.add(name)
            summary.add("teams")
    session.flush()
    return _Teams(existing, new)


def _people(session: Session, teams: _Teams, summary: DemoSummary) -> dict[str, Person]:
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    people = {}
    for name, handle, role, team in PEOPLE:
        email = f"{handle}@example.org"
        if email not in existing:
            existing[email] = Person(name=name, email=email, role=role, team_id=teams.all[team].id if team else None)
            session.add(existing[email])
            summary.add("people")
        people[handle] = existing[email]
    session.flush()
    return people


def _domains(session: Session, teams: _Teams, people: dict[str, Person], summary: DemoSummary) -> None:
    existing = set(session.exec(select(DataDomain.name)).all())
    for name, description, owner, steward, team, consumers in DOMAINS:
        if name in existing:
            continue
        session.add(
            DataDomain(
                name=name,
                description=description,
                owner_id=people[owner].id,
                steward_id=people[steward].id,
                creating_team_id=teams.all[team].id,
                consumers=consumers,
            )
        )
        summary.add("data domains")


def _quarter_dates(today: date) -> list[date]:
    """The middle of each of the last QUARTERS quarters, oldest first, none in the future."""
    dates = []
    year, quarter = today.year, (today.month - 1) // 3
    for _ in range(QUARTERS):
        held = date(year, quarter * 3 + 2, 12)
        dates.append(held if held <= today else held - timedelta(days=62))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    return sorted(set(dates))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _workshop_history(session, rng, team, model: ModelDefinition, start, pace, today, people, catalog, summary) -> None:
    low, high = model.level_values[0], model.level_values[-1]
    scale = (high - low) / 5  # paces are written for a 0-5 ladder
    truth = {s.id: low + (start + rng.uniform(-0.8, 0.8)) * scale for s in model.segments}
    dates = _quarter_dates(today) if model.id == "data-maturity" else _quarter_dates(today)[1::2]
    for number, held_on in enumerate(dates, start=1):
        rule = "lowest" if team.name == "Finance" and number % 4 == 0 else "median"
        workshop = Workshop(
            team_id=team.id,
            model_id=model.id,
            model_version=model.version,
            title=f"{team.name} — {model.name} #{number}",
            held_on=held_on,
            mode=rng.choice(["lock_step", "lock_step", "self_paced", "show_of_hands"]),
            status="closed",
            consensus_rule=rule,
            second_vote=number % 3 == 0,
            anonymous=number % 2 == 1,
            created_at=_at(held_on, 9),
            closed_at=_at(held_on, 12),
        )
        session.add(workshop)
        session.flush()
        voters = [
            Participant(workshop_id=workshop.id, token=secrets.token_urlsafe(16), nickname=None if workshop.anonymous else nick, joined_at=_at(held_on, 9))
            for nick in rng.sample(NICKNAMES, rng.randint(5, 9))
        ]
        session.add_all(voters)
        session.flush()
        for position, segment in enumerate(model.segments):
            session.add(WorkshopSegment(workshop_id=workshop.id, segment_id=segment.id, position=position))
            levels = _vote_round(session, rng, workshop, segment.id, 1, voters, truth[segment.id], low, high, held_on)
            summary.add("votes", len(levels))
            if workshop.second_vote and summarise(levels).disagreement:
                levels = _vote_round(session, rng, workshop, segment.id, 2, voters, truth[segment.id], low, high, held_on, spread=0.45)
                summary.add("votes", len(levels))
            level = suggested_consensus(rule, summarise(levels))
            if level is None:
                continue
            target = min(high, level + (1 if rng.random() < 0.7 else 2))
            consensus = Consensus(
                workshop_id=workshop.id,
                segment_id=segment.id,
                level=level,
                target_level=target,
                confidence="low" if summarise(levels).disagreement else rng.choice(["medium", "high"]),
                rule=rule,
                notes=rng.choice(["", "", "Split between teams that use the warehouse and those that do not.", "Agreed quickly."]),
                recorded_by="Facilitator",
                recorded_at=_at(held_on, 11),
            )
            session.add(consensus)
            session.flush()
            session.add(ConsensusChange(consensus_id=consensus.id, level=level, target_level=target, confidence=consensus.confidence,
                                        rule=rule, notes=consensus.notes, changed_by="Facilitator", changed_at=consensus.recorded_at))
            if target > level and rng.random() < 0.18:
                _action(session, rng, team, workshop, model, segment.id, level, people, catalog, today, summary)
            truth[segment.id] = min(high + 0.4, truth[segment.id] + rng.uniform(0.3, 1.7) * pace * scale)
        summary.add("workshops")


def _vote_round(session, rng, workshop, segment_id, number, voters, truth, low, high, held_on, spread=0.85) -> list[int | None]:
    rnd = Round(workshop_id=workshop.id, segment_id=segment_id, number=number, status="revealed",
                opened_at=_at(held_on, 10), revealed_at=_at(held_on, 10))
    session.add(rnd)
    session.flush()
    levels = []
    for voter in voters:
        level = None if rng.random() < 0.04 else max(low, min(high, round(rng.gauss(truth, spread))))
        levels.append(level)
        session.add(Vote(round_id=rnd.id, participant_id=voter.id, level=level, cast_at=_at(held_on, 10), updated_at=_at(held_on, 10)))
    return levels


HORIZON_DAYS = {"urgent": 30, "quick-win": 180, "long-term": 365}


def _action(session, rng, team, workshop, model, segment_id, level, people, catalog, today, summary) -> None:
    playbooks = catalog.playbooks_for(model.id, segment_id, level)
    playbook = rng.choice(playbooks) if playbooks else None
    segment = model.segment(segment_id)
    horizon = playbook.horizon.value if playbook else "quick-win"
    created = workshop.held_on + timedelta(days=rng.randint(1, 6))
    due = created + timedelta(days=HORIZON_DAYS[horizon])
    age = (today - created).days
    status = _demo_status(rng, age, HORIZON_DAYS[horizon])
    owner = rng.choice(list(people.values()))
    action = Action(
        title=playbook.title if playbook else f"Improve {segment.name.lower()}",
        description="\n".join(f"- {step}" for step in playbook.steps) if playbook else "",
        team_id=team.id, workshop_id=workshop.id, model_id=model.id, segment_id=segment_id,
        playbook_id=playbook.id if playbook else None, owner_id=owner.id, due_on=due,
        priority=rng.choice(["high", "medium", "medium", "low"]), horizon=horizon, status=status,
        created_at=_at(created), updated_at=_at(created),
    )
    session.add(action)
    session.flush()
    events = [ActionEvent(action_id=action.id, at=_at(created), by="Facilitator", changes=json.dumps({"created": [None, action.title]}),
                          comment=f"From the gap on {segment.name} in {workshop.title}.")]
    previous, moment = "open", created
    for step in _status_path(status):
        moment = min(today, moment + timedelta(days=rng.randint(7, max(8, age // 3 or 8))))
        events.append(ActionEvent(action_id=action.id, at=_at(moment, 15), by=owner.name,
                                  changes=json.dumps({"status": [previous, step]}), comment=STATUS_COMMENTS.get(step, "")))
        previous = step
        action.version += 1
    action.updated_at = events[-1].at
    if status == "done":
        action.completed_at = events[-1].at
    session.add_all(events)
    summary.add("actions")


def _demo_status(rng, age: int, horizon_days: int) -> str:
    if age > horizon_days * 1.2:
        return rng.choices(["done", "dropped", "in_progress", "open"], weights=[70, 10, 12, 8])[0]
    if age > 30:
        return rng.choices(["done", "in_progress", "blocked", "open"], weights=[25, 40, 15, 20])[0]
    return rng.choices(["open", "in_progress"], weights=[70, 30])[0]


def _status_path(status: str) -> list[str]:
    return {"open": [], "in_progress": ["in_progress"], "blocked": ["in_progress", "blocked"],
            "done": ["in_progress", "done"], "dropped": ["dropped"]}[status]


# --------------------------------------------------------------------------- surveys

WAVES = [("data-trust-pulse", 4, 180), ("data-personas", 1, 0), ("data-literacy", 2, 365)]


def _survey_waves(session: Session, rng, catalog: Catalog, today: date, summary: DemoSummary) -> None:
    existing = set(session.exec(select(SurveyCampaign.title)).all())
    for survey_id, waves, every_days in WAVES:
        survey = catalog.surveys.get(survey_id)
        if survey is None:
            summary.skipped.append(f"survey {survey_id} is not in the content library")
            continue
        for wave in range(waves):
            opens = today - timedelta(days=every_days * (waves - 1 - wave) + 40)
            title = f"{survey.title} — wave {wave + 1} ({opens:%b %Y})"
            if title in existing:
                continue
            campaign = SurveyCampaign(
                survey_id=survey.id, survey_version=survey.version, title=title, audience="Whole organisation",
                audience_size=140, opens_on=opens, closes_on=opens + timedelta(days=21), status="closed",
                link_token=secrets.token_urlsafe(16), created_at=_at(opens, 8),
            )
            session.add(campaign)
            session.flush()
            mood = 0.35 + 0.12 * wave  # trust improves from wave to wave
            for _ in range(rng.randint(38, 72)):
                _respond(session, rng, campaign, survey, mood, opens)
                summary.add("survey responses")
            summary.add("survey campaigns")


def _respond(session, rng, campaign, survey: SurveyDefinition, mood: float, opens: date) -> None:
    response = SurveyResponse(campaign_id=campaign.id, respondent_key=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                              submitted_at=_at(opens + timedelta(days=rng.randint(0, 20)), rng.randint(8, 18)))
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
