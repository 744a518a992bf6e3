"""What the role checks and the audit log cost a service call, each beside the same call without them, in one run.

    .venv/bin/python bench/authz.py [--calls 3000] [--db sqlite:///data/bench-authz.db]

On the demo organisation it times, per call:
- a read use case (get_workshop) through its @requires check, and the same function unwrapped;
- who a signed-in staff page run is (accounts.current_account, one read per full run);
- an action update with its audit line, and the same update with the audit line left out;
and prints the figures and the differences. The database is a fresh SQLite file unless --db is given.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from maturity.domain.roles import Actor, Permission, StaffRole  # noqa: E402
from maturity.services import accounts, audit, demo  # noqa: E402
from maturity.services import actions as ax  # noqa: E402
from maturity.services import workshops as ws  # noqa: E402
from maturity.services.authz import acting_as, requires  # noqa: E402
from maturity.storage.migrate import upgrade  # noqa: E402


def per_call_us(fn, calls: int, rounds: int = 5) -> float:
    """The median over `rounds` of the mean time per call, in microseconds."""
    means = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        means.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(means)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='bench-authz-')}/maturity.db"
    upgrade(url)
    admin = Actor("Bench admin", StaffRole.ADMIN, "bench@example.org", how="bench")
    with acting_as(admin):
        demo.load_demo(url)
        workshop = ws.list_workshops(url)[0]
        account = accounts.add_account(url, email="facilitator@example.org", role="facilitator")
        action = ax.list_actions(url)[0]

        bare = inspect.unwrap(ws.get_workshop)
        unchecked = per_call_us(lambda: bare(url, workshop.id), args.calls)
        checked = per_call_us(lambda: ws.get_workshop(url, workshop.id), args.calls)
        unchecked = min(unchecked, per_call_us(lambda: bare(url, workshop.id), args.calls))  # either order: no warm-up bias
        nothing = requires(Permission.VIEW_WORKSHOPS)(lambda: None)
        check_alone = per_call_us(nothing, args.calls * 50) - per_call_us(lambda: None, args.calls * 50)
        who = per_call_us(lambda: accounts.current_account(url, account.id), args.calls)

        version = [action.version]

        def update() -> None:
            view = ax.update_action(url, action.id, expected_version=version[0], comment="bench")
            version[0] = view.version

        writes = max(200, args.calls // 10)
        with_audit = per_call_us(update, writes, rounds=3)
        record = audit.record
        ax.audit.record = lambda *a, **k: None  # the same transaction without its audit line
        try:
            without_audit = per_call_us(update, writes, rounds=3)
        finally:
            ax.audit.record = record

    print(f"database: {url}")
    print(f"the role check alone (a @requires around a function that does nothing): {check_alone:.2f} us a call")
    print(f"read use case (get_workshop): {checked:.1f} us with the role check, {unchecked:.1f} us without: {checked - unchecked:+.1f} us")
    print(f"who is signed in (current_account, once per staff page run): {who:.1f} us")
    print(
        f"action update: {with_audit:.0f} us with its audit line, {without_audit:.0f} us without: "
        f"+{with_audit - without_audit:.0f} us ({(with_audit / without_audit - 1) * 100:+.0f}%)"
    )
    print(
        f"check_alone_us={check_alone:.2f} authz_read_delta_us={checked - unchecked:.1f} who_us={who:.1f} update_with_audit_us={with_audit:.0f} "
        f"update_without_audit_us={without_audit:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
