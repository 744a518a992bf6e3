"""What every part of the demo shares: the summary of what it added, and timestamps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, name: str, n: int = 1) -> None:
        self.created[name] = self.created.get(name, 0) + n


def describe(summary: DemoSummary) -> str:
    if not summary.created:
        return "Demo data is already loaded; nothing added."
    made = ", ".join(f"{n:,} {name}" for name, n in summary.created.items())
    skipped = f" (skipped: {'; '.join(summary.skipped)})" if summary.skipped else ""
    return f"Demo data loaded: {made}.{skipped}"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)
