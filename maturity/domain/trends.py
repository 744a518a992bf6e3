"""Trend rules for the leaders' view: stuck segments, level steps, follow-through, small-team protection.

Pure functions over small, already aggregated frames (one row per workshop and segment, one row per
action); the services fetch them with SQL aggregates and the charts draw what these return.

A consensus history frame has the columns of HISTORY_COLUMNS: one row per recorded consensus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

HISTORY_COLUMNS = [
    "team_id", "team", "workshop_id", "workshop", "held_on", "participants", "segment_id", "level", "target",
]  # fmt: skip
ACTION_COLUMNS = ["team_id", "segment_id", "title", "status", "created_on", "due_on", "completed_on"]
SMALLER_TEAMS = "Smaller teams"
NO_ACTION = "No action done in between"
WITH_ACTION = "At least one action done"
STUCK_AFTER = 4  # workshops in a row without a rise, below target: a year of quarterly workshops


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=HISTORY_COLUMNS)


def quarter_start(day: date | pd.Timestamp) -> pd.Timestamp:
    day = pd.Timestamp(day)
    return pd.Timestamp(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date | pd.Timestamp) -> pd.Timestamp:
    return quarter_start(day) + pd.DateOffset(months=3) - pd.Timedelta(days=1)


def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


# --------------------------------------------------------------------------- anonymity


@dataclass(frozen=True)
class Protected:
    """A frame safe to show per team, and what was done to get there."""

    frame: pd.DataFrame
    grouped: tuple[str, ...] = ()  # small teams shown together as one row
    hidden: tuple[str, ...] = ()  # small teams left out: too few even together
    min_size: int = 0

    @property
    def note(self) -> str:
        parts = []
        if self.grouped:
            parts.append(
                f"{len(self.grouped)} teams with fewer than {self.min_size} participants are shown together as “{SMALLER_TEAMS}”"
            )
        if self.hidden:
            parts.append(f"{len(self.hidden)} team(s) with fewer than {self.min_size} participants are left out")
        return "; ".join(parts) + ("." if parts else "")


def protect_small_teams(latest: pd.DataFrame, min_size: int, *, pool: bool = True) -> Protected:
    """Never single out a team whose workshop had fewer participants than `min_size`.

    `latest` holds one row per team and segment (the latest consensus) with the workshop's participants.
    A team is small when any of its rows comes from a workshop below the minimum. Small teams are shown
    together as one row (the median of their levels) when there are at least two of them and they
    add up to the minimum; otherwise they are left out. Either way no small team appears on its own.
    `pool=False` always leaves them out: pools of a chosen set of teams could be compared set against
    set (A+B, A+C, B+C) until each team's own level shows, so only the whole organisation is pooled.
    """
    if latest.empty:
        return Protected(latest, min_size=min_size)
    size = latest.groupby("team")["participants"].min()
    small = sorted(size[size < min_size].index)
    if not small:
        return Protected(latest, min_size=min_size)
    big = latest[~latest["team"].isin(small)]
    if pool and len(small) >= 2 and size[small].sum() >= min_size:
        pooled = latest[latest["team"].isin(small)]
        grouped = (
            pooled.groupby("segment_id", as_index=False)
            .agg(
                level=("level", "median"),
                target=("target", "median"),
                participants=("participants", "sum"),
                teams=("team", "nunique"),
            )
            # per segment too: a segment only one small team voted on would be that team on its own
            .query("teams >= 2 and participants >= @min_size")
            .assign(team=SMALLER_TEAMS, team_id=-1, workshop_id=pd.NA, workshop="", held_on=pooled["held_on"].max())
        )
        if len(grouped):
            frame = pd.concat([big, grouped[big.columns]], ignore_index=True)
            return Protected(frame, grouped=tuple(small), min_size=min_size)
    return Protected(big.reset_index(drop=True), hidden=tuple(small), min_size=min_size)


def drop_small_workshops(history: pd.DataFrame, min_size: int) -> tuple[pd.DataFrame, int]:
    """A team's own trend leaves out workshops below the minimum; returns the kept rows and how many workshops went."""
    small = history["participants"] < min_size
    return history[~small], history.loc[small, "workshop_id"].nunique()


# --------------------------------------------------------------------------- where we stand


def latest_per_segment(history: pd.DataFrame) -> pd.DataFrame:
    """Each team's most recent consensus on each segment (the later workshop wins a same-day tie)."""
    if history.empty:
        return history
    ordered = history.sort_values(["held_on", "workshop_id"])
    return ordered.groupby(["team_id", "segment_id"], as_index=False).tail(1).reset_index(drop=True)


def stuck_segments(history: pd.DataFrame, after: int = STUCK_AFTER) -> pd.DataFrame:
    """Team and segment pairs whose level has not risen for `after` workshops in a row and is below target.

    Columns: team_id, team, segment_id, level, target, since (first workshop of the flat run), workshops.
    """
    cols = ["team_id", "team", "segment_id", "level", "target", "since", "workshops"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    keys = ["team_id", "segment_id"]
    frame = history.sort_values(["held_on", "workshop_id"])
    rose = frame["level"] > frame.groupby(keys)["level"].shift(1)
    # runs of workshops without a rise: a rise starts a new run, the latest run is the one that counts
    run_id = rose.astype(int).groupby([frame[k] for k in keys]).cumsum()
    latest_run = frame[run_id == run_id.groupby([frame[k] for k in keys]).transform("max")]
    runs = latest_run.groupby(keys, as_index=False).agg(
        team=("team", "last"),
        level=("level", "last"),
        target=("target", "last"),
        since=("held_on", "first"),
        workshops=("held_on", "size"),
    )
    stuck = runs[(runs["workshops"] >= after) & runs["target"].notna() & (runs["level"] < runs["target"])]
    return stuck[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- trends


def section_averages(history: pd.DataFrame, sections: dict[str, str]) -> pd.DataFrame:
    """Mean level and target per team, workshop and section (segments without a section form their own)."""
    keys = ["team_id", "team", "workshop_id", "held_on", "participants", "section"]
    if history.empty:
        return pd.DataFrame(columns=[*keys, "level", "target"]).astype(
            {"held_on": "datetime64[ns]", "level": float, "target": float}
        )
    frame = history.assign(section=history["segment_id"].map(lambda s: sections.get(s, s)))
    return frame.groupby(keys, as_index=False).agg(level=("level", "mean"), target=("target", "mean"))


def organisation_trend(history: pd.DataFrame, by: str = "segment_id", min_size: int = 0) -> pd.DataFrame:
    """All teams together per quarter: the mean of each team's last level in the quarter (each team counts once).

    Small teams (workshops below `min_size`) count only when at least two of them meet in the quarter and
    add up to the minimum; otherwise they are left out of the mean, so comparing the line with the big
    teams' own lines never gives one small team's level.
    """
    cols = [by, "quarter", "held_on", "level", "target", "teams"]
    if history.empty:
        return pd.DataFrame(columns=cols).astype({"held_on": "datetime64[ns]", "level": float, "target": float})
    frame = history.assign(quarter=pd.to_datetime(history["held_on"]).dt.to_period("Q").dt.start_time)
    last = frame.sort_values(["held_on", "workshop_id"]).groupby(["team_id", by, "quarter"], as_index=False).tail(1)
    # small teams count only as a pool of two or more reaching the minimum, never one inside the mean
    small = last["participants"] < min_size
    pools = last[small].groupby([by, "quarter"])["participants"].agg(["size", "sum"])
    poolable = pools[(pools["size"] >= 2) & (pools["sum"] >= min_size)].index
    keep = ~small | pd.MultiIndex.from_frame(last[[by, "quarter"]]).isin(poolable)
    out = (
        last[keep]
        .groupby([by, "quarter"], as_index=False)
        .agg(level=("level", "mean"), target=("target", "mean"), teams=("team_id", "nunique"))
    )
    # drawn mid-quarter, where the teams' own workshops usually sit
    out = out.assign(held_on=out["quarter"] + pd.Timedelta(days=45), quarter=out["quarter"].map(quarter_label))
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- follow-through


def level_steps(history: pd.DataFrame, done: pd.DataFrame) -> pd.DataFrame:
    """Each step between a team's consecutive workshops on a segment, with the actions done in between.

    `done` has team_id, segment_id, completed_on. An action counts for the step whose interval
    (previous workshop, this workshop] holds its completion date.
    Columns: team_id, team, segment_id, start, end, before, after, change, actions_done.
    """
    cols = ["team_id", "team", "segment_id", "start", "end", "before", "after", "change", "actions_done"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    ordered = history.sort_values(["held_on", "workshop_id"]).groupby(["team_id", "segment_id"], as_index=False)
    frame = history.sort_values(["held_on", "workshop_id"]).assign(
        start=ordered["held_on"].shift(1), before=ordered["level"].shift(1)
    )
    steps = frame.dropna(subset=["start"]).rename(columns={"held_on": "end", "level": "after"})
    steps = steps.assign(change=steps["after"] - steps["before"]).reset_index(drop=True)
    steps["actions_done"] = 0
    if not done.empty and not steps.empty:
        pairs = steps.reset_index().merge(done[["team_id", "segment_id", "completed_on"]], on=["team_id", "segment_id"])
        inside = pairs[(pairs["completed_on"] > pairs["start"]) & (pairs["completed_on"] <= pairs["end"])]
        counts = inside.groupby("index").size()
        steps.loc[counts.index, "actions_done"] = counts.values
    return steps[cols]


@dataclass(frozen=True)
class ActionEffect:
    """Average level change between workshops, with and without an action done in between."""

    with_actions: float | None
    without_actions: float | None
    steps_with: int
    steps_without: int
    rows: list[dict] = field(default_factory=list)


def action_effect(steps: pd.DataFrame) -> ActionEffect:
    did = steps[steps["actions_done"] > 0]
    did_not = steps[steps["actions_done"] == 0]

    def avg(frame):
        return round(float(frame["change"].mean()), 2) if len(frame) else None

    rows = [
        {"steps": NO_ACTION, "change": avg(did_not), "n": len(did_not)},
        {"steps": WITH_ACTION, "change": avg(did), "n": len(did)},
    ]
    return ActionEffect(avg(did), avg(did_not), len(did), len(did_not), [r for r in rows if r["n"]])


def segment_follow_through(steps: pd.DataFrame, done: pd.DataFrame) -> pd.DataFrame:
    """Per segment: every action done in the period, and the mean level change per team across the period
    (the sum of its steps, first to latest workshop). Columns: segment_id, actions_done, change, teams."""
    cols = ["segment_id", "actions_done", "change", "teams"]
    counts = done.dropna(subset=["segment_id"]).groupby("segment_id").size().rename("actions_done")
    if steps.empty and counts.empty:
        return pd.DataFrame(columns=cols)
    per_team = steps.groupby(["team_id", "segment_id"], as_index=False)["change"].sum()
    moves = per_team.groupby("segment_id").agg(change=("change", "mean"), teams=("team_id", "nunique"))
    out = moves.join(counts, how="outer").reset_index()
    out["actions_done"] = out["actions_done"].fillna(0).astype(int)
    out["teams"] = out["teams"].fillna(0).astype(int)
    return out[cols]


def action_flow(actions: pd.DataFrame, start: date, end: date, today: date) -> pd.DataFrame:
    """Per quarter: actions opened and done inside the period, and overdue at the quarter's end (or at the
    period's end, or today, whichever comes first).

    Dropped actions never count as overdue, and a done one only until the day it was done.
    Columns: quarter, quarter_start, opened, done, overdue.
    """
    created, due, completed = (pd.to_datetime(actions[c]) for c in ("created_on", "due_on", "completed_on"))
    today = pd.Timestamp(today)
    quarters = []
    q = quarter_start(start)
    while q <= pd.Timestamp(end):
        quarters.append(q)
        q = q + pd.DateOffset(months=3)
    rows = []
    first, last = pd.Timestamp(start), min(pd.Timestamp(end), today)
    for q in quarters:
        begin, close = max(q, first), min(quarter_end(q), last)  # the part of the quarter inside the period
        opened = ((created >= begin) & (created <= close)).sum()
        done = ((completed >= begin) & (completed <= close)).sum()
        undated_done = (actions["status"] == "done") & completed.isna()  # done, but nobody said when: not late
        late = (
            (created <= close) & (due < close) & ~(completed <= close) & (actions["status"] != "dropped") & ~undated_done
        ).sum()
        rows.append(
            {"quarter": quarter_label(q), "quarter_start": q, "opened": int(opened), "done": int(done), "overdue": int(late)}
        )
    return pd.DataFrame(rows, columns=["quarter", "quarter_start", "opened", "done", "overdue"])
