"""Streaming experiments: drained runs equal the last chunk; the finished-run store is a bounded LRU;
runs in progress are shared between sessions, each chunk computed once."""

import threading

import pytest

from core.experiment import drain, finished_run, streaming
from core.params import Int, ParamSet
from core.ui.live import ResultStore, RunsInProgress


def count_to(values):
    total = 0
    for i in range(values["n"]):
        total += i
        yield (i + 1) / values["n"], total


def test_a_streaming_experiment_runs_to_its_last_chunk():
    exp = streaming("count", ParamSet((Int("n", 5, lo=1, hi=10),)), count_to, summary=lambda r: {"total": r})
    assert exp.heavy and exp.run({"n": 5}) == 10 == drain(count_to({"n": 5}))
    assert [f for f, _ in exp.stream({"n": 4})] == [0.25, 0.5, 0.75, 1.0]


def test_result_store_keeps_the_most_recently_used():
    store = ResultStore(max_entries=2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # a is now the most recent
    store.put("c", 3)
    assert store.get("b") is None and store.get("a") == 1 and store.get("c") == 3


def counting_stream(n, calls):
    """A stream that records every chunk it computes (to check that each is computed once)."""
    total = 0
    for i in range(n):
        calls.append(i)
        total += i
        yield (i + 1) / n, total


def watch(run, seen=0, leave_after=None):
    """One session's loop in run_live: draw every new chunk until the run finishes (or leave)."""
    drawn = []
    while True:
        version, latest, finished = run.advance(seen, wait=0.01)
        if finished:
            return drawn, True
        if version > seen:
            seen = version
            drawn.append(latest[1])
            if leave_after is not None and len(drawn) >= leave_after:
                return drawn, False


def test_a_run_left_by_one_session_is_carried_on_by_the_next_from_where_it_stopped():
    runs, calls = RunsInProgress(), []
    first = runs.attach("k", lambda: counting_stream(5, calls))
    drawn_a, finished_a = watch(first, leave_after=2)  # a slider moved: session A leaves
    assert (drawn_a, finished_a, calls) == ([0, 1], False, [0, 1])
    second = runs.attach("k", lambda: counting_stream(5, []))  # session B opens the same link
    assert second is first
    drawn_b, finished_b = watch(second, seen=0)
    assert finished_b and drawn_b == [1, 3, 6, 10]  # the newest chunk at once, then the rest
    assert calls == [0, 1, 2, 3, 4]  # no chunk computed twice
    runs.detach("k", second)
    assert runs.attach("k", lambda: counting_stream(5, [])) is not first  # a finished run is not reused


def test_many_sessions_on_one_run_compute_every_chunk_once_and_all_see_the_end():
    runs, calls, results = RunsInProgress(), [], []

    def session():
        run = runs.attach("class-demo", lambda: counting_stream(20, calls))
        drawn, finished = watch(run)
        results.append((finished, run.latest[1]))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert calls == list(range(20))
    assert results == [(True, sum(range(20)))] * 8


def test_a_failed_run_is_not_attached_to_again():
    def broken():
        yield 0.5, 1
        raise RuntimeError("boom")

    runs = RunsInProgress()
    run = runs.attach("k", broken)
    assert run.advance(0)[0] == 1
    with pytest.raises(RuntimeError):
        run.advance(1)
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
    assert calls == [0, 1, 2]
    assert run({"n": 4, "probe": 1}) == 6 and len(calls) == 7
