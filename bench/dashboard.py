"""The leaders' view on a large synthetic history, against the bare SQL aggregate, on a scratch database.

Builds years of quarterly workshops for many teams on the built-in data-maturity model (one revealed
round per segment, every voter's vote, a consensus per workshop and segment drifting upward with
noise, and actions for about a fifth of the gaps), inserted in bulk and not timed. Then times each
view end to end the way the pages build it: the service queries (maturity.services.leaders), the
chart-ready frames, and the Altair spec (maturity.charts ... .to_dict()):

    trends         consensus_history + action_dates + trend_points + trend_frame + trend_chart (all teams;
                   and again with three chosen teams)
    heatmap        consensus_history + standing + heatmap_chart
    follow-through consensus_history + follow_through (action_dates, steps, flow) + flow, effect and segment charts

In the same run, a baseline fetches what the trends view needs with one raw sqlite3 query (consensus joined
to workshop), and a second one averages the raw votes in SQL, for context. Every figure is the median of
--repeat runs after one untimed warm-up run (shown as "cold"). If the Streamlit trends page exists, it is
rendered through AppTest as a signed-in facilitator, at the page's own default scope (first and second run; the
views above use all teams and all time). The last line is machine-readable:

    workshops=N votes=N trends_ms=X heatmap_ms=X baseline_ms=X spec_kb=X

Run: .venv/bin/python bench/dashboard.py [--years 5] [--teams 40] [--voters 15] [--repeat 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from maturity import charts
from maturity.config import PROJECT_DIR, get_settings
from maturity.content.catalog import load_catalog
from maturity.content.definitions import ModelDefinition
from maturity.domain.names import name_key
from maturity.domain.trends import SMALLER_TEAMS
from maturity.services import leaders
from maturity.services.leaders import Filters
from maturity.storage.engine import dispose_engines, write_session
from maturity.storage.migrate import upgrade
from maturity.storage.tables import Action, Consensus, Participant, Round, Team, Vote, Workshop, WorkshopSegment

MODEL_ID = "data-maturity"
MIN_SIZE = 5  # the anonymity minimum the pages use
BATCH = 50_000  # rows per executemany
TRENDS_PAGE = PROJECT_DIR / "maturity" / "ui" / "pages" / "trends.py"


# --------------------------------------------------------------------------- the synthetic history (not timed)


def quarter_starts(years: int, today: date) -> list[date]:
    """The starts of the 4 * years quarters before the current one, oldest first."""
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    index = current.year * 4 + (current.month - 1) // 3
    return [date(i // 4, 3 * (i % 4) + 1, 1) for i in range(index - 4 * years, index)]


def at_ten(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def build_history(url: str, model: ModelDefinition, years: int, teams: int, voters: int, seed: int) -> dict[str, int]:
    """Insert the whole history with Core bulk inserts; returns row counts per table."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()
    low, high = model.level_values[0], model.level_values[-1]
    segments = [s.id for s in model.segments]
    names = {s.id: s.name for s in model.segments}
    quarters = quarter_starts(years, today)
    rows: dict[type, list[dict]] = defaultdict(list)

    for t in range(1, teams + 1):
        rows[Team].append({"id": t, "name": f"Team {t:02d}", "name_key": name_key(f"Team {t:02d}"), "description": "", "created_at": at_ten(quarters[0])})
    # Each team and segment starts somewhere low and climbs at its own pace, with noise per workshop.
    drift = {(t, s): (rng.uniform(0, 2.2), rng.uniform(0.05, 0.5)) for t in range(1, teams + 1) for s in segments}
    workshop_id = round_id = participant_id = vote_id = consensus_id = action_id = 0
    for number, quarter in enumerate(quarters):
        for t in range(1, teams + 1):
            workshop_id += 1
            held_on = quarter + timedelta(days=rng.randint(3, 80))
            held = at_ten(held_on)
            rows[Workshop].append(
                {
                    "id": workshop_id, "team_id": t, "model_id": model.id, "model_version": model.version,
                    "title": f"Team {t:02d} · {held_on.year} Q{number % 4 + 1}", "held_on": held_on,
                    "mode": "lock_step", "status": "closed", "consensus_rule": "median", "second_vote": False,
                    "anonymous": True, "join_code": None, "current_position": len(segments) - 1, "auto_reveal": False,
                    "level_min": low, "level_max": high, "timer_ends_at": None, "created_at": held - timedelta(days=7),
                    "closed_at": held + timedelta(hours=3), "version": 1,
                }
            )  # fmt: skip
            people = list(range(participant_id + 1, participant_id + voters + 1))
            participant_id += voters
            rows[Participant].extend(
                {
                    "id": p,
                    "workshop_id": workshop_id,
                    "token": f"bench-{p}",
                    "nickname": None,
                    "joined_at": held,
                    "last_seen_at": held,
                }
                for p in people
            )
            years_in = (held_on - quarters[0]).days / 365.25
            for position, segment_id in enumerate(segments):
                base, slope = drift[(t, segment_id)]
                level = clamp(base + slope * years_in + rng.gauss(0, 0.45), low, high)
                target = min(high, level + rng.choice((1, 2)))
                round_id += 1
                consensus_id += 1
                rows[WorkshopSegment].append(
                    {"id": round_id, "workshop_id": workshop_id, "segment_id": segment_id, "position": position}
                )
                rows[Round].append(
                    {
                        "id": round_id, "workshop_id": workshop_id, "segment_id": segment_id, "number": 1,
                        "status": "revealed", "opened_at": held, "revealed_at": held + timedelta(minutes=5),
                        "hands_dont_know": 0,
                    }
                )  # fmt: skip
                for p in people:
                    vote_id += 1
                    vote = None if rng.random() < 0.06 else clamp(level + rng.gauss(0, 0.9), low, high)
                    rows[Vote].append(
                        {
                            "id": vote_id,
                            "round_id": round_id,
                            "participant_id": p,
                            "level": vote,
                            "cast_at": held,
                            "updated_at": held,
                        }
                    )
                rows[Consensus].append(
                    {
                        "id": consensus_id, "workshop_id": workshop_id, "segment_id": segment_id, "level": level,
                        "target_level": target, "confidence": "medium", "rule": "median", "notes": "", "evidence": "",
                        "recorded_by": "Bench", "recorded_at": held + timedelta(minutes=10), "version": 1,
                    }
                )  # fmt: skip
                if target > level and rng.random() < 0.2:
                    action_id += 1
                    created = held + timedelta(days=rng.randint(1, 14))
                    status = rng.choices(("done", "open", "in_progress", "dropped"), weights=(55, 20, 15, 10))[0]
                    completed = created + timedelta(days=rng.randint(14, 240)) if status == "done" else None
                    if completed is not None and completed > now:
                        status, completed = "in_progress", None
                    rows[Action].append(
                        {
                            "id": action_id, "title": f"Raise {names[segment_id]} to level {target}", "description": "",
                            "team_id": t, "workshop_id": workshop_id, "model_id": model.id, "segment_id": segment_id,
                            "playbook_id": None, "owner_id": None, "domain_id": None,
                            "due_on": (created + timedelta(days=rng.randint(30, 200))).date(), "priority": "medium",
                            "horizon": None, "status": status, "evidence_url": "", "created_at": created,
                            "updated_at": completed or created, "completed_at": completed, "version": 1,
                        }
                    )  # fmt: skip

    order = (Team, Workshop, WorkshopSegment, Round, Participant, Vote, Consensus, Action)
    with write_session(url) as session:
        for table in order:
            batch = rows[table]
            for start in range(0, len(batch), BATCH):
                session.execute(insert(table), batch[start : start + BATCH])
    return {table.__tablename__: len(rows[table]) for table in order}


# --------------------------------------------------------------------------- the views, as the pages build them


class Laps:
    """Stage timings of one run, in ms."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - self._last) * 1000
        self._last = now

    @property
    def total(self) -> float:
        return sum(self.stages.values())


def trends_view(url: str, model: ModelDefinition, filters: Filters, laps: Laps) -> dict:
    history = leaders.consensus_history(url, filters)
    actions = leaders.action_dates(url, filters)
    laps.lap("query")
    tp = leaders.trend_points(history, actions, model, filters, by="segment", min_size=MIN_SIZE)
    frame = charts.trend_frame(tp.points, tp.done)
    laps.lap("frame")
    spec = charts.trend_chart(frame, model, tp.panels).to_dict()
    laps.lap("chart")
    return spec


def heatmap_view(url: str, model: ModelDefinition, filters: Filters, laps: Laps) -> dict:
    history = leaders.consensus_history(url, filters)
    laps.lap("query")
    standing = leaders.standing(history, MIN_SIZE)
    names = {s.id: s.name for s in model.segments}
    cells = standing.cells.assign(segment=standing.cells["segment_id"].map(names))
    team_order = sorted(set(cells["team"]), key=lambda t: (t == SMALLER_TEAMS, t))  # as the standing page orders them
    laps.lap("frame")
    spec = charts.heatmap_chart(cells, model, [s.name for s in model.segments], team_order).to_dict()
    laps.lap("chart")
    return spec


def follow_view(url: str, model: ModelDefinition, filters: Filters, laps: Laps) -> dict:
    history = leaders.consensus_history(url, filters)
    laps.lap("query")
    ft = leaders.follow_through(url, history, filters, min_size=MIN_SIZE)  # its action query counts as frame time here
    names = {s.id: s.name for s in model.segments}
    per_segment = ft.per_segment.assign(segment=ft.per_segment["segment_id"].map(names))
    laps.lap("frame")
    spec = {
        "flow": charts.flow_chart(ft.flow).to_dict(),
        "effect": charts.effect_chart(ft.effect.rows).to_dict(),
        "segments": charts.segment_follow_chart(per_segment, [s.name for s in model.segments]).to_dict(),
    }
    laps.lap("chart")
    return spec


def measure(view: Callable[[Laps], dict], repeat: int) -> tuple[float, float, dict[str, float], dict]:
    """(cold ms, median ms, median ms per stage, spec) over one warm-up and `repeat` timed runs."""
    warm = Laps()
    spec = view(warm)
    runs = []
    for _ in range(repeat):
        laps = Laps()
        spec = view(laps)
        runs.append(laps)
    stages = {stage: statistics.median(r.stages[stage] for r in runs) for stage in runs[0].stages}
    return warm.total, statistics.median(r.total for r in runs), stages, spec


def kb(spec: dict) -> float:
    return len(json.dumps(spec)) / 1024


def trend_rows(spec: dict) -> str:
    """What the trend spec carries: its inline rows, and how much of it the action marks take."""
    rows = [row for values in spec.get("datasets", {}).values() for row in values]
    marks = [row for row in rows if row.get("kind") == charts.ACTION_DONE]
    return f"{len(rows)} rows inline, {len(marks)} of them action marks ({len(json.dumps(marks)) / 1024:.1f} KB)"


# --------------------------------------------------------------------------- the baselines: raw sqlite3

BASELINE_TRENDS = (
    "SELECT w.team_id, w.held_on, c.segment_id, c.level, c.target_level "
    "FROM consensus c JOIN workshop w ON w.id = c.workshop_id WHERE w.model_id = ?"
)
BASELINE_VOTES = (
    "SELECT r.workshop_id, r.segment_id, avg(v.level), count(v.level) "
    "FROM vote v JOIN round r ON r.id = v.round_id JOIN workshop w ON w.id = r.workshop_id "
    "WHERE w.model_id = ? GROUP BY r.workshop_id, r.segment_id"
)


def baseline(path: Path, sql: str, repeat: int) -> tuple[float, float, int]:
    """(cold ms, median ms, rows) of one raw query fetched completely."""
    db = sqlite3.connect(path)
    times, rows = [], 0
    try:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            rows = len(db.execute(sql, (MODEL_ID,)).fetchall())
            times.append((time.perf_counter() - start) * 1000)
    finally:
        db.close()
    return times[0], statistics.median(times[1:]), rows


# --------------------------------------------------------------------------- the Streamlit page, if there is one


def _page_failure(at) -> str:
    # A failure inside a page's `attempt` block is shown as an error element, not raised (maturity/ui/failures.py).
    if at.exception:
        return at.exception[0].message
    return at.error[0].value if at.error else ""


def page_render(url: str, page: Path = TRENDS_PAGE) -> str:
    """One line: the page rendered twice through AppTest as a signed-in facilitator, or why it was skipped."""
    name = page.relative_to(PROJECT_DIR).as_posix()
    if not page.exists():
        return f"page: skipped, {name} does not exist yet"
    saved = {k: os.environ.get(k) for k in ("MATURITY_DB_URL", "MATURITY_ADMIN_SECRET")}
    cwd = Path.cwd()
    os.environ["MATURITY_DB_URL"] = url
    os.environ["MATURITY_ADMIN_SECRET"] = "bench-admin-secret"
    os.chdir(PROJECT_DIR)
    try:
        import streamlit.runtime.scriptrunner_utils.script_run_context as script_run_context
        from streamlit.testing.v1 import AppTest

        from maturity.ui.access import SECRET_FLAG

        script_run_context._LOGGER.setLevel(logging.ERROR)  # "missing ScriptRunContext" outside the script thread

        at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
        at.session_state[SECRET_FLAG] = True  # signed in with the admin secret
        at.run()  # the home page first, as a facilitator arrives (not timed)
        start = time.perf_counter()
        at.switch_page(name).run()
        first = (time.perf_counter() - start) * 1000
        if failed := _page_failure(at):
            return f"page: {name} failed on its first run: {failed}"
        start = time.perf_counter()
        at.run()
        second = (time.perf_counter() - start) * 1000
        if failed := _page_failure(at):
            return f"page: {name} failed on its second run: {failed}"
        return (
            f"page ({name} through AppTest, as a facilitator): first run {first:.1f} ms, second run {second:.1f} ms; "
            f"page_ms={first:.1f} page_rerun_ms={second:.1f}"
        )
    except Exception as exc:  # noqa: BLE001 - the page is optional; the rest of the figures stand
        return f"page: skipped, AppTest failed on {name}: {type(exc).__name__}: {exc}"
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --------------------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5, help="years of quarterly workshops per team")
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--voters", type=int, default=15, help="participants voting in every workshop")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per view (the median is reported)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if min(args.years, args.teams, args.voters, args.repeat) < 1:
        parser.error("--years, --teams, --voters and --repeat must be at least 1")
    if args.teams < 3:
        parser.error("--teams must be at least 3 (one view picks three teams)")

    model = load_catalog(get_settings().content_sources).models[MODEL_ID]
    segment_names = [s.name for s in model.segments]
    with tempfile.TemporaryDirectory(prefix="dashboard-") as tmp:
        db_path = Path(tmp) / "maturity.db"
        url = f"sqlite:///{db_path}"
        upgrade(url)
        start = time.perf_counter()
        counts = build_history(url, model, args.years, args.teams, args.voters, args.seed)
        build_s = time.perf_counter() - start
        print(
            f"setup: {counts['team']} teams, {counts['workshop']} workshops ({4 * args.years} per team), "
            f"{len(segment_names)} segments, {counts['participant']} participants, {counts['vote']} votes, "
            f"{counts['consensus']} consensus rows, {counts['action']} actions; built in {build_s:.1f} s "
            f"({db_path.stat().st_size / 2**20:.1f} MB); Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
        )

        everyone = Filters(MODEL_ID)
        three = Filters(MODEL_ID, team_ids=tuple(sorted(random.Random(args.seed).sample(range(1, args.teams + 1), 3))))
        views = {
            "trends (all teams)": lambda laps: trends_view(url, model, everyone, laps),
            f"trends (teams {', '.join(map(str, three.team_ids))})": lambda laps: trends_view(url, model, three, laps),
            "heatmap": lambda laps: heatmap_view(url, model, everyone, laps),
            "follow-through": lambda laps: follow_view(url, model, everyone, laps),
        }
        results = {}
        for name, view in views.items():
            cold, median, stages, spec = measure(view, args.repeat)
            results[name] = (median, spec)
            size = (
                ", ".join(f"{part} {kb(s):.1f} KB" for part, s in spec.items())
                if name == "follow-through"
                else f"{kb(spec):.1f} KB" + (f" ({trend_rows(spec)})" if name.startswith("trends") else "")
            )
            print(
                f"{name}: median {median:.1f} ms (cold {cold:.1f} ms) = "
                + " + ".join(f"{stage} {ms:.1f}" for stage, ms in stages.items())
                + f"; spec {size}"
            )

        base_cold, base_ms, base_rows = baseline(db_path, BASELINE_TRENDS, args.repeat)
        print(
            f"baseline (raw sqlite3, consensus JOIN workshop, {base_rows} rows): median {base_ms:.1f} ms (cold {base_cold:.1f} ms)"
        )
        votes_cold, votes_ms, votes_rows = baseline(db_path, BASELINE_VOTES, args.repeat)
        print(
            f"baseline (raw sqlite3, avg of raw votes GROUP BY workshop, segment; {votes_rows} rows): "
            f"median {votes_ms:.1f} ms (cold {votes_cold:.1f} ms)"
        )

        trends_ms, trends_spec = results["trends (all teams)"]
        heatmap_ms, _ = results["heatmap"]
        print(page_render(url))
        dispose_engines()

    print(
        f"workshops={counts['workshop']} votes={counts['vote']} trends_ms={trends_ms:.1f} heatmap_ms={heatmap_ms:.1f} "
        f"baseline_ms={base_ms:.1f} spec_kb={kb(trends_spec):.1f}"
    )


if __name__ == "__main__":
    from maturity.domain.roles import COMMAND_LINE
    from maturity.services.authz import acting_as

    with acting_as(COMMAND_LINE):  # the benchmark sets up its data as the command line does
        main()
