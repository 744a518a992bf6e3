"""Joining and voting: participants, one vote per round (upserted), tallies, reveals, hand counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import DateTime, Integer, bindparam, cast, func, literal, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from maturity.domain.codes import looks_like_code, new_token, normalise_code
from maturity.services.authz import token_access
from maturity.services.errors import InvalidInput, NotFound, RoundNotOpen, ServiceError, UnknownCode, WorkshopClosed, is_transient
from maturity.services.join_guard import JOIN_GUARD, Client
from maturity.services.rounds import RoundView, due_for_auto_reveal, reveal_when_everyone_voted
from maturity.services.workshops import WorkshopView, _view
from maturity.storage.engine import WORKSHOP_LOCKS, lock_workshop, read_session, write_session
from maturity.storage.tables import (
    Participant,
    Round,
    RoundStatus,
    Vote,
    Workshop,
    WorkshopMode,
    WorkshopStatus,
    utcnow,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParticipantView:
    id: int
    workshop_id: int
    token: str
    nickname: str | None


@dataclass(frozen=True)
class PhoneSignal:
    """Everything a phone's page depends on but its own votes; when it changes, the phone redraws."""

    status: str
    position: int | None  # the segment on the shared screen; None on a self-paced ballot, which shows every segment
    rounds: tuple[tuple[int, str] | None, ...]  # (id, status) of the latest opened round of each segment the phone shows


@dataclass(frozen=True)
class WorkshopSnapshot:
    """What every phone of a workshop shows alike: the workshop and its rounds, read together."""

    workshop: WorkshopView
    rounds: tuple[RoundView, ...]

    def latest_round(self, segment_id: str) -> RoundView | None:
        rounds = [r for r in self.rounds if r.segment_id == segment_id and r.status != RoundStatus.PENDING.value]
        return max(rounds, key=lambda r: r.number) if rounds else None

    @cached_property  # once per snapshot: every phone's poll compares the shared snapshot's signal with its own
    def signal(self) -> PhoneSignal:
        workshop = self.workshop
        if workshop.mode == WorkshopMode.SELF_PACED.value:
            # Where the shared screen is does not matter to a self-paced ballot (a Next redraws no phone);
            # a reveal or a second vote on any of its segments does, and the end.
            position, shown = None, workshop.segment_ids
        else:
            position, shown = workshop.current_position, (workshop.current_segment_id,)
        rounds = tuple((r.id, r.status) if (r := self.latest_round(s)) else None for s in shown)
        return PhoneSignal(workshop.status, position, rounds)


@dataclass(frozen=True)
class MyBallot:
    """One phone's own part: who it is and the votes it has cast (round id -> level, None: don't know)."""

    participant: ParticipantView
    votes: dict[int, int | None]


@dataclass(frozen=True)
class ParticipantState:
    """What a phone shows: its workshop's snapshot and its own votes."""

    participant: ParticipantView
    snapshot: WorkshopSnapshot
    my_votes: dict[int, int | None] = field(default_factory=dict)  # round id -> level (None: don't know)

    @property
    def workshop(self) -> WorkshopView:
        return self.snapshot.workshop

    def latest_round(self, segment_id: str) -> RoundView | None:
        return self.snapshot.latest_round(segment_id)

    @property
    def signal(self) -> PhoneSignal:
        return self.snapshot.signal


# --------------------------------------------------------------------------- joining


@token_access
def join_workshop(url: str, code: str, nickname: str | None = None, *, client: Client | None = None) -> ParticipantView:
    """A new participant of the workshop with this code; raise UnknownCode or WorkshopClosed.

    With a `client` (the join page passes one), repeated wrong codes from it are slowed down: TooManyWrongCodes
    while it is locked out, and its codes are not even looked at then (maturity/services/join_guard.py)."""
    if client is not None:
        JOIN_GUARD.check(client)
    clean = normalise_code(code)
    if not looks_like_code(clean):  # not a guess at any code: not counted
        raise UnknownCode("A join code is 6 letters and digits, as shown on the shared screen. Check it and try again.")
    name = " ".join((nickname or "").split())[:40] or None
    with write_session(url) as session:
        workshop = session.exec(select(Workshop).where(Workshop.join_code == clean)).first()
        if workshop is None:
            if client is not None:
                JOIN_GUARD.failed(client)
            raise UnknownCode(f"No workshop has the code {clean}. Check the code on the shared screen and try again.")
        if client is not None:
            JOIN_GUARD.succeeded(client)
        if workshop.status == WorkshopStatus.CLOSED.value:
            raise WorkshopClosed("This workshop has ended, so it takes no new participants. Thank you for coming!")
        participant = Participant(workshop_id=workshop.id, token=new_token(), nickname=None if workshop.anonymous else name)
        session.add(participant)
        session.flush()
        return ParticipantView(participant.id, workshop.id, participant.token, participant.nickname)


STALE_LINK = "This voting link is not valid. Join again with the code on the shared screen."


def _participant(session, token: str) -> Participant:
    participant = session.exec(select(Participant).where(Participant.token == token)).first()
    if participant is None:
        raise NotFound(STALE_LINK)
    return participant


@token_access
def resume(url: str, token: str) -> ParticipantView:
    """The participant behind a phone's token (a locked phone reconnecting); never creates a new one."""
    with read_session(url) as session:
        participant = _participant(session, token)
        return ParticipantView(participant.id, participant.workshop_id, participant.token, participant.nickname)


@token_access
def my_ballot(url: str, token: str) -> MyBallot:
    """This phone's participant and votes, in one indexed query; raise NotFound for an unknown token."""
    with read_session(url) as session:
        rows = session.connection().execute(_MY_BALLOT, {"token": token}).all()
    if not rows:
        raise NotFound(STALE_LINK)
    participant_id, workshop_id, nickname = rows[0][:3]
    votes = {round_id: level for *_, round_id, level in rows if round_id is not None}
    return MyBallot(ParticipantView(participant_id, workshop_id, token, nickname), votes)


_MY_BALLOT = (
    select(Participant.id, Participant.workshop_id, Participant.nickname, Vote.round_id, Vote.level)
    .select_from(Participant)
    .outerjoin(Vote, Vote.participant_id == Participant.id)
    .where(Participant.token == bindparam("token"))
)


@token_access
def workshop_snapshot(url: str, workshop_id: int) -> WorkshopSnapshot:
    """The workshop and its rounds as phones show them; raise NotFound when it is gone."""
    with read_session(url) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(STALE_LINK)
        rounds = session.exec(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.id)).all()
        return WorkshopSnapshot(
            _view(session, workshop), tuple(RoundView(r.id, r.segment_id, r.number, r.status) for r in rounds)
        )


# --------------------------------------------------------------------------- voting


@token_access
def cast_vote(url: str, *, token: str, round_id: int, level: int | None) -> None:
    """Record or change this participant's vote (None: don't know); one row per round, whatever the clicks.

    With auto-reveal on, the vote that completes the round reveals it. Raise NotFound, WorkshopClosed,
    RoundNotOpen or InvalidInput when the vote cannot count."""
    with write_session(url, workshop_scoped=True) as session:
        # Every phone in the room calls this at once and SQLite serialises writers, so the checks
        # are one joined query and the write one prepared upsert: the lock is held ~0.2 ms, not ~1 ms.
        # On PostgreSQL votes do not queue behind one another: they share the workshop's lock, which a
        # reveal or an end takes alone (lock_workshop), and the upsert on (round, participant) cannot lose a vote.
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(_SHARE_WORKSHOP_LOCK, {"round_id": round_id})  # the round's workshop, in one round trip
        # The usual case in one statement: the vote is written only where every check passes, and it
        # says whether the workshop reveals by itself. When nothing was written, the checks run one
        # by one to say why.
        now = utcnow()
        values = {"token": token, "round_id": round_id, "level": level, "cast_at": now, "updated_at": now}
        written = connection.execute(_GUARDED_UPSERTS[connection.dialect.name], values).first()
        if written is None:
            raise _refusal(connection, token, round_id)
    if written.auto_reveal:
        try:
            _reveal_if_everyone_voted(url, round_id)
        except Exception as exc:  # noqa: BLE001 - the vote is stored: the phone must not hear otherwise; the screen can still reveal
            log.log(logging.WARNING if is_transient(exc) else logging.ERROR, "auto-reveal after a vote in round %s failed", round_id, exc_info=exc)


def _reveal_if_everyone_voted(url: str, round_id: int) -> None:
    # Only after the vote's commit: on PostgreSQL two last votes may be in flight at once, each
    # blind to the other's uncommitted row, so a count inside the vote could miss the reveal in both.
    # Counted after the commit, the last vote to commit sees every vote. Most votes stop at this
    # cheap read; the few that see the round complete take the workshop's lock alone, which waits
    # for the votes in flight, and count again before revealing, as a facilitator's reveal does.
    with read_session(url) as session:
        workshop_id = session.connection().execute(_DUE_FOR_AUTO_REVEAL, {"round_id": round_id}).scalar()
    if workshop_id is None:
        return
    with write_session(url) as session:
        lock_workshop(session, workshop_id)
        reveal_when_everyone_voted(session, workshop_id)


def _refusal(connection, token: str, round_id: int) -> ServiceError:
    """Why a vote was not written, for the person who cast it."""
    row = connection.execute(_BALLOT_CHECK, {"token": token, "round_id": round_id}).first()
    if row is None:
        return NotFound(STALE_LINK)
    participant_id, participant_workshop, round_workshop, round_status, workshop_status, level_min, level_max = row
    if round_workshop != participant_workshop:
        return NotFound("This vote is not part of your workshop.")
    if workshop_status == WorkshopStatus.CLOSED.value:
        return WorkshopClosed("This workshop has ended, so votes are closed.")
    if round_status != RoundStatus.VOTING.value:
        return RoundNotOpen(
            "The votes for this segment have been revealed, so yours can no longer change."
            if round_status == RoundStatus.REVEALED.value
            else "Voting on this segment has not started yet."
        )
    return InvalidInput(f"Choose a level from {level_min} to {level_max}, or don't know.")


_DUE_FOR_AUTO_REVEAL = due_for_auto_reveal(Round.workshop_id).where(Round.id == bindparam("round_id"))
_BALLOT_CHECK = (
    select(
        Participant.id,
        Participant.workshop_id,
        Round.workshop_id,
        Round.status,
        Workshop.status,
        Workshop.level_min,
        Workshop.level_max,
    )
    .select_from(Participant)
    .outerjoin(Round, Round.id == bindparam("round_id"))
    .join(Workshop, Workshop.id == Participant.workshop_id)
    .where(Participant.token == bindparam("token"))
)
_SHARE_WORKSHOP_LOCK = select(
    func.pg_advisory_xact_lock_shared(literal(WORKSHOP_LOCKS, Integer), Round.workshop_id)  # lock_workshop's key, shared
).where(Round.id == bindparam("round_id"))


_LEVEL = cast(bindparam("level"), Integer)
_VOTABLE = (
    select(
        Round.id,
        Participant.id,
        _LEVEL,
        bindparam("cast_at", type_=DateTime(timezone=True)),
        bindparam("updated_at", type_=DateTime(timezone=True)),
    )
    .select_from(Participant)
    .join(Round, (Round.id == bindparam("round_id")) & (Round.workshop_id == Participant.workshop_id))
    .join(Workshop, Workshop.id == Participant.workshop_id)
    .where(
        Participant.token == bindparam("token"),
        Round.status == RoundStatus.VOTING.value,
        Workshop.status != WorkshopStatus.CLOSED.value,
        or_(_LEVEL.is_(None), _LEVEL.between(Workshop.level_min, Workshop.level_max)),
    )
)


# Returned with the vote, so a workshop without auto-reveal costs no second statement. Nested, not
# joined: SQLAlchemy writes conditions in SQLite's RETURNING without table names, and a bare `id`
# is then unambiguous only when its SELECT has one table.
_AUTO_REVEAL = (
    select(Workshop.auto_reveal)
    .where(Workshop.id == select(Round.workshop_id).where(Round.id == bindparam("round_id")).scalar_subquery())
    .scalar_subquery()
    .label("auto_reveal")
)


def _guarded_upsert(insert):
    """INSERT ... SELECT what passes every check ... ON CONFLICT (round, participant) DO UPDATE ... RETURNING id, auto-reveal."""
    statement = insert(Vote.__table__).from_select(["round_id", "participant_id", "level", "cast_at", "updated_at"], _VOTABLE)
    return statement.on_conflict_do_update(
        index_elements=["round_id", "participant_id"],
        set_={"level": statement.excluded.level, "updated_at": statement.excluded.updated_at},
    ).returning(Vote.id, _AUTO_REVEAL)


_GUARDED_UPSERTS = {"sqlite": _guarded_upsert(sqlite_insert), "postgresql": _guarded_upsert(pg_insert)}
