"""Gaps for a workshop or a team, with the playbooks that apply and whether anyone is on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import func, select

from maturity.content.catalog import Catalog
from maturity.content.definitions import PlaybookDefinition
from maturity.domain.gaps import Gap, prioritise, soonest_horizon
from maturity.domain.roles import Permission
from maturity.services.actions import open_action_counts
from maturity.services.authz import requires
from maturity.services.consensus import workshop_consensus
from maturity.services.workshops import get_workshop
from maturity.storage.engine import read_session
from maturity.storage.tables import Consensus, Workshop


@dataclass(frozen=True)
class GapView:
    gap: Gap
    playbooks: tuple[PlaybookDefinition, ...]
    decided_on: date | None = None
    workshop_id: int | None = None


def _with_playbooks(gaps: list[tuple[Gap, date | None, int | None]], model_id: str, catalog: Catalog) -> list[GapView]:
    views = []
    for gap, decided_on, workshop_id in gaps:
        playbooks = tuple(catalog.playbooks_for(model_id, gap.segment_id, gap.level))
        horizon = soonest_horizon(p.horizon.value for p in playbooks)
        views.append(
            GapView(Gap(gap.segment_id, gap.level, gap.target, horizon, gap.open_actions), playbooks, decided_on, workshop_id)
        )
    order = {g.segment_id: i for i, g in enumerate(prioritise(v.gap for v in views))}
    return sorted((v for v in views if v.gap.segment_id in order), key=lambda v: order[v.gap.segment_id])


@requires(Permission.VIEW_WORKSHOPS)
def workshop_gaps(url: str, workshop_id: int, catalog: Catalog) -> list[GapView]:
    """The gaps a workshop recorded, biggest and most urgent first."""
    workshop = get_workshop(url, workshop_id)
    counts = open_action_counts(url, team_id=workshop.team_id, model_id=workshop.model_id)
    gaps = [
        (Gap(c.segment_id, c.level, c.target_level, open_actions=counts.get(c.segment_id, 0)), workshop.held_on, workshop.id)
        for c in workshop_consensus(url, workshop_id).values()
        if c.target_level is not None
    ]
    return _with_playbooks(gaps, workshop.model_id, catalog)


@requires(Permission.VIEW_WORKSHOPS)
def team_gaps(url: str, team_id: int, model_id: str, catalog: Catalog) -> list[GapView]:
    """The team's latest consensus per segment (from its most recent workshop on it), as gaps."""
    with read_session(url) as session:
        latest = (
            select(Consensus.segment_id, func.max(Workshop.held_on).label("held_on"))
            .join(Workshop, Workshop.id == Consensus.workshop_id)
            .where(Workshop.team_id == team_id, Workshop.model_id == model_id)
            .group_by(Consensus.segment_id)
            .subquery()
        )
        rows = session.exec(
            select(Consensus.segment_id, Consensus.level, Consensus.target_level, Workshop.held_on, Workshop.id)
            .join(Workshop, Workshop.id == Consensus.workshop_id)
            .join(latest, (latest.c.segment_id == Consensus.segment_id) & (latest.c.held_on == Workshop.held_on))
            .where(Workshop.team_id == team_id, Workshop.model_id == model_id)
            .order_by(Consensus.segment_id, Workshop.id.desc())
        ).all()
    counts = open_action_counts(url, team_id=team_id, model_id=model_id)
    seen, gaps = set(), []
    for segment_id, level, target, held_on, workshop_id in rows:
        if segment_id in seen or target is None:
            continue  # two workshops on the same day: the later one counts
        seen.add(segment_id)
        gaps.append((Gap(segment_id, level, target, open_actions=counts.get(segment_id, 0)), held_on, workshop_id))
    return _with_playbooks(gaps, model_id, catalog)
