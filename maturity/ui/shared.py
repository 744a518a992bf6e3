"""Values every session of this process shares for a moment: what a whole room of phones reads at once.

A plain dictionary and a lock rather than st.cache_resource, because a phone needs to know *when*
the value it drew from was read (to tell a newer value from an older one) and a test needs to
clear it. One session refreshes an expired value; the others wait for it rather than all asking
the database at the same moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Shared(Generic[T]):
    """`load(*key)`, kept for `ttl` seconds per key; `get` returns the value and when it was read."""

    def __init__(self, load: Callable[..., T], *, ttl: float, max_entries: int = 256) -> None:
        self._load, self._ttl, self._max = load, ttl, max_entries
        self._values: dict[Hashable, tuple[T, float]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, *key: Hashable) -> tuple[T, float]:
        found = self._values.get(key)
        if found is not None and time.monotonic() - found[1] < self._ttl:
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._values.get(key)  # another session may have just read it
            if found is not None and time.monotonic() - found[1] < self._ttl:
                return found
            read_at = time.monotonic()
            value = self._load(*key)  # an error reaches the caller and nothing is kept
            with self._guard:
                if len(self._values) >= self._max:
                    self._values.clear()  # old workshops; whoever asks next reads again
                self._values[key] = (value, read_at)
            return value, read_at

    def clear(self) -> None:
        with self._guard:
            self._values.clear()
