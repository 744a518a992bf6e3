"""The benchmarks still run: each on a tiny case, as a real process, to its last line of figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def bench(script: str, *args: str, timeout: int = 300) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_") or k.startswith("MATURITY_TEST_")}
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_authz_bench():
    out = bench("authz.py", "--calls", "20")
    assert "check_alone_us=" in out and "update_with_audit_us=" in out


def test_vote_burst_bench():
    out = bench("vote_burst.py", "--participants", "12", "--threads", "4")
    assert "lost" in out.lower()


def test_dashboard_bench():
    out = bench("dashboard.py", "--teams", "3", "--years", "1", "--voters", "5", "--repeat", "1")
    assert out.strip()


@pytest.mark.server
def test_phones_bench():
    out = bench("phones.py", "--phones", "2", "--mode", "lockstep", "--rounds", "1", "--idle", "1", "--think", "0.2,0.5", "--no-bare")
    last = out.strip().splitlines()[-1]
    assert last.startswith("phones=2 mode=lockstep") and "lost=0" in last and "errors=0" in last, out[-2000:]
