"""Timing: warm-up excluded, a repeat never below the clock's resolution, budgets honoured, thread counts restored."""

import threading
import time

import pytest
import torch

from core import device
from core.hardware import timing
from core.hardware.timing import Budget, Timing, measure, sweep

CPU = torch.device("cpu")


def test_the_warm_up_is_not_counted():
    calls = []

    def op():
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.2)  # a first call's one-off cost

    t = measure(op, CPU, 0.0)
    assert t.hi < 0.05 and t.repeats >= timing.MIN_REPEATS
    assert len(calls) == 2 + t.repeats * t.inner  # two warm-up calls, then the counted repeats


def test_a_repeat_runs_a_fast_operation_many_times():
    t = measure(lambda: None, CPU, 0.0)
    assert t.inner > 100  # a no-op is timed in batches of calls, each batch ≥ MIN_REPEAT_S
    assert 0 < t.median < 1e-4 and t.q1 <= t.median <= t.q3 and t.lo <= t.q1 and t.q3 <= t.hi


def test_timing_statistics():
    t = Timing.of([4.0, 1.0, 3.0, 2.0, 5.0], inner=1, cost=0.0)
    assert (t.median, t.q1, t.q3, t.lo, t.hi, t.repeats) == (3.0, 2.0, 4.0, 1.0, 5.0, 5)


def test_budget_charges_this_threads_cpu_time_not_a_busy_machines_waiting():
    b = Budget(1.0)
    with b.charge(CPU):
        time.sleep(0.2)  # waiting is not work
    assert b.left > 0.95
    with b.charge(CPU):
        end = time.thread_time() + 0.1
        while time.thread_time() < end:
            pass
    assert 0.8 < b.left < 0.92


def test_sweep_skips_what_the_budget_cannot_pay_and_says_so():
    slow = lambda x: lambda: time.sleep(x)
    b = Budget(0.05)
    s = sweep([0.0001, 0.2, 0.3], slow, lambda x: x, CPU, 1, b, rate=1.0)
    assert s.status == ("ok", "budget", "budget")
    assert s.t[0, 0] > 0 and torch.isnan(torch.tensor(s.t[1:])).all()


def test_a_failing_operation_gives_a_status_and_stops_the_curve():
    def make(x):
        if x > 1:
            raise RuntimeError("\"addmm\" not implemented for 'Half'")
        return lambda: None

    s = sweep([1, 2, 3], make, lambda x: x, CPU, 1, Budget(1.0))
    assert s.status == ("ok", "unsupported", "unsupported")


def test_many_threads_run_alone_and_the_thread_count_is_restored():
    before = torch.get_num_threads()
    seen = []
    started, others = threading.Event(), []

    def other():
        started.wait(5)
        with device.compute():
            others.append(time.monotonic())

    t = threading.Thread(target=other)
    t.start()
    with timing.gated(CPU, 2) as ok:
        assert ok
        seen.append(torch.get_num_threads())
        started.set()
        time.sleep(0.2)
        inside_end = time.monotonic()
    t.join(5)
    assert seen == [2] and torch.get_num_threads() == before
    assert others and others[0] >= inside_end  # no other run computed meanwhile


def test_cores_counts_this_processs_cpu_set():
    assert 1 <= timing.cores() <= (__import__("os").cpu_count() or 1)


@pytest.mark.parametrize("threads", [1, 3])
def test_busy_cores_never_exceed_the_cores(threads):
    assert timing.busy_cores(CPU, threads) == min(threads, timing.cores())
