"""A burst of phone votes through the voting service against raw upserts, on SQLite and PostgreSQL, on scratch databases.

Sets up a team and a lock-step workshop on the built-in data-maturity model, joins N
participants and casts one warm-up vote in another workshop (none of it timed), then
releases them all at once on a threading.Barrier, each calling `voting.cast_vote` (the call
the phone page makes). Part of the crowd double-submits
(the same vote twice, from two threads at once, like a double tap) and part changes its mind
(a second vote with another level, after the first one returned). In the same run, a
baseline replays the same calls with the same threads as raw sqlite3 single-row upserts
(BEGIN IMMEDIATE; INSERT ... ON CONFLICT DO UPDATE; COMMIT; same pragmas as the engine) into
a table with the same UNIQUE(round_id, participant_id) key. Then the database is checked:
every (round, participant) has exactly one row holding the participant's last intended level.

With --segments K the facilitator moves through K segments and the burst repeats for each
(lock-step: one open round at a time); votes and lost count (round, participant) pairs.
With --auto-reveal the workshop reveals a round by itself once everyone has voted; one more
participant, who never votes, keeps each round open, so every vote pays for that check and none
is refused.

Backends: a scratch SQLite file, and PostgreSQL when MATURITY_DB_URL (or --db) names a server:
a scratch database is created on it and dropped after, and the baseline there is the same raw
upsert through psycopg. One machine-readable line per backend ends the run:

    backend=sqlite votes=N lost=N duplicates=N errors=N p50_ms=X p95_ms=X p99_ms=X baseline_p95_ms=X

Target (issue 3): lost=0, duplicates=0, errors=0, p95 within 2x the baseline. Exits 0 either way.

Run: .venv/bin/python bench/vote_burst.py [--participants 300] [--segments 1] [--auto-reveal]
     [--threads N] [--double 0.2] [--change 0.2] [--seed 1] [--db URL ...]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from maturity.config import builtin_sources
from maturity.content.catalog import load_catalog
from maturity.services import rounds, voting
from maturity.services import workshops as ws
from maturity.storage import engine
from maturity.storage.engine import SQLITE_BUSY_TIMEOUT_S, dispose_engines
from maturity.storage.migrate import upgrade

MODEL_ID = "data-maturity"


@dataclass(frozen=True)
class Call:
    participant: int  # index into the joined participants
    round_index: int  # index into the rounds voted on
    level: int | None  # None: "don't know"


@dataclass
class Burst:
    latencies_ms: list[float]
    errors: Counter
    elapsed_s: float


@dataclass(frozen=True)
class Plan:
    """The calls of one burst (one round), grouped into tasks; each task runs its calls in order on one thread."""

    tasks: list[list[Call]]
    final: dict[tuple[int, int], int | None]  # (participant, round index) -> last intended level
    singles: int
    doubles: int
    changes: int

    @property
    def calls(self) -> int:
        return sum(len(t) for t in self.tasks)


def make_plan(
    rng: random.Random, participants: int, round_index: int, levels: Sequence[int | None], double: float, change: float
) -> Plan:
    """Each participant votes once, double-submits, or changes their vote; the mix is exact, the order shuffled."""
    n_double = round(participants * double)
    n_change = round(participants * change)
    kinds = ["double"] * n_double + ["change"] * n_change + ["single"] * (participants - n_double - n_change)
    rng.shuffle(kinds)
    groups: list[list[list[Call]]] = []
    final: dict[tuple[int, int], int | None] = {}
    for p, kind in enumerate(kinds):
        first = rng.choice(levels)
        if kind == "single":
            groups.append([[Call(p, round_index, first)]])
            final[(p, round_index)] = first
        elif kind == "double":
            # Two tasks side by side in the queue: two threads pick them up at the same moment.
            groups.append([[Call(p, round_index, first)], [Call(p, round_index, first)]])
            final[(p, round_index)] = first
        else:
            # One task: the second vote is sent after the first one returned, so it must win.
            second = rng.choice([lv for lv in levels if lv != first])
            groups.append([[Call(p, round_index, first), Call(p, round_index, second)]])
            final[(p, round_index)] = second
    rng.shuffle(groups)
    tasks = [task for group in groups for task in group]
    return Plan(tasks, final, kinds.count("single"), n_double, n_change)


def burst(threads: int, tasks: list[list[Call]], make_worker: Callable[[], Callable[[Call], None]]) -> Burst:
    """Start `threads` threads, hold them on a barrier, release them together on a shared task queue."""
    latencies: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    next_task = iter(tasks)
    times: dict[str, float] = {}
    barrier = threading.Barrier(threads, action=lambda: times.setdefault("start", time.perf_counter()))

    def run() -> None:
        do = make_worker()  # per-thread setup (a raw connection for the baseline) is not timed
        barrier.wait()
        mine: list[float] = []
        while True:
            with lock:
                task = next(next_task, None)
            if task is None:
                break
            for call in task:
                start = time.perf_counter()
                try:
                    do(call)
                except Exception as exc:  # noqa: BLE001 - counted; the verification shows what it cost
                    with lock:
                        errors[type(exc).__name__] += 1
                    continue
                mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=run, name=f"voter-{i}") for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return Burst(latencies, errors, time.perf_counter() - times["start"])


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


# --------------------------------------------------------------------------- the baseline: raw sqlite3


def raw_connect(path: Path) -> sqlite3.Connection:
    """A raw connection with the engine's pragmas (see maturity.storage.engine)."""
    db = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_S, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def baseline_setup(path: Path, participants: int, rounds: int) -> None:
    db = raw_connect(path)
    db.executescript(
        """
        CREATE TABLE participant (id INTEGER PRIMARY KEY);
        CREATE TABLE round (id INTEGER PRIMARY KEY);
        CREATE TABLE vote (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES round (id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participant (id) ON DELETE CASCADE,
            level INTEGER,
            cast_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (round_id, participant_id)
        );
        CREATE INDEX ix_vote_participant_id ON vote (participant_id);
        """
    )
    db.execute("BEGIN")
    db.executemany("INSERT INTO participant (id) VALUES (?)", [(p + 1,) for p in range(participants)])
    db.executemany("INSERT INTO round (id) VALUES (?)", [(r + 1,) for r in range(rounds)])
    db.execute("COMMIT")
    db.close()


BASELINE_UPSERT = (
    "INSERT INTO vote (round_id, participant_id, level, cast_at, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (round_id, participant_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at"
)


def baseline_worker(path: Path) -> Callable[[], Callable[[Call], None]]:
    def make() -> Callable[[Call], None]:
        db = raw_connect(path)

        def do(call: Call) -> None:
            now = time.strftime("%Y-%m-%d %H:%M:%S")
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(BASELINE_UPSERT, (call.round_index + 1, call.participant + 1, call.level, now, now))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

        return do

    return make


# --------------------------------------------------------------------------- the baseline on PostgreSQL: raw psycopg

PG_BASELINE_TABLE = """
CREATE TABLE raw_vote (
    id SERIAL PRIMARY KEY,
    round_id INTEGER NOT NULL,
    participant_id INTEGER NOT NULL,
    level INTEGER,
    cast_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (round_id, participant_id)
)
"""
PG_BASELINE_UPSERT = (
    "INSERT INTO raw_vote (round_id, participant_id, level, cast_at, updated_at) VALUES (%s, %s, %s, now(), now()) "
    "ON CONFLICT (round_id, participant_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at"
)


def pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_baseline_worker(url: str) -> Callable[[], Callable[[Call], None]]:
    import psycopg

    def make() -> Callable[[Call], None]:
        db = psycopg.connect(pg_dsn(url), autocommit=True)  # one statement, one transaction, as the upsert alone needs

        def do(call: Call) -> None:
            db.execute(PG_BASELINE_UPSERT, (call.round_index + 1, call.participant + 1, call.level))

        return do

    return make


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    """A database of its own on the server MATURITY_DB_URL names, dropped afterwards."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"maturity_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def votes_under_the_global_lock(url: str) -> Iterator[None]:
    """The comparison: votes take the application-wide lock, as every write did before they shared the workshop's."""
    engine.get_engine(url)
    saved = engine._workshop_scoped_engines[url]
    engine._workshop_scoped_engines[url] = engine._write_engines[url]
    try:
        yield
    finally:
        engine._workshop_scoped_engines[url] = saved


# --------------------------------------------------------------------------- checking what was stored


@dataclass(frozen=True)
class Verdict:
    votes: int  # distinct (round, participant) pairs with a row
    lost: int  # expected pairs missing, plus pairs whose stored level is not the last intended one
    missing: int
    wrong_level: int
    duplicates: int  # rows beyond one per (round, participant)


def verify(
    url: str, table: str, round_ids: Sequence[int], participant_ids: Sequence[int], final: dict[tuple[int, int], int | None]
) -> Verdict:
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            ids = {"ids": list(round_ids)}
            duplicates = db.execute(
                text(
                    f"SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM {table} WHERE round_id IN :ids "
                    "GROUP BY round_id, participant_id HAVING COUNT(*) > 1) AS extra"
                ).bindparams(bindparam("ids", expanding=True)),
                ids,
            ).scalar()
            stored: dict[tuple[int, int], set[int | None]] = {}
            rows = db.execute(
                text(f"SELECT round_id, participant_id, level FROM {table} WHERE round_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                ids,
            )
            for round_id, participant_id, level in rows:
                stored.setdefault((round_id, participant_id), set()).add(level)
    finally:
        engine.dispose()
    missing = wrong = 0
    for (p, r), level in final.items():
        levels = stored.get((round_ids[r], participant_ids[p]))
        if levels is None:
            missing += 1
        elif levels != {level}:
            wrong += 1
    return Verdict(len(stored), missing + wrong, missing, wrong, duplicates)


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Outcome:
    backend: str
    calls: int
    service: list[Burst]
    baseline: list[Burst]
    check: Verdict
    base_check: Verdict


def run_backend(backend: str, url: str, args, model, segment_ids, levels, rng_seed: int, threads: int, scratch: Path) -> Outcome:
    """Set up, run the baseline, then the service, on one database; check what was stored."""
    rng = random.Random(rng_seed)
    started = time.perf_counter()
    upgrade(url)
    team = ws.get_or_create_team(url, "Bench team")
    workshop = ws.create_workshop(
        url, team_id=team.id, model=model, segment_ids=segment_ids, mode="lock_step", auto_reveal=args.auto_reveal
    )
    people = [voting.join_workshop(url, workshop.join_code) for _ in range(args.participants)]
    if args.auto_reveal:
        voting.join_workshop(url, workshop.join_code)  # never votes: every vote checks, no round reveals
    # Warm up the service path (statement compilation, the connection pool) with one untimed vote in another
    # workshop, as a running app would be by the time a room votes; the check only looks at the bench workshop.
    warm = ws.create_workshop(url, team_id=team.id, model=model, segment_ids=segment_ids[:1], mode="lock_step")
    warm_round = rounds.segment_rounds(url, warm.id, segment_ids[0])[0].id
    voting.cast_vote(url, token=voting.join_workshop(url, warm.join_code).token, round_id=warm_round, level=levels[0])
    print(
        f"[{backend}] setup: {len(people)} participants joined lock-step workshop {workshop.join_code} on {model.name} "
        f"({len(segment_ids)} segment(s){', auto-reveal on, one more who never votes' if args.auto_reveal else ''}) "
        f"in {time.perf_counter() - started:.1f} s; {threads} threads on {_cores()} core(s)"
    )
    plans = [make_plan(rng, len(people), r, levels, args.double, args.change) for r in range(len(segment_ids))]
    final = {key: level for plan in plans for key, level in plan.final.items()}
    calls = sum(plan.calls for plan in plans)
    print(
        f"[{backend}] mix per segment: {plans[0].singles} vote once, {plans[0].doubles} double-submit (two threads at once), "
        f"{plans[0].changes} change their vote (second call, another level); {calls} calls for {len(final)} expected votes"
    )

    # Baseline first: the same calls, the same threads, raw upserts on the same kind of database.
    if backend == "sqlite":
        raw_path = scratch / "raw.db"
        baseline_setup(raw_path, len(people), len(segment_ids))
        base_bursts = [burst(threads, plan.tasks, baseline_worker(raw_path)) for plan in plans]
        base_url, base_table = f"sqlite:///{raw_path}", "vote"
    else:
        with create_engine(url).begin() as connection:
            connection.exec_driver_sql(PG_BASELINE_TABLE)
        base_bursts = [burst(threads, plan.tasks, pg_baseline_worker(url)) for plan in plans]
        base_url, base_table = url, "raw_vote"
    base_check = verify(base_url, base_table, list(range(1, len(segment_ids) + 1)), list(range(1, len(people) + 1)), final)

    # The service, segment by segment as the facilitator moves on.
    tokens = [p.token for p in people]
    round_ids: list[int] = []
    service_bursts: list[Burst] = []
    for position, (segment_id, plan) in enumerate(zip(segment_ids, plans, strict=True)):
        if position:
            ws.go_to_segment(url, workshop.id, position)
        round_id = rounds.segment_rounds(url, workshop.id, segment_id)[0].id
        round_ids.append(round_id)

        def service_worker(round_id: int = round_id) -> Callable[[Call], None]:
            def do(call: Call) -> None:
                voting.cast_vote(url, token=tokens[call.participant], round_id=round_id, level=call.level)

            return do

        service_bursts.append(burst(threads, plan.tasks, service_worker))
    dispose_engines()
    check = verify(url, "vote", round_ids, [p.id for p in people], final)
    return Outcome(backend, calls, service_bursts, base_bursts, check, base_check)


def report(outcome: Outcome) -> str:
    lat = sorted(x for b in outcome.service for x in b.latencies_ms)
    base = sorted(x for b in outcome.baseline for x in b.latencies_ms)
    errors = sum((b.errors for b in outcome.service), Counter())
    base_errors = sum((b.errors for b in outcome.baseline), Counter())
    elapsed = sum(b.elapsed_s for b in outcome.service)
    base_elapsed = sum(b.elapsed_s for b in outcome.baseline)
    p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
    b50, b95, b99 = (percentile(base, q) for q in (50, 95, 99))
    name, check = outcome.backend, outcome.check
    print(
        f"[{name}] service: {len(lat)}/{outcome.calls} calls ok in {elapsed:.2f} s ({len(lat) / elapsed:.0f} calls/s); "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms, max {lat[-1] if lat else float('nan'):.2f} ms; "
        f"errors {dict(errors) or 0}"
    )
    print(
        f"[{name}] baseline (raw upsert): {len(base)}/{outcome.calls} calls ok in {base_elapsed:.2f} s "
        f"({len(base) / base_elapsed:.0f} calls/s); p50 {b50:.2f} ms, p95 {b95:.2f} ms, p99 {b99:.2f} ms; "
        f"errors {dict(base_errors) or 0}; lost {outcome.base_check.lost}, duplicates {outcome.base_check.duplicates}"
    )
    print(
        f"[{name}] check: {check.votes} votes stored of {check.votes + check.missing} expected; {check.missing} missing, "
        f"{check.wrong_level} with a level other than the last one sent"
    )
    ratio = p95 / b95 if b95 > 0 else float("inf")
    failed = sum(errors.values())
    met = check.lost == 0 and check.duplicates == 0 and failed == 0 and ratio <= 2
    print(f"[{name}] target: lost=0 duplicates=0 errors=0 p95<=2x baseline (p95 is {ratio:.1f}x) -> {'MET' if met else 'MISSED'}")
    return (
        f"backend={name} votes={check.votes} lost={check.lost} duplicates={check.duplicates} errors={failed} "
        f"p50_ms={p50:.2f} p95_ms={p95:.2f} p99_ms={p99:.2f} baseline_p95_ms={b95:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--segments", type=int, default=1, help="segments voted on, one burst each (lock-step)")
    parser.add_argument("--threads", type=int, default=0, help="voting threads (default: min(participants, 64))")
    parser.add_argument("--double", type=float, default=0.2, help="share of participants who submit the same vote twice at once")
    parser.add_argument("--change", type=float, default=0.2, help="share of participants who change their vote")
    parser.add_argument(
        "--dont-know", action=argparse.BooleanOptionalAction, default=True, help="'don't know' is one of the choices"
    )
    parser.add_argument(
        "--auto-reveal", action="store_true",
        help="the workshop reveals by itself when everyone has voted (one extra participant never votes, so no round does)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db", action="append", default=[], metavar="URL",
        help="a PostgreSQL server to run on as well (repeat; default: MATURITY_DB_URL when it is one); SQLite always runs",
    )  # fmt: skip
    parser.add_argument(
        "--compare-global-lock", action="store_true",
        help="on PostgreSQL, also run with every vote under the application-wide write lock, as before votes shared a per-workshop lock",
    )  # fmt: skip
    args = parser.parse_args()
    if args.participants < 1 or not 0 <= args.double <= 1 or not 0 <= args.change <= 1 or args.double + args.change > 1:
        parser.error("need --participants >= 1 and 0 <= --double, --change with --double + --change <= 1")
    threads = args.threads or min(args.participants, 64)
    servers = args.db or [u for u in [os.environ.get("MATURITY_DB_URL", "")] if u.startswith("postgresql")]
    if any(not u.startswith("postgresql") for u in servers):
        parser.error("--db takes PostgreSQL URLs (postgresql+psycopg://...); SQLite always runs on a scratch file")

    model = load_catalog(builtin_sources()).models[MODEL_ID]
    segment_ids = [s.id for s in model.segments][: max(1, args.segments)]
    levels: list[int | None] = list(model.level_values) + ([None] if args.dont_know else [])
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")

    lines = []
    with tempfile.TemporaryDirectory(prefix="vote-burst-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'maturity.db'}"
        lines.append(report(run_backend("sqlite", url, args, model, segment_ids, levels, args.seed, threads, Path(tmp))))
    for server in servers:
        with scratch_postgres(server) as url:
            lines.append(report(run_backend("postgresql", url, args, model, segment_ids, levels, args.seed, threads, Path(tmp))))
        if args.compare_global_lock:
            with scratch_postgres(server) as url, votes_under_the_global_lock(url):
                outcome = run_backend(
                    "postgresql-global-lock", url, args, model, segment_ids, levels, args.seed, threads, Path(tmp)
                )
                lines.append(report(outcome))
    for line in lines:
        print(line)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    from maturity.domain.roles import COMMAND_LINE
    from maturity.services.authz import acting_as

    with acting_as(COMMAND_LINE):  # the benchmark sets up its data as the command line does
        main()
