"""Governance actions: created from gaps, owned, dated, and changed only through an append-only history."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, case, func, select

from maturity.domain.roles import OWNER_EDITABLE, Permission
from maturity.services import audit
from maturity.services.authz import NotAllowed, current_actor, requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.services.owners import names_of
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import (
    Action,
    ActionEvent,
    ActionStatus,
    DataDomain,
    Person,
    Priority,
    Team,
    Workshop,
    utcnow,
)

OPEN_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value, ActionStatus.BLOCKED.value)
STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "blocked": "Blocked", "done": "Done", "dropped": "Dropped"}
HORIZONS = ("urgent", "quick-win", "long-term")
HORIZON_DAYS = {"urgent": 30, "quick-win": 182, "long-term": 365}
EDITABLE = ("title", "description", "owner_id", "domain_id", "due_on", "priority", "horizon", "status", "evidence_url")
URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class ActionView:
    id: int
    title: str
    description: str
    team_id: int | None
    team_name: str
    workshop_id: int | None
    model_id: str | None
    segment_id: str | None
    playbook_id: str | None
    owner_id: int | None
    owner_name: str
    domain_id: int | None
    domain_name: str
    due_on: date | None
    priority: str
    horizon: str | None
    status: str
    evidence_url: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < (today or date.today())


@dataclass(frozen=True)
class ActionEventView:
    at: datetime
    by: str
    changes: dict = field(default_factory=dict)  # field -> [old, new]
    comment: str = ""


def default_due_date(horizon: str | None, start: date | None = None) -> date:
    """When an action on this horizon is usually due: about a month, six months or a year."""
    return (start or date.today()) + timedelta(days=HORIZON_DAYS.get(horizon or "", HORIZON_DAYS["quick-win"]))


# --------------------------------------------------------------------------- create and change


@requires(Permission.EDIT_ACTIONS)
def create_action(
    url: str,
    *,
    title: str,
    by: str = "",
    comment: str = "",
    workshop_id: int | None = None,
    team_id: int | None = None,
    model_id: str | None = None,
    segment_id: str | None = None,
    playbook_id: str | None = None,
    **fields,
) -> ActionView:
    """A new action, its first history entry saying where it came from; raise InvalidInput on bad values."""
    with write_session(url) as session:
        if workshop_id is not None:
            workshop = session.get(Workshop, workshop_id)
            if workshop is None:
                raise NotFound(f"There is no workshop {workshop_id}.")
            team_id, model_id = workshop.team_id, workshop.model_id
        values = _clean(session, {"title": title, "status": ActionStatus.OPEN.value, "priority": Priority.MEDIUM.value, **fields})
        if team_id is not None and session.get(Team, team_id) is None:
            raise InvalidInput("That team does not exist.")
        now = utcnow()
        action = Action(
            team_id=team_id, workshop_id=workshop_id, model_id=model_id, segment_id=segment_id, playbook_id=playbook_id,
            created_at=now, updated_at=now, **values,
        )  # fmt: skip
        if action.status == ActionStatus.DONE.value:
            action.completed_at = now
        session.add(action)
        session.flush()
        session.add(
            ActionEvent(
                action_id=action.id,
                at=now,
                by=by.strip()[:120],
                changes=json.dumps({"created": [None, action.title]}),
                comment=comment.strip(),
            )
        )
        view = _view(session, action)
        audit.record(
            session, entity="action", entity_id=action.id, verb="created",
            summary=f"Action #{action.id} “{action.title}” for {view.owner_name}" + (f", due {action.due_on:%d %b %Y}" if action.due_on else ""),
            changes={name: [None, _plain(getattr(action, name))] for name in EDITABLE if getattr(action, name) not in (None, "")},
        )  # fmt: skip
        return view


@requires(Permission.EDIT_ACTIONS, Permission.EDIT_OWN_ACTIONS)
def update_action(url: str, action_id: int, *, expected_version: int, by: str = "", comment: str = "", **changes) -> ActionView:
    """Apply changes made on a form that showed `expected_version`; raise Conflict if someone saved since."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    with write_session(url) as session:
        action = session.get(Action, action_id)
        if action is None:
            raise NotFound(f"There is no action {action_id}.")
        owner_only = _owner_only(action, editing=True)
        if action.version != expected_version:
            last = session.exec(
                select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id.desc())
            ).first()
            who = f" by {last.by}" if last and last.by else ""
            raise Conflict(
                f"Someone else saved this action{who} while you were editing it, so your changes were not saved. "
                "They are still in your form: check the latest version, then save again."
            )
        current = {name: getattr(action, name) for name in EDITABLE}
        values = _clean(session, {**current, **changes, "_current_owner": action.owner_id})
        diff = {
            name: [_plain(getattr(action, name)), _plain(value)]
            for name, value in values.items()
            if getattr(action, name) != value
        }
        if not diff and not comment.strip():
            raise InvalidInput("Nothing changed: change a field or add a comment.")
        if owner_only and set(diff) - OWNER_EDITABLE:
            raise NotAllowed(
                "As the action's owner you can change its status and evidence link, and comment; "
                f"ask a facilitator to change the {', '.join(sorted(_field_label(n) for n in set(diff) - OWNER_EDITABLE))}."
            )
        now = utcnow()
        for name, value in values.items():
            setattr(action, name, value)
        if "status" in diff:
            action.completed_at = now if action.status == ActionStatus.DONE.value else None
        action.version += 1
        action.updated_at = now
        session.add(action)
        session.add(
            ActionEvent(action_id=action.id, at=now, by=by.strip()[:120], changes=json.dumps(diff), comment=comment.strip())
        )
        session.flush()
        what = ", ".join(_field_label(name) for name in diff) or "comment"
        audit.record(
            session, entity="action", entity_id=action.id, verb="updated",
            summary=f"Action #{action.id} “{action.title}”: {what}" + (f" — “{comment.strip()[:200]}”" if comment.strip() else ""),
            changes=diff,
        )  # fmt: skip
        return _view(session, action)


def _owner_only(action: Action, *, editing: bool = False) -> bool:
    """True when the person asking reaches this action only as its owner; NotAllowed when it is not theirs."""
    actor = current_actor()
    if actor is not None and actor.can(Permission.EDIT_ACTIONS if editing else Permission.VIEW_ACTIONS):
        return False
    if actor is None or actor.person_id is None or action.owner_id != actor.person_id:
        raise NotAllowed("This action is not yours: as an owner you can see and update only the actions you own.")
    return True


def _field_label(name: str) -> str:
    return {"owner_id": "owner", "domain_id": "data domain", "due_on": "due date", "evidence_url": "evidence link"}.get(
        name, name.replace("_", " ")
    )


def _clean(session: Session, values: dict) -> dict:
    """Validated, normalised field values; InvalidInput names the field and what to do."""
    out = dict(values)
    out["title"] = " ".join(str(values.get("title") or "").split())
    if not out["title"]:
        raise InvalidInput("Give the action a title.")
    if len(out["title"]) > 200:
        raise InvalidInput("A title can be at most 200 characters.")
    out["description"] = str(values.get("description") or "").strip()
    if values.get("status") not in {s.value for s in ActionStatus}:
        raise InvalidInput(f"Status must be one of: {', '.join(STATUS_LABELS)}.")
    if values.get("priority") not in {p.value for p in Priority}:
        raise InvalidInput("Priority must be low, medium or high.")
    horizon = values.get("horizon") or None
    if horizon is not None and horizon not in HORIZONS:
        raise InvalidInput(f"Horizon must be one of: {', '.join(HORIZONS)}.")
    out["horizon"] = horizon
    evidence = str(values.get("evidence_url") or "").strip()
    if evidence and not URL.match(evidence):
        raise InvalidInput("The evidence link must start with http:// or https://.")
    out["evidence_url"] = evidence
    owner_id = values.get("owner_id")
    if owner_id is not None:
        owner = session.get(Person, owner_id)
        if owner is None:
            raise InvalidInput("That owner is not in the data owner registry.")
        if not owner.active and owner_id != values.get("_current_owner"):
            raise InvalidInput(f"{owner.name} is marked as no longer active; choose another owner.")
    if values.get("domain_id") is not None and session.get(DataDomain, values["domain_id"]) is None:
        raise InvalidInput("That data domain does not exist.")
    due = values.get("due_on")
    if due is not None and not isinstance(due, date):
        raise InvalidInput("The due date is not a date.")
    return {name: out.get(name) for name in EDITABLE}


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


# --------------------------------------------------------------------------- read


@requires(Permission.VIEW_ACTIONS, Permission.EDIT_OWN_ACTIONS)
def get_action(url: str, action_id: int) -> ActionView:
    with read_session(url) as session:
        action = session.get(Action, action_id)
        if action is None:
            raise NotFound(f"There is no action {action_id}.")
        _owner_only(action)
        return _view(session, action)


@requires(Permission.VIEW_ACTIONS, Permission.EDIT_OWN_ACTIONS)
def action_history(url: str, action_id: int) -> list[ActionEventView]:
    """Every change, oldest first."""
    with read_session(url) as session:
        action = session.get(Action, action_id)
        if action is None:
            raise NotFound(f"There is no action {action_id}.")
        _owner_only(action)
        events = session.exec(select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id)).all()
        return [ActionEventView(e.at, e.by, json.loads(e.changes or "{}"), e.comment) for e in events]


@dataclass(frozen=True)
class ActionCounts:
    """What a filter matches, counted in SQL: in all, overdue, and per status."""

    total: int
    overdue: int
    by_status: dict[str, int]


@requires(Permission.VIEW_ACTIONS)
def list_actions(
    url: str,
    *,
    owner_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
    team_id: int | None = None,
    segment_id: str | None = None,
    domain_id: int | None = None,
    due_before: date | None = None,
    overdue_on: date | None = None,
    limit: int | None = 2000,
    offset: int = 0,
) -> list[ActionView]:
    """Actions matching every filter given, soonest due first: `limit` of them (None: all) from `offset`.

    overdue_on keeps open actions due before that day."""
    with read_session(url) as session:
        query = _filtered(
            select(Action), owner_id=owner_id, statuses=statuses, team_id=team_id, segment_id=segment_id,
            domain_id=domain_id, due_before=due_before, overdue_on=overdue_on,
        )  # fmt: skip
        query = query.order_by(Action.due_on.is_(None), Action.due_on, Action.id).offset(offset).limit(limit)
        actions = session.exec(query).all()
        return _views(session, actions)


@requires(Permission.VIEW_ACTIONS)
def count_actions(
    url: str,
    *,
    today: date,
    owner_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
    team_id: int | None = None,
    segment_id: str | None = None,
    domain_id: int | None = None,
    due_before: date | None = None,
    overdue_on: date | None = None,
) -> ActionCounts:
    """How many actions list_actions (without a limit) would list, how many of them are overdue on `today`, per status."""
    late = case((Action.status.in_(OPEN_STATUSES) & (Action.due_on < today), 1), else_=0)
    with read_session(url) as session:
        query = _filtered(
            select(Action.status, func.count(), func.sum(late)), owner_id=owner_id, statuses=statuses, team_id=team_id,
            segment_id=segment_id, domain_id=domain_id, due_before=due_before, overdue_on=overdue_on,
        )  # fmt: skip
        rows = session.exec(query.group_by(Action.status)).all()
    return ActionCounts(sum(n for _, n, _ in rows), sum(o or 0 for _, _, o in rows), {s: n for s, n, _ in rows})


@requires(Permission.VIEW_ACTIONS)
def count_done_since(url: str, since: datetime) -> int:
    """Actions done at or after `since`, counted in SQL."""
    with read_session(url) as session:
        return session.exec(
            select(func.count()).select_from(Action).where(Action.status == ActionStatus.DONE.value, Action.completed_at >= since)
        ).one()


def _filtered(query, *, owner_id, statuses, team_id, segment_id, domain_id, due_before, overdue_on):
    if owner_id is not None:
        query = query.where(Action.owner_id == owner_id)
    if statuses:
        query = query.where(Action.status.in_(statuses))
    if team_id is not None:
        query = query.where(Action.team_id == team_id)
    if segment_id:
        query = query.where(Action.segment_id == segment_id)
    if domain_id is not None:
        query = query.where(Action.domain_id == domain_id)
    if due_before is not None:
        query = query.where(Action.due_on <= due_before)
    if overdue_on is not None:
        query = query.where(Action.status.in_(OPEN_STATUSES), Action.due_on < overdue_on)
    return query


@requires(Permission.EDIT_OWN_ACTIONS)
def my_actions(url: str, *, include_closed: bool = False) -> list[ActionView]:
    """The actions the signed-in person owns (through their owner registry entry), soonest due first."""
    actor = current_actor()
    if actor is None or actor.person_id is None:
        return []
    with read_session(url) as session:
        query = select(Action).where(Action.owner_id == actor.person_id)
        if not include_closed:
            query = query.where(Action.status.in_(OPEN_STATUSES))
        actions = session.exec(query.order_by(Action.due_on.is_(None), Action.due_on, Action.id)).all()
        return _views(session, actions)


@requires(Permission.VIEW_WORKSHOPS)
def actions_for_segment(
    url: str, *, team_id: int, model_id: str, segment_id: str, done_within_days: int = 120
) -> list[ActionView]:
    """What the next workshop shows before the vote: open actions, and those done recently."""
    since = utcnow() - timedelta(days=done_within_days)
    with read_session(url) as session:
        actions = session.exec(
            select(Action)
            .where(Action.team_id == team_id, Action.model_id == model_id, Action.segment_id == segment_id)
            .where(
                Action.status.in_(OPEN_STATUSES) | ((Action.status == ActionStatus.DONE.value) & (Action.completed_at >= since))
            )
            .order_by(Action.status == ActionStatus.DONE.value, Action.due_on)
        ).all()
        return _views(session, actions)


@requires(Permission.VIEW_WORKSHOPS)
def open_action_counts(url: str, *, team_id: int, model_id: str) -> dict[str, int]:
    """Open actions per segment for a team and model, counted in SQL."""
    with read_session(url) as session:
        rows = session.exec(
            select(Action.segment_id, func.count())
            .where(Action.team_id == team_id, Action.model_id == model_id, Action.status.in_(OPEN_STATUSES))
            .group_by(Action.segment_id)
        ).all()
        return {segment: n for segment, n in rows if segment}


def _views(session: Session, actions: list[Action]) -> list[ActionView]:
    """Views of `actions`, the names of their owners, domains and teams read for these actions only."""
    people = names_of(session, Person, {a.owner_id for a in actions})
    domains = names_of(session, DataDomain, {a.domain_id for a in actions})
    teams = names_of(session, Team, {a.team_id for a in actions})
    return [_view(session, a, people, domains, teams) for a in actions]


def _view(session: Session, a: Action, people=None, domains=None, teams=None) -> ActionView:
    people = people if people is not None else names_of(session, Person, {a.owner_id})
    domains = domains if domains is not None else names_of(session, DataDomain, {a.domain_id})
    teams = teams if teams is not None else names_of(session, Team, {a.team_id})
    return ActionView(
        a.id, a.title, a.description, a.team_id, teams.get(a.team_id, ""), a.workshop_id, a.model_id, a.segment_id,
        a.playbook_id, a.owner_id, people.get(a.owner_id, "unassigned"), a.domain_id, domains.get(a.domain_id, ""),
        a.due_on, a.priority, a.horizon, a.status, a.evidence_url, a.created_at, a.updated_at, a.completed_at, a.version,
    )  # fmt: skip
