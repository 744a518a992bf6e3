"""Workshops: set one up, move through its segments, end it, reopen a segment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from maturity.content.definitions import ModelDefinition
from maturity.domain.codes import new_join_code
from maturity.domain.names import name_key
from maturity.domain.roles import Permission
from maturity.services import audit, rounds
from maturity.services.authz import requires
from maturity.services.errors import InvalidInput, NotFound, WorkshopClosed
from maturity.storage.engine import lock_workshop, read_session, write_session
from maturity.storage.tables import (
    ConsensusRule,
    Participant,
    Round,
    RoundStatus,
    Team,
    Workshop,
    WorkshopMode,
    WorkshopSegment,
    WorkshopStatus,
    utcnow,
)

MODE_LABELS = {
    WorkshopMode.LOCK_STEP: "Lock-step: phones follow the shared screen",
    WorkshopMode.SELF_PACED: "Self-paced ballot: everyone votes all segments, then the reveals",
    WorkshopMode.SHOW_OF_HANDS: "Show of hands: no phones, the facilitator types the counts",
}
RULE_LABELS = {
    ConsensusRule.MEDIAN: "Median (the middle vote; an even split takes the lower level)",
    ConsensusRule.MODE: "Mode (the most common vote; a tie takes the lower level)",
    ConsensusRule.LOWEST: "Lowest (the most cautious vote; common for mixed groups)",
    ConsensusRule.FACILITATOR: "Facilitator's call (the median is offered as a starting point)",
}


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str


@dataclass(frozen=True)
class WorkshopView:
    id: int
    title: str
    team_id: int
    team_name: str
    model_id: str
    model_version: str
    held_on: date
    mode: str
    status: str
    consensus_rule: str
    second_vote: bool
    anonymous: bool
    auto_reveal: bool
    join_code: str | None
    segment_ids: tuple[str, ...]
    current_position: int
    level_min: int
    level_max: int
    timer_ends_at: datetime | None
    participants: int

    @property
    def current_segment_id(self) -> str:
        return self.segment_ids[min(self.current_position, len(self.segment_ids) - 1)]

    @property
    def is_open(self) -> bool:
        return self.status == WorkshopStatus.OPEN.value

    @property
    def uses_phones(self) -> bool:
        return self.mode != WorkshopMode.SHOW_OF_HANDS.value

    @property
    def levels(self) -> range:
        return range(self.level_min, self.level_max + 1)


# --------------------------------------------------------------------------- teams


@requires(Permission.VIEW_WORKSHOPS, Permission.VIEW_LEADERS, Permission.VIEW_ACTIONS, Permission.VIEW_OWNERS, Permission.RUN_SURVEYS)
def list_teams(url: str) -> list[TeamView]:
    with read_session(url) as session:
        return [TeamView(t.id, t.name) for t in session.exec(select(Team).order_by(Team.name)).all()]


@requires(Permission.RUN_WORKSHOPS)
def get_or_create_team(url: str, name: str) -> TeamView:
    """The team with this name (in any case, any script: domain.names.name_key; surrounding spaces ignored), created if new."""
    clean = _team_name(name)
    with write_session(url) as session:
        team = _team_named(session, clean)
        return TeamView(team.id, team.name)


def _team_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("Give the team a name.")
    if len(clean) > 120:
        raise InvalidInput("A team name can be at most 120 characters.")
    return clean


def _team_named(session: Session, clean: str) -> Team:
    team = session.exec(select(Team).where(Team.name_key == name_key(clean))).first()  # any script, any case
    if team is None:
        team = Team(name=clean)
        session.add(team)
        session.flush()
    return team


# --------------------------------------------------------------------------- set up


@requires(Permission.RUN_WORKSHOPS)
def create_workshop(
    url: str,
    *,
    team_id: int | None = None,
    team_name: str | None = None,
    model: ModelDefinition,
    segment_ids: Sequence[str] | None = None,
    mode: str = WorkshopMode.LOCK_STEP.value,
    consensus_rule: str = ConsensusRule.MEDIAN.value,
    second_vote: bool = False,
    anonymous: bool = True,
    auto_reveal: bool = False,
    held_on: date | None = None,
    title: str = "",
) -> WorkshopView:
    """Create an open workshop with its join code and first rounds, for the team `team_id` or the team named
    `team_name` (created if new, in the same transaction); raise InvalidInput on bad choices, NotFound for a lost team."""
    if (team_id is None) == (team_name is None):
        raise InvalidInput("Choose the workshop's team, or name a new one.")
    clean_team = None if team_name is None else _team_name(team_name)
    if segment_ids is not None and not segment_ids:
        raise InvalidInput("Choose at least one segment.")
    chosen = list(segment_ids) if segment_ids else [s.id for s in model.segments]
    unknown = [s for s in chosen if model.segment(s) is None]
    if unknown:
        raise InvalidInput(f"{model.name} has no segment {unknown[0]!r}.")
    if len(set(chosen)) != len(chosen):
        raise InvalidInput("A segment can be chosen only once.")
    if mode not in {m.value for m in WorkshopMode}:
        raise InvalidInput(f"Unknown mode {mode!r}.")
    if consensus_rule not in {r.value for r in ConsensusRule}:
        raise InvalidInput(f"Unknown consensus rule {consensus_rule!r}.")
    held_on = held_on or date.today()
    for attempt in range(20):  # a clash of random codes is rare; retry rather than fail
        try:
            with write_session(url) as session:
                # A new team is written with its workshop: if the workshop fails, there is no team without one.
                team = _team_named(session, clean_team) if clean_team else session.get(Team, team_id)
                if team is None:
                    raise NotFound("That team no longer exists.")
                workshop = Workshop(
                    team_id=team.id,
                    model_id=model.id,
                    model_version=model.version,
                    title=(title.strip() or f"{team.name} · {model.name} · {held_on:%d %b %Y}")[:200],
                    held_on=held_on,
                    mode=mode,
                    status=WorkshopStatus.OPEN.value,
                    consensus_rule=consensus_rule,
                    second_vote=second_vote,
                    anonymous=anonymous,
                    auto_reveal=auto_reveal,
                    join_code=None if mode == WorkshopMode.SHOW_OF_HANDS.value else new_join_code(),
                    level_min=model.level_values[0],
                    level_max=model.level_values[-1],
                )
                session.add(workshop)
                session.flush()
                for position, segment_id in enumerate(chosen):
                    session.add(WorkshopSegment(workshop_id=workshop.id, segment_id=segment_id, position=position))
                    opens = mode == WorkshopMode.SELF_PACED.value or position == 0
                    session.add(
                        Round(
                            workshop_id=workshop.id,
                            segment_id=segment_id,
                            number=1,
                            status=RoundStatus.VOTING.value if opens else RoundStatus.PENDING.value,
                            opened_at=utcnow() if opens else None,
                        )
                    )
                session.flush()
                audit.record(
                    session, entity="workshop", entity_id=workshop.id, verb="created",
                    summary=f"“{workshop.title}” ({model.name}, {len(chosen)} segments, {mode.replace('_', '-')})",
                )  # fmt: skip
                return _view(session, workshop)
        except IntegrityError:
            if attempt == 19:
                raise
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- read


@requires(Permission.VIEW_WORKSHOPS)
def get_workshop(url: str, workshop_id: int) -> WorkshopView:
    with read_session(url) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"There is no workshop {workshop_id}.")
        return _view(session, workshop)


@requires(Permission.VIEW_WORKSHOPS)
def list_workshops(url: str, *, team_id: int | None = None, limit: int = 200) -> list[WorkshopView]:
    """Most recent first; open workshops before closed ones."""
    with read_session(url) as session:
        query = select(Workshop)
        if team_id is not None:
            query = query.where(Workshop.team_id == team_id)
        query = query.order_by((Workshop.status == WorkshopStatus.OPEN.value).desc(), Workshop.held_on.desc(), Workshop.id.desc())
        return [_view(session, w) for w in session.exec(query.limit(limit)).all()]


def _view(session: Session, workshop: Workshop) -> WorkshopView:
    team = session.get(Team, workshop.team_id)
    segments = session.exec(
        select(WorkshopSegment.segment_id).where(WorkshopSegment.workshop_id == workshop.id).order_by(WorkshopSegment.position)
    ).all()
    participants = session.exec(select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)).one()
    return WorkshopView(
        id=workshop.id,
        title=workshop.title,
        team_id=workshop.team_id,
        team_name=team.name if team else "",
        model_id=workshop.model_id,
        model_version=workshop.model_version,
        held_on=workshop.held_on,
        mode=workshop.mode,
        status=workshop.status,
        consensus_rule=workshop.consensus_rule,
        second_vote=workshop.second_vote,
        anonymous=workshop.anonymous,
        auto_reveal=workshop.auto_reveal,
        join_code=workshop.join_code,
        segment_ids=tuple(segments),
        current_position=workshop.current_position,
        level_min=workshop.level_min,
        level_max=workshop.level_max,
        timer_ends_at=workshop.timer_ends_at,
        participants=participants,
    )


# --------------------------------------------------------------------------- move through it


def _open_workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(f"There is no workshop {workshop_id}.")
    if workshop.status == WorkshopStatus.CLOSED.value:
        raise WorkshopClosed("This workshop has ended. Reopen a segment from its summary to change it.")
    return workshop


@requires(Permission.RUN_WORKSHOPS)
def go_to_segment(url: str, workshop_id: int, position: int) -> WorkshopView:
    """Show segment `position` on the shared screen; in lock-step its first vote opens."""
    with write_session(url) as session:
        lock_workshop(session, workshop_id)
        workshop = _open_workshop(session, workshop_id)
        segment_ids = session.exec(
            select(WorkshopSegment.segment_id)
            .where(WorkshopSegment.workshop_id == workshop_id)
            .order_by(WorkshopSegment.position)
        ).all()
        if not 0 <= position < len(segment_ids):
            raise InvalidInput(f"There is no segment number {position + 1}.")
        workshop.current_position = position
        workshop.timer_ends_at = None
        workshop.version += 1
        if workshop.mode != WorkshopMode.SELF_PACED.value:
            first = session.exec(
                select(Round).where(
                    Round.workshop_id == workshop_id, Round.segment_id == segment_ids[position], Round.number == 1
                )
            ).one()
            if first.status == RoundStatus.PENDING.value:
                first.status, first.opened_at = RoundStatus.VOTING.value, utcnow()
        session.add(workshop)
        rounds.reveal_when_everyone_voted(session, workshop_id)  # a segment everyone has already voted on
        return _view(session, workshop)


@requires(Permission.RUN_WORKSHOPS)
def set_auto_reveal(url: str, workshop_id: int, enabled: bool) -> None:
    """Reveal each segment on its own once everyone has voted, or not; switched on late, it reveals a round already complete."""
    with write_session(url) as session:
        lock_workshop(session, workshop_id)  # a vote in flight is counted, or sees the switch
        workshop = _open_workshop(session, workshop_id)
        workshop.auto_reveal = enabled
        session.add(workshop)
        rounds.reveal_when_everyone_voted(session, workshop_id)


@requires(Permission.RUN_WORKSHOPS)
def start_timer(url: str, workshop_id: int, minutes: float) -> datetime | None:
    """Start (or with 0, stop) the discussion timer; returns when it ends."""
    if not 0 <= minutes <= 120:
        raise InvalidInput("A timer runs for 0 to 120 minutes.")
    with write_session(url) as session:
        workshop = _open_workshop(session, workshop_id)
        workshop.timer_ends_at = utcnow() + timedelta(minutes=minutes) if minutes else None
        session.add(workshop)
        return workshop.timer_ends_at


@requires(Permission.RUN_WORKSHOPS)
def close_workshop(url: str, workshop_id: int) -> WorkshopView:
    """End the workshop: no more joins or votes. Closing twice is harmless."""
    with write_session(url) as session:
        lock_workshop(session, workshop_id)  # the votes in flight land first; later ones are refused
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"There is no workshop {workshop_id}.")
        if workshop.status != WorkshopStatus.CLOSED.value:
            workshop.status, workshop.closed_at, workshop.timer_ends_at = WorkshopStatus.CLOSED.value, utcnow(), None
            workshop.version += 1
            session.add(workshop)
            session.flush()
            audit.record(session, entity="workshop", entity_id=workshop.id, verb="ended", summary=f"“{workshop.title}” ended")
        return _view(session, workshop)


@requires(Permission.RUN_WORKSHOPS)
def reopen_segment(url: str, workshop_id: int, segment_id: str) -> WorkshopView:
    """Open the workshop again on one segment, to correct what was recorded for it."""
    with write_session(url) as session:
        lock_workshop(session, workshop_id)
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"There is no workshop {workshop_id}.")
        position = session.exec(
            select(WorkshopSegment.position).where(
                WorkshopSegment.workshop_id == workshop_id, WorkshopSegment.segment_id == segment_id
            )
        ).first()
        if position is None:
            raise InvalidInput(f"This workshop did not cover segment {segment_id!r}.")
        was_closed = workshop.status == WorkshopStatus.CLOSED.value
        workshop.status, workshop.closed_at, workshop.current_position = WorkshopStatus.OPEN.value, None, position
        workshop.version += 1
        session.add(workshop)
        session.flush()
        audit.record(
            session, entity="workshop", entity_id=workshop.id, verb="segment reopened",
            summary=f"“{workshop.title}”: {segment_id} reopened" + (" (the workshop had ended)" if was_closed else ""),
        )  # fmt: skip
        return _view(session, workshop)
