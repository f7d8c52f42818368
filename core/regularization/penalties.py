"""L1 vs L2: the same network trained without a penalty, with L2 and with L1, and the regularization path.

    L2   loss + (λ/2)·‖θ‖²    gradient λ θ          = torch.optim's weight_decay=λ (SGD: also "weight decay")
    L1   loss + λ·‖θ‖₁        subgradient λ sign θ  (torch.sign: 0 at 0)

All rows are one (R, P) tensor (core.regularization.nets): row 0 has no penalty, rows 1–2 the chosen λ with
L2 and with L1, then the path — every λ of PATH with L2, then with L1. They share the initial weights and
the minibatches, so the only difference between two rows is the penalty.

What L1 does that L2 does not: the L1 pull has the same size λ whatever the weight, so small weights are
pushed all the way to (around) zero; L2's pull λθ fades as θ shrinks, so weights get small but rarely tiny.
A (sub)gradient step almost never lands *exactly* on 0 — the weight hovers within about α·λ of it — so the
page counts weights below SMALL (and, for the interview notes' claim, exact zeros).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import device
from core.regularization import loop, nets

WIDTH = 64
PATH = tuple(float(f"{x:.0e}") for x in np.logspace(-5, -1, 9))  # 1e-5, 3e-5, …, 1e-1
SMALL = 1e-3  # a weight below this in magnitude counts as "small"
BINS = np.linspace(-8.0, 1.0, 37)  # log10 |w| histogram edges (a bin below −8 holds smaller ones and zeros)
METRICS = ("test_acc", "test_loss", "train_loss", "small", "norm")


@dataclass(frozen=True)
class PenaltyRun:
    lam: float
    optimizer: str
    n_train: int
    steps: np.ndarray  # (E,)
    metrics: np.ndarray  # (E, K, R) float32, K over METRICS, R = 3 + 2·len(PATH)
    hist: np.ndarray  # (3, len(BINS)) float32: counts of log10|w| per bin for none / L2 / L1 (first: ≤ −8)
    zeros: np.ndarray  # (R,) int: weights exactly 0
    n_weights: int
    total: int
    finite: bool

    def metric(self, name: str) -> np.ndarray:
        return self.metrics[:, METRICS.index(name)]  # (E, R)

    def final(self, name: str) -> np.ndarray:
        return self.metric(name)[-1]  # (R,)

    def path(self, name: str, kind: str) -> np.ndarray:
        """(len(PATH),) final values along the path for kind "l2" or "l1"."""
        start = 3 if kind == "l2" else 3 + len(PATH)
        return self.final(name)[start : start + len(PATH)]


def coefficients(lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row (l2, l1) strengths: none, L2 λ, L1 λ, the L2 path, the L1 path."""
    path = torch.tensor(PATH)
    zeros = torch.zeros(len(PATH))
    l2 = torch.cat([torch.tensor([0.0, lam, 0.0]), path, zeros])
    l1 = torch.cat([torch.tensor([0.0, 0.0, lam]), zeros, path])
    return l2, l1


def log_hist(w: torch.Tensor) -> torch.Tensor:
    """(R, len(BINS)) counts of log10|w| per bin of BINS; the first column also holds |w| < 1e-8 and zeros."""
    lw = torch.log10(w.abs().clamp_min(1e-30)).clamp(BINS[0] - 1, BINS[-1])
    idx = torch.bucketize(lw, torch.tensor(BINS[1:-1], dtype=lw.dtype, device=lw.device))  # 0 … len(BINS) − 2
    idx = torch.where(lw < BINS[0], torch.zeros_like(idx), idx + 1)  # column 0: below the first edge
    counts = torch.zeros(w.shape[0], len(BINS), device=w.device)
    return counts.scatter_add_(1, idx, torch.ones_like(lw))


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run (the rows of one batched MLP; evaluation grows with the training set).
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["pen_steps"] * (2.1e-3 + 3.5e-7 * v["pen_n"])


def stream(v: dict) -> Iterator[tuple[float, PenaltyRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    pick = nets.subset(v["pen_n"], y_tr, v["seed"]).to(dev)
    xs, ys = x_tr[pick], y_tr[pick]
    l2, l1 = coefficients(v["lam"])
    rows = len(l2)
    theta = nets.init(rows, WIDTH, v["seed"]).to(dev).requires_grad_(True)
    lr = v["pen_lr_sgd"] if v["pen_opt"] == "sgd" else v["pen_lr_adam"]
    opt = nets.Optim(v["pen_opt"], lr, l2=l2, l1=l1).to(dev)
    mask = nets.weight_mask(WIDTH).to(dev)
    idx = loop.batches(len(ys), v["pen_steps"], v["seed"]).to(dev)

    step = nets.minibatch_step(theta, opt, xs, ys, idx, WIDTH)

    def measure() -> torch.Tensor:
        with torch.no_grad():
            z = nets.logits(theta, x_te, WIDTH)
            w = theta[:, mask]
            return torch.stack(
                [
                    nets.accuracy(z, y_te),
                    nets.losses(z, y_te),
                    nets.losses(nets.logits(theta, xs, WIDTH), ys),
                    (w.abs() < SMALL).float().mean(1),
                    w.norm(dim=1),
                ]
            )

    def build(steps: np.ndarray, metrics: np.ndarray, finite: bool) -> PenaltyRun:
        with torch.no_grad():
            w = theta[:, mask]
            hist = log_hist(w[:3]).cpu().numpy().astype(np.float32)
            zeros = (w == 0).sum(1).cpu().numpy()
        return PenaltyRun(
            lam=v["lam"],
            optimizer=v["pen_opt"],
            n_train=len(ys),
            steps=steps,
            metrics=metrics,
            hist=hist,
            zeros=zeros,
            n_weights=int(mask.sum()),
            total=v["pen_steps"],
            finite=finite,
        )

    yield from loop.stream(v["pen_steps"], step, measure, build)
