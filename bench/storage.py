"""Write throughput of the storage layer against raw SQLite, on a scratch database.

Times N threads each committing single-row read-then-write transactions through
`write_session` (what every service uses), against a baseline in the same run: raw
sqlite3 single-row INSERT + COMMIT from one thread. The last line is machine-readable:

    threads=N commits=N errors=N p50_ms=X p95_ms=X commits_per_s=X baseline_commits_per_s=X

Run: .venv/bin/python bench/storage.py [--threads 16] [--commits 50]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import select

from maturity.storage.engine import dispose_engines, write_session
from maturity.storage.migrate import upgrade
from maturity.storage.tables import Team


def baseline(path: Path, commits: int) -> float:
    """Raw single-row commits per second with the same pragmas, one thread."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for i in range(commits):
        db.execute("BEGIN")
        db.execute("INSERT INTO t (v) VALUES (?)", (str(i),))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return commits / elapsed


def contended(url: str, threads: int, commits: int) -> tuple[list[float], int, float]:
    with write_session(url) as session:
        session.add(Team(name="counter", description="0"))
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker() -> None:
        nonlocal errors
        barrier.wait()
        for _ in range(commits):
            start = time.perf_counter()
            try:
                with write_session(url) as session:
                    team = session.exec(select(Team).where(Team.name == "counter")).one()
                    team.description = str(int(team.description) + 1)
            except Exception:  # noqa: BLE001 - counted, the figure is the point
                with lock:
                    errors += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--commits", type=int, default=50, help="commits per thread")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline(Path(tmp) / "raw.db", args.threads * args.commits)
        url = f"sqlite:///{Path(tmp) / 'maturity.db'}"
        upgrade(url)
        latencies, errors, elapsed = contended(url, args.threads, args.commits)
        dispose_engines()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    print(
        f"threads={args.threads} commits={len(latencies)} errors={errors} "
        f"p50_ms={statistics.median(latencies):.2f} p95_ms={p95:.2f} "
        f"commits_per_s={len(latencies) / elapsed:.0f} baseline_commits_per_s={base:.0f}"
    )


if __name__ == "__main__":
    main()
