"""Consensus: what the group agreed for a segment, its target, and every change to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import (
    Confidence,
    Consensus,
    ConsensusChange,
    ConsensusRule,
    Workshop,
    WorkshopSegment,
    utcnow,
)


@dataclass(frozen=True)
class ConsensusView:
    workshop_id: int
    segment_id: str
    level: int
    target_level: int | None
    confidence: str
    rule: str
    notes: str
    evidence: str
    recorded_by: str
    recorded_at: datetime
    version: int

    @property
    def gap(self) -> int | None:
        return None if self.target_level is None else max(0, self.target_level - self.level)


@dataclass(frozen=True)
class ConsensusChangeView:
    level: int
    target_level: int | None
    confidence: str
    rule: str
    notes: str
    evidence: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class PastDecision:
    workshop_id: int
    workshop_title: str
    held_on: date
    level: int
    target_level: int | None


def _view(row: Consensus) -> ConsensusView:
    return ConsensusView(
        row.workshop_id, row.segment_id, row.level, row.target_level, row.confidence, row.rule,
        row.notes, row.evidence, row.recorded_by, row.recorded_at, row.version,
    )  # fmt: skip


@requires(Permission.RUN_WORKSHOPS)
def record_consensus(
    url: str,
    *,
    workshop_id: int,
    segment_id: str,
    level: int,
    target_level: int | None,
    confidence: str = Confidence.MEDIUM.value,
    rule: str = ConsensusRule.MEDIAN.value,
    notes: str = "",
    evidence: str = "",
    recorded_by: str = "",
    expected_version: int | None = None,
) -> ConsensusView:
    """Save the consensus and append it to the history.

    `expected_version` is the version the facilitator's form showed (None for a first record);
    raise Conflict when someone saved in between, so nothing is overwritten silently.
    """
    if confidence not in {c.value for c in Confidence}:
        raise InvalidInput(f"Confidence must be one of: {', '.join(c.value for c in Confidence)}.")
    if rule not in {r.value for r in ConsensusRule}:
        raise InvalidInput(f"Unknown consensus rule {rule!r}.")
    with write_session(url) as session:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            raise NotFound(f"There is no workshop {workshop_id}.")
        covered = session.exec(
            select(WorkshopSegment.id).where(WorkshopSegment.workshop_id == workshop_id, WorkshopSegment.segment_id == segment_id)
        ).first()
        if covered is None:
            raise InvalidInput(f"This workshop did not cover segment {segment_id!r}.")
        for name, value in (("consensus", level), ("target", target_level)):
            if value is not None and not workshop.level_min <= value <= workshop.level_max:
                raise InvalidInput(f"The {name} level must be from {workshop.level_min} to {workshop.level_max}.")
        row = session.exec(
            select(Consensus).where(Consensus.workshop_id == workshop_id, Consensus.segment_id == segment_id)
        ).first()
        before = None if row is None else (row.level, row.target_level, row.confidence, row.notes, row.evidence)
        if row is None:
            if expected_version not in (None, 0):
                raise Conflict("This consensus was removed while you were editing it; reload the page.")
            row = Consensus(workshop_id=workshop_id, segment_id=segment_id, level=level)
        else:
            if expected_version is None or expected_version != row.version:
                raise Conflict(
                    f"Someone else recorded this segment ({row.level}, target {row.target_level}) while you were editing."
                    " Your entry was not saved: check theirs, then save again if yours should replace it."
                )
            row.version += 1
        row.level, row.target_level, row.confidence, row.rule = level, target_level, confidence, rule
        row.notes, row.evidence, row.recorded_by, row.recorded_at = (
            notes.strip(),
            evidence.strip(),
            recorded_by.strip()[:120],
            utcnow(),
        )
        session.add(row)
        session.flush()
        session.add(
            ConsensusChange(
                consensus_id=row.id, level=level, target_level=target_level, confidence=confidence, rule=rule,
                notes=row.notes, evidence=row.evidence, changed_by=row.recorded_by, changed_at=row.recorded_at,
            )
        )  # fmt: skip
        after = (row.level, row.target_level, row.confidence, row.notes, row.evidence)
        names = ("level", "target_level", "confidence", "notes", "evidence")
        audit.record(
            session, entity="consensus", entity_id=f"{workshop_id}/{segment_id}", verb="recorded" if before is None else "changed",
            summary=f"{workshop.title}: {segment_id} at level {level}, target {'—' if target_level is None else target_level}",
            changes={n: [None if before is None else b, a] for n, b, a in zip(names, before or (None,) * 5, after, strict=True) if b != a},
        )  # fmt: skip
        return _view(row)


@requires(Permission.VIEW_WORKSHOPS)
def get_consensus(url: str, workshop_id: int, segment_id: str) -> ConsensusView | None:
    with read_session(url) as session:
        row = session.exec(
            select(Consensus).where(Consensus.workshop_id == workshop_id, Consensus.segment_id == segment_id)
        ).first()
        return _view(row) if row else None


@requires(Permission.VIEW_WORKSHOPS)
def workshop_consensus(url: str, workshop_id: int) -> dict[str, ConsensusView]:
    with read_session(url) as session:
        rows = session.exec(select(Consensus).where(Consensus.workshop_id == workshop_id)).all()
        return {row.segment_id: _view(row) for row in rows}


@requires(Permission.VIEW_WORKSHOPS)
def consensus_history(url: str, workshop_id: int, segment_id: str) -> list[ConsensusChangeView]:
    """Every recorded version, oldest first."""
    with read_session(url) as session:
        rows = session.exec(
            select(ConsensusChange)
            .join(Consensus)
            .where(Consensus.workshop_id == workshop_id, Consensus.segment_id == segment_id)
            .order_by(ConsensusChange.id)
        ).all()
        return [
            ConsensusChangeView(r.level, r.target_level, r.confidence, r.rule, r.notes, r.evidence, r.changed_by, r.changed_at)
            for r in rows
        ]


def _workshop(session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(f"There is no workshop {workshop_id}.")
    return workshop


@requires(Permission.VIEW_WORKSHOPS)
def previous_decisions(url: str, *, workshop_id: int, segment_id: str, limit: int = 4) -> list[PastDecision]:
    """What the same team's earlier workshops on the same model decided for this segment, latest first."""
    with read_session(url) as session:
        current = _workshop(session, workshop_id)
        rows = session.exec(
            select(Workshop.id, Workshop.title, Workshop.held_on, Consensus.level, Consensus.target_level)
            .join(Consensus, Consensus.workshop_id == Workshop.id)
            .where(
                Workshop.team_id == current.team_id,
                Workshop.model_id == current.model_id,
                Workshop.id != current.id,
                Workshop.held_on <= current.held_on,
                Consensus.segment_id == segment_id,
            )
            .order_by(Workshop.held_on.desc(), Workshop.id.desc())
            .limit(limit)
        ).all()
        return [PastDecision(*row) for row in rows]
