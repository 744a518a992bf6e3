"""Rounds on the shared screen: tallies without values, reveals, second votes, hand counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, func, select

from maturity.domain.roles import Permission
from maturity.domain.tally import VoteSummary
from maturity.services.authz import requires, token_access
from maturity.services.errors import InvalidInput, NotFound, RoundNotOpen, WorkshopClosed
from maturity.storage.engine import lock_workshop, read_session, write_session
from maturity.storage.tables import (
    HandCount,
    Participant,
    Round,
    RoundStatus,
    Vote,
    Workshop,
    WorkshopMode,
    WorkshopSegment,
    WorkshopStatus,
    utcnow,
)


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


@requires(Permission.VIEW_WORKSHOPS)
def segment_rounds(url: str, workshop_id: int, segment_id: str) -> list[RoundView]:
    with read_session(url) as session:
        rounds = session.exec(
            select(Round).where(Round.workshop_id == workshop_id, Round.segment_id == segment_id).order_by(Round.number)
        ).all()
        return [RoundView(r.id, r.segment_id, r.number, r.status) for r in rounds]


@requires(Permission.VIEW_WORKSHOPS)
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


@requires(Permission.VIEW_WORKSHOPS)
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


@requires(Permission.VIEW_WORKSHOPS)
def round_result(url: str, round_id: int) -> VoteSummary:
    """The distribution of a revealed round; raise RoundNotOpen before the reveal, so it cannot leak."""
    return _revealed(url, round_id)


@token_access
def revealed_result(url: str, round_id: int) -> VoteSummary:
    """What a phone shows after the reveal: the room has seen it on the shared screen; RoundNotOpen before."""
    return _revealed(url, round_id)


def _revealed(url: str, round_id: int) -> VoteSummary:
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


@requires(Permission.RUN_WORKSHOPS)
def reveal_round(url: str, round_id: int) -> None:
    """Reveal the votes of a round to everyone at once; revealing twice is harmless."""
    with write_session(url) as session:
        workshop_id = session.exec(select(Round.workshop_id).where(Round.id == round_id)).first()
        if workshop_id is not None:
            lock_workshop(session, workshop_id)  # the votes in flight land first; later ones see the reveal
        rnd = session.get(Round, round_id)
        if rnd is None:
            raise NotFound("This round does not exist.")
        if rnd.status == RoundStatus.PENDING.value:
            raise RoundNotOpen("Voting on this segment has not started yet.")
        if rnd.status == RoundStatus.VOTING.value:
            rnd.status, rnd.revealed_at = RoundStatus.REVEALED.value, utcnow()
            session.add(rnd)


def due_for_auto_reveal(*columns):
    """SELECT `columns` FROM the rounds a workshop reveals by itself: voting, on the shared screen, everyone has voted."""
    votes = select(func.count()).select_from(Vote).where(Vote.round_id == Round.id).scalar_subquery()
    people = select(func.count()).select_from(Participant).where(Participant.workshop_id == Round.workshop_id).scalar_subquery()
    return (
        select(*columns)
        .select_from(Round)
        .join(Workshop, Workshop.id == Round.workshop_id)
        .join(
            WorkshopSegment,
            (WorkshopSegment.workshop_id == Round.workshop_id) & (WorkshopSegment.segment_id == Round.segment_id),
        )
        .where(
            Round.status == RoundStatus.VOTING.value,
            Workshop.auto_reveal.is_(True),
            Workshop.status != WorkshopStatus.CLOSED.value,
            # Only the segment the room is on: a self-paced ballot keeps the others hidden, and changeable, until shown.
            WorkshopSegment.position == Workshop.current_position,
            people > 0,
            votes >= people,
        )
    )


def reveal_when_everyone_voted(session: Session, workshop_id: int) -> bool:
    """Auto-reveal: reveal the round on the shared screen once every participant has voted in it; True when it did.

    The caller holds the workshop's lock alone (lock_workshop): the count then sees every vote, and
    no vote lands after the reveal. Called by the last vote (services.voting), and by what can make
    a round due without a vote: moving to a segment, switching auto-reveal on.
    """
    session.flush()
    due = session.exec(due_for_auto_reveal(Round).where(Round.workshop_id == workshop_id)).all()
    for rnd in due:
        rnd.status, rnd.revealed_at = RoundStatus.REVEALED.value, utcnow()
        session.add(rnd)
    return bool(due)


@requires(Permission.RUN_WORKSHOPS)
def open_second_round(url: str, workshop_id: int, segment_id: str) -> RoundView:
    """Open the re-vote after discussion (once per segment; asking twice returns the same round)."""
    with write_session(url) as session:
        lock_workshop(session, workshop_id)
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


@requires(Permission.RUN_WORKSHOPS)
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
