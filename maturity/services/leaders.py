"""The leaders' view: consensus over time, where teams stand, room vs survey, and whether actions get done.

Queries aggregate in SQL: the consensus table already holds one decision per workshop and segment,
participant counts are counted per workshop in the database, and raw votes are never read. The
small frames that come back are shaped by the rules in `maturity.domain.trends`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlmodel import select

from maturity.content.definitions import ModelDefinition
from maturity.domain import trends
from maturity.domain.roles import Permission
from maturity.services.authz import requires
from maturity.storage.engine import read_session
from maturity.storage.tables import Action, Consensus, HandCount, Participant, Round, Team, Workshop


@dataclass(frozen=True)
class Filters:
    """What a leader is looking at: one model, all teams or a chosen set, and a period (inclusive)."""

    model_id: str
    team_ids: tuple[int, ...] = ()  # empty: every team
    start: date | None = None
    end: date | None = None

    def describe(self, team_names: dict[int, str]) -> str:
        teams = ", ".join(team_names.get(t, str(t)) for t in self.team_ids) if self.team_ids else "all teams"
        period = (
            f"{self.start:%d %b %Y} – {self.end:%d %b %Y}" if self.start and self.end
            else f"from {self.start:%d %b %Y}" if self.start
            else f"until {self.end:%d %b %Y}" if self.end
            else "all time"
        )  # fmt: skip
        return f"{teams} · {period}"


def _timestamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Dates and aware datetimes from the database as naive day timestamps, so pandas and Altair agree on them."""
    for column in columns:
        values = pd.to_datetime(frame[column], utc=True, errors="coerce") if len(frame) else pd.Series(dtype="datetime64[ns]")
        if len(frame):
            values = values.dt.tz_convert(None).dt.normalize()
        frame[column] = values.astype("datetime64[ns]")
    return frame


@requires(Permission.VIEW_LEADERS)
def models_in_use(url: str) -> set[str]:
    """The models some workshop recorded a consensus on."""
    with read_session(url) as session:
        query = select(Workshop.model_id).join(Consensus, Consensus.workshop_id == Workshop.id).distinct()
        return set(session.exec(query).all())


@requires(Permission.VIEW_LEADERS)
def consensus_history(url: str, filters: Filters) -> pd.DataFrame:
    """One row per recorded consensus in scope (see trends.HISTORY_COLUMNS), oldest first.

    `participants` is the number who took part: phones that joined, or for a show of hands the most
    hands counted on any segment.
    """
    phones = select(Participant.workshop_id, func.count().label("n")).group_by(Participant.workshop_id).subquery()
    per_round = (
        select(Round.workshop_id, (func.sum(HandCount.count) + Round.hands_dont_know).label("n"))
        .join(HandCount, HandCount.round_id == Round.id)
        .group_by(Round.id, Round.workshop_id, Round.hands_dont_know)
        .subquery()
    )
    hands = select(per_round.c.workshop_id, func.max(per_round.c.n).label("n")).group_by(per_round.c.workshop_id).subquery()
    query = (
        select(
            Workshop.team_id,
            Team.name,
            Workshop.id,
            Workshop.title,
            Workshop.held_on,
            func.coalesce(phones.c.n, 0),
            func.coalesce(hands.c.n, 0),
            Consensus.segment_id,
            Consensus.level,
            Consensus.target_level,
        )
        .join(Workshop, Workshop.id == Consensus.workshop_id)
        .join(Team, Team.id == Workshop.team_id)
        .outerjoin(phones, phones.c.workshop_id == Workshop.id)
        .outerjoin(hands, hands.c.workshop_id == Workshop.id)
        .where(Workshop.model_id == filters.model_id)
        .order_by(Workshop.held_on, Workshop.id)
    )
    if filters.team_ids:
        query = query.where(Workshop.team_id.in_(filters.team_ids))
    if filters.start:
        query = query.where(Workshop.held_on >= filters.start)
    if filters.end:
        query = query.where(Workshop.held_on <= filters.end)
    with read_session(url) as session:
        rows = session.exec(query).all()
    frame = pd.DataFrame(
        [(t, n, w, title, held, max(p, h), s, lv, tg) for t, n, w, title, held, p, h, s, lv, tg in rows],
        columns=trends.HISTORY_COLUMNS,
    )
    frame["level"] = frame["level"].astype("float64")
    frame["target"] = frame["target"].astype("float64")
    return _timestamps(frame, "held_on")


@requires(Permission.VIEW_LEADERS)
def action_dates(url: str, filters: Filters) -> pd.DataFrame:
    """The actions on the model in scope, one narrow row each (trends.ACTION_COLUMNS); the period is applied later."""
    query = select(
        Action.team_id, Action.segment_id, Action.title, Action.status, Action.created_at, Action.due_on, Action.completed_at
    ).where(Action.model_id == filters.model_id)
    if filters.team_ids:
        query = query.where(Action.team_id.in_(filters.team_ids))
    with read_session(url) as session:
        rows = session.exec(query).all()
    frame = pd.DataFrame(rows, columns=trends.ACTION_COLUMNS)
    return _timestamps(frame, "created_on", "due_on", "completed_on")


def done_actions(actions: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Actions completed inside the period."""
    done = actions[actions["status"].eq("done") & actions["completed_on"].notna()]
    if filters.start:
        done = done[done["completed_on"] >= pd.Timestamp(filters.start)]
    if filters.end:
        done = done[done["completed_on"] <= pd.Timestamp(filters.end)]
    return done.reset_index(drop=True)


# --------------------------------------------------------------------------- the views


@dataclass(frozen=True)
class Standing:
    """Where each team stands: its latest consensus per segment, protected for small teams."""

    cells: pd.DataFrame  # team, segment_id, level, target, gap, stuck, held_on, workshop_id
    stuck: pd.DataFrame  # trends.stuck_segments, small teams left out
    protected: trends.Protected


def standing(history: pd.DataFrame, min_size: int, *, pool: bool = True, stuck_after: int = trends.STUCK_AFTER) -> Standing:
    """`pool=False` when teams were chosen: small teams are then left out rather than pooled (see protect_small_teams)."""
    latest = trends.latest_per_segment(history)
    protected = trends.protect_small_teams(latest, min_size, pool=pool)
    shown = set(protected.frame["team"])
    stuck = trends.stuck_segments(history, after=stuck_after)
    stuck = stuck[stuck["team"].isin(shown)].reset_index(drop=True)
    keys = set(zip(stuck["team"], stuck["segment_id"], strict=False))
    cells = protected.frame.assign(
        gap=protected.frame["target"] - protected.frame["level"],
        stuck=[(t, s) in keys for t, s in zip(protected.frame["team"], protected.frame["segment_id"], strict=False)],
    )
    return Standing(cells.reset_index(drop=True), stuck, protected)


@dataclass(frozen=True)
class FollowThrough:
    flow: pd.DataFrame  # per quarter: opened, done, overdue
    steps: pd.DataFrame  # trends.level_steps
    effect: trends.ActionEffect
    per_segment: pd.DataFrame  # segment_id, actions_done, change, teams
    done: pd.DataFrame  # actions completed in the period


@requires(Permission.VIEW_LEADERS)
def follow_through(
    url: str, history: pd.DataFrame, filters: Filters, *, min_size: int, today: date | None = None
) -> FollowThrough:
    """Actions over time, and the level steps between workshops beside the actions done in between.

    Steps touching a workshop below the anonymity minimum are left out, as on the trend lines: a small
    team's level changes are its levels."""
    today = today or date.today()
    actions = action_dates(url, filters)
    done = done_actions(actions, filters)
    shown, _ = trends.drop_small_workshops(history, min_size)
    steps = trends.level_steps(shown, done)
    earliest = pd.concat([actions["created_on"], history["held_on"]]).min()
    start = filters.start or (today if pd.isna(earliest) else earliest)
    flow = trends.action_flow(actions, start, min(filters.end or today, today), today)
    return FollowThrough(flow, steps, trends.action_effect(steps), trends.segment_follow_through(steps, done), done)


# --------------------------------------------------------------------------- chart-ready frames

ALL_TEAMS = "All teams (mean)"


@dataclass(frozen=True)
class TrendPoints:
    """What the trend chart draws: aggregated points per panel and series, and the actions done."""

    points: pd.DataFrame  # panel, series, held_on, level, target, workshop_id, workshop
    done: pd.DataFrame  # panel, series, completed_on, title
    panels: list[str]
    hidden_workshops: int  # team workshops below the anonymity minimum, left out


def trend_points(
    history: pd.DataFrame, actions: pd.DataFrame, model: ModelDefinition, filters: Filters, *, by: str, min_size: int
) -> TrendPoints:
    """Points for the trend chart. No team chosen: the organisation's quarterly mean, one series. Teams chosen:
    one series per team, its own workshops (those below the anonymity minimum left out), clickable.
    `by` is "segment" (a panel per segment) or "section" (a panel per section, the mean of its segments)."""
    names = {s.id: s.name for s in model.segments}
    sections = {s.id: model.section_name(s.id) for s in model.segments} if by == "section" else names
    panels = list(dict.fromkeys(sections[s.id] for s in model.segments))
    done = done_actions(actions, filters).assign(panel=lambda f: f["segment_id"].map(sections))
    hidden = 0
    if not filters.team_ids:
        # the whole organisation: actions done counted per panel and month, one line each, not one per action
        month = done["completed_on"].dt.to_period("M").dt.start_time + pd.Timedelta(days=14)
        done = (
            done.assign(completed_on=month)
            .groupby(["panel", "completed_on"], as_index=False)
            .size()
            .assign(title=lambda f: f["size"].map(lambda n: f"{n} action(s) done that month"))
        )
        frame = trends.section_averages(history, sections).rename(columns={"section": "panel"})
        points = trends.organisation_trend(frame, by="panel", min_size=min_size).assign(
            series=ALL_TEAMS, workshop_id=None, workshop=""
        )
        done = done.assign(series=ALL_TEAMS)
    else:
        shown, hidden = trends.drop_small_workshops(history, min_size)
        points = trends.section_averages(shown, sections).rename(columns={"section": "panel", "team": "series"})
        titles = dict(zip(history["workshop_id"], history["workshop"], strict=False))
        points = points.assign(workshop=points["workshop_id"].map(titles))
        teams = dict(zip(history["team_id"], history["team"], strict=False))
        done = done[done["team_id"].isin(set(shown["team_id"]))].assign(series=lambda f: f["team_id"].map(teams))
    cols = ["panel", "series", "held_on", "level", "target", "workshop_id", "workshop"]
    done = done[done["panel"].isin(panels)]  # actions without a segment, or on one the model no longer has
    return TrendPoints(points[cols].reset_index(drop=True), done[["panel", "series", "completed_on", "title"]], panels, hidden)
