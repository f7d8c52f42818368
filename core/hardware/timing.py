"""Timing one operation honestly: warm-up excluded, repeats within a budget, the median with its spread.

    t = measure(fn, dev, budget_s)      # Timing: seconds per call (median, quartiles, min, max), repeats

- Warm-up: the first call pays one-off costs (allocation, kernel choice, lazy library start-up) and a second
  call sets how many calls one repeat makes (`inner`): a repeat lasts at least MIN_REPEAT_S, so a 16×16
  matmul (microseconds) is not timed below the clock's resolution. Neither call is counted.
- CPU: time.perf_counter around a repeat. CUDA runs kernels asynchronously — a wall clock around a launch
  times the launch, not the kernel — so a repeat is bracketed by two CUDA events on the stream and read
  after the end event has completed (the GPU's own clock).
- Budget: CPU-seconds a section may spend (one thread: its CPU time; more threads: wall seconds × cores kept
  busy; the GPU: wall seconds).
  A point predicted to cost more than what is left is skipped, and the page says so.
- Threads: the app runs torch with one thread per session (core/device.py). `cpu_threads(n)` sets n and
  restores the old count; call it only inside `device.exclusive()`, which holds every compute slot, so no
  other session's work runs with the borrowed count.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from core import device

MIN_REPEAT_S = 1e-3  # one repeat lasts at least this long
MAX_INNER = 100_000
MIN_REPEATS, MAX_REPEATS = 3, 25
SHARE_MAX_S = 0.25  # repeats beyond the minimum: at most this long per point
BUSY_WAIT_S = 5.0  # how long a many-thread point waits for every compute slot before it gives up ("busy")


def cores() -> int:
    """CPU cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Timing:
    """Seconds per call over the counted repeats."""

    median: float
    q1: float
    q3: float
    lo: float
    hi: float
    repeats: int
    inner: int  # calls per repeat
    cost: float  # wall seconds spent, warm-up included

    @staticmethod
    def of(per_call: list[float], inner: int, cost: float) -> Timing:
        a = np.asarray(per_call, dtype=np.float64)
        q1, med, q3 = np.percentile(a, (25, 50, 75))
        return Timing(float(med), float(q1), float(q3), float(a.min()), float(a.max()), len(a), inner, cost)


def synchronize(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _repeat(fn: Callable[[], object], inner: int, dev: torch.device) -> float:
    """Wall seconds (CPU) or GPU seconds (CUDA events) of `inner` calls."""
    if dev.type == "cuda":
        with torch.cuda.device(dev):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(inner):
                fn()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / 1e3  # ms -> s
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return time.perf_counter() - start


def measure(
    fn: Callable[[], object],
    dev: torch.device,
    budget: float,
    min_repeats: int = MIN_REPEATS,
    max_repeats: int = MAX_REPEATS,
) -> Timing:
    """Time `fn` on `dev`: two uncounted warm-up calls, then repeats until `budget` wall seconds are spent
    (at least `min_repeats`, at most `max_repeats`)."""
    begin = time.perf_counter()
    fn()
    synchronize(dev)
    once = _repeat(fn, 1, dev)
    inner = int(min(MAX_INNER, max(1, math.ceil(MIN_REPEAT_S / max(once, 1e-9)))))
    per_call: list[float] = []
    while len(per_call) < max_repeats and (len(per_call) < min_repeats or time.perf_counter() - begin < budget):
        per_call.append(_repeat(fn, inner, dev) / inner)
    return Timing.of(per_call, inner, time.perf_counter() - begin)


def in_turns(fns: dict[str, Callable[[], object]], rounds: int = 7) -> dict[str, Timing]:
    """Several operations timed in turns (A, B, C, A, B, C, …) by this thread's CPU clock: a comparison of the
    work each does on one CPU thread, which neither a drifting load nor being descheduled on a busy machine can
    tilt. Two warm-up calls each, not counted; then `rounds` repeats each, of `inner` calls ≥ MIN_REPEAT_S."""
    clock, begin, inner = time.thread_time, time.perf_counter(), {}
    for name, fn in fns.items():
        fn()
        start = clock()
        fn()
        inner[name] = int(min(MAX_INNER, max(1, math.ceil(MIN_REPEAT_S / max(clock() - start, 1e-9)))))
    per_call: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = clock()
            for _ in range(inner[name]):
                fn()
            per_call[name].append((clock() - start) / inner[name])
    cost = time.perf_counter() - begin
    return {name: Timing.of(per_call[name], inner[name], cost) for name in fns}


def predicted_cost(seconds_per_call: float, min_repeats: int = MIN_REPEATS) -> float:
    """Wall seconds `measure` needs at least for an operation of this duration."""
    return 2 * seconds_per_call + min_repeats * max(seconds_per_call, MIN_REPEAT_S)


class Budget:
    """CPU-seconds left to a section's measurements."""

    def __init__(self, seconds: float):
        self.total = self.left = float(seconds)

    def allows(self, wall_s: float, threads: int = 1) -> bool:
        return wall_s * threads <= self.left

    def spend(self, cpu_s: float) -> None:
        self.left -= cpu_s

    @contextmanager
    def charge(self, dev: torch.device, threads: int = 1):
        """Charge the block's cost: this thread's CPU time when it computes alone on the CPU (a busy machine's
        waiting is not work), else wall seconds × the cores kept busy (OpenMP workers are other threads)."""
        wall, cpu = time.perf_counter(), time.thread_time()
        n = busy_cores(dev, threads)
        try:
            yield
        finally:
            alone = dev.type == "cpu" and n == 1
            self.spend(time.thread_time() - cpu if alone else (time.perf_counter() - wall) * n)

    def share(self, points_left: int, threads: int = 1) -> float:
        """Wall seconds one of the remaining points may spend on repeats beyond the minimum: half of an equal
        share, so that the larger points (which cost more) still fit, and never more than SHARE_MAX_S."""
        return min(SHARE_MAX_S, max(0.0, self.left / max(1, points_left) / threads / 2))


def section_cost(budget: str, fixed_s: float) -> Callable[[dict], float]:
    """A section's cost model (Experiment.cost, core.budget): estimated CPU seconds of one run on one torch thread.
    Every timed point is charged to the section's budget (`values[budget]` CPU-seconds, see Budget.charge) and a
    point that would not fit is skipped, so a run costs at most its budget plus `fixed_s`, what it does outside
    the timed points. Calibrated once on the 2-core box: bench/hardware_cost.py prints each section's CPU time
    (0.1–1.2 s at budgets of 1–5 CPU-s on a busy machine; a quiet one comes closer to the budget) and
    bench/link_budget.py runs every section at its top budget in a fresh process. On a GPU server the GPU curves
    get as many GPU-seconds besides (Budget per device), which this CPU model does not count."""
    return lambda values: float(values[budget]) + fixed_s


@contextmanager
def cpu_threads(n: int):
    """torch's intra-op thread count set to n for the block and restored after (inside device.exclusive())."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def gated(dev: torch.device, threads: int = 1, alone: bool = False) -> Iterator[bool]:
    """Run a measurement point where it belongs. One CPU thread (the app's own setting): under one compute slot,
    beside whatever else runs, as the app computes. Every other case holds every slot: more threads (the count set
    and restored), the GPU (one device that every slot's runs share: another run's kernels would be timed too), or
    `alone`. Yields False when the slots could not be had in BUSY_WAIT_S (the point is skipped as "busy")."""
    if dev.type == "cpu" and threads == 1 == torch.get_num_threads() and not alone:
        with device.compute():
            yield True
        return
    with device.exclusive(BUSY_WAIT_S) as ok:
        if not ok:
            yield False
            return
        if dev.type == "cuda":
            yield True
            return
        with cpu_threads(threads):
            yield True


SKIPPED = ("budget", "busy", "memory", "unsupported")  # why a point has no timing


@dataclass(frozen=True)
class Series:
    """Timings of one operation family along x (sizes, batch sizes, thread counts)."""

    x: np.ndarray  # (S,) float64
    t: np.ndarray  # (S, 3) float64 seconds per call: median, q1, q3; NaN where not measured
    status: tuple[str, ...]  # "ok" or one of SKIPPED, per point
    repeats: np.ndarray  # (S,) int64

    @staticmethod
    def of(x: Sequence[float], timings: Sequence[Timing | str]) -> Series:
        t = np.full((len(x), 3), np.nan)
        reps = np.zeros(len(x), dtype=np.int64)
        for i, tm in enumerate(timings):
            if isinstance(tm, Timing):
                t[i], reps[i] = (tm.median, tm.q1, tm.q3), tm.repeats
        status = tuple("ok" if isinstance(tm, Timing) else tm for tm in timings)
        return Series(np.asarray(x, dtype=np.float64), t, status, reps)

    @property
    def ok(self) -> np.ndarray:
        return np.array([s == "ok" for s in self.status], dtype=bool)

    def rate(self, work: np.ndarray) -> np.ndarray:
        """(S, 3) work per second at the median time, at q1 (the faster quartile) and at q3 (the slower)."""
        return np.asarray(work, dtype=np.float64)[:, None] / self.t


def busy_cores(dev: torch.device, threads: int) -> int:
    """Cores a measurement keeps busy: its threads, at most the cores there are (the GPU: one driving thread)."""
    return 1 if dev.type == "cuda" else min(threads, cores())


def point(
    make: Callable[[], Callable[[], object]],
    dev: torch.device,
    threads: int,
    budget: Budget,
    share_s: float,
    alone: bool = False,
) -> Timing | str:
    """One measured point: build the operation (its operands allocated here), time it, charge the budget.
    A device without the dtype or without the memory gives a status instead of a timing."""
    try:
        with budget.charge(dev, threads), gated(dev, threads, alone) as ok:
            if not ok:
                return "busy"
            return measure(make(), dev, share_s)
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return "memory"
    except (RuntimeError, NotImplementedError, TypeError) as err:  # "not implemented for 'Half'" and kin
        return "memory" if "alloc" in str(err).lower() else "unsupported"


def sweep(
    xs: Sequence[float],
    make: Callable[[float], Callable[[], object]],
    work: Callable[[float], float],
    dev: torch.device,
    threads: int,
    budget: Budget,
    rate: float | None = None,
) -> Series:
    """Measure make(x)() for each x (ascending work). A point whose predicted cost (from the rate the previous
    point reached, or `rate`: work per second) does not fit the budget left is skipped ("budget"); after a point
    that failed ("busy", "memory", "unsupported") the rest get the same status."""
    timings: list[Timing | str] = []
    stop: str | None = None
    n = busy_cores(dev, threads)
    for i, x in enumerate(xs):
        if stop is not None:
            timings.append(stop)
            continue
        if rate and not budget.allows(predicted_cost(work(x) / rate), n):
            timings.append("budget")
            continue
        tm = point(lambda x=x: make(x), dev, threads, budget, budget.share(len(xs) - i, n))
        timings.append(tm)
        if isinstance(tm, Timing):
            rate = work(x) / tm.median
        else:
            stop = tm
    return Series.of(xs, timings)
