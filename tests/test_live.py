"""Streaming experiments: drained runs equal the last chunk (the finished-run store: tests/test_store.py);
runs in progress are trained in the background, shared between sessions, each chunk computed once."""

import threading
import time

import pytest

from core.experiment import drain, finished_run, streaming
from core.params import Int, ParamSet
from core.ui import live
from core.ui.live import RunsInProgress, Trainer


def count_to(values):
    total = 0
    for i in range(values["n"]):
        total += i
        yield (i + 1) / values["n"], total


def test_a_streaming_experiment_runs_to_its_last_chunk():
    exp = streaming("count", ParamSet((Int("n", 5, lo=1, hi=10),)), count_to, summary=lambda r: {"total": r})
    assert exp.heavy and exp.run({"n": 5}) == 10 == drain(count_to({"n": 5}))
    assert [f for f, _ in exp.stream({"n": 4})] == [0.25, 0.5, 0.75, 1.0]


def counting_stream(n, calls, tokens=None):
    """A stream that records every chunk it computes (to check that each is computed once); with `tokens`
    (a Semaphore), each chunk takes one, so a test decides how far the training may go."""
    total = 0
    for i in range(n):
        if tokens is not None:
            assert tokens.acquire(timeout=5)
        calls.append((threading.current_thread().name, i))
        total += i
        yield (i + 1) / n, total


def watch(run, trainer, seen=0, leave_at=None):
    """One session's loop in run_live: keep the run trained, draw every new chunk until it ends (or leave once
    `leave_at` chunks exist)."""
    drawn = []
    while True:
        trainer.ensure(run)
        version, latest, finished = run.wait(seen, timeout=0.05)
        if finished:  # run_live draws the final result once the run has ended
            return drawn + [latest[1]], True
        if version > seen:
            seen = version
            drawn.append(latest[1])
            if leave_at is not None and seen >= leave_at:
                return drawn, False


def test_chunks_are_computed_by_the_background_trainer_not_the_session():
    runs, calls, trainer = RunsInProgress(), [], Trainer(threads=2)
    run = runs.attach("k", lambda: counting_stream(4, calls))
    drawn, finished = watch(run, trainer)
    assert finished and run.latest[1] == 6
    assert {name for name, _ in calls} and all(name.startswith("dlp-train") for name, _ in calls)
    assert [i for _, i in calls] == [0, 1, 2, 3]


def test_a_run_nobody_watches_pauses_and_resumes_where_it_stopped(monkeypatch):
    monkeypatch.setattr(live, "IDLE_S", 0.1)
    runs, calls, trainer, tokens = RunsInProgress(), [], Trainer(threads=2), threading.Semaphore(2)
    first = runs.attach("k", lambda: counting_stream(6, calls, tokens))
    drawn_a, finished_a = watch(first, trainer, leave_at=2)  # session A leaves after two chunks
    assert not finished_a and drawn_a[-1] == 1
    time.sleep(0.3)  # nobody watches: after IDLE_S the trainer stops (once its waiting chunk gets a token)
    tokens.release()
    time.sleep(0.3)
    paused_at = len(calls)
    for _ in range(4):
        tokens.release()
    time.sleep(0.3)
    assert len(calls) == paused_at == 3  # paused: the tokens lie unused
    second = runs.attach("k", lambda: counting_stream(6, []))  # session B opens the same link
    assert second is first
    drawn_b, finished_b = watch(second, trainer, seen=0)
    assert finished_b and drawn_b[-1] == 15
    assert [i for _, i in calls] == [0, 1, 2, 3, 4, 5]  # no chunk computed twice
    runs.detach("k", second)
    assert runs.attach("k", lambda: counting_stream(5, [])) is not first  # a finished run is not reused


def test_many_sessions_on_one_run_compute_every_chunk_once_and_all_see_the_end():
    runs, calls, results, trainer = RunsInProgress(), [], [], Trainer(threads=4)

    def session():
        run = runs.attach("class-demo", lambda: counting_stream(20, calls))
        drawn, finished = watch(run, trainer)
        results.append((finished, run.latest[1]))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert [i for _, i in calls] == list(range(20))
    assert results == [(True, sum(range(20)))] * 8


def test_a_failed_run_shows_its_error_and_is_not_attached_to_again():
    def broken():
        yield 0.5, 1
        raise RuntimeError("boom")

    runs, trainer = RunsInProgress(), Trainer(threads=1)
    run = runs.attach("k", broken)
    with pytest.raises(RuntimeError, match="boom"):
        watch(run, trainer)
    assert run.failed and runs.attach("k", lambda: counting_stream(2, [])) is not run


def test_paused_runs_beyond_the_limit_are_dropped_oldest_first():
    runs = RunsInProgress(max_entries=2)
    a = runs.attach("a", lambda: counting_stream(3, []))
    runs.attach("b", lambda: counting_stream(3, []))
    runs.attach("c", lambda: counting_stream(3, []))
    assert runs.attach("a", lambda: counting_stream(3, [])) is not a


def test_a_finished_run_is_trained_once_for_the_values_it_depends_on():
    calls = []
    run = finished_run(lambda v: counting_stream(v["n"], calls), ("n",))
    assert run({"n": 3, "probe": 1}) == 3 == run({"n": 3, "probe": 2})  # a probe value does not retrain
    assert len(calls) == 3
    assert run({"n": 4, "probe": 1}) == 6 and len(calls) == 7
