"""The measurement store: one measurement per key however many sessions ask, and a rate-limited "again"."""

import threading
import time

from core.hardware import concept as hw
from core.hardware.cache import Measurements


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_concurrent_sessions_share_one_measurement():
    store, calls = Measurements(), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results = []
    threads = [threading.Thread(target=lambda: results.append(store.measure("k", slow).result)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert calls == [1] and results == [1] * 5


def test_measure_again_is_rate_limited():
    clock = Clock()
    store = Measurements(again_after=30.0, clock=clock)
    first = store.measure("k", lambda: "first")
    clock.now = 10.0
    assert store.wait_s("k") == 20.0
    assert store.again("k") == 20.0  # refused: the entry stays
    assert store.measure("k", lambda: "second").result == "first"
    clock.now = 31.0
    assert store.again("k") == 0.0  # granted: the next ask measures
    assert store.measure("k", lambda: "second").result == "second"
    assert store.get("k").at >= first.at
    assert store.again("never measured") == 0.0 and store.wait_s("never measured") == 0.0


def test_least_recently_used_entries_are_dropped():
    store = Measurements(max_entries=2)
    for k in "abc":
        store.measure(k, lambda k=k: k)
    assert store.get("a") is None and store.get("c").result == "c"


def test_keys_name_the_device_the_section_and_the_values():
    v = hw.MATMUL.params.defaults()
    k = hw.key("matmul", v)
    assert k[0] == "cpu" and k[1] == "matmul"
    assert hw.key("matmul", {**v, "sizes": ("16", "32")}) != k
    assert hw.key("matmul", dict(reversed(list(v.items())))) == k  # order of the values does not matter
