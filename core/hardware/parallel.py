"""Section 4, parallelism: the same operation on 1…N CPU threads, its speed-up against Amdahl's law.

    S(p) = t(1) / t(p)                            measured (medians; the band from the quartiles of t(p))
    S(p) = 1 / ((1 − f) + f/p)                    Amdahl, f fitted by least squares (laws.fit_amdahl)
    e(p) = (1/S − 1/p) / (1 − 1/p)                Karp–Flatt: the serial fraction each point implies

A big matmul is almost all parallel work (f near 1 until the cores run out); an element-wise add on the same
data is bound by memory bandwidth, which more threads share rather than multiply; a small problem drowns in the
cost of waking threads. Thread counts beyond the cores (`par_over`) oversubscribe them: the fit uses only p ≤ cores.
Every point holds all compute slots (device.exclusive) while torch runs with p threads, then restores the count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.hardware import laws, matmul, memory
from core.hardware.timing import Budget, Series, Timing, cores, point, predicted_cost, section_cost

OPS = ("matmul", "add")


def thread_counts(n_cores: int, over: bool) -> list[int]:
    """1…cores (powers of two and the core count when there are more than 8), then up to 2× cores if `over`."""
    if n_cores <= 8:
        counts = list(range(1, n_cores + 1))
    else:
        counts = sorted({2**k for k in range(int(math.log2(n_cores)) + 1)} | {n_cores})
    if over:
        counts += sorted({n_cores + max(1, n_cores // 2), 2 * n_cores} - set(counts))
    return counts


def work(op: str, n: int) -> tuple[int, int]:
    """(FLOPs, bytes) of one call on n×n float32 data."""
    if op == "matmul":
        return laws.matmul_flops(n, n, n), laws.matmul_bytes(n, n, n, 4)
    return laws.elementwise_flops("add", n * n), laws.elementwise_bytes("add", n * n, 4)


def operation(op: str, n: int):
    """The timed call on n×n float32 data: the matmul of section 1, or the add of section 2."""
    if op == "matmul":
        return matmul.operands(n, torch.float32, torch.device("cpu"))
    return memory.kernel("add", n * n, torch.float32, torch.device("cpu"))


@dataclass(frozen=True)
class ParallelResult:
    op: str
    n: int
    cores: int
    series: Series  # x = threads, t = seconds per call
    f: float  # Amdahl's parallel fraction, fitted on p ≤ cores

    @property
    def speedup(self) -> np.ndarray:
        """(S, 3) speed-up at the median of t(p), at its q1 (the larger speed-up) and at its q3."""
        t1 = self.series.t[0, 0] if self.series.status[0] == "ok" else math.nan
        return t1 / self.series.t

    def karp_flatt(self) -> np.ndarray:
        return np.array([laws.karp_flatt(p, s) for p, s in zip(self.series.x, self.speedup[:, 0])])


def run(values: dict, budget_s: float) -> ParallelResult:
    op, n = values["par_op"], int(values["par_n"])
    n_cores = cores()
    counts = thread_counts(n_cores, values["par_over"])
    budget = Budget(budget_s)
    cpu = torch.device("cpu")
    flops, nbytes = work(op, n)
    t1 = flops / matmul.probe_rate(torch.float32, cpu, 1, budget) if op == "matmul" else nbytes / 1e9
    timings: list[Timing | str] = []
    for i, p in enumerate(counts):
        if "busy" in timings:  # the class comes first: no more waiting for every slot
            timings.append("busy")
            continue
        if isinstance(t1, float) and not budget.allows(predicted_cost(t1 / p), min(p, n_cores)):
            timings.append("budget")  # t(1) (probed, then measured) predicts t(p) ≥ t(1)/p
            continue
        tm = point(lambda: operation(op, n), cpu, p, budget, budget.share(len(counts) - i, p), alone=True)
        timings.append(tm)
        if i == 0 and isinstance(tm, Timing):
            t1 = tm.median
    series = Series.of(counts, timings)
    res = ParallelResult(op, n, n_cores, series, math.nan)
    fit = series.ok & (series.x <= n_cores)
    f = laws.fit_amdahl(series.x[fit], res.speedup[fit, 0]) if fit.sum() >= 2 else math.nan
    return ParallelResult(op, n, n_cores, series, f)


def summary(r: ParallelResult) -> dict:
    flops, nbytes = work(r.op, r.n)
    s = r.speedup
    return {
        "op": r.op,
        "n": r.n,
        "cores": r.cores,
        "flops_per_call": flops,
        "bytes_per_call": nbytes,
        "threads": r.series.x.astype(int),
        "ms_per_call": r.series.t[:, 0] * 1e3,
        "speedup": s[:, 0],
        "speedup_iqr": s[:, 1:],
        "status": list(r.series.status),
        "amdahl_parallel_fraction": r.f,
        "amdahl_limit": 1 / (1 - r.f) if r.f < 1 else math.inf,
        "karp_flatt": r.karp_flatt(),
    }


cost = section_cost("par_budget", 0.5)  # outside the budget: the operands and the fit; measured < 0.1 CPU s
