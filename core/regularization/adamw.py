"""Weight decay vs L2 inside Adam, by experiment (Loshchilov & Hutter 2019, "Decoupled weight decay").

    Adam + L2 (torch.optim.Adam(weight_decay=λ))   g ← g + λθ,  then θ ← θ − α m̂ / (√v̂ + ε)
    AdamW     (torch.optim.AdamW(weight_decay=λ))  θ ← θ (1 − αλ),  then Adam's step on g alone

With SGD the two are the same thing. Inside Adam they are not: the L2 term is divided by √v̂ like the rest
of the gradient, so a weight whose data gradient is small (√v̂ small) is pulled to zero hard, and a weight
with large gradients is hardly regularized at all. AdamW shrinks every weight by the same factor.

Rows, one (R, P) tensor: 0 plain Adam, 1 Adam + L2 at the chosen λ, 2 AdamW at the chosen λ, then both
along GRID. At the end every weight's shrink |θ_row| / |θ_plain| is binned by the plain run's gradient
scale √v̂ (deciles): flat for AdamW, rising with √v̂ for Adam + L2.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import device
from core.regularization import loop, nets

WIDTH = 64
GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
DECILES = 10
METRICS = ("test_acc", "test_loss", "norm")


@dataclass(frozen=True)
class AdamWRun:
    lam: float
    lr: float
    n_train: int
    steps: np.ndarray  # (E,)
    metrics: np.ndarray  # (E, K, R) float32
    edges: np.ndarray  # (DECILES + 1,) float32: decile edges of √v̂ in the plain run (weights it moved)
    shrink: np.ndarray  # (2, 1 + DECILES) float32: median |θ| / |θ_plain|, Adam + L2 and AdamW (group 0: unmoved)
    unmoved: int  # weights the data never moved in the plain run
    total: int
    finite: bool

    def final(self, name: str) -> np.ndarray:
        return self.metrics[-1, METRICS.index(name)]  # (R,)

    def grid(self, name: str, kind: str) -> np.ndarray:
        start = 3 if kind == "l2" else 3 + len(GRID)
        return self.final(name)[start : start + len(GRID)]


def coefficients(lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row (coupled L2, decoupled decay): plain, Adam + L2 λ, AdamW λ, the L2 grid, the AdamW grid."""
    grid, zeros = torch.tensor(GRID), torch.zeros(len(GRID))
    l2 = torch.cat([torch.tensor([0.0, lam, 0.0]), grid, zeros])
    decay = torch.cat([torch.tensor([0.0, 0.0, lam]), zeros, grid])
    return l2, decay


def shrink_by_scale(theta: torch.Tensor, v_hat: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per group of weights, the median |θ_r| / |θ_0| of rows 1 (Adam + L2) and 2 (AdamW): group 0 holds the
    weights the data never moved (√v̂ = 0 in the plain run: always-blank pixels), groups 1…DECILES the
    deciles of the others by the plain run's √v̂. Returns (the deciles' edges, (2, 1 + DECILES) medians)."""
    scale = v_hat[0].sqrt()
    moved = scale > 0
    edges = torch.quantile(scale[moved], torch.linspace(0, 1, DECILES + 1, device=scale.device))
    group = torch.where(moved, torch.bucketize(scale, edges[1:-1], right=True) + 1, torch.zeros_like(scale).long())
    ratio = theta[1:3].abs() / theta[0].abs().clamp_min(1e-12)  # (2, P)
    out = torch.full((2, DECILES + 1), float("nan"))
    for d in range(DECILES + 1):
        sel = group == d
        if bool(sel.any()):
            out[:, d] = ratio[:, sel].median(1).values.cpu()
    return edges.cpu().numpy().astype(np.float32), out.numpy().astype(np.float32)


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run (the rows of one batched MLP; the training-set size barely matters).
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["aw_steps"] * 1.6e-3


def stream(v: dict) -> Iterator[tuple[float, AdamWRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    pick = nets.subset(v["aw_n"], y_tr, v["seed"]).to(dev)
    xs, ys = x_tr[pick], y_tr[pick]
    l2, decay = coefficients(v["aw_lam"])
    theta = nets.init(len(l2), WIDTH, v["seed"]).to(dev).requires_grad_(True)
    opt = nets.Optim("adam", v["aw_lr"], l2=l2, decay=decay).to(dev)
    mask = nets.weight_mask(WIDTH).to(dev)
    total = v["aw_steps"]
    idx = loop.batches(len(ys), total, v["seed"]).to(dev)

    step = nets.minibatch_step(theta, opt, xs, ys, idx, WIDTH)

    def measure() -> torch.Tensor:
        with torch.no_grad():
            z = nets.logits(theta, x_te, WIDTH)
            return torch.stack([nets.accuracy(z, y_te), nets.losses(z, y_te), theta[:, mask].norm(dim=1)])

    def build(steps: np.ndarray, metrics: np.ndarray, finite: bool) -> AdamWRun:
        with torch.no_grad():
            v_hat = opt.v[:, mask] / (1 - opt.betas[1] ** opt.t)  # a chunk has run: Adam's state exists
            edges, shrink = shrink_by_scale(theta[:, mask], v_hat)
            unmoved = int((v_hat[0] == 0).sum())
        return AdamWRun(v["aw_lam"], v["aw_lr"], len(ys), steps, metrics, edges, shrink, unmoved, total, finite)

    yield from loop.stream(total, step, measure, build)
