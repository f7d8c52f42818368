"""Early stopping: watch a validation set, stop after `patience` checks without improvement, restore the best.

    best_t   = argmin over checks so far of the validation loss
    stop     at the first check t with t − best_t ≥ patience   (checks, one every `every` steps)
    restore  the weights saved at best_t

The training digits (a noisy share of their labels replaced by random ones, as in real data with label
errors) are split once: VAL_SHARE held out for validation, the rest trained on; the test digits are only
used to report what stopping bought. The run goes on to its last step anyway, so the page can show what
would have happened without stopping (Prechelt 1998, "Early stopping — but when?").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import device
from core.regularization import loop, nets

WIDTH = 128
VAL_SHARE = 0.2
EVALS = 100
METRICS = ("train_loss", "val_loss", "val_acc", "test_loss", "test_acc")


def noisy_labels(y: torch.Tensor, share: float, seed: int) -> torch.Tensor:
    """y with each label, with probability `share`, replaced by a uniformly random class (seeded)."""
    gen = torch.Generator().manual_seed(seed + 11)
    flip = torch.rand(y.shape, generator=gen) < share
    random = torch.randint(0, nets.N_OUT, y.shape, generator=gen)
    return torch.where(flip.to(y.device), random.to(y.device), y)


def stopping_point(val_loss: np.ndarray, patience: int) -> tuple[int, int | None]:
    """(index of the best check when stopping, index of the check where training stops or None if never)."""
    best = 0
    for i in range(1, len(val_loss)):
        if val_loss[i] < val_loss[best]:
            best = i
        elif i - best >= patience:
            return best, i
    return best, None


@dataclass(frozen=True)
class EarlyRun:
    patience: int
    n_train: int
    n_val: int
    label_noise: float
    steps: np.ndarray  # (E,)
    metrics: np.ndarray  # (E, K) float32, K over METRICS
    best: int  # index into steps of the restored check
    stop: int | None  # index into steps where stopping ends training (None: never within the run)
    restored_test_acc: float  # the restored weights, measured again on the test set
    restored_test_loss: float
    total: int
    finite: bool

    def metric(self, name: str) -> np.ndarray:
        return self.metrics[:, METRICS.index(name)]


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run (the run goes on to its last step whatever the patience).
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["es_steps"] * 5.8e-4


def stream(v: dict) -> Iterator[tuple[float, EarlyRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    pick = nets.subset(v["es_n"], y_tr, v["seed"]).to(dev)
    xs, ys = x_tr[pick], noisy_labels(y_tr[pick], v["es_noise"], v["seed"])
    order = torch.randperm(len(ys), generator=torch.Generator().manual_seed(v["seed"] + 13)).to(dev)
    n_val = max(1, round(VAL_SHARE * len(ys)))
    val, fit = order[:n_val], order[n_val:]
    x_fit, y_fit, x_val, y_val = xs[fit], ys[fit], xs[val], ys[val]
    theta = nets.init(1, WIDTH, v["seed"]).to(dev).requires_grad_(True)
    opt = nets.Optim("adam", v["es_lr"]).to(dev)
    total = v["es_steps"]
    idx = loop.batches(len(y_fit), total, v["seed"]).to(dev)
    saved: list[torch.Tensor] = []  # the weights at every check (E × P floats: a few MB), so any check can be restored

    step = nets.minibatch_step(theta, opt, x_fit, y_fit, idx, WIDTH)

    def measure() -> torch.Tensor:
        saved.append(theta.detach().clone())
        with torch.no_grad():
            zv, zt = nets.logits(theta, x_val, WIDTH), nets.logits(theta, x_te, WIDTH)
            row = torch.stack(
                [
                    nets.losses(nets.logits(theta, x_fit, WIDTH), y_fit)[0],
                    nets.losses(zv, y_val)[0],
                    nets.accuracy(zv, y_val)[0],
                    nets.losses(zt, y_te)[0],
                    nets.accuracy(zt, y_te)[0],
                ]
            )
        return row[:, None]  # (K, 1): one row

    def build(steps: np.ndarray, m: np.ndarray, finite: bool) -> EarlyRun:
        metrics = m[:, :, 0]  # (E, K)
        best, stop = stopping_point(metrics[:, METRICS.index("val_loss")], v["patience"])
        with torch.no_grad():
            z = nets.logits(saved[best], x_te, WIDTH)  # restore the best check's weights
            acc, loss = float(nets.accuracy(z, y_te)[0]), float(nets.losses(z, y_te)[0])
        return EarlyRun(
            v["patience"], len(y_fit), n_val, v["es_noise"], steps, metrics, best, stop, acc, loss, total, finite
        )

    yield from loop.stream(total, step, measure, build, evals=EVALS)
