"""Live training: show a streaming experiment chunk by chunk, cancel on a newer rerun, replay when done.

    result = run_live(view, experiment, render)        # render(result_so_far, done: bool)

- Each chunk is computed holding the process-wide compute gate (core.device.compute), one chunk at
  a time, so trainings from many sessions share the cores instead of oversubscribing them.
- Between chunks the progress bar and `render` run: every `st.*` call is a point where Streamlit
  stops this run if the user has moved a widget outside a fragment. A widget inside a fragment
  (a PageView section) only queues its rerun behind the run in progress (Streamlit 1.67), so between
  chunks `superseded()` also looks for a queued rerun of this section (or of the page) and stops the
  training there: a stale training never finishes over a new one.
- A finished run is stored per (page, experiment, values) for every session: a shared link, a
  language switch or a return to the page replays it without training again.
- A run in progress is shared too (the class demo: thirty students open the teacher's link at once).
  Every session that asks for the same (page, experiment, values) attaches to one `SharedRun`: the
  chunks are computed once, by whichever attached session is free, and every session draws each new
  chunk. A session that leaves (a slider moved, the tab closed) only pauses the run; another viewer
  carries it on, and coming back to the same values resumes it where it stopped.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import streamlit as st

from core import device
from core.experiment import Experiment
from core.ui.runner import freeze


class ResultStore:
    """A small thread-safe LRU of finished results, shared by all sessions of this process."""

    def __init__(self, max_entries: int = 64):
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@st.cache_resource
def finished_runs() -> ResultStore:
    return ResultStore()


def superseded() -> bool:
    """Whether this session has a rerun queued that reruns the running section (or the whole page).

    Reads Streamlit's pending script request (not a public API: if its shape changes this answers
    False and trainings simply run to their end before the queued rerun, as Streamlit does itself)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

        requests = get_script_run_ctx().script_requests
        if requests is None or requests._state != ScriptRequestType.RERUN:
            return False
        queued = requests._rerun_data.fragment_id_queue
        return not queued or ThreadState.get().fragment_id in queued
    except Exception:
        return False


class SharedRun:
    """One streaming run, advanced one chunk at a time by whichever attached session is free.

    The stream (a generator) is only ever advanced by one thread at a time, holding the compute gate;
    the other sessions wait for the chunk it produces. Results are never mutated after they are
    published (each chunk yields a fresh result object), so every session may draw them."""

    def __init__(self, chunks: Iterator):
        self._chunks = chunks
        self._cond = threading.Condition()
        self._busy = False
        self.version = 0  # chunks produced so far
        self.latest: tuple[float, Any] | None = None  # (fraction done, result) of the newest chunk
        self.finished = False
        self.failed = False

    def advance(self, seen: int, wait: float = 0.2) -> tuple[int, tuple[float, Any] | None, bool]:
        """For a session that has drawn `seen` chunks: return (version, latest, finished) as soon as
        there is something new. If nothing is newer and no one is computing, compute the next chunk
        here; if someone is, wait up to `wait` seconds for it (then the caller can look for a rerun)."""
        with self._cond:
            if self.version > seen or self.finished or self.failed:
                return self.version, self.latest, self.finished
            if self._busy:
                self._cond.wait(wait)
                return self.version, self.latest, self.finished
            self._busy = True
        item, end = None, False
        try:
            with device.compute():
                try:
                    item = next(self._chunks)
                except StopIteration:
                    end = True
        except BaseException:
            with self._cond:
                self._busy, self.failed = False, True
                self._cond.notify_all()
            raise
        with self._cond:
            self._busy = False
            if end:
                self.finished = True
            else:
                self.latest, self.version = item, self.version + 1
            self._cond.notify_all()
            return self.version, self.latest, self.finished


class RunsInProgress:
    """The runs in progress, by key, shared by all sessions; the least recently used paused ones are
    dropped beyond `max_entries` (a session still attached to one keeps it until it finishes)."""

    def __init__(self, max_entries: int = 16):
        self._runs: OrderedDict[Hashable, SharedRun] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def attach(self, key: Hashable, start: Callable[[], Iterator]) -> SharedRun:
        with self._lock:
            run = self._runs.get(key)
            if run is None or run.failed:
                run = self._runs[key] = SharedRun(start())
            self._runs.move_to_end(key)
            while len(self._runs) > self.max_entries:
                self._runs.popitem(last=False)
            return run

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()

    def detach(self, key: Hashable, run: SharedRun) -> None:
        """Forget a finished (or failed) run."""
        with self._lock:
            if self._runs.get(key) is run:
                del self._runs[key]


@st.cache_resource
def runs_in_progress() -> RunsInProgress:
    return RunsInProgress()


def _key(view, experiment: Experiment) -> tuple:
    return view.concept.key, experiment.key, freeze(view.values_for(experiment))


def finished(view, experiment: Experiment) -> Any:
    """The stored finished run for the view's current values, or None (a page shows a train button then)."""
    return finished_runs().get(_key(view, experiment))


def run_live(view, experiment: Experiment, render: Callable[[Any, bool], None]) -> Any:
    """Run `experiment.stream` for the view's current values, rendering after every chunk. Returns the
    finished result; when a newer rerun of this section supersedes the training, the partial result
    so far (not stored; the queued rerun replaces everything drawn from it at once)."""
    values = view.values_for(experiment)
    key = _key(view, experiment)
    store = finished_runs()
    done = store.get(key)
    if done is not None:
        render(done, True)
        return done
    bar = st.progress(0.0, text=view.t("live.starting"))
    runs = runs_in_progress()
    run = runs.attach(key, lambda: experiment.stream(values))
    seen, latest, start = 0, None, time.perf_counter()
    while True:
        try:
            version, latest, finished = run.advance(seen)
        except BaseException:
            runs.detach(key, run)
            raise
        if finished:
            break
        if version > seen:
            seen = version
            fraction, result = latest
            elapsed = time.perf_counter() - start
            bar.progress(min(1.0, fraction), text=view.t("live.progress", pct=f"{fraction:.0%}", s=f"{elapsed:.1f}"))
            render(result, False)
        if latest is not None and superseded():  # a queued rerun of this section trains (or draws) the new values
            return latest[1]
    runs.detach(key, run)
    bar.empty()
    result = latest[1] if latest is not None else None
    store.put(key, result)
    render(result, True)
    return result
