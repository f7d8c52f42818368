"""Input normalization: the same linear least-squares problem on raw and on standardized features.

    loss  L(w) = (1/2n) ‖X w − y‖²   (X with a column of ones for the bias)     Hessian  H = XᵀX / n
    standardize   x_j ← (x_j − mean_j) / std_j            (the bias column stays 1)
    κ = λ_max(H) / λ_min(H)

Gradient descent with the largest step that is safe for every direction, α = 1/λ_max, shrinks the error along
eigenvector i by (1 − αλ_i) per step, so the loss gap after t steps is exactly

    L(w_t) − L* = ½ Σ_i λ_i c_i² (1 − λ_i/λ_max)^{2t},   c = Vᵀ(w₀ − w*)

and the slowest direction needs about κ · ln(1/tol)/2 steps. Feature 2 is x₂ ~ N(offset, scale²): a large
scale stretches the loss along one axis, a large offset couples x₂ with the bias — both raise κ. Standardizing
changes the coordinates, not the model: the best fit (and its loss) is the same; the steps to reach it are
not. The cost of one step is the same either way. (The optimizers page shows κ on its quadratic surface.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core import data

N = 200
T_MAX = 10**9


@dataclass(frozen=True)
class Descent:
    """Gradient descent with α = 1/λ_max on a quadratic: its per-direction weights and factors."""

    weight: np.ndarray  # (P,) ½ λ_i Σ_k c_ik²
    factor: np.ndarray  # (P,) 1 − λ_i/λ_max, in [0, 1)

    @classmethod
    def of(cls, h: np.ndarray, w0: np.ndarray, w_star: np.ndarray) -> Descent:
        lam, vec = np.linalg.eigh(h)
        c = vec.T @ (w0 - w_star).reshape(len(lam), -1)  # (P, K)
        return cls(0.5 * lam * (c**2).sum(1), np.clip(1 - lam / lam.max(), 0.0, 1.0))

    def gap(self, steps: np.ndarray) -> np.ndarray:
        """L(w_t) − L* at each t in `steps` (closed form)."""
        t = np.asarray(steps, dtype=np.float64)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            log_f = np.log(self.factor)[None, :]  # −inf where the factor is 0: that direction is done in one step
            powers = np.where(t > 0, np.exp(2 * t * log_f), 1.0)
        return powers @ self.weight

    def steps_to(self, tol: float) -> int | None:
        """The first t with gap(t) ≤ tol · gap(0), or None beyond T_MAX (bisection: the gap only falls)."""
        g0 = float(self.gap(np.array([0]))[0])
        done = lambda t: float(self.gap(np.array([t]))[0]) <= tol * g0
        if g0 == 0:
            return 0
        if not done(T_MAX):
            return None
        lo, hi = 0, 1
        while not done(hi):
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if done(mid) else (mid, hi)
        return hi


def standardize(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(0)) / x.std(0)


def problem(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, w*) of least squares with a bias column appended to x (n, F); y (n,) or (n, K)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    h = a.T @ a / len(a)
    return h, np.linalg.solve(h, a.T @ y / len(a))  # normal equations: float64 is ample for κ ≲ 1e10


def kappa(h: np.ndarray) -> float:
    lam = np.linalg.eigvalsh(h)
    return float(lam[-1] / lam[0]) if lam[0] > 0 else float("inf")


@dataclass(frozen=True)
class Scaling:
    scale: float
    offset: float
    tol: float
    kappa_raw: float
    kappa_std: float
    steps_raw: int | None
    steps_std: int | None
    t: np.ndarray  # (T,) step counts for the curves
    gap_raw: np.ndarray  # (T,) float64 relative loss gap L(w_t) − L*, divided by its start
    gap_std: np.ndarray
    grid: np.ndarray  # (G,) float32 in units of each problem's own w* ± span
    contours_raw: np.ndarray  # (G, G) float32 loss over (w1, w2) around w*, bias at its optimum
    contours_std: np.ndarray
    span_raw: float  # half-width of the raw plot's square box
    span_std: float
    same_fit: float  # |L*_raw − L*_std|: standardizing does not change the best fit
    digits: dict[str, float | int | None]  # κ and steps for the digits (raw 0–16, /16, standardized)


def _two_features(scale: float, offset: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 41)
    z = rng.standard_normal((N, 2))
    x = np.column_stack([z[:, 0], offset + scale * z[:, 1]])
    y = 1.0 * z[:, 0] - 2.0 * z[:, 1] + 0.5 + 0.1 * rng.standard_normal(N)
    return x, y


def _contours(h: np.ndarray, size: int = 81) -> tuple[np.ndarray, np.ndarray, float]:
    """Loss above its minimum over offsets (d₁, d₂) of (w₁, w₂) from w*, with the bias at its best for each
    point (the Schur complement of the bias), on a square box of half-width `span`: 3 units of the loss's
    longest axis, so the same box shows an elongated valley whole."""
    hb, hwb = h[2, 2], h[:2, 2]
    schur = h[:2, :2] - np.outer(hwb, hwb) / hb  # the bias minimized out
    span = float(3 / np.sqrt(np.linalg.eigvalsh(schur)[0]))
    axis = np.linspace(-1, 1, size)
    d = np.stack(np.meshgrid(axis * span, axis * span), -1)  # (G, G, 2)
    z = 0.5 * np.einsum("...i,ij,...j->...", d, schur, d)
    return axis.astype(np.float32), z.astype(np.float32), span


def scaling(scale: float, offset: float, tol: float, seed: int) -> Scaling:
    x, y = _two_features(scale, offset, seed)
    h_raw, w_raw = problem(x, y)
    h_std, w_std = problem(standardize(x), y)
    zero = np.zeros(3)
    d_raw, d_std = Descent.of(h_raw, zero, w_raw), Descent.of(h_std, zero, w_std)
    s_raw, s_std = d_raw.steps_to(tol), d_std.steps_to(tol)
    top = max(10, min(T_MAX, 2 * max(s_raw or T_MAX, s_std or 1)))
    t = np.unique(np.geomspace(1, top, 200).round().astype(np.int64))
    t = np.concatenate([[0], t])
    g_raw, g_std = d_raw.gap(t), d_std.gap(t)
    axis, c_raw, span_raw = _contours(h_raw)
    _, c_std, span_std = _contours(h_std)
    loss_at = lambda x_, w: 0.5 * np.mean((np.hstack([x_, np.ones((N, 1))]) @ w - y) ** 2)
    return Scaling(
        scale=scale,
        offset=offset,
        tol=tol,
        kappa_raw=kappa(h_raw),
        kappa_std=kappa(h_std),
        steps_raw=s_raw,
        steps_std=s_std,
        t=t,
        gap_raw=g_raw / g_raw[0],
        gap_std=g_std / g_std[0],
        grid=axis,
        contours_raw=c_raw,
        contours_std=c_std,
        span_raw=span_raw,
        span_std=span_std,
        same_fit=float(abs(loss_at(x, w_raw) - loss_at(standardize(x), w_std))),
        digits=digits_table(tol),
    )


@lru_cache(maxsize=8)
def digits_table(tol: float) -> dict[str, float | int | None]:
    """κ and GD steps to `tol` for least squares of one-hot labels on the digits' pixels: raw (0–16), /16,
    standardized (pixels that are blank in every training digit are left out: they carry nothing)."""
    x, y, _, _ = data.digits(0)
    pixels = x.reshape(len(x), -1).numpy().astype(np.float64) * 16  # the data set's own 0…16 scale
    pixels = pixels[:, pixels.std(0) > 0]
    onehot = np.eye(10)[y.numpy()]
    out: dict[str, float | int | None] = {"features": int(pixels.shape[1])}
    for name, feats in (("raw", pixels), ("unit", pixels / 16), ("std", standardize(pixels))):
        h, w = problem(feats, onehot)
        out[f"kappa_{name}"] = kappa(h)
        out[f"steps_{name}"] = Descent.of(h, np.zeros_like(w), w).steps_to(tol)
    return out
