"""A people CSV import of 2k, 10k and 100k rows while phones vote, against a plain bulk insert of the same rows.

For each size, on a scratch SQLite file (migrated, with a lock-step workshop open on the built-in
data-maturity model), times:

    import    owner_imports.import_people_csv of a CSV with that many people in --teams teams (what the
              *Data owners* page calls): every row checked, then saved in short batches
    again     the same file imported a second time (every row matched by e-mail, nothing changed)
    changed   the file with every tenth role changed (those rows updated, the rest left alone)
    baseline  the floor, in the same run: the same rows, already parsed, put into the same person table of
              another scratch file with one plain sqlite3 executemany in one transaction

While the imports run, phones vote: --phones threads in this process (like phones on the same app
process) and --other-process-phones in a second process (like a second app process on the same file,
`make serve WORKERS=2`), each calling voting.cast_vote (the call the phone page makes) again and
again with a --think pause between votes (the other process's phones start, and vote once untimed,
before anything is timed). Before the first import they vote for --idle seconds with no import
running: the vote baseline. `batch_hold_ms` is the longest time one import transaction held the
write lock (from BEGIN IMMEDIATE to COMMIT, as SQLAlchemy saw it).

Targets (issue 18): 100,000 people in at most 60 s; every vote during the imports succeeds, with p95 at most 1 s.
One machine-readable line per size, then one for the votes:

    people=N import_s=X again_s=X changed_s=X baseline_s=X us_per_row=X batches=N batch_hold_ms=X
    phones=N votes=N vote_errors=N vote_p50_ms=X vote_p95_ms=X vote_max_ms=X other_process_votes=N
    other_process_vote_p95_ms=X idle_votes=N idle_vote_p95_ms=X   (one line)

Run: .venv/bin/python bench/import_people.py [--sizes 2000,10000,100000] [--teams 60] [--phones 5]
     [--other-process-phones 3] [--think 0.05,0.3] [--idle 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from vote_burst import MODEL_ID, _cores, percentile, raw_connect

from maturity.config import builtin_sources
from maturity.content.catalog import load_catalog
from maturity.services import owner_imports, rounds, voting
from maturity.services import workshops as ws
from maturity.storage.engine import dispose_engines, get_engine
from maturity.storage.migrate import upgrade

IMPORT_TARGET_S, VOTE_P95_TARGET_MS = 60.0, 1000.0


def people_csv(rows: int, teams: int, *, changed: bool = False) -> tuple[bytes, list[tuple]]:
    """The CSV file, and the same rows as (name, email, team index, role, active) for the baseline."""
    rng = random.Random(rows)
    parsed = []
    lines = ["name,email,team,role,active"]
    for i in range(rows):
        name = f"Person {i:06d} {rng.choice(['Dupont', 'Groß', 'Yılmaz', 'Παπαδόπουλος', '山田', 'Smith'])}"
        team = i % teams
        role = rng.choice(["Analyst", "Steward", "Owner", "Engineer", ""])
        if changed and i % 10 == 0:
            role = "Changed role"
        active = "no" if i % 20 == 0 else "yes"
        lines.append(f"{name},person{i:06d}@example.org,Équipe {team:03d},{role},{active}")
        parsed.append((name, f"person{i:06d}@example.org", team, role, active == "yes"))
    return ("\n".join(lines) + "\n").encode(), parsed


def baseline(path: Path, rows: list[tuple], teams: int) -> float:
    """Seconds for one plain executemany of the rows into the migrated person table (teams already there)."""
    upgrade(f"sqlite:///{path}")  # its engine stays open: dispose_engines() would drop the measured file's listeners too
    db = raw_connect(path)
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO team (id, name, name_key, description, created_at) VALUES (?, ?, ?, '', '2024-01-01')",
        [(t + 1, f"Équipe {t:03d}", f"équipe {t:03d}") for t in range(teams)],
    )
    db.execute("COMMIT")
    values = [(name, email, team + 1, role, active) for name, email, team, role, active in rows]
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO person (name, email, team_id, role, active, created_at, version) VALUES (?, ?, ?, ?, ?, '2024-01-01', 1)",
        values,
    )
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


# --------------------------------------------------------------------------- phones


@dataclass
class Votes:
    """Each vote as (started at, milliseconds); errors by exception name."""

    done: list[tuple[float, float]] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_times: list[float] = field(default_factory=list)


def vote_loop(url: str, tokens: list[str], round_id: int, think: tuple[float, float], stop, seed: int, votes: Votes) -> Votes:
    """Phones voting (one thread each) until `stop` is set, into `votes`; times are time.time() so two processes agree."""
    lock = threading.Lock()

    def phone(token: str, rng: random.Random) -> None:
        while not stop.is_set():
            time.sleep(rng.uniform(*think))
            started = time.time()
            try:
                voting.cast_vote(url, token=token, round_id=round_id, level=rng.randint(0, 5))
            except Exception as exc:  # noqa: BLE001 - counted; the point is that there are none
                with lock:
                    votes.errors[type(exc).__name__] += 1
                    if votes.errors[type(exc).__name__] == 1:
                        print(f"[phones] a vote failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                    votes.error_times.append(started)
                continue
            with lock:
                votes.done.append((started, (time.time() - started) * 1000))

    threads = [threading.Thread(target=phone, args=(t, random.Random(seed + i)), daemon=True) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return votes


def other_process(url: str, tokens: list[str], round_id: int, think: tuple[float, float], stop, ready, results) -> None:
    """A second app process's phones (multiprocessing target); `ready` once it has started and voted once, untimed."""
    voting.cast_vote(url, token=tokens[0], round_id=round_id, level=0)
    ready.set()
    votes = vote_loop(url, tokens, round_id, think, stop, 1000, Votes())
    results.put((votes.done, dict(votes.errors), votes.error_times))


# --------------------------------------------------------------------------- the run


@dataclass
class Figures:
    people: int
    import_s: float
    again_s: float
    changed_s: float
    baseline_s: float
    batches: int
    batch_hold_ms: float
    windows: list[tuple[float, float]]  # (start, end) of each import, time.time()


class HoldMeter:
    """How long each write transaction of this thread (the importer) held the lock: BEGIN IMMEDIATE to COMMIT.

    Listeners are added before any phone votes and stay: adding one while other threads run
    statements races SQLAlchemy's listener list ("deque mutated during iteration")."""

    def __init__(self, url: str) -> None:
        self.holds: list[float] = []
        self._begun: float | None = None
        self._importer = threading.get_ident()
        engine = get_engine(url)
        event.listen(engine, "begin", self._begin)  # after the engine's own listener has taken the write lock
        event.listen(engine, "commit", self._commit)

    def _begin(self, _conn) -> None:
        if threading.get_ident() == self._importer:
            self._begun = time.perf_counter()

    def _commit(self, _conn) -> None:
        if threading.get_ident() == self._importer and self._begun is not None:
            self.holds.append((time.perf_counter() - self._begun) * 1000)
            self._begun = None


def run_size(url: str, path: Path, scratch: Path, size: int, teams: int, meter: HoldMeter) -> Figures:
    data, parsed = people_csv(size, teams)
    changed, _ = people_csv(size, teams, changed=True)
    base = baseline(scratch / f"baseline-{size}.db", parsed, teams)
    meter.holds.clear()
    windows, timings, batches = [], [], 0
    for label, file in (("import", data), ("again", data), ("changed", changed)):
        progress: list[int] = []
        start_wall, start = time.time(), time.perf_counter()
        added, updated = owner_imports.import_people_csv(url, file, progress=lambda done, _total, seen=progress: seen.append(done))
        timings.append(time.perf_counter() - start)
        windows.append((start_wall, time.time()))
        batches = max(batches, len(progress) - 1)
        expected = (size, 0) if label == "import" else (0, size)
        assert (added, updated) == expected, f"{label}: {(added, updated)} != {expected}"
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT COUNT(*) FROM person").fetchone()[0]
    assert stored == size, f"{stored} people stored, {size} imported"
    print(
        f"[{size:,} people] import {timings[0]:.2f} s ({size / timings[0]:,.0f} rows/s), again {timings[1]:.2f} s, "
        f"with 10% changed {timings[2]:.2f} s; baseline (one plain executemany) {base:.3f} s; "
        f"{batches} batches, longest write-lock hold {max(meter.holds):.0f} ms"
    )
    return Figures(size, *timings, base, batches, max(meter.holds), windows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,100000", help="people per import, comma-separated")
    parser.add_argument("--teams", type=int, default=60)
    parser.add_argument("--phones", type=int, default=5, help="phones voting from threads of this process")
    parser.add_argument("--other-process-phones", type=int, default=3, help="phones voting from a second process")
    parser.add_argument("--think", default="0.05,0.3", help="seconds between one phone's votes: min,max")
    parser.add_argument("--idle", type=float, default=2.0, help="seconds of votes before the first import (the baseline)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    think = tuple(float(x) for x in args.think.split(","))
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {_cores()} core(s)")

    model = load_catalog(builtin_sources()).models[MODEL_ID]
    all_figures: list[Figures] = []
    idle_end = 0.0
    with tempfile.TemporaryDirectory(prefix="import-people-") as tmp:
        scratch = Path(tmp)
        stop = threading.Event()
        mp = multiprocessing.get_context("spawn")
        mp_stop, ready, results = mp.Event(), mp.Event(), mp.Queue()
        voters, process = [], None
        for size in sizes:
            path = scratch / f"maturity-{size}.db"
            url = f"sqlite:///{path}"
            upgrade(url)
            workshop = ws.create_workshop(url, team_name="Room", model=model, segment_ids=[model.segments[0].id])
            round_id = rounds.segment_rounds(url, workshop.id, model.segments[0].id)[0].id
            tokens = [voting.join_workshop(url, workshop.join_code).token for _ in range(args.phones + args.other_process_phones)]
            stop.clear()
            mp_stop.clear()
            ready.clear()
            votes, other = Votes(), Votes()
            meter = HoldMeter(url)  # before any phone votes
            thread = threading.Thread(target=vote_loop, args=(url, tokens[: args.phones], round_id, think, stop, size, votes))
            thread.start()
            if args.other_process_phones:
                process = mp.Process(
                    target=other_process, args=(url, tokens[args.phones :], round_id, think, mp_stop, ready, results)
                )
                process.start()
                if not ready.wait(120):
                    raise SystemExit("the other process's phones did not start within 120 s")
            time.sleep(args.idle if not all_figures else 0.5)  # the first size: idle votes, the baseline
            if not all_figures:
                idle_end = time.time()
            try:
                figures = run_size(url, path, scratch, size, args.teams, meter)
            finally:  # the phones stop, whatever happened
                stop.set()
                mp_stop.set()
                thread.join()
            all_figures.append(figures)
            if process is not None:
                done, errors, error_times = results.get(timeout=60)
                process.join()
                other.done.extend(done)
                other.errors.update(errors)
                other.error_times.extend(error_times)
            voters.append((figures, votes, other))
            dispose_engines()

    idle = sorted(ms for _, *both in voters[:1] for votes in both for started, ms in votes.done if started < idle_end)

    def during_imports(which: slice) -> list[float]:
        return sorted(
            ms
            for figures, *both in voters
            for votes in both[which]
            for started, ms in votes.done
            if any(a <= started <= b for a, b in figures.windows)
        )

    during, here, there = during_imports(slice(None)), during_imports(slice(0, 1)), during_imports(slice(1, 2))
    errors = sum((votes.errors for _, *both in voters for votes in both), Counter())
    p50, p95 = (percentile(during, q) for q in (50, 95))
    idle_p95 = percentile(idle, 95)
    phones = args.phones + args.other_process_phones
    print(
        f"[phones] {phones} phones ({args.phones} in this process, {args.other_process_phones} in another): "
        f"{len(during)} votes during the imports, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {during[-1] if during else float('nan'):.1f} ms, "
        f"errors {dict(errors) or 0}; with no import running: {len(idle)} votes, p95 {idle_p95:.1f} ms"
    )
    for where, values in (("this process", here), ("the other process", there)):
        print(
            f"[phones] from {where}: {len(values)} votes during the imports, p95 {percentile(values, 95):.1f} ms, "
            f"max {values[-1] if values else float('nan'):.1f} ms"
        )
    largest = all_figures[-1]
    met = largest.import_s <= IMPORT_TARGET_S and not errors and (p95 <= VOTE_P95_TARGET_MS if during else False)
    print(
        f"[target] {largest.people:,} people in {largest.import_s:.1f} s (<= {IMPORT_TARGET_S:.0f} s), "
        f"votes all ok with p95 {p95:.0f} ms (<= {VOTE_P95_TARGET_MS:.0f} ms) -> {'MET' if met else 'MISSED'}"
    )
    for f in all_figures:
        print(
            f"people={f.people} import_s={f.import_s:.3f} again_s={f.again_s:.3f} changed_s={f.changed_s:.3f} "
            f"baseline_s={f.baseline_s:.4f} us_per_row={f.import_s / f.people * 1e6:.1f} batches={f.batches} "
            f"batch_hold_ms={f.batch_hold_ms:.1f}"
        )
    print(
        f"phones={phones} votes={len(during)} vote_errors={sum(errors.values())} vote_p50_ms={p50:.1f} vote_p95_ms={p95:.1f} "
        f"vote_max_ms={during[-1] if during else float('nan'):.1f} other_process_votes={len(there)} "
        f"other_process_vote_p95_ms={percentile(there, 95):.1f} idle_votes={len(idle)} idle_vote_p95_ms={idle_p95:.1f}"
    )


if __name__ == "__main__":
    from maturity.domain.roles import COMMAND_LINE
    from maturity.services.authz import acting_as

    with acting_as(COMMAND_LINE):  # the benchmark imports as the command line does
        main()
