"""The values a room of phones shares in one process: kept for a moment, read once, errors never kept."""

from __future__ import annotations

import threading
import time

import pytest

from maturity.ui.shared import Shared


def test_a_value_is_read_once_per_key_until_it_expires():
    reads: list[tuple] = []
    shared = Shared(lambda *key: reads.append(key) or len(reads), ttl=0.2)
    first, read_at = shared.get("db", 1)
    assert (first, shared.get("db", 1)[0], shared.get("db", 2)[0]) == (1, 1, 2)
    assert shared.get("db", 1)[1] == read_at, "the time it was read comes with it"
    time.sleep(0.25)
    assert shared.get("db", 1)[0] == 3 and shared.get("db", 1)[1] > read_at
    assert reads == [("db", 1), ("db", 2), ("db", 1)]


def test_a_room_asking_at_once_reads_once():
    reads = []

    def slow(key):
        reads.append(key)
        time.sleep(0.1)
        return key * 2

    shared = Shared(slow, ttl=5)
    results = []
    threads = [threading.Thread(target=lambda: results.append(shared.get(21)[0])) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 50 and reads == [21]


def test_an_error_is_not_kept():
    calls = []

    def flaky(key):
        calls.append(key)
        if len(calls) == 1:
            raise OSError("disk blip")
        return "fine"

    shared = Shared(flaky, ttl=5)
    with pytest.raises(OSError, match="disk blip"):
        shared.get("k")
    assert shared.get("k")[0] == "fine" and len(calls) == 2


def test_old_keys_do_not_pile_up():
    shared = Shared(lambda key: key, ttl=60, max_entries=3)
    for key in range(10):
        shared.get(key)
    assert len(shared._values) <= 3
