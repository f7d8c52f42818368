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

Steps to shrink the distance 10⁶× are not log(10⁻⁶) / log ρ: along each eigenvector the position obeys
x_{k+1} = T x_k − D x_{k−1} (T, D from the polynomials above; torch's buffer starts at 0), whose exact
solution is x_k = x_1 U_{k−1} − D x_0 U_{k−2} with U_j = (z₁^{j+1} − z₂^{j+1}) / (z₁ − z₂) over the roots. At a
double root z (heavy ball at its optimal constants is critically damped along both extreme eigenvectors)
U_j = (j + 1) z^j, so x_k / x_0 = (1 + c k) ρᵏ with c = (1 − αλ)/z − 1: at κ = 100 the k factor turns the
68.8 steps of ρᵏ alone into the 90 that torch.optim takes. `predicted_steps` evaluates that solution from
the run's start and finds, numerically, the first step from which the distance stays below 10⁻⁶ of its start.
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


def recurrence(kind: str, lr: float, momentum: float, lam: float) -> tuple[float, float, float]:
    """(T, D, x_1/x_0) of the position's two-step recurrence x_{k+1} = T x_k − D x_{k−1} along curvature lam."""
    if kind == "sgd":
        return 1 - lr * lam, 0.0, 1 - lr * lam
    if kind == "momentum":  # b₁ = g₀, so x₁ = x₀ − α λ x₀
        return 1 + momentum - lr * lam, momentum, 1 - lr * lam
    if kind == "nesterov":  # x₁ = x₀ − α (g₀ + μ b₁) = x₀ − α λ (1 + μ) x₀
        return 1 + momentum - lr * lam * (1 + momentum), momentum * (1 - lr * lam), 1 - lr * lam * (1 + momentum)
    raise ValueError(f"no linear theory for {kind!r}")


def _u(z1: complex, z2: complex, j: np.ndarray) -> np.ndarray:
    """U_j = Σ_{i=0..j} z₁ⁱ z₂^{j−i} for j ≥ −1 (U_{−1} = 0): the closed form, or (j + 1) z^j at a double root."""
    scale = max(abs(z1), abs(z2))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if scale == 0:
            return (j == 0).astype(complex)
        if abs(z1 - z2) <= 1e-7 * scale:  # a double root (to float precision: (j+1)·z^j is exact to O(j²δ²))
            z = (z1 + z2) / 2
            return np.where(j >= 0, (j + 1) * np.power(z, np.maximum(j, 0)), 0)
        return (np.power(z1, j + 1) - np.power(z2, j + 1)) / (z1 - z2)


def amplification(kind: str, lr: float, momentum: float, lam: float, k: np.ndarray) -> np.ndarray:
    """x_k / x_0 along an eigenvector of curvature lam, exactly, for integer steps k ≥ 0 (float64)."""
    trace, det, first = recurrence(kind, lr, momentum, lam)
    root = complex(trace * trace - 4 * det) ** 0.5
    z1, z2 = (trace + root) / 2, (trace - root) / 2
    k = np.asarray(k, dtype=np.int64)
    x = first * _u(z1, z2, k - 1) - det * _u(z1, z2, np.maximum(k - 2, -1))
    return np.where(k == 0, 1.0, x.real)


def predicted_steps(
    kind: str,
    lr: float,
    momentum: float,
    kappa: float,
    theta: float,
    start: tuple[float, float],
    wd: float = 0.0,
    reduction: float = 1e-6,
    horizon: int = 1 << 16,
) -> float:
    """The first step from which the distance to the minimum stays within `reduction` of its start, by the
    exact solution along both eigenvectors (inf when the iteration does not converge). Searched over
    growing windows of steps; past `horizon` (rates within ~10⁻⁴ of 1) the rest is extrapolated at the rate ρ."""
    rate = predicted_rate(kind, lr, momentum, kappa, wd)
    if not rate < 1:
        return math.inf
    th = math.radians(theta)
    coords = (  # the start along the flat (μ) and the steep (L) eigenvector of R_θ diag(μ, L) R_θᵀ
        math.cos(th) * start[0] + math.sin(th) * start[1],
        -math.sin(th) * start[0] + math.cos(th) * start[1],
    )
    curvatures = eigenvalues(kappa)[::-1]  # (μ, L), in the order of coords
    d0 = math.hypot(*coords)
    if d0 == 0:
        return 0.0
    window = 256
    while True:
        k = np.arange(min(window, horizon) + 1)
        dist = np.hypot(*(c * amplification(kind, lr, momentum, lam + wd, k) for c, lam in zip(coords, curvatures)))
        above = np.flatnonzero(~(dist <= reduction * d0))
        last = int(above[-1]) if len(above) else -1
        if last < len(k) // 2:  # below for the whole second half of the window: it stays below
            return float(last + 1)
        if window >= horizon:
            return float(k[-1] + math.log(reduction * d0 / dist[-1]) / math.log(rate))
        window *= 4


@dataclass(frozen=True)
class TheoryRow:
    kind: str
    lr: float
    momentum: float | None
    predicted: float | None  # None: no closed form (adaptive optimizers)
    measured: float | None
    steps: float | None  # predicted steps to shrink the distance 10⁶× from the run's start (None: no closed form)


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


LINEAR = ("sgd", "momentum", "nesterov")  # the optimizers that are linear iterations on a quadratic


def theory(
    kappa: float,
    theta: float,
    wd: float,
    exact: bool,
    start: tuple[float, float],
    rows: list[tuple[str, float, float | None, np.ndarray]],
) -> Theory:
    """rows: (kind, lr, momentum or None, distance curve of its main run) per optimizer; start: the main run's."""
    big_l, mu = eigenvalues(kappa)
    gd_lr, gd_rate = gd_optimal(big_l, mu)
    hb_lr, hb_beta, hb_rate = heavy_ball_optimal(big_l, mu)
    out = []
    for kind, lr, mom, dist in rows:
        linear = kind in LINEAR
        pred = predicted_rate(kind, lr, mom or 0.0, kappa, wd) if linear else None
        steps = predicted_steps(kind, lr, mom or 0.0, kappa, theta, start, wd) if linear else None
        out.append(TheoryRow(kind, lr, mom, pred, measured_rate(dist), steps))
    return Theory(kappa, big_l, mu, gd_lr, gd_rate, hb_lr, hb_beta, hb_rate, tuple(out), exact)
