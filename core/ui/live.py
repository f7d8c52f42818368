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
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
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
    except Exception:  # noqa: BLE001 - private API moved: fall back to Streamlit's own behaviour
        return False


def run_live(view, experiment: Experiment, render: Callable[[Any, bool], None]) -> Any:
    """Run `experiment.stream` for the view's current values, rendering after every chunk. Returns the
    finished result; when a newer rerun of this section supersedes the training, the partial result
    so far (not stored; the queued rerun replaces everything drawn from it at once)."""
    values = view.values_for(experiment)
    key = (view.concept.key, experiment.key, freeze(values))
    store = finished_runs()
    done = store.get(key)
    if done is not None:
        render(done, True)
        return done
    bar = st.progress(0.0, text=view.t("live.starting"))
    chunks = experiment.stream(values)
    result, start = None, time.perf_counter()
    while True:
        with device.compute():
            try:
                fraction, result = next(chunks)
            except StopIteration:
                break
        elapsed = time.perf_counter() - start
        bar.progress(min(1.0, fraction), text=view.t("live.progress", pct=f"{fraction:.0%}", s=f"{elapsed:.1f}"))
        render(result, False)
        if superseded():  # the user moved a widget of this section: its queued rerun trains the new values
            return result
    bar.empty()
    store.put(key, result)
    render(result, True)
    return result
