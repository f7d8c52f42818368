"""Section 1, matrix multiply: achieved GFLOP/s against matrix size, per dtype, on the CPU with one thread and
with every core, and on the GPU when the app computes on one.

    C = A·B with A, B, C all n×n:   FLOPs = 2n³ (core.hardware.laws.matmul_flops);   GFLOP/s = 2n³ / t / 10⁹
    t(n) ≈ t₀ + 2n³/R   (laws.fit_latency): a fixed cost t₀ (call, dispatch, thread wake-up or kernel launch)
    plus the work at the rate R. Small n: t₀ dominates (latency-bound); large n: R does (compute-bound).

Curves: "cpu1" (one thread, as the app computes), "cpun" (every core), "gpu". The section's CPU-second budget
is shared by the CPU curves (the GPU curves get as many GPU-seconds); a size that would not fit is skipped and
reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.hardware import laws, specs
from core.hardware.timing import Budget, Series, cores, gated, measure, section_cost, sweep

SIZES = ("8", "16", "32", "64", "128", "256", "512", "1024", "2048", "4096")
WHERE = ("cpu1", "cpun", "gpu")
PROBE_N = 128  # a first matmul of this size sets the rate that predicts the cost of the larger ones


@dataclass(frozen=True)
class Curve:
    where: str  # cpu1 | cpun | gpu
    dtype: str
    threads: int  # CPU threads (the GPU: 0)
    series: Series  # x = n
    peak: float | None  # FLOP/s of this curve's hardware in this dtype (estimate or datasheet), None: unknown
    t0: float  # fitted fixed cost, seconds
    rate: float  # fitted rate, FLOP/s

    @property
    def flops(self) -> np.ndarray:
        return 2.0 * self.series.x**3

    @property
    def gflops(self) -> np.ndarray:
        """(S, 3) GFLOP/s at the median time, at q1 (faster) and at q3 (slower)."""
        return self.series.rate(self.flops) / 1e9

    def knee(self) -> float | None:
        """The size where the fixed cost equals the work's cost, 2n³/R = t₀ (half the rate R is reached)."""
        if not (self.t0 > 0 and math.isfinite(self.rate)):
            return None
        return (self.t0 * self.rate / 2.0) ** (1.0 / 3.0)


@dataclass(frozen=True)
class MatmulResult:
    curves: tuple[Curve, ...]
    crossings: dict[str, float | None]  # "cpun/cpu1/float32": the n where the first overtakes the second
    cores: int
    gpu: str | None  # its name, when measured


def operands(n: int, dtype: torch.dtype, dev: torch.device):
    """C = A·B on two random n×n matrices, into a preallocated C (no allocation inside the timed call)."""
    g = torch.Generator(device=dev).manual_seed(n)
    a = torch.rand(n, n, generator=g, device=dev).to(dtype)  # (n, n)
    b = torch.rand(n, n, generator=g, device=dev).to(dtype)  # (n, n)
    out = torch.empty(n, n, dtype=dtype, device=dev)
    return lambda: torch.mm(a, b, out=out)


def probe_rate(dtype: torch.dtype, dev: torch.device, threads: int, budget: Budget) -> float | str:
    """FLOP/s of one PROBE_N matmul (it predicts what the larger sizes cost), or why it could not run."""
    try:
        with budget.charge(dev, threads), gated(dev, threads) as ok:
            if not ok:
                return "busy"
            t = measure(operands(PROBE_N, dtype, dev), dev, 0.0, min_repeats=1)
    except (RuntimeError, NotImplementedError, TypeError):
        return "unsupported"
    return laws.matmul_flops(PROBE_N, PROBE_N, PROBE_N) / t.median


def _curve(where: str, dtype: str, sizes: list[int], dev: torch.device, threads: int, budget: Budget) -> Curve:
    dt = getattr(torch, dtype)
    rate = probe_rate(dt, dev, threads, budget)
    if isinstance(rate, str):  # the probe could not run: no size can
        series = Series.of(sizes, [rate] * len(sizes))
    else:
        flops = lambda n: laws.matmul_flops(n, n, n)
        series = sweep(sizes, lambda n: operands(int(n), dt, dev), flops, dev, threads, budget, rate)
    ok = series.ok
    t0, r = laws.fit_latency(2.0 * series.x[ok] ** 3, series.t[ok, 0]) if ok.sum() >= 2 else (math.nan, math.nan)
    peak = specs.gpu(dev).peaks[dtype] if where == "gpu" else specs.cpu().peak(dtype, threads)
    return Curve(where, dtype, 0 if where == "gpu" else threads, series, peak, t0, r)


def run(values: dict, dev: torch.device, budget_s: float) -> MatmulResult:
    sizes = sorted(int(s) for s in values["sizes"])
    n_cores = cores()
    plan: list[tuple[str, str, torch.device, int]] = []
    for dtype in values["dtypes"]:
        if "one" in values["mm_cpu"]:
            plan.append(("cpu1", dtype, torch.device("cpu"), 1))
        if "all" in values["mm_cpu"] and n_cores > 1:
            plan.append(("cpun", dtype, torch.device("cpu"), n_cores))
        if dev.type == "cuda":
            plan.append(("gpu", dtype, dev, 1))
    totals = {"cpu": Budget(budget_s), "cuda": Budget(budget_s)}  # the GPU's seconds are not CPU-seconds
    curves = []
    for i, (where, dtype, d, threads) in enumerate(plan):
        total, left = totals[d.type], sum(1 for p in plan[i:] if p[2].type == d.type)
        part = Budget(total.left / left)  # an equal share of what is left: no curve starves the next
        curves.append(_curve(where, dtype, sizes, d, threads, part))
        total.spend(part.total - part.left)
    return MatmulResult(tuple(curves), crossings(curves), n_cores, specs.gpu(dev).name if dev.type == "cuda" else None)


def crossings(curves: list[Curve]) -> dict[str, float | None]:
    """Where the faster-at-scale hardware overtakes the other, per dtype: every core over one thread, and the GPU
    over the better CPU curve."""
    out: dict[str, float | None] = {}
    by = {(c.where, c.dtype): c for c in curves}
    for dtype in dict.fromkeys(c.dtype for c in curves):
        pairs = [("cpun", "cpu1")]
        cpu = "cpun" if ("cpun", dtype) in by else "cpu1"
        pairs.append(("gpu", cpu))
        for fast, slow in pairs:
            if (fast, dtype) in by and (slow, dtype) in by:
                a, b = by[(slow, dtype)], by[(fast, dtype)]
                out[f"{fast}/{slow}/{dtype}"] = laws.crossing(a.series.x, a.gflops[:, 0], b.gflops[:, 0])
    return out


def summary(r: MatmulResult) -> dict:
    curves = {}
    for c in r.curves:
        g = c.gflops
        ok = c.series.ok
        at = int(np.flatnonzero(ok)[np.argmax(g[ok, 0])]) if ok.any() else None
        best = float(g[at, 0]) if at is not None else math.nan
        curves[f"{c.where}/{c.dtype}"] = {
            "threads": c.threads,
            "sizes": c.series.x.astype(int),
            "gflops": g[:, 0],
            "gflops_iqr": g[:, 1:],
            "status": list(c.series.status),
            "repeats": c.series.repeats,
            "best_gflops": best,
            "best_n": int(c.series.x[at]) if at is not None else None,
            "peak_gflops": c.peak / 1e9 if c.peak else None,
            "share_of_peak": best * 1e9 / c.peak if c.peak else None,
            "fixed_cost_us": c.t0 * 1e6,
            "fitted_gflops": c.rate / 1e9,
            "knee_n": c.knee(),
        }
    return {"cores": r.cores, "gpu": r.gpu, "curves": curves, "crossings": r.crossings}


cost = section_cost("mm_budget", 0.5)  # outside the budget: random operands and the fits; measured < 0.2 CPU s
