"""The end of a workshop: consensus against target per segment, convergence, participation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import func, select

from maturity.domain.roles import Permission
from maturity.domain.tally import Convergence, VoteSummary, convergence
from maturity.services.authz import requires
from maturity.services.consensus import ConsensusView, workshop_consensus
from maturity.services.workshops import WorkshopView, get_workshop
from maturity.storage.engine import read_session
from maturity.storage.tables import HandCount, Round, RoundStatus, Vote, WorkshopMode


@dataclass(frozen=True)
class SegmentSummary:
    segment_id: str
    consensus: ConsensusView | None
    first: VoteSummary | None  # revealed first vote
    second: VoteSummary | None  # revealed re-vote after discussion

    @property
    def convergence(self) -> Convergence | None:
        return convergence(self.first, self.second) if self.first and self.second else None


@dataclass(frozen=True)
class WorkshopSummary:
    workshop: WorkshopView
    segments: tuple[SegmentSummary, ...]

    @property
    def recorded(self) -> int:
        return sum(1 for s in self.segments if s.consensus)

    @property
    def gaps(self) -> list[SegmentSummary]:
        """Segments below their target, largest gap first."""
        below = [s for s in self.segments if s.consensus and s.consensus.gap]
        return sorted(below, key=lambda s: -s.consensus.gap)

    @property
    def voters_per_segment(self) -> dict[str, int]:
        return {s.segment_id: (s.first.votes + s.first.dont_know) if s.first else 0 for s in self.segments}


@requires(Permission.VIEW_WORKSHOPS)
def workshop_summary(url: str, workshop_id: int) -> WorkshopSummary:
    """Aggregated in SQL: counts per round and level, never individual votes."""
    workshop = get_workshop(url, workshop_id)
    consensus = workshop_consensus(url, workshop_id)
    results = _revealed_results(url, workshop)
    segments = tuple(
        SegmentSummary(segment_id, consensus.get(segment_id), results.get((segment_id, 1)), results.get((segment_id, 2)))
        for segment_id in workshop.segment_ids
    )
    return WorkshopSummary(workshop, segments)


def _revealed_results(url: str, workshop: WorkshopView) -> dict[tuple[str, int], VoteSummary]:
    with read_session(url) as session:
        revealed = (Round.workshop_id == workshop.id) & (Round.status == RoundStatus.REVEALED.value)
        if workshop.mode == WorkshopMode.SHOW_OF_HANDS.value:
            rows = session.exec(
                select(Round.segment_id, Round.number, HandCount.level, HandCount.count).join(HandCount).where(revealed)
            ).all()
            dont_know = {
                (seg, n): dk
                for seg, n, dk in session.exec(
                    select(Round.segment_id, Round.number, Round.hands_dont_know).where(revealed)
                ).all()
            }
        else:
            rows = session.exec(
                select(Round.segment_id, Round.number, Vote.level, func.count())
                .join(Vote, Vote.round_id == Round.id)
                .where(revealed)
                .group_by(Round.segment_id, Round.number, Vote.level)
            ).all()
            dont_know = {}
    counts: dict[tuple[str, int], dict[int, int]] = defaultdict(dict)
    for segment_id, number, level, n in rows:
        if level is None:
            dont_know[(segment_id, number)] = dont_know.get((segment_id, number), 0) + n
        elif n:
            counts[(segment_id, number)][level] = n
    keys = set(counts) | set(dont_know)
    return {key: VoteSummary(counts=counts.get(key, {}), dont_know=dont_know.get(key, 0)) for key in keys}
