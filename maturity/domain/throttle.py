"""Slowing down repeated failures from one client (wrong join codes), with no I/O: the caller passes the time.

A client may fail a few times for free (typos); each failure after that locks it out for twice as long as the
one before, up to a ceiling. A client that stops failing for a while starts again with a clean slate, and a
success clears its record at once. Records are kept per key in a bounded, least-recently-used table, so a flood
of new keys costs a fixed amount of memory; what it can evict is the record of a client that went quiet.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    free: int  # failures before the first lockout
    first_lock_s: float  # the first lockout; each further failure doubles it
    max_lock_s: float
    forget_s: float  # a record with no failure for this long starts again from nothing
    max_keys: int = 10_000


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = -math.inf
    locked_until: float = -math.inf


@dataclass(frozen=True)
class Failure:
    """What one more failure did to a key: its count, how long it is now locked out, and whether a burst began
    (the failure that first locked it out: the one moment worth a warning)."""

    failures: int
    lock_s: float
    burst_began: bool


class FailureThrottle:
    """Failures per key (a browser session, an address) and the lockout they earned; safe across threads."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def locked_for(self, key: str, now: float) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        with self._lock:
            record = self._records.get(key)
            return max(0.0, record.locked_until - now) if record else 0.0

    def failed(self, key: str, now: float) -> Failure:
        """Count a failure of `key`; return what it earned."""
        policy = self.policy
        with self._lock:
            record = self._records.pop(key, None) or _Record()
            if now - record.last_failure > policy.forget_s:
                record = _Record()
            record.failures += 1
            record.last_failure = now
            over = record.failures - policy.free
            lock = min(policy.max_lock_s, policy.first_lock_s * 2 ** (over - 1)) if over > 0 else 0.0
            record.locked_until = now + lock
            self._records[key] = record  # most recently used last
            while len(self._records) > policy.max_keys:
                self._records.popitem(last=False)
            return Failure(record.failures, lock, burst_began=over == 1)

    def failures(self, key: str, now: float) -> int:
        """Failures of `key` not yet forgotten."""
        with self._lock:
            record = self._records.get(key)
            return record.failures if record and now - record.last_failure <= self.policy.forget_s else 0

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def __len__(self) -> int:
        return len(self._records)
