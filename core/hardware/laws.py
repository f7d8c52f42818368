"""The arithmetic of performance: work counts, the roofline, Amdahl's law, a latency + throughput fit.

Work and traffic (the compulsory minimum: every operand read once, every result written once):
    matmul (m×k)·(k×n)       FLOPs = 2·m·k·n                 bytes = (m·k + k·n + m·n)·s        s: bytes per element
    element-wise on N items  FLOPs = φ·N                     bytes = (reads + writes)·N·s       φ: FLOPs per item
    arithmetic intensity     I = FLOPs / bytes               (square matmul: I = 2n³ / (3n²·s) = n / (6 for float32))
Roofline (Williams, Waterman & Patterson, "Roofline", CACM 2009):
    attainable FLOP/s = min(P, I·B)      P: peak compute, B: memory bandwidth; ridge point I* = P / B
Amdahl's law (Amdahl 1967), parallel fraction f of the work, p workers:
    S(p) = 1 / ((1 − f) + f/p)    ⇔    1 − 1/S = f·(1 − 1/p)      (a line through 0: least squares in f)
    Karp–Flatt serial fraction (Karp & Flatt, CACM 1990): e(p) = (1/S − 1/p) / (1 − 1/p)
Latency + throughput (a kernel costs a fixed t₀ plus its work at rate R):
    t(W) = t₀ + W/R      achieved W/t → R as W grows; the work where both halves are equal is W* = t₀·R
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# element-wise kernels: FLOPs per item, arrays read, arrays written (STREAM's counting: no write-allocate)
ELEMENTWISE: dict[str, tuple[int, int, int]] = {
    "copy": (0, 1, 1),  # y = x
    "scale": (1, 1, 1),  # y = a·x
    "add": (1, 2, 1),  # z = x + y
    "triad": (2, 2, 1),  # z = a·x + y
}


def matmul_flops(m: int, k: int, n: int) -> int:
    """(m×k)·(k×n): m·n dot products of length k, one multiply and one add each."""
    return 2 * m * k * n


def matmul_bytes(m: int, k: int, n: int, itemsize: int) -> int:
    """Both operands read once and the result written once."""
    return (m * k + k * n + m * n) * itemsize


def elementwise_flops(op: str, items: int) -> int:
    return ELEMENTWISE[op][0] * items


def elementwise_bytes(op: str, items: int, itemsize: int) -> int:
    _, reads, writes = ELEMENTWISE[op]
    return (reads + writes) * items * itemsize


def intensity(flops: float, nbytes: float) -> float:
    """FLOPs per byte moved."""
    return flops / nbytes if nbytes > 0 else math.inf


def roofline(ai: np.ndarray | float, peak: float, bandwidth: float) -> np.ndarray:
    """Attainable FLOP/s at arithmetic intensity `ai` (same units in, same units out)."""
    return np.minimum(peak, np.asarray(ai, dtype=np.float64) * bandwidth)


def ridge(peak: float, bandwidth: float) -> float:
    """The intensity where the bandwidth slope meets the compute roof."""
    return peak / bandwidth


def amdahl(p: np.ndarray | float, f: float) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return 1.0 / ((1.0 - f) + f / p)


def fit_amdahl(threads: Sequence[float], speedups: Sequence[float]) -> float:
    """The parallel fraction f ∈ [0, 1] that fits S(p) best, by least squares on 1 − 1/S = f·(1 − 1/p)."""
    p, s = np.asarray(threads, dtype=np.float64), np.asarray(speedups, dtype=np.float64)
    keep = (p > 1) & np.isfinite(s) & (s > 0)
    x, y = 1.0 - 1.0 / p[keep], 1.0 - 1.0 / s[keep]
    if not len(x):
        return math.nan
    return float(np.clip((x @ y) / (x @ x), 0.0, 1.0))


def karp_flatt(p: float, speedup: float) -> float:
    """The serial fraction the measured speed-up implies (constant when Amdahl's model holds)."""
    if p <= 1:
        return math.nan
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)


def fit_latency(work: Sequence[float], seconds: Sequence[float]) -> tuple[float, float]:
    """(t₀ seconds, R work per second) of t = t₀ + W/R, least squares on the relative error (every size counts
    alike, from microseconds to seconds), both kept ≥ 0; R = inf when no size shows a cost growing with W."""
    w, t = np.asarray(work, dtype=np.float64), np.asarray(seconds, dtype=np.float64)
    keep = np.isfinite(t) & (t > 0)
    w, t = w[keep], t[keep]
    if len(w) == 0:
        return math.nan, math.nan
    a = np.stack([1.0 / t, w / t], axis=1)  # (t0 + c·W) / t ≈ 1
    if len(w) >= 2:
        (t0, c), *_ = np.linalg.lstsq(a, np.ones_like(t), rcond=None)
    else:
        t0, c = -1.0, 0.0
    if t0 < 0 or len(w) < 2:  # no fixed cost visible: all throughput
        t0, c = 0.0, float((w / t) @ np.ones_like(t) / ((w / t) @ (w / t)))
    if c <= 0:  # no growth with the work visible: all latency
        t0, c = float(np.sum(1.0 / t) / np.sum(1.0 / t**2)), 0.0
    return float(t0), (1.0 / c if c > 0 else math.inf)


def latency_rate(work: np.ndarray | float, t0: float, rate: float) -> np.ndarray:
    """Achieved work per second of the fitted model at work W: W / (t₀ + W/R)."""
    w = np.asarray(work, dtype=np.float64)
    return w / (t0 + w / rate)


def crossing(x: Sequence[float], a: Sequence[float], b: Sequence[float]) -> float | None:
    """The x from which curve b stays above curve a (interpolated on log scales between the last point where it
    was not and the next); x[0] when b is above everywhere, None when b ends at or below a."""
    x, a, b = (np.asarray(v, dtype=np.float64) for v in (x, a, b))
    ok = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    x, a, b = x[ok], a[ok], b[ok]
    if not len(x):
        return None
    d = np.log(b) - np.log(a)
    below = np.flatnonzero(d <= 0)
    if not len(below):
        return float(x[0])
    i = below[-1]
    if i == len(x) - 1:
        return None
    u = d[i] / (d[i] - d[i + 1])  # where the log-ratio crosses zero
    return float(np.exp(np.log(x[i]) + u * (np.log(x[i + 1]) - np.log(x[i]))))
