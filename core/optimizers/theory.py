"""Convergence theory on the quadratic f = ½ pᵀ A p with eigenvalues μ = 1/κ and L = 1 (core.optimizers.surfaces).

On a quadratic, SGD without noise, Momentum and Nesterov are linear iterations, so along each
eigenvector (eigenvalue λ, plus the weight decay wd) the error is multiplied by a fixed matrix every
step; the convergence rate ρ (error_{k+1} ≈ ρ · error_k) is the largest spectral radius over λ ∈ {μ, L}.
With torch.optim's updates (buffer b ← β b + g, p ← p − α b, or p ← p − α (g + β b) for Nesterov):

    gradient descent   e ← (1 − αλ) e                     ρ = max |1 − αλ|
    heavy ball         z² − (1 + β − αλ) z + β = 0        ρ = max |z|
    Nesterov           z² − (1 + β − αλ(1 + β)) z + β(1 − αλ) = 0

Optimal constants (Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017):

    gradient descent   α* = 2 / (L + μ)                   ρ* = (κ − 1) / (κ + 1)
    heavy ball         α* = 4 / (√L + √μ)²,  β* = ((√κ − 1) / (√κ + 1))²     ρ* = (√κ − 1) / (√κ + 1)

The measured rate is the geometric decay of the distance to the minimum over the second half of the run
(least squares on log distance), where the slowest direction dominates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FORMULAS = {
    "gd": r"\alpha^* = \frac{2}{L + \mu},\qquad \rho^* = \frac{\kappa - 1}{\kappa + 1}",
    "hb": r"\alpha^* = \frac{4}{(\sqrt{L} + \sqrt{\mu})^2},\quad \beta^* = \left(\frac{\sqrt{\kappa} - 1}"
    r"{\sqrt{\kappa} + 1}\right)^2,\qquad \rho^* = \frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}",
    "rate": r"\lVert p_k - p^* \rVert \approx C\,\rho^{\,k}",
}


def eigenvalues(kappa: float) -> tuple[float, float]:
    """(L, μ) of the page's quadratic: the steep and the flat curvature."""
    return 1.0, 1.0 / kappa


def gd_optimal(big_l: float, mu: float) -> tuple[float, float]:
    """(α*, ρ*) for plain gradient descent."""
    return 2.0 / (big_l + mu), (big_l - mu) / (big_l + mu)


def heavy_ball_optimal(big_l: float, mu: float) -> tuple[float, float, float]:
    """(α*, β*, ρ*) for Polyak's heavy ball (= torch's SGD with momentum, dampening 0)."""
    sl, sm = math.sqrt(big_l), math.sqrt(mu)
    rate = (sl - sm) / (sl + sm)
    return 4.0 / (sl + sm) ** 2, rate**2, rate


def _largest_root(trace: float, det: float) -> float:
    """max |z| over the roots of z² − trace·z + det = 0."""
    disc = complex(trace * trace - 4 * det)
    root = disc**0.5
    return max(abs((trace + root) / 2), abs((trace - root) / 2))


def rate_along(kind: str, lr: float, momentum: float, lam: float) -> float:
    """Spectral radius of one step of `kind` along an eigenvector with curvature lam."""
    if kind == "sgd":
        return abs(1 - lr * lam)
    if kind == "momentum":
        return _largest_root(1 + momentum - lr * lam, momentum)
    if kind == "nesterov":
        return _largest_root(1 + momentum - lr * lam * (1 + momentum), momentum * (1 - lr * lam))
    raise ValueError(f"no linear theory for {kind!r}")


def predicted_rate(kind: str, lr: float, momentum: float, kappa: float, wd: float = 0.0) -> float:
    """ρ of `kind` on the quadratic with condition number κ (weight decay adds wd to both curvatures)."""
    return max(rate_along(kind, lr, momentum, lam + wd) for lam in eigenvalues(kappa))


def measured_rate(dist: np.ndarray, floor: float = 1e-12, min_steps: int = 20) -> float | None:
    """Geometric decay per step of a distance curve (T+1,), fitted over the second half of its usable
    part: from the start until it leaves the finite numbers or drops below floor × its start."""
    d = np.asarray(dist, dtype=np.float64)
    ok = np.isfinite(d) & (d > floor * d[0]) & (d > 0)
    usable = int(np.argmin(ok)) if not ok.all() else len(d)
    if usable < min_steps:
        return None
    t = np.arange(usable // 2, usable)
    slope = np.polyfit(t, np.log(d[t]), 1)[0]
    return float(math.exp(slope))


def steps_for(rate: float, reduction: float = 1e-6) -> float:
    """Steps for the error to shrink by `reduction` at a constant rate (inf when it does not shrink)."""
    if not 0 < rate < 1:
        return math.inf
    return math.log(reduction) / math.log(rate)


@dataclass(frozen=True)
class TheoryRow:
    kind: str
    lr: float
    momentum: float | None
    predicted: float | None  # None: no closed form (adaptive optimizers)
    measured: float | None


@dataclass(frozen=True)
class Theory:
    kappa: float
    big_l: float
    mu: float
    gd_lr: float
    gd_rate: float
    hb_lr: float
    hb_beta: float
    hb_rate: float
    rows: tuple[TheoryRow, ...]
    exact: bool  # constant learning rate and no gradient noise: what the predictions assume


def theory(kappa: float, wd: float, exact: bool, rows: list[tuple[str, float, float | None, np.ndarray]]) -> Theory:
    """rows: (kind, lr, momentum or None, distance curve of its main run) per optimizer."""
    big_l, mu = eigenvalues(kappa)
    gd_lr, gd_rate = gd_optimal(big_l, mu)
    hb_lr, hb_beta, hb_rate = heavy_ball_optimal(big_l, mu)
    out = []
    for kind, lr, mom, dist in rows:
        pred = predicted_rate(kind, lr, mom or 0.0, kappa, wd) if kind in ("sgd", "momentum", "nesterov") else None
        out.append(TheoryRow(kind, lr, mom, pred, measured_rate(dist)))
    return Theory(kappa, big_l, mu, gd_lr, gd_rate, hb_lr, hb_beta, hb_rate, tuple(out), exact)
