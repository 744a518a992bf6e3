"""Summarise a round of votes and apply a consensus rule to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DISAGREEMENT_RANGE = 2  # a spread of two levels or more means the group should talk first


@dataclass(frozen=True)
class VoteSummary:
    """What a round of votes says; `counts` maps level -> votes, "don't know" kept apart."""

    counts: Mapping[int, int]
    dont_know: int = 0

    @property
    def votes(self) -> int:
        return sum(self.counts.values())

    @property
    def levels(self) -> list[int]:
        return sorted(level for level, n in self.counts.items() for _ in range(n))

    @property
    def lowest(self) -> int | None:
        return min((lv for lv, n in self.counts.items() if n), default=None)

    @property
    def highest(self) -> int | None:
        return max((lv for lv, n in self.counts.items() if n), default=None)

    @property
    def spread(self) -> int | None:
        return None if self.lowest is None else self.highest - self.lowest

    @property
    def median(self) -> int | None:
        """The lower median: with an even split the group is credited with the lower level."""
        levels = self.levels
        return levels[(len(levels) - 1) // 2] if levels else None

    @property
    def mode(self) -> int | None:
        """The most voted level; a tie goes to the lower level, for the same reason as the median."""
        if not self.votes:
            return None
        top = max(self.counts.values())
        return min(level for level, n in self.counts.items() if n == top)

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_RANGE


def summarise(levels: Iterable[int | None]) -> VoteSummary:
    """Summarise individual votes; None is a "don't know" vote."""
    counter: Counter[int] = Counter()
    dont_know = 0
    for level in levels:
        if level is None:
            dont_know += 1
        else:
            counter[level] += 1
    return VoteSummary(counts=dict(counter), dont_know=dont_know)


def suggested_consensus(rule: str, summary: VoteSummary) -> int | None:
    """The level a rule proposes; the facilitator's call proposes the median as a starting point."""
    if rule == "mode":
        return summary.mode
    if rule == "lowest":
        return summary.lowest
    if rule in ("median", "facilitator"):
        return summary.median
    raise ValueError(f"unknown consensus rule {rule!r}; use median, mode, lowest or facilitator")


def two_camps(summary: VoteSummary) -> bool:
    """True when votes form two groups with an empty level between them (e.g. 1,1,1 and 4,4)."""
    voted = sorted(level for level, n in summary.counts.items() if n)
    if len(voted) < 2:
        return False
    gaps = [b - a for a, b in zip(voted, voted[1:], strict=False)]
    return max(gaps) >= 2 and min(_camp_sizes(summary, voted, gaps)) >= 2


def _camp_sizes(summary: VoteSummary, voted: list[int], gaps: list[int]) -> tuple[int, int]:
    split = voted[gaps.index(max(gaps)) + 1]
    low = sum(n for level, n in summary.counts.items() if level < split)
    return low, summary.votes - low


def discussion_reason(summary: VoteSummary) -> str | None:
    """Why the group should talk before recording, or None when it broadly agrees.

    The rule, shown to the room: votes that span two levels or more mean discuss first.
    """
    if not summary.disagreement:
        return None
    if two_camps(summary):
        return f"two camps: votes cluster around {summary.lowest} and {summary.highest} with nobody in between"
    return f"votes span {summary.spread} levels ({summary.lowest} to {summary.highest})"


def outlier_levels(summary: VoteSummary) -> list[int]:
    """Levels at least two away from the median: the people who chose them are invited to speak first."""
    median = summary.median
    if median is None:
        return []
    return sorted(level for level, n in summary.counts.items() if n and abs(level - median) >= DISAGREEMENT_RANGE)


@dataclass(frozen=True)
class Convergence:
    """How a second vote after discussion compares with the first."""

    spread_before: int | None
    spread_after: int | None

    @property
    def converged(self) -> bool | None:
        if self.spread_before is None or self.spread_after is None:
            return None
        return self.spread_after < self.spread_before


def convergence(first: VoteSummary, second: VoteSummary) -> Convergence:
    return Convergence(first.spread, second.spread)
