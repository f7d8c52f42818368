"""Live training: show a streaming experiment chunk by chunk, cancel on a newer rerun, replay when done.

    result = run_live(view, experiment, render)        # render(result_so_far, done: bool)

- The chunks are computed by a background trainer thread (`Trainer`), never in the session's script
  thread: the section's script only waits for new chunks and draws them. So a slider in another section of
  the same page answers while this one trains — when another section's rerun is queued, this section
  steps aside (it queues its own rerun behind it and returns); the training goes on in the background and
  the section picks it up again right after. Each chunk holds the process-wide compute gate
  (core.device.compute): trainings from many sessions share the cores instead of oversubscribing them.
- A rerun of this section (its own slider moved) or of the page supersedes the run being drawn: the queued
  rerun draws the new values at once (`superseded()`).
- A finished run is stored per (page, experiment, values) for every session (core/store.py; with
  DLP_REDIS_URL, for every replica behind the same nginx): a shared link, a language switch or a return
  to the page replays it without training again.
- A run in progress is shared too, within this process (the class demo: thirty students open the
  teacher's link at once; behind nginx, each replica trains its own copy and stores it when done).
  Every session that asks for the same (page, experiment, values) attaches to one `SharedRun`; its chunks
  are computed once and every attached session draws each new one. The trainer keeps a run going while
  anyone watches it; a run nobody has looked at for IDLE_S seconds pauses, and coming back to the same
  values resumes it where it stopped.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import streamlit as st

from core import boot, device, store
from core.experiment import Experiment
from core.ui.runner import freeze

IDLE_S = 3.0  # a run nobody has drawn for this long pauses (its viewers left, or moved a slider)
POLL_S = 0.2  # how long a section waits for a new chunk before it looks for queued reruns again


@st.cache_resource
def finished_runs() -> store.LocalStore | store.RedisStore:
    """The finished-run store of this process: Redis shared by every replica when DLP_REDIS_URL is set."""
    return store.open_store()


def _pending():
    """This session's pending rerun request and the running fragment's id, or (None, None).

    Reads Streamlit's script request queue (not a public API: if its shape changes this answers (None, None)
    and trainings are drawn to their end before a queued rerun, as Streamlit does itself)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

        requests = get_script_run_ctx().script_requests
        if requests is None or requests._state != ScriptRequestType.RERUN:
            return None, None
        return requests._rerun_data, ThreadState.get().fragment_id
    except Exception:
        return None, None


def in_section() -> bool:
    """Whether the running code is inside a fragment (a PageView section, which catches StepAside)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        return ThreadState.get().fragment_id is not None
    except Exception:
        return False


def superseded() -> bool:
    """Whether this session has a rerun queued that reruns the running section (or the whole page)."""
    data, mine = _pending()
    return data is not None and (not data.fragment_id_queue or mine in data.fragment_id_queue)


def step_aside() -> bool:
    """When another section's rerun is queued (a slider moved elsewhere on the page), queue this section's
    rerun right behind it and return True: the caller returns, the other section answers at once, and this
    one resumes drawing its training (which never stopped). False when nothing else is waiting."""
    data, mine = _pending()
    if data is None or not data.fragment_id_queue or mine is None or mine in data.fragment_id_queue:
        return False
    try:
        from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx()
        return bool(
            ctx.script_requests.request_rerun(
                RerunData(query_string=ctx.query_string, page_script_hash=ctx.page_script_hash, fragment_id=mine)
            )
        )
    except Exception:
        return False


class StepAside(Exception):
    """Raised by run_live when another rerun is waiting before this run has a first chunk to draw: the
    section stops where it is (its progress bar says the training is starting) and is rerun right after."""


class SharedRun:
    """One streaming run, advanced one chunk at a time by the background trainer while anyone watches it.

    The stream (a generator) is only ever advanced by one thread at a time, holding the compute gate;
    sessions wait for the chunks it produces. Results are never mutated after they are published (each
    chunk yields a fresh result object), so every session may draw them."""

    def __init__(self, chunks: Iterator):
        self._chunks = chunks
        self._cond = threading.Condition()
        self._working = False  # a trainer thread is advancing this run
        self.version = 0  # chunks produced so far
        self.latest: tuple[float, Any] | None = None  # (fraction done, result) of the newest chunk
        self.finished = False
        self.error: BaseException | None = None
        self.seen_at = time.monotonic()  # when a session last looked at it

    @property
    def failed(self) -> bool:
        return self.error is not None

    def watch(self) -> None:
        self.seen_at = time.monotonic()

    def idle(self) -> bool:
        return time.monotonic() - self.seen_at > IDLE_S

    def step(self) -> bool:
        """Compute the next chunk (in the caller's thread, holding the compute gate); False once the run has
        ended (finished or failed)."""
        try:
            with device.compute(), boot.timed("chunk"):  # a "chunk ms" line in $DLP_TIMING_LOG, when set
                item = next(self._chunks)
        except StopIteration:
            with self._cond:
                self.finished = True
                self._cond.notify_all()
            return False
        except BaseException as err:  # shown by every session drawing the run, not swallowed
            with self._cond:
                self.error = err
                self._cond.notify_all()
            return False
        with self._cond:
            self.latest, self.version = item, self.version + 1
            self._cond.notify_all()
        return True

    def claim(self) -> bool:
        """Whether the caller may start advancing this run (nobody else is, and it has not ended)."""
        with self._cond:
            if self._working or self.finished or self.failed:
                return False
            self._working = True
            return True

    def release(self) -> None:
        with self._cond:
            self._working = False
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float = POLL_S) -> tuple[int, tuple[float, Any] | None, bool]:
        """For a session that has drawn `seen` chunks: (version, latest, finished) once there is something
        new, or after `timeout` seconds. Raises the run's error if it failed."""
        self.watch()
        with self._cond:
            if self.version <= seen and not self.finished and not self.failed:
                self._cond.wait(timeout)
            if self.error is not None:
                raise self.error
            return self.version, self.latest, self.finished


class Trainer:
    """The background threads that advance runs, one chunk at a time, while someone watches them.

    More threads than compute slots: a thread waiting for the gate costs nothing, and every watched run keeps
    its place in the queue for the cores (the gate, not this pool, bounds how much computes at once)."""

    def __init__(self, threads: int = 32):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dlp-train")

    def ensure(self, run: SharedRun) -> None:
        """Make sure some thread advances `run` (a no-op while one does)."""
        if run.claim():
            self._pool.submit(self._work, run)

    @staticmethod
    def _work(run: SharedRun) -> None:
        try:
            while not run.idle() and run.step():
                pass
        finally:
            run.release()


class RunsInProgress:
    """The runs in progress, by key, shared by all sessions; the least recently used paused ones are
    dropped beyond `max_entries` (a run someone is drawing keeps its own reference until it ends)."""

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


@st.cache_resource
def trainer() -> Trainer:
    return Trainer()


def _key(view, experiment: Experiment) -> tuple:
    return view.concept.key, experiment.key, freeze(view.values_for(experiment))


def finished(view, experiment: Experiment) -> Any:
    """The stored finished run for the view's current values, or None (a page shows a train button then)."""
    return finished_runs().get(_key(view, experiment))


# Tests that check only a page's controls and link (tests/test_pages.py) set this: a section draws its first chunk
# and stops watching (the run pauses once nobody watches), so opening a 25-CPU-second preset costs one chunk.
FIRST_CHUNK_ONLY = False


def run_live(view, experiment: Experiment, render: Callable[[Any, bool], None]) -> Any:
    """Train `experiment` for the view's current values in the background and draw every chunk. Returns the
    finished result; when a newer rerun of this section supersedes it, or another section's rerun is
    waiting (this section then resumes right after it), the partial result so far."""
    values = view.values_for(experiment)
    key = _key(view, experiment)
    done_runs = finished_runs()
    done = done_runs.get(key)
    if done is not None:
        render(done, True)
        return done
    bar = st.progress(0.0, text=view.t("live.starting"))
    runs = runs_in_progress()
    run = runs.attach(key, lambda: experiment.stream(values))
    seen, latest, start = 0, None, time.perf_counter()
    while True:
        trainer().ensure(run)
        try:
            version, latest, ended = run.wait(seen)
        except BaseException:
            runs.detach(key, run)
            raise
        if ended:
            break
        if version > seen:
            seen = version
            fraction, result = latest
            elapsed = time.perf_counter() - start
            bar.progress(min(1.0, fraction), text=view.t("live.progress", pct=f"{fraction:.0%}", s=f"{elapsed:.1f}"))
            render(result, False)
            if FIRST_CHUNK_ONLY:
                runs.detach(key, run)
                return result
        if (latest is not None or in_section()) and (superseded() or step_aside()):  # the queued rerun draws on
            if latest is None:  # nothing to hand back yet: the section ends here (PageView.section catches it)
                raise StepAside
            return latest[1]
    runs.detach(key, run)
    bar.empty()
    result = latest[1] if latest is not None else None
    if result is not None:
        done_runs.put(key, result)
    render(result, True)
    return result
