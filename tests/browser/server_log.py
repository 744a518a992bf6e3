"""What a browser test's Streamlit server wrote: every ERROR or CRITICAL entry in it is a failure.

The app's `maturity` logger writes "2026-12-07 18:35:49.123 ERROR   maturity.ui: ref 7F3K2: showing the
page summary failed: ...", the traceback on the lines after it (maturity/logs.py TEXT_FORMAT). Streamlit's
own default layout has no level ("2026-12-07 18:35:49.123 Error executing deferred callable ..."), so the
app's .streamlit/config.toml gives Streamlit's lines the app's layout.
A JSON line (MATURITY_LOG_FORMAT=json) counts by its "level". So do Python's own reports of an exception
nobody caught or logged (a thread's, an ignored one), which carry no level at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.,]\d{3} (?P<level>[A-Z]+)\s+(?P<logger>[^\s:]+): ")
FAILING_LEVELS = frozenset({"ERROR", "CRITICAL"})
UNLOGGED = re.compile(
    r"^(Exception in thread |Exception ignored in|Task exception was never retrieved|Traceback \(most recent call last\):)"
)
SHOWN_LINES = 40  # of one entry, in a failure message: the line and the end of its traceback


@dataclass(frozen=True)
class Failure:
    """One failing entry: its level, its first line, and the lines that follow it (a traceback)."""

    level: str
    first_line: str
    rest: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [self.first_line, *self.rest]
        if len(lines) > SHOWN_LINES:
            lines = [lines[0], f"    ... {len(lines) - SHOWN_LINES + 1} lines ...", *lines[-(SHOWN_LINES - 2) :]]
        return "\n".join(lines)


def failures(text: str) -> list[Failure]:
    """The ERROR and CRITICAL entries of a log's text (with their tracebacks), and exceptions Python printed itself."""
    found: list[Failure] = []
    current: list[str] | None = None  # the lines of the failing entry being read
    level = ""
    in_entry = False  # under an entry of any level: a traceback there belongs to it (a warning may carry one)
    for line in text.splitlines():
        head = ENTRY.match(line)
        json_level = _json_level(line) if head is None else None
        if head or json_level:
            if current:
                found.append(Failure(level, current[0], tuple(current[1:])))
            level = head.group("level") if head else json_level
            current = [line] if level in FAILING_LEVELS else None
            in_entry = True
        elif UNLOGGED.match(line) and not (in_entry and line.startswith("Traceback")):
            if current:
                found.append(Failure(level, current[0], tuple(current[1:])))
            level, current, in_entry = "UNLOGGED", [line], True
        elif current is not None:
            current.append(line)
    if current:
        found.append(Failure(level, current[0], tuple(current[1:])))
    return found


def _json_level(line: str) -> str | None:
    if not line.startswith("{"):
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    return str(entry.get("level", "")).upper() or None


def size(log: Path) -> int:
    """Where the log ends now: a later `read_from(log, size)` gives only what was written since."""
    return log.stat().st_size if log.exists() else 0


def read_from(log: Path, offset: int = 0) -> str:
    if not log.exists():
        return ""
    with log.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def describe(log: Path, found: list[Failure]) -> str:
    return f"{len(found)} failure(s) in the server log {log}:\n\n" + "\n\n".join(str(f) for f in found)


def assert_clean(log: Path, since: int = 0, *, doing: str = "") -> int:
    """Fail with the log's ERROR/CRITICAL entries written since `since`; return where the log ends now."""
    end = size(log)
    found = failures(read_from(log, since))
    assert not found, (f"while {doing}: " if doing else "") + describe(log, found)
    return end
