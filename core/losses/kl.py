"""Forward vs reverse KL: one Gaussian q = N(μ, σ²) fitted to a two-mode target p, both ways, live.

    p(x) = w·N(x; −d, s²) + (1 − w)·N(x; d, s²),   s = S
    forward  KL(p‖q) = ∫ p log(p/q) dx    large where p has mass and q has none: q must cover every mode
    reverse  KL(q‖p) = ∫ q log(q/p) dx    large where q has mass and p has none: q must avoid the gap

Both are integrals over a fixed grid (trapezoid rule, X_GRID points on ±X_LIM, float64), so the fit is
deterministic and its gradient exact (autograd through the quadrature). (μ, log σ) of both fits are
one (2, 2) tensor trained by one Adam, from the same start (μ₀, σ₀).

Closed forms the fits must approach: the forward-KL optimum matches moments (for a Gaussian q, KL(p‖q) =
const + E_p[(x − μ)²]/(2σ²) + log σ), so μ* = E_p[x] = (1 − 2w)·d and σ*² = Var_p[x] = s² + d² − μ*².
The reverse-KL optimum has no closed form; for separated modes it sits on one mode (μ ≈ ±d, σ ≈ s),
which one depends on the start; tests compare it with a brute-force grid search of KL(q‖p).
Also shown: the Jensen–Shannon divergence JS = ½KL(p‖m) + ½KL(q‖m), m = (p + q)/2 (the original GAN's
loss at the optimal discriminator), and the Wasserstein-1 distance W₁ = ∫|F_p − F_q| dx (WGAN's).

Work (core.budget): `cost` = 0.6 + 7e-4 · steps CPU seconds on one torch thread (the maps once, then one
quadrature of both fits per step), times MARGIN. Calibrated once by timing 100- and 400-step runs
(time.process_time, one thread), 0.6 s for a fresh process's first run; the costliest legal link (2,000 steps)
measured 2.7 s in a fresh process (bench/link_budget.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import training

S = 0.6  # the width of each mode
X_LIM, X_GRID = 12.0, 1201
PLOT_EVERY = 3  # the plotted density keeps every third grid point
LR = 0.05
MAP_MU = np.linspace(-6, 6, 73)
MAP_LOG_SIGMA = np.linspace(math.log(0.1), math.log(6.0), 49)
KEYS = ("forward", "reverse")
MARGIN = 1.5  # the model errs high: CPU time on a busy 2-core machine varies ~30 % run to run; no-AVX2 CPUs


def cost(steps: int) -> float:
    """Estimated CPU seconds of one run on one torch thread (calibration: the module docstring)."""
    return MARGIN * (0.6 + 7e-4 * steps)


def _grid() -> torch.Tensor:
    return torch.linspace(-X_LIM, X_LIM, X_GRID, dtype=torch.float64)


def log_normal(x: torch.Tensor, mu, sigma) -> torch.Tensor:
    return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma * math.sqrt(2 * math.pi))


def log_target(x: torch.Tensor, d: float, w: float) -> torch.Tensor:
    s = torch.tensor(S, dtype=torch.float64)
    a = log_normal(x, -d, s) + math.log(w)
    b = log_normal(x, d, s) + math.log(1 - w)
    return torch.logaddexp(a, b)


def integrate(f: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return torch.trapezoid(f, x, dim=-1)


def divergences(mu: torch.Tensor, sigma: torch.Tensor, d: float, w: float) -> tuple[torch.Tensor, torch.Tensor]:
    """KL(p‖q) and KL(q‖p) for q = N(mu, sigma²) (any matching shapes of mu and sigma)."""
    x = _grid()
    lp = log_target(x, d, w)
    lq = log_normal(x, mu[..., None], sigma[..., None])
    p, q = lp.exp(), lq.exp()
    return integrate(p * (lp - lq), x), integrate(q * (lq - lp), x)


def distances(mu: float, sigma: float, d: float, w: float) -> dict[str, float]:
    """Forward KL, reverse KL, JS and W₁ between p and one q."""
    x = _grid()
    lp = log_target(x, d, w)
    lq = log_normal(x, torch.tensor(mu, dtype=torch.float64), torch.tensor(sigma, dtype=torch.float64))
    p, q = lp.exp(), lq.exp()
    m = 0.5 * (p + q)
    lm = torch.log(m.clamp_min(1e-300))
    dx = x[1] - x[0]
    cdf = lambda f: torch.cumsum(f, 0) * dx
    return {
        "forward_kl": float(integrate(p * (lp - lq), x)),
        "reverse_kl": float(integrate(q * (lq - lp), x)),
        "js": float(0.5 * integrate(p * (lp - lm), x) + 0.5 * integrate(q * (lq - lm), x)),
        "w1": float(integrate((cdf(p) - cdf(q)).abs(), x)),
    }


def moment_match(d: float, w: float) -> tuple[float, float]:
    """The forward-KL optimum in closed form: (μ*, σ*)."""
    mu = (1 - 2 * w) * d
    return mu, math.sqrt(S**2 + d**2 - mu**2)


@dataclass(frozen=True)
class KlFit:
    d: float
    w: float
    x: np.ndarray  # (X,) float32, the plotting grid
    p: np.ndarray  # (X,) float32 target density
    path: np.ndarray  # (done + 1, 2, 2) float64: (μ, σ) of both fits after each step
    loss: np.ndarray  # (done, 2) float64: each fit's own divergence per step
    map_mu: np.ndarray  # (A,) float32: the maps' μ axis
    map_sigma: np.ndarray  # (B,) float32: the maps' σ axis (log-spaced)
    map_forward: np.ndarray  # (B, A) float32: KL(p‖q) over (μ, σ)
    map_reverse: np.ndarray  # same for KL(q‖p)
    steps: int
    done: int
    finite: bool

    @property
    def end(self) -> np.ndarray:
        """(2, 2): (μ, σ) of the forward and the reverse fit now."""
        return self.path[-1]


def maps(d: float, w: float) -> tuple[np.ndarray, np.ndarray]:
    """Both divergences over the (μ, log σ) plane, for the contour maps."""
    mu = torch.tensor(MAP_MU, dtype=torch.float64)[None, :]
    sigma = torch.exp(torch.tensor(MAP_LOG_SIGMA, dtype=torch.float64))[:, None]
    fwd, rev = divergences(mu.expand(len(MAP_LOG_SIGMA), -1), sigma.expand(-1, len(MAP_MU)), d, w)
    return fwd.numpy().astype(np.float32), rev.numpy().astype(np.float32)


def stream(d: float, w: float, mu0: float, sigma0: float, steps: int):
    theta = torch.tensor([[mu0, math.log(sigma0)]] * 2, dtype=torch.float64, requires_grad=True)  # (2, 2)
    opt = torch.optim.Adam([theta], lr=LR)
    path = [theta.detach().clone()]
    losses: list[torch.Tensor] = []
    fwd_map, rev_map = maps(d, w)
    x = _grid()
    p = log_target(x, d, w).exp().numpy().astype(np.float32)[::PLOT_EVERY]

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        chunk = torch.empty(stop - start, 2, dtype=torch.float64)
        for t in range(start, stop):
            fwd, rev = divergences(theta[:, 0], theta[:, 1].exp(), d, w)  # (2,) each: both fits, both ways
            opt.zero_grad(set_to_none=True)
            (fwd[0] + rev[1]).backward()  # fit 0 minimises the forward KL, fit 1 the reverse
            opt.step()
            chunk[t - start] = torch.stack([fwd[0], rev[1]]).detach()
            path.append(theta.detach().clone())
        losses.append(chunk)
        return chunk

    def snapshot(stop: int, finite: bool) -> KlFit:
        ms = torch.stack(path).numpy().copy()  # (done + 1, 2, 2): μ, log σ
        ms[..., 1] = np.exp(ms[..., 1])
        return KlFit(
            d=d,
            w=w,
            x=x.numpy().astype(np.float32)[::PLOT_EVERY],
            p=p,
            path=ms,
            loss=torch.cat(losses).numpy(),
            map_mu=MAP_MU.astype(np.float32),
            map_sigma=np.exp(MAP_LOG_SIGMA).astype(np.float32),
            map_forward=fwd_map,
            map_reverse=rev_map,
            steps=steps,
            done=stop,
            finite=finite,
        )

    yield from training.chunked(steps, train_chunk, snapshot)
