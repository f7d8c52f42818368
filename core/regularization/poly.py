"""Overfitting seen on a 1-D task: a polynomial of every degree fitted by (ridge) least squares.

    task      y = f(x) + ε,   f(x) = sin(1.5 π x),   x ~ U(−1, 1),   ε ~ N(0, σ²)     (seeded)
    features  φ_k(x) = √(2k + 1) · P_k(x) · s_k,  k = 0…d   (Legendre polynomials, orthonormal on U(−1, 1))
              basis "plain": s_k = 1;   "smooth": s_k = 1/(k + 1)
    fit       w = argmin ‖Φ w − y‖² + λ ‖w‖² = V diag(s / (s² + λ)) Uᵀ y        (Φ = U S Vᵀ)

With λ = 0 this is the minimum-norm least-squares solution (the pseudo-inverse): once d + 1 ≥ n it passes
through every training point (training error 0) — the interpolation threshold. Degrees are nested (a
degree-d polynomial is a degree-(d+1) one with w_{d+1} = 0), so without ridge the training error can only
fall as d grows; the test error falls, then rises (the U), and past the threshold may fall again while the
minimum-norm solution spreads over more and more features (double descent: Belkin et al. 2019, PNAS
116(32); Nakkiran et al. 2020). A ridge λ > 0 damps the peak.

Below the threshold the basis does not matter (the least-squares polynomial is unique); past it, it decides
*which* interpolating polynomial the minimum norm picks: "smooth" makes high-degree coefficients expensive,
so the second descent can beat the U. n stays ≤ N_MAX: beyond ~30 random points the Legendre
Vandermonde matrix is too ill-conditioned in float64 for the sweep's numbers to be exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.polynomial import legendre

N_TEST, N_GRID = 1000, 400
DEG_MAX = 200  # the sweep's last degree
N_MAX = 30  # most training points (see the module docstring)
BASES = ("smooth", "plain")
FREQ = 1.5


def target(x: np.ndarray) -> np.ndarray:
    return np.sin(FREQ * np.pi * x)


@dataclass(frozen=True)
class Task:
    x_train: np.ndarray  # (n,) float64
    y_train: np.ndarray
    x_test: np.ndarray  # (N_TEST,)
    y_test: np.ndarray


def task(n: int, noise: float, seed: int) -> Task:
    """n noisy training points and N_TEST noisy test points of the same distribution (seeded)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n + N_TEST)
    y = target(x) + noise * rng.standard_normal(n + N_TEST)
    return Task(x[:n], y[:n], x[n:], y[n:])


def features(x: np.ndarray, degree: int, basis: str = "plain") -> np.ndarray:
    """(len(x), d + 1): √(2k+1)·P_k(x) (mean square 1 over U(−1, 1)), divided by k + 1 for "smooth"."""
    k = np.arange(degree + 1)
    scale = np.sqrt(2 * k + 1) / (k + 1 if basis == "smooth" else 1)
    return legendre.legvander(x, degree) * scale


def ridge(phi: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """argmin ‖Φw − y‖² + λ‖w‖² through the SVD; λ = 0: the minimum-norm least-squares solution."""
    u, s, vt = np.linalg.svd(phi, full_matrices=False)
    keep = s > s[0] * 1e-13 if lam == 0 else np.ones_like(s, dtype=bool)  # pinv's cut of round-off directions
    gain = np.where(keep, s / (s**2 + lam), 0.0)
    return vt.T @ (gain * (u.T @ y))


def mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((a - b) ** 2))


def sweep_degrees(n: int, chosen: int) -> np.ndarray:
    """Every degree up to 2n + 10 (the U and the threshold at d = n − 1), then a log grid to DEG_MAX."""
    dense = np.arange(0, min(DEG_MAX, 2 * n + 10) + 1)
    sparse = np.unique(np.geomspace(max(dense[-1], 1), DEG_MAX, 25).round().astype(int))
    return np.unique(np.concatenate([dense, sparse, [chosen]]))


@dataclass(frozen=True)
class Fit:
    degree: int
    n: int
    lam: float
    basis: str
    x_train: np.ndarray  # (n,) float32
    y_train: np.ndarray
    grid: np.ndarray  # (N_GRID,) float32 on [−1, 1]
    truth: np.ndarray  # (N_GRID,) f(x)
    curve: np.ndarray  # (N_GRID,) the fitted polynomial
    train_mse: float
    test_mse: float
    weight_norm: float
    degrees: np.ndarray  # (D,) int, the sweep
    sweep_train: np.ndarray  # (D,) float64
    sweep_test: np.ndarray  # (D,)
    sweep_norm: np.ndarray  # (D,) ‖w‖
    noise: float

    @property
    def threshold(self) -> int:
        """The degree at which the polynomial first has as many coefficients as there are points."""
        return self.n - 1


def fit(n: int, noise: float, degree: int, lam: float, seed: int, basis: str = "smooth") -> Fit:
    t = task(n, noise, seed)
    grid = np.linspace(-1, 1, N_GRID)
    degrees = sweep_degrees(n, degree)
    top = int(degrees[-1])
    phi_tr, phi_te, phi_grid = (features(x, top, basis) for x in (t.x_train, t.x_test, grid))
    tr, te, norms, curve = [], [], [], None
    for d in degrees:
        w = ridge(phi_tr[:, : d + 1], t.y_train, lam)  # nested: the first d + 1 columns are degree d
        tr.append(mse(phi_tr[:, : d + 1] @ w, t.y_train))
        te.append(mse(phi_te[:, : d + 1] @ w, t.y_test))
        norms.append(float(np.linalg.norm(w)))
        if d == degree:
            curve = phi_grid[:, : d + 1] @ w
            chosen = (tr[-1], te[-1], norms[-1])
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    return Fit(
        degree=degree,
        n=n,
        lam=lam,
        basis=basis,
        x_train=f32(t.x_train),
        y_train=f32(t.y_train),
        grid=f32(grid),
        truth=f32(target(grid)),
        curve=f32(curve),
        train_mse=chosen[0],
        test_mse=chosen[1],
        weight_norm=chosen[2],
        degrees=degrees,
        sweep_train=np.asarray(tr),
        sweep_test=np.asarray(te),
        sweep_norm=np.asarray(norms),
        noise=noise,
    )


@lru_cache(maxsize=16)
def curves(n: int, noise: float, lam: float, seed: int, basis: str = "smooth") -> np.ndarray:
    """(DEG_MAX + 1, N_GRID) float32: the fitted polynomial of every degree on the grid (row d is `fit(..., d,
    ...).curve`), for the page's degree scrub: one task, one feature matrix, one solve per degree."""
    t = task(n, noise, seed)
    phi_tr, phi_grid = features(t.x_train, DEG_MAX, basis), features(np.linspace(-1, 1, N_GRID), DEG_MAX, basis)
    rows = [phi_grid[:, : d + 1] @ ridge(phi_tr[:, : d + 1], t.y_train, lam) for d in range(DEG_MAX + 1)]
    out = np.asarray(rows, dtype=np.float32)
    out.setflags(write=False)  # shared by every caller of the cache
    return out


@dataclass(frozen=True)
class DoubleDescent:
    """What the sweep shows around the interpolation threshold (degrees, test MSEs)."""

    best_below: tuple[int, float]  # the U's minimum, d < n − 1
    peak: tuple[int, float]  # the worst degree near the threshold
    best_beyond: tuple[int, float]  # the lowest test error past the peak
    appears: bool  # the test error falls again past the peak (by at least a factor FALL)
    beats_u: bool  # … and below the U's minimum

    FALL = 2.0


def double_descent(r: Fit) -> DoubleDescent:
    d, te = r.degrees, r.sweep_test
    below = d < r.threshold
    near = (d >= r.threshold - 2) & (d <= r.threshold + 2)
    i_below = int(np.argmin(np.where(below, te, np.inf))) if below.any() else 0
    i_peak = int(np.argmax(np.where(near, te, -np.inf))) if near.any() else len(d) - 1
    after = d > d[i_peak]
    i_beyond = int(np.argmin(np.where(after, te, np.inf))) if after.any() else i_peak
    appears = bool(after.any() and te[i_beyond] * DoubleDescent.FALL <= te[i_peak])
    pair = lambda i: (int(d[i]), float(te[i]))
    beats = bool(appears and te[i_beyond] < te[i_below])
    return DoubleDescent(pair(i_below), pair(i_peak), pair(i_beyond), appears, beats)
