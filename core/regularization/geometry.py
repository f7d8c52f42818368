"""Why L1 gives zeros and L2 does not, in two dimensions: a quadratic loss meeting a diamond or a circle.

    loss   L(w) = ½ (w − w*)ᵀ A (w − w*),   A = Rᵀ diag(1, κ) R   (R: rotation by the angle θ)
    L2     min L(w) + (λ/2)‖w‖²   →  w = (A + λ I)⁻¹ A w*           shrinks w* smoothly, never to an axis
    L1     min L(w) + λ‖w‖₁       →  a coordinate becomes exactly 0 once λ ≥ |(A w)_j| holds at w_j = 0

Each penalized solution is also the solution with the constraint ‖w‖ ≤ t for t = the solution's own norm
(Lagrange duality), so the figure draws the ball of that radius — a circle for L2, a diamond for L1 — and
the loss contour through the solution, which touches it. The diamond has corners on the axes: a contour
usually meets it at a corner, i.e. with a coordinate exactly 0.

The L1 solution is exact: the loss is convex, so the minimum is the best of the stationary points of the
restricted problems (each support and sign pattern, core of the lasso's KKT conditions), checked for
consistency; tests compare with proximal gradient descent (ISTA).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

LAM_MAX = 5.0
N_PATH = 201


def hessian(kappa: float, angle_deg: float) -> np.ndarray:
    t = np.deg2rad(angle_deg)
    r = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return r @ np.diag([1.0, kappa]) @ r.T


def loss(w: np.ndarray, a: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    """L at points w (..., 2)."""
    d = w - w_star
    return 0.5 * np.einsum("...i,ij,...j->...", d, a, d)


def l2_solution(a: np.ndarray, w_star: np.ndarray, lam: float) -> np.ndarray:
    return np.linalg.solve(a + lam * np.eye(2), a @ w_star)


def l1_solution(a: np.ndarray, w_star: np.ndarray, lam: float) -> np.ndarray:
    """argmin ½ (w − w*)ᵀ A (w − w*) + λ‖w‖₁, exactly (see the module docstring)."""
    best, best_f = np.zeros(2), float(loss(np.zeros(2), a, w_star))
    for support in ((0,), (1,), (0, 1)):
        s = list(support)
        for signs in itertools.product((-1.0, 1.0), repeat=len(s)):
            # stationary point with w_j = 0 off the support: A_ss w_s = (A w*)_s − λ·signs
            w = np.zeros(2)
            w[s] = np.linalg.solve(a[np.ix_(s, s)], (a @ w_star)[s] - lam * np.array(signs))
            if np.all(np.sign(w[s]) == np.array(signs)):
                f = float(loss(w, a, w_star) + lam * np.abs(w).sum())
                if f < best_f:
                    best, best_f = w, f
    return best


@dataclass(frozen=True)
class Geometry:
    a: np.ndarray  # (2, 2)
    w_star: np.ndarray  # (2,)
    lam: float
    l2: np.ndarray  # (2,) the L2-penalized solution at λ
    l1: np.ndarray  # (2,) the L1-penalized solution at λ
    lams: np.ndarray  # (N_PATH,) the path's λ values, 0 … LAM_MAX
    path_l2: np.ndarray  # (N_PATH, 2) float32
    path_l1: np.ndarray  # (N_PATH, 2) float32
    l1_zero_at: list[float | None]  # per coordinate: the smallest λ on the path with w_j = 0 (L1), or None
    extent: float
    grid: np.ndarray  # (G,) float32 axis of the contour grid
    z: np.ndarray  # (G, G) float32 loss on the grid (rows: w₂)

    @property
    def l1_zeros(self) -> int:
        return int(np.sum(np.abs(self.l1) < 1e-12))

    @property
    def l2_zeros(self) -> int:
        return int(np.sum(np.abs(self.l2) < 1e-12))


def geometry(w1: float, w2: float, kappa: float, angle: float, lam: float, size: int = 121) -> Geometry:
    a, ws = hessian(kappa, angle), np.array([w1, w2], dtype=np.float64)
    lams = np.linspace(0, LAM_MAX, N_PATH)
    p2 = np.array([l2_solution(a, ws, x) for x in lams])
    p1 = np.array([l1_solution(a, ws, x) for x in lams])
    zero_at = []
    for j in range(2):
        hit = np.flatnonzero(np.abs(p1[:, j]) < 1e-12)
        zero_at.append(float(lams[hit[0]]) if len(hit) and ws[j] != 0 else (0.0 if ws[j] == 0 else None))
    extent = max(2.5, float(np.abs(ws).max()) * 1.3)
    axis = np.linspace(-extent, extent, size)
    gx, gy = np.meshgrid(axis, axis)
    z = loss(np.stack([gx, gy], -1), a, ws)
    return Geometry(
        a=a,
        w_star=ws,
        lam=lam,
        l2=l2_solution(a, ws, lam),
        l1=l1_solution(a, ws, lam),
        lams=lams,
        path_l2=p2.astype(np.float32),
        path_l1=p1.astype(np.float32),
        l1_zero_at=zero_at,
        extent=extent,
        grid=axis.astype(np.float32),
        z=z.astype(np.float32),
    )
