"""Two-dimensional test surfaces f(x, y) for watching optimizers move, with closed-form gradients.

Every surface takes a tensor of points (..., 2) and returns f (...) and ∇f (..., 2); the gradient is
written out by hand (one tensor op per term, so a thousand batched steps stay cheap) and the tests
compare it with autograd. Known critical points are listed with their kind and refined by Newton's
method, so their gradient is zero to rounding error.

    Rosenbrock   (1 − x)² + 100 (y − x²)²                          min (1, 1)           Rosenbrock 1960
    Beale        (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   min (3, 0.5)
    Himmelblau   (x² + y − 11)² + (x + y² − 7)²                    four minima, f = 0   Himmelblau 1972
    Booth        (x + 2y − 7)² + (2x + y − 5)²                     min (1, 3)
    Saddle       x² − y²                                           saddle (0, 0), unbounded below
    Quadratic    ½ pᵀ A p,  A = R(θ) diag(μ, L) R(θ)ᵀ,  L = 1, μ = 1/κ    min (0, 0)
    Rastrigin    20 + Σᵢ (xᵢ² − 10 cos 2πxᵢ)                       min (0, 0), 120 local minima
    Plateau      1 − exp(−(x² + y²) / (2σ²)),  σ = 1.5              min (0, 0), almost flat for r > 4
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

Tensor = torch.Tensor
KINDS = ("global", "local", "saddle", "max")  # kinds of listed critical points


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    kind: str  # one of KINDS


@dataclass(frozen=True)
class Surface:
    key: str
    f: Callable[[Tensor], Tensor]  # (..., 2) -> (...)
    grad: Callable[[Tensor], Tensor]  # (..., 2) -> (..., 2), closed form
    box: tuple[float, float, float, float]  # x_lo, x_hi, y_lo, y_hi: the plot, and the edge where a run stops
    points: tuple[Point, ...]  # known critical points (minima first)
    fstar: float | None  # global minimum value; None when f is unbounded below
    start: tuple[float, float]  # a start point that shows the surface's difficulty
    latex: str
    log_colors: bool = True  # colour by log10(f − f*): valleys many decades deep stay visible

    @property
    def minima(self) -> tuple[Point, ...]:
        return tuple(p for p in self.points if p.kind in ("global", "local"))

    def targets(self) -> tuple[Point, ...]:
        """What 'distance to the nearest minimum' measures to: the minima, or the saddle if there are none."""
        return self.minima or tuple(p for p in self.points if p.kind == "saddle")


def _xy(p: Tensor) -> tuple[Tensor, Tensor]:
    return p[..., 0], p[..., 1]


# ---- the surfaces ----------------------------------------------------------------------------------


def rosenbrock_f(p):
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_grad(p):
    x, y = p[..., :1], p[..., 1:]  # (..., 1) columns: the hot path of the speed target, so few ops
    # float literals: an int scalar costs torch an extra conversion op (~4 µs) on every call
    gy = torch.addcmul(y, x, x, value=-1.0).mul_(200.0)  # ∂f/∂y = 200 (y − x²)
    gx = torch.addcmul((x - 1.0).mul_(2.0), x, gy, value=-2.0)  # ∂f/∂x = −2 (1 − x) − 400 x (y − x²)
    return torch.cat((gx, gy), -1)


def beale_f(p):
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(p):
    x, y = _xy(p)
    y2, y3 = y * y, y * y * y
    a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3  # the three residuals
    gx = 2.0 * (a1 * (y - 1.0) + a2 * (y2 - 1.0) + a3 * (y3 - 1.0))
    gy = 2.0 * x * (a1 + 2.0 * a2 * y + 3.0 * a3 * y2)
    return torch.stack((gx, gy), -1)


def himmelblau_f(p):
    x, y = _xy(p)
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def himmelblau_grad(p):
    x, y = _xy(p)
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return torch.stack((4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b), -1)


def booth_f(p):
    x, y = _xy(p)
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def booth_grad(p):
    x, y = _xy(p)
    a, b = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
    return torch.stack((2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b), -1)


def saddle_f(p):
    x, y = _xy(p)
    return x * x - y * y


_SADDLE_SCALE = (2.0, -2.0)


def saddle_grad(p):
    return p * p.new_tensor(_SADDLE_SCALE)  # (2x, −2y)


RASTRIGIN_A = 10.0


def rastrigin_f(p):
    return 2 * RASTRIGIN_A + (p * p - RASTRIGIN_A * torch.cos(2 * math.pi * p)).sum(-1)


def rastrigin_grad(p):
    return 2.0 * p + (2 * math.pi * RASTRIGIN_A) * torch.sin(2 * math.pi * p)  # 2x + 20π sin 2πx


PLATEAU_2S2 = 2 * 1.5**2  # 2σ²


def plateau_f(p):
    return 1 - torch.exp(-(p * p).sum(-1) / PLATEAU_2S2)


def plateau_grad(p):
    return p * (torch.exp(-(p * p).sum(-1, keepdim=True) / PLATEAU_2S2) * (2 / PLATEAU_2S2))


# ---- the quadratic: condition number and rotation as knobs -----------------------------------------


def quadratic_matrix(kappa: float, theta_deg: float) -> np.ndarray:
    """A = R diag(μ, L) Rᵀ with L = 1 (steep, along y when θ = 0) and μ = 1/κ (flat, along x)."""
    th = math.radians(theta_deg)
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    return rot @ np.diag([1.0 / kappa, 1.0]) @ rot.T


def quadratic(kappa: float, theta_deg: float) -> Surface:
    a = quadratic_matrix(kappa, theta_deg)
    cache: dict = {}

    def mat(p: Tensor) -> Tensor:
        key = (p.dtype, p.device)
        if key not in cache:
            cache[key] = torch.as_tensor(a, dtype=p.dtype, device=p.device)
        return cache[key]

    def f(p):
        return 0.5 * ((p @ mat(p)) * p).sum(-1)

    def grad(p):
        return p @ mat(p)  # A is symmetric: ∇f = A p

    return Surface(
        "quadratic",
        f,
        grad,
        (-3.0, 3.0, -3.0, 3.0),
        (Point(0.0, 0.0, "global"),),
        0.0,
        (-2.5, 1.0),
        r"f = \tfrac12\, p^{\top} R_\theta \begin{pmatrix} 1/\kappa & 0 \\ 0 & 1 \end{pmatrix}"
        r" R_\theta^{\top} p",
    )


# ---- critical points, refined --------------------------------------------------------------------


def newton(grad: Callable[[Tensor], Tensor], x: float, y: float, iters: int = 50) -> tuple[float, float]:
    """Newton's method on ∇f = 0 in float64, Hessian by autograd: a guess -> the critical point it is near."""
    p = torch.tensor([x, y], dtype=torch.float64)
    for _ in range(iters):
        h = torch.autograd.functional.jacobian(grad, p)
        step = torch.linalg.solve(h, grad(p))
        p = p - step
        if step.abs().max() < 1e-15:
            break
    return float(p[0]), float(p[1])


def _refined(grad, guesses: list[tuple[float, float, str]]) -> tuple[Point, ...]:
    return tuple(Point(*newton(grad, x, y), kind) for x, y, kind in guesses)


def _rastrigin_points(lim: float) -> tuple[Point, ...]:
    """Global minimum at 0; in 1-D a local minimum near each integer k ≠ 0 (2x + 20π sin 2πx = 0, pulled
    slightly towards 0); the 2-D local minima are all pairs of 1-D minima."""
    ones = [0.0]
    for k in range(1, int(lim) + 1):
        x = float(k)
        for _ in range(50):  # Newton in 1-D: g = 2x + 20π sin 2πx, g′ = 2 + 40π² cos 2πx
            x -= (2 * x + 2 * math.pi * RASTRIGIN_A * math.sin(2 * math.pi * x)) / (
                2 + 4 * math.pi**2 * RASTRIGIN_A * math.cos(2 * math.pi * x)
            )
        if abs(x) <= lim:
            ones += [x, -x]
    ones.sort(key=abs)
    pts = [Point(a, b, "global" if a == 0 and b == 0 else "local") for a, b in itertools.product(ones, ones)]
    return tuple(sorted(pts, key=lambda q: q.kind != "global"))


@lru_cache(maxsize=1)
def _fixed() -> dict[str, Surface]:
    him = _refined(
        himmelblau_grad,
        [
            (3, 2, "global"),
            (-2.805118, 3.131312, "global"),
            (-3.779310, -3.283186, "global"),
            (3.584428, -1.848126, "global"),
            (-0.270845, -0.923039, "max"),
            (0.086677, 2.884254, "saddle"),
            (-3.073026, -0.081353, "saddle"),
            (3.385154, 0.073852, "saddle"),
            (-0.127961, -1.953715, "saddle"),
        ],
    )
    surfaces = [
        Surface(
            "rosenbrock",
            rosenbrock_f,
            rosenbrock_grad,
            (-2.0, 2.0, -1.0, 3.0),
            (Point(1.0, 1.0, "global"),),
            0.0,
            (-1.2, 1.0),
            r"f = (1 - x)^2 + 100\,(y - x^2)^2",
        ),
        Surface(
            "beale",
            beale_f,
            beale_grad,
            (-4.5, 4.5, -4.5, 4.5),
            (Point(3.0, 0.5, "global"), Point(0.0, 1.0, "saddle")),
            0.0,
            (-1.0, -1.5),
            r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        ),
        Surface(
            "himmelblau",
            himmelblau_f,
            himmelblau_grad,
            (-5.0, 5.0, -5.0, 5.0),
            him,
            0.0,
            (0.0, -0.5),
            r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        ),
        Surface(
            "booth",
            booth_f,
            booth_grad,
            (-10.0, 10.0, -10.0, 10.0),
            (Point(1.0, 3.0, "global"),),
            0.0,
            (-8.0, -7.0),
            r"f = (x + 2y - 7)^2 + (2x + y - 5)^2",
        ),
        Surface(
            "saddle",
            saddle_f,
            saddle_grad,
            (-2.0, 2.0, -2.0, 2.0),
            (Point(0.0, 0.0, "saddle"),),
            None,
            (-1.8, 0.01),
            r"f = x^2 - y^2",
            log_colors=False,
        ),
        Surface(
            "rastrigin",
            rastrigin_f,
            rastrigin_grad,
            (-5.12, 5.12, -5.12, 5.12),
            _rastrigin_points(5.12),
            0.0,
            (3.3, -2.6),
            r"f = 20 + \sum_{i} \left(x_i^2 - 10 \cos 2\pi x_i\right)",
        ),
        Surface(
            "plateau",
            plateau_f,
            plateau_grad,
            (-6.0, 6.0, -6.0, 6.0),
            (Point(0.0, 0.0, "global"),),
            0.0,
            (-4.5, 3.5),
            r"f = 1 - \exp\!\left(-\frac{x^2 + y^2}{2\sigma^2}\right),\ \sigma = 1.5",
        ),
    ]
    return {s.key: s for s in surfaces}


KEYS = ("rosenbrock", "beale", "himmelblau", "booth", "saddle", "quadratic", "rastrigin", "plateau")


@lru_cache(maxsize=64)
def get(key: str, kappa: float = 10.0, theta: float = 0.0) -> Surface:
    """The surface `key`; the quadratic is built for its condition number κ and rotation θ (degrees)."""
    if key == "quadratic":
        return quadratic(kappa, theta)
    return _fixed()[key]


@lru_cache(maxsize=64)
def grid(key: str, kappa: float = 10.0, theta: float = 0.0, n: int = 121) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs (n,), ys (n,), f (n, n) with f[i, j] = f(xs[j], ys[i])) over the surface's box, float64."""
    s = get(key, kappa, theta)
    xs = torch.linspace(s.box[0], s.box[1], n, dtype=torch.float64)
    ys = torch.linspace(s.box[2], s.box[3], n, dtype=torch.float64)
    pts = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1)  # (n, n, 2), [i, j] = (xs[j], ys[i])
    return xs.numpy(), ys.numpy(), s.f(pts).numpy()


@lru_cache(maxsize=64)
def grad_scale(key: str, kappa: float = 10.0, theta: float = 0.0) -> float:
    """The median gradient length over the plot: the unit the gradient-noise knob is measured in."""
    s = get(key, kappa, theta)
    xs = torch.linspace(s.box[0], s.box[1], 64, dtype=torch.float64)
    ys = torch.linspace(s.box[2], s.box[3], 64, dtype=torch.float64)
    pts = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), -1)
    return float(s.grad(pts).norm(dim=-1).median())
