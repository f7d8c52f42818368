"""Measurements shared by every session of this process: the first visitor pays, everyone else reuses them.

    store().measure(key, fn)   the Entry for key, computing fn() once: sessions asking meanwhile wait for it
    store().again(key)         forget key's entry so the next ask measures anew, at most once per AGAIN_S
                               (returns 0.0), else the seconds still to wait

Keys name the device (see concept.key): a process measures its own CPU and, when it computes on one, its GPU.
Unlike st.cache_data this store can drop one entry ("measure again") and knows when each was measured.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

AGAIN_S = 30.0  # a measurement is repeated at most this often, whoever asks (a class cannot hammer the server)


@dataclass(frozen=True)
class Entry:
    result: Any
    at: float  # time.time() when measured, for "measured … ago"
    mono: float  # the store's clock when measured, for the rate limit


class Measurements:
    def __init__(
        self, max_entries: int = 64, again_after: float = AGAIN_S, clock: Callable[[], float] = time.monotonic
    ):
        self._items: OrderedDict[Hashable, Entry] = OrderedDict()
        self._busy: dict[Hashable, threading.Lock] = {}  # one lock per key being (or once) measured
        self._lock = threading.Lock()
        self.max_entries, self.again_after, self._clock = max_entries, again_after, clock

    def get(self, key: Hashable) -> Entry | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def _put(self, key: Hashable, entry: Entry) -> None:
        with self._lock:
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                old, _ = self._items.popitem(last=False)
                lock = self._busy.get(old)
                if lock is not None and not lock.locked():
                    del self._busy[old]

    def measure(self, key: Hashable, fn: Callable[[], Any]) -> Entry:
        """The entry for `key`, measured by `fn` if there is none; one measurement per key at a time."""
        entry = self.get(key)
        if entry is not None:
            return entry
        with self._lock:
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:
            entry = self.get(key)  # measured by another session while this one waited
            if entry is None:
                entry = Entry(fn(), time.time(), self._clock())
                self._put(key, entry)
        return entry

    def wait_s(self, key: Hashable) -> float:
        """Seconds until `key` may be measured again (0.0: now, or never measured)."""
        entry = self.get(key)
        return 0.0 if entry is None else max(0.0, self.again_after - (self._clock() - entry.mono))

    def again(self, key: Hashable) -> float:
        """Drop `key`'s entry if the rate limit allows (returns 0.0); else the seconds still to wait."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return 0.0
            wait = self.again_after - (self._clock() - entry.mono)
            if wait > 0:
                return wait
            del self._items[key]
            return 0.0

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._busy = {k: v for k, v in self._busy.items() if v.locked()}


@lru_cache(maxsize=1)
def store() -> Measurements:
    """The process-wide store (one per app process, shared by all its sessions)."""
    return Measurements()
