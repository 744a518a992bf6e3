"""Gaps between where a team is and where it wants to be, in the order to tackle them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HORIZON_ORDER = {"urgent": 0, "quick-win": 1, "long-term": 2}


@dataclass(frozen=True)
class Gap:
    segment_id: str
    level: int
    target: int
    horizon: str | None = None  # the soonest horizon its playbooks suggest, if any
    open_actions: int = 0

    @property
    def size(self) -> int:
        return max(0, self.target - self.level)

    @property
    def unowned(self) -> bool:
        """A gap nobody is working on: flagged until an action exists."""
        return self.size > 0 and self.open_actions == 0


def soonest_horizon(horizons: Iterable[str]) -> str | None:
    known = [h for h in horizons if h in HORIZON_ORDER]
    return min(known, key=HORIZON_ORDER.__getitem__) if known else None


def prioritise(gaps: Iterable[Gap]) -> list[Gap]:
    """Biggest gap first; among equal gaps the most urgent horizon first; gaps of zero are left out."""
    return sorted(
        (g for g in gaps if g.size > 0),
        key=lambda g: (-g.size, HORIZON_ORDER.get(g.horizon or "", len(HORIZON_ORDER)), g.segment_id),
    )
