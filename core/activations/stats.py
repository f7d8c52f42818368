"""Statistics of an activation under a standard-normal input z ~ N(0, 1), exact to about 1e-12.

    E[f(z)]  = ∫ f(z) φ(z) dz,       E[f′(z)] = ∫ f′(z) φ(z) dz,       φ(z) = e^{−z²/2} / √(2π)
    P(f′(z) < c) = Σ over the intervals where f′ < c of  Φ(b) − Φ(a)     (Φ: the normal CDF, closed form)
    P(|f′| < t) = P(f′ < t) − P(f′ ≤ −t),          P(f′ = 0) = P(f′ ≤ 0) − P(f′ < 0)

The integrals are Gauss–Legendre quadrature on panels no wider than PANEL between the functions' kinks
(declared on each `Activation`: ReLU at 0, HardTanh at ±1, HardSigmoid at ±3), so no jump of f′ falls
inside a panel; on smooth panels the rule is exact to rounding. (A rectangle rule across HardTanh's
jumps put its E[f′] at 0.6829718 instead of erf(1/√2) = 0.6826895.)

An interval's ends are where the predicate (f′ < c, f′ ≤ c) flips between neighbouring nodes of a grid of
step STEP; each is then narrowed ROUNDS times to one SPLIT-th (to ~1e-13) on autograd's f′, wherever it lies:
a smooth crossing or a jump. Splitting |f′| < t into two one-sided predicates finds a narrow interval around
a zero of f′ (GELU, SiLU, Mish) even when no grid node falls inside it: f′ changes sign there. What the grid
can miss is a level that f′ touches twice within one STEP (t within ~1e-6 of an extremum of f′).
Beyond ±Z_MAX the normal mass is 2e-19: an interval that reaches the grid's end runs on to ±∞.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import torch

from core.activation_fns import FUNCTIONS, KNOBS, evaluate

Z_MAX = 9.0  # beyond ±9 the normal mass is 2e-19 (and ∫ |z| φ beyond it 1e-18)
PANEL, NODES = 0.5, 16  # Gauss–Legendre panels: width ≤ 0.5, 16 nodes each (exact for smooth integrands)
STEP = 2e-3  # grid step for locating where a predicate on f′ flips
SPLIT, ROUNDS = 8, 11  # each round cuts every bracket into 8: STEP / 8¹¹ ≈ 2e-13

Predicate = Callable[[torch.Tensor], torch.Tensor]


def _phi(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)


@lru_cache(maxsize=32)
def nodes(kinks: tuple[float, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """Quadrature nodes z (M,) and weights w (M,) with Σ w g(z) ≈ ∫ g(z) φ(z) dz for g smooth between kinks."""
    cuts = sorted({-Z_MAX, Z_MAX, *(k for k in kinks if -Z_MAX < k < Z_MAX)})
    t, wt = np.polynomial.legendre.leggauss(NODES)
    zs, ws = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        edges = np.linspace(a, b, max(1, math.ceil((b - a) / PANEL)) + 1)
        for lo, hi in zip(edges[:-1], edges[1:]):
            half, mid = (hi - lo) / 2, (hi + lo) / 2
            zs.append(mid + half * t)
            ws.append(half * wt)
    z = np.concatenate(zs)
    return torch.from_numpy(z), torch.from_numpy(np.concatenate(ws) * _phi(z))


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ(z) in float64."""
    return torch.special.ndtr(torch.from_numpy(np.asarray(z, np.float64))).numpy()


_NODES = round(2 * Z_MAX / STEP) + 1
_GRID = torch.from_numpy(-Z_MAX + 2 * Z_MAX * (np.arange(_NODES) / (_NODES - 1)))  # (G,), rounded alike on every CPU


def _refine(keys, values, preds, lo: np.ndarray, hi: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Shrink brackets [lo, hi] (P, F, W), whose predicate is `left` at lo and not at hi, onto the flip."""
    n_p, n_fn, width = lo.shape
    frac = np.arange(1, SPLIT) / SPLIT  # the cut points inside each bracket
    for _ in range(ROUNDS):  # every bracket of every predicate and function in one autograd call per round
        pts = lo[..., None] + (hi - lo)[..., None] * frac  # (P, F, W, S − 1)
        x = torch.from_numpy(np.ascontiguousarray(pts.transpose(1, 0, 2, 3).reshape(n_fn, -1)))
        dy = evaluate(keys, x, values)[1].view(n_fn, n_p, width, SPLIT - 1).transpose(0, 1)
        flipped = torch.stack([p(dy[i]) for i, p in enumerate(preds)]).numpy() != left[..., None]
        j = np.where(flipped.any(-1), flipped.argmax(-1), SPLIT - 1)  # first cut past the flip (S − 1: none)
        ends = np.concatenate([lo[..., None], pts, hi[..., None]], -1)
        lo = np.take_along_axis(ends, j[..., None], -1)[..., 0]
        hi = np.take_along_axis(ends, j[..., None] + 1, -1)[..., 0]
    return (lo + hi) / 2


def probabilities(keys: tuple[str, ...], values: dict, preds: tuple[Predicate, ...]) -> np.ndarray:
    """P(pred(f′(z))) for z ~ N(0, 1), per predicate and function: a (P, F) float64 array."""
    grid_dy = evaluate(keys, _GRID, values)[1]  # (F, G)
    masks = torch.stack([p(grid_dy) for p in preds]).numpy()  # (P, F, G) bool
    grid = _GRID.numpy()
    flips = [[np.flatnonzero(row[1:] != row[:-1]) for row in per] for per in masks]  # node before each flip
    width = max(1, max(len(ix) for per in flips for ix in per))
    lo, hi = np.zeros(masks.shape[:2] + (width,)), np.zeros(masks.shape[:2] + (width,))  # padded: empty brackets
    left = np.zeros(lo.shape, bool)
    for i, per in enumerate(flips):
        for f, ix in enumerate(per):
            lo[i, f, : len(ix)], hi[i, f, : len(ix)], left[i, f, : len(ix)] = grid[ix], grid[ix + 1], masks[i, f, ix]
    at = _refine(keys, values, preds, lo, hi, left)
    out = np.zeros(masks.shape[:2])
    for i, per in enumerate(flips):
        for f, ix in enumerate(per):
            cdf = np.concatenate([[0.0], normal_cdf(at[i, f, : len(ix)]), [1.0]])  # Φ at −∞, each flip, +∞
            out[i, f] = np.diff(cdf)[0 if masks[i, f, 0] else 1 :: 2].sum()  # the predicate holds on every other piece
    return out


def normal_stats(keys: tuple[str, ...], values: dict, thresh: float) -> dict[str, np.ndarray]:
    """Per function: E[f(z)], E[f′(z)], P(|f′(z)| < thresh), P(f′(z) = 0) for z ~ N(0, 1)."""
    knobs = tuple((k, float(values[k])) for k in KNOBS)
    return {k: a.copy() for k, a in _stats(tuple(keys), knobs, float(thresh)).items()}


@lru_cache(maxsize=64)  # the probe and the plotted range do not change these: moving them costs nothing here
def _stats(keys: tuple[str, ...], knobs: tuple[tuple[str, float], ...], thresh: float) -> dict[str, np.ndarray]:
    values = dict(knobs)
    z, w = nodes(tuple(sorted({k for key in keys for k in FUNCTIONS[key].kinks})))
    y, dy = evaluate(keys, z, values)  # (F, M) each
    preds = (lambda d: d < thresh, lambda d: d <= -thresh, lambda d: d <= 0, lambda d: d < 0)
    below, at_or_below_neg, nonpos, neg = probabilities(keys, values, preds)
    return {
        "mean": (y * w).sum(1).numpy(),
        "mean_grad": (dy * w).sum(1).numpy(),
        "saturated_share": below - at_or_below_neg,
        "zero_grad_share": nonpos - neg,
    }
