"""Streaming experiments: drained runs equal the last chunk; the finished-run store is a bounded LRU."""

from core.experiment import drain, streaming
from core.params import Int, ParamSet
from core.ui.live import ResultStore


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
