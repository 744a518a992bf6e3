"""Joining and voting: participants, one vote per round (upserted), tallies, reveals, hand counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import func, select

from maturity.domain.codes import looks_like_code, new_token, normalise_code
from maturity.domain.tally import VoteSummary
from maturity.services.errors import InvalidInput, NotFound, RoundNotOpen, UnknownCode, WorkshopClosed
from maturity.services.workshops import WorkshopView, _view
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import (
    HandCount,
    Participant,
    Round,
    RoundStatus,
    Vote,
    Workshop,
    WorkshopMode,
    WorkshopStatus,
    utcnow,
)


@dataclass(frozen=True)
class ParticipantView:
    id: int
    workshop_id: int
    token: str
    nickname: str | None


@dataclass(frozen=True)
class RoundView:
    id: int
    segment_id: str
    number: int
    status: str

    @property
    def voting(self) -> bool:
        return self.status == RoundStatus.VOTING.value

    @property
    def revealed(self) -> bool:
        return self.status == RoundStatus.REVEALED.value


@dataclass(frozen=True)
class TallyView:
    """Votes in so far, never their values before the reveal: counts only, and who is still to vote."""

    round_id: int
    status: str
    votes: int
    participants: int
    waiting_for: tuple[str, ...] = ()  # nicknames of those still to vote (named workshops only)

    @property
    def everyone_voted(self) -> bool:
        return self.participants > 0 and self.votes >= self.participants


@dataclass(frozen=True)
class ParticipantState:
    """What a phone needs on one poll: the workshop, its rounds, and this participant's own votes."""

    participant: ParticipantView
    workshop: WorkshopView
    rounds: tuple[RoundView, ...]
    my_votes: dict[int, int | None] = field(default_factory=dict)  # round id -> level (None: don't know)

    def latest_round(self, segment_id: str) -> RoundView | None:
        rounds = [r for r in self.rounds if r.segment_id == segment_id and r.status != RoundStatus.PENDING.value]
        return max(rounds, key=lambda r: r.number) if rounds else None


# --------------------------------------------------------------------------- joining


def join_workshop(url: str, code: str, nickname: str | None = None) -> ParticipantView:
    """A new participant of the workshop with this code; raise UnknownCode or WorkshopClosed."""
    clean = normalise_code(code)
    if not looks_like_code(clean):
        raise UnknownCode("A join code is 6 letters and digits, as shown on the shared screen. Check it and try again.")
    name = " ".join((nickname or "").split())[:40] or None
    with write_session(url) as session:
        workshop = session.exec(select(Workshop).where(Workshop.join_code == clean)).first()
        if workshop is None:
            raise UnknownCode(f"No workshop has the code {clean}. Check the code on the shared screen and try again.")
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


def resume(url: str, token: str) -> ParticipantView:
    """The participant behind a phone's token (a locked phone reconnecting); never creates a new one."""
    with read_session(url) as session:
        participant = _participant(session, token)
        return ParticipantView(participant.id, participant.workshop_id, participant.token, participant.nickname)


def participant_state(url: str, token: str) -> ParticipantState:
    """Everything a phone shows, in one short read; raise NotFound for an unknown token."""
    with read_session(url) as session:
        participant = _participant(session, token)
        workshop = session.get(Workshop, participant.workshop_id)
        rounds = session.exec(select(Round).where(Round.workshop_id == workshop.id).order_by(Round.id)).all()
        mine = session.exec(select(Vote.round_id, Vote.level).where(Vote.participant_id == participant.id)).all()
        return ParticipantState(
            participant=ParticipantView(participant.id, workshop.id, participant.token, participant.nickname),
            workshop=_view(session, workshop),
            rounds=tuple(RoundView(r.id, r.segment_id, r.number, r.status) for r in rounds),
            my_votes=dict(mine),
        )


# --------------------------------------------------------------------------- voting


def cast_vote(url: str, *, token: str, round_id: int, level: int | None) -> None:
    """Record or change this participant's vote (None: don't know); one row per round, whatever the clicks."""
    with write_session(url) as session:
        # Every phone in the room calls this at once and SQLite serialises writers, so the checks
        # are one joined query and the write one prepared upsert: the lock is held ~0.2 ms, not ~1 ms.
        connection = session.connection()
        row = connection.execute(_BALLOT_CHECK, {"token": token, "round_id": round_id}).first()
        if row is None:
            raise NotFound(STALE_LINK)
        participant_id, participant_workshop, round_workshop, round_status, workshop_status, level_min, level_max = row
        if round_workshop != participant_workshop:
            raise NotFound("This vote is not part of your workshop.")
        if workshop_status == WorkshopStatus.CLOSED.value:
            raise WorkshopClosed("This workshop has ended, so votes are closed.")
        if round_status != RoundStatus.VOTING.value:
            raise RoundNotOpen(
                "The votes for this segment have been revealed, so yours can no longer change."
                if round_status == RoundStatus.REVEALED.value
                else "Voting on this segment has not started yet."
            )
        if level is not None and not level_min <= level <= level_max:
            raise InvalidInput(f"Choose a level from {level_min} to {level_max}, or don't know.")
        # The unique key (round, participant) makes a double click or two tabs land on one row.
        now = utcnow()
        connection.execute(
            _UPSERTS[connection.dialect.name],
            {"round_id": round_id, "participant_id": participant_id, "level": level, "cast_at": now, "updated_at": now},
        )


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


def _upsert(insert):
    columns = ("round_id", "participant_id", "level", "cast_at", "updated_at")
    statement = insert(Vote.__table__).values({name: bindparam(name) for name in columns})
    return statement.on_conflict_do_update(
        index_elements=["round_id", "participant_id"],
        set_={"level": statement.excluded.level, "updated_at": statement.excluded.updated_at},
    )


_UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(pg_insert)}


# --------------------------------------------------------------------------- the shared screen


def segment_rounds(url: str, workshop_id: int, segment_id: str) -> list[RoundView]:
    with read_session(url) as session:
        rounds = session.exec(
            select(Round).where(Round.workshop_id == workshop_id, Round.segment_id == segment_id).order_by(Round.number)
        ).all()
        return [RoundView(r.id, r.segment_id, r.number, r.status) for r in rounds]


def round_tally(url: str, round_id: int) -> TallyView:
    """How many have voted, aggregated in SQL; values stay hidden until the reveal."""
    with read_session(url) as session:
        rnd = session.get(Round, round_id)
        if rnd is None:
            raise NotFound("This round does not exist.")
        workshop = session.get(Workshop, rnd.workshop_id)
        votes = session.exec(select(func.count()).select_from(Vote).where(Vote.round_id == round_id)).one()
        participants = session.exec(
            select(func.count()).select_from(Participant).where(Participant.workshop_id == rnd.workshop_id)
        ).one()
        waiting: tuple[str, ...] = ()
        if not workshop.anonymous:
            voted = select(Vote.participant_id).where(Vote.round_id == round_id)
            names = session.exec(
                select(Participant.nickname).where(Participant.workshop_id == rnd.workshop_id, Participant.id.not_in(voted))
            ).all()
            waiting = tuple(sorted(n or "(no name)" for n in names))
        return TallyView(round_id, rnd.status, votes, participants, waiting)


def ballot_progress(url: str, workshop_id: int) -> dict[str, int]:
    """Self-paced: how many people have voted on each segment's first vote (counts only)."""
    with read_session(url) as session:
        rows = session.exec(
            select(Round.segment_id, func.count(Vote.id))
            .outerjoin(Vote, Vote.round_id == Round.id)
            .where(Round.workshop_id == workshop_id, Round.number == 1)
            .group_by(Round.segment_id)
        ).all()
        return dict(rows)


def round_result(url: str, round_id: int) -> VoteSummary:
    """The distribution of a revealed round; raise RoundNotOpen before the reveal, so it cannot leak."""
    with read_session(url) as session:
        rnd = session.get(Round, round_id)
        if rnd is None:
            raise NotFound("This round does not exist.")
        if rnd.status != RoundStatus.REVEALED.value:
            raise RoundNotOpen("The votes for this segment have not been revealed yet.")
        workshop = session.get(Workshop, rnd.workshop_id)
        if workshop.mode == WorkshopMode.SHOW_OF_HANDS.value:
            counts = dict(session.exec(select(HandCount.level, HandCount.count).where(HandCount.round_id == round_id)).all())
            return VoteSummary(counts={k: v for k, v in counts.items() if v}, dont_know=rnd.hands_dont_know)
        rows = session.exec(select(Vote.level, func.count()).where(Vote.round_id == round_id).group_by(Vote.level)).all()
        return VoteSummary(
            counts={level: n for level, n in rows if level is not None}, dont_know=sum(n for level, n in rows if level is None)
        )


def reveal_round(url: str, round_id: int) -> None:
    """Reveal the votes of a round to everyone at once; revealing twice is harmless."""
    with write_session(url) as session:
        rnd = session.get(Round, round_id)
        if rnd is None:
            raise NotFound("This round does not exist.")
        if rnd.status == RoundStatus.PENDING.value:
            raise RoundNotOpen("Voting on this segment has not started yet.")
        if rnd.status == RoundStatus.VOTING.value:
            rnd.status, rnd.revealed_at = RoundStatus.REVEALED.value, utcnow()
            session.add(rnd)


def reveal_if_everyone_voted(url: str, round_id: int) -> bool:
    """Auto-reveal: reveal once every participant has voted; True when it revealed."""
    tally = round_tally(url, round_id)
    if tally.status == RoundStatus.VOTING.value and tally.everyone_voted:
        reveal_round(url, round_id)
        return True
    return False


def open_second_round(url: str, workshop_id: int, segment_id: str) -> RoundView:
    """Open the re-vote after discussion (once per segment; asking twice returns the same round)."""
    with write_session(url) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"There is no workshop {workshop_id}.")
        if workshop.status == WorkshopStatus.CLOSED.value:
            raise WorkshopClosed("This workshop has ended.")
        rounds = {
            r.number: r
            for r in session.exec(select(Round).where(Round.workshop_id == workshop_id, Round.segment_id == segment_id)).all()
        }
        if 2 in rounds:
            r = rounds[2]
            return RoundView(r.id, r.segment_id, r.number, r.status)
        if 1 not in rounds or rounds[1].status != RoundStatus.REVEALED.value:
            raise RoundNotOpen("Reveal the first vote before opening a second one.")
        second = Round(
            workshop_id=workshop_id, segment_id=segment_id, number=2, status=RoundStatus.VOTING.value, opened_at=utcnow()
        )
        session.add(second)
        session.flush()  # write transactions are serialised, so two screens cannot both get here
        return RoundView(second.id, second.segment_id, second.number, second.status)


def record_hand_counts(url: str, round_id: int, counts: Mapping[int, int], dont_know: int = 0) -> None:
    """Show of hands: store how many hands went up per level, which reveals the round."""
    with write_session(url) as session:
        rnd = session.get(Round, round_id)
        if rnd is None:
            raise NotFound("This round does not exist.")
        workshop = session.get(Workshop, rnd.workshop_id)
        if workshop.mode != WorkshopMode.SHOW_OF_HANDS.value:
            raise InvalidInput("Hand counts are only for show-of-hands workshops.")
        if workshop.status == WorkshopStatus.CLOSED.value:
            raise WorkshopClosed("This workshop has ended. Reopen the segment from the summary to correct it.")
        if any(n < 0 for n in counts.values()) or dont_know < 0:
            raise InvalidInput("A count of hands cannot be negative.")
        outside = [lv for lv in counts if not workshop.level_min <= lv <= workshop.level_max]
        if outside:
            raise InvalidInput(f"Level {outside[0]} is not on this workshop's ladder.")
        if not any(counts.values()) and not dont_know:
            raise InvalidInput("Count at least one hand before recording.")
        existing = {h.level: h for h in session.exec(select(HandCount).where(HandCount.round_id == round_id)).all()}
        for level in workshop_levels(workshop):
            row = existing.get(level) or HandCount(round_id=round_id, level=level)
            row.count = int(counts.get(level, 0))
            session.add(row)
        rnd.hands_dont_know = dont_know
        if rnd.status != RoundStatus.REVEALED.value:
            rnd.status, rnd.revealed_at = RoundStatus.REVEALED.value, utcnow()
            rnd.opened_at = rnd.opened_at or rnd.revealed_at
        session.add(rnd)


def workshop_levels(workshop: Workshop) -> range:
    return range(workshop.level_min, workshop.level_max + 1)
