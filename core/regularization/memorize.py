"""Memorization: the same network fits random labels (Zhang et al. 2017, "Understanding deep learning requires
rethinking generalization"), and needs longer to do it (Arpit et al. 2017, "A closer look at memorization").

Each row of one (R, P) tensor (core.regularization.nets) trains on the same digits with its own labels: a
share q of them replaced by a uniformly random class (NOISE_GRID, and the chosen share), same initial
weights, same minibatches. With q = 1 no label says anything about its image: whatever the network learns
is memorized, and the test accuracy stays at chance (10 %) while the training accuracy still reaches ~100 %.
Training accuracy is measured against each row's own (noisy) labels, test accuracy against the true ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import device
from core.regularization import loop, nets

WIDTH = 128
NOISE_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
FIT = 0.99  # "fitted": training accuracy at least this
METRICS = ("train_acc", "test_acc", "train_loss")


def shares_for(q: float) -> tuple[float, ...]:
    return tuple(sorted(set(NOISE_GRID) | {q}))


def labels(y: torch.Tensor, shares: tuple[float, ...], seed: int) -> torch.Tensor:
    """(R, N): row r keeps each true label with probability 1 − shares[r], else a uniformly random class.
    One uniform draw per example is shared by every row, so a label randomised at q stays randomised at q' > q."""
    gen = torch.Generator().manual_seed(seed + 29)
    u = torch.rand(len(y), generator=gen).to(y.device)
    random = torch.randint(0, nets.N_OUT, (len(y),), generator=gen).to(y.device)
    q = torch.tensor(shares, device=y.device)[:, None]
    return torch.where(u[None, :] < q, random[None, :], y[None, :])


@dataclass(frozen=True)
class MemoRun:
    shares: np.ndarray  # (R,) label-noise share of each row
    chosen: float
    n_train: int
    changed: np.ndarray  # (R,) share of labels that differ from the truth
    steps: np.ndarray  # (E,)
    metrics: np.ndarray  # (E, K, R) float32
    total: int
    finite: bool

    def metric(self, name: str) -> np.ndarray:
        return self.metrics[:, METRICS.index(name)]  # (E, R)

    def fitted_at(self) -> list[int | None]:
        """Per row: the first measured step with training accuracy ≥ FIT, or None."""
        hit = self.metric("train_acc") >= FIT  # (E, R)
        return [int(self.steps[np.argmax(col)]) if col.any() else None for col in hit.T]


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run (one row per label-noise share; evaluation grows with n).
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["mem_steps"] * (1.13e-3 + 1.3e-7 * v["mem_n"])


def stream(v: dict) -> Iterator[tuple[float, MemoRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    pick = nets.subset(v["mem_n"], y_tr, v["seed"]).to(dev)
    xs, ys = x_tr[pick], y_tr[pick]
    shares = shares_for(v["mem_noise"])
    y_rows = labels(ys, shares, v["seed"])  # (R, N)
    theta = nets.init(len(shares), WIDTH, v["seed"]).to(dev).requires_grad_(True)
    opt = nets.Optim("adam", v["mem_lr"]).to(dev)
    total = v["mem_steps"]
    idx = loop.batches(len(ys), total, v["seed"]).to(dev)
    changed = (y_rows != ys[None]).float().mean(1).cpu().numpy()

    def step(t: int) -> torch.Tensor:
        b = idx[t]
        return opt.descend(theta, nets.losses(nets.logits(theta, xs[b], WIDTH), y_rows[:, b]))

    def measure() -> torch.Tensor:
        with torch.no_grad():
            z = nets.logits(theta, xs, WIDTH)
            return torch.stack(
                [nets.accuracy(z, y_rows), nets.accuracy(nets.logits(theta, x_te, WIDTH), y_te), nets.losses(z, y_rows)]
            )

    def build(steps: np.ndarray, m: np.ndarray, finite: bool) -> MemoRun:
        return MemoRun(np.array(shares), v["mem_noise"], len(ys), changed, steps, m, total, finite)

    yield from loop.stream(total, step, measure, build)
