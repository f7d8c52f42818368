"""Training stacks of models on the digits, chunk by chunk (the loop every section of this page shares).

    fit = Fit((stack, …), lrs=(tensor (M,), …), batch=64, steps=500, seed=0)
    for fraction, result in training.chunked(steps, fit.chunk, snapshot):   # core.training
        …

All stacks see the same mini-batches (core.data.batch_plan, seeded by seed + 1; the weights use seed). The
per-step losses and first-layer gradient norms stay on the device during a chunk and are read once at its end.
A model whose loss turns NaN/inf has diverged: the step is recorded, its learning rate set to 0 (its weights are
no longer meaningful) and its accuracies reported as NaN; the other models train on. The run ends early only
when every model has diverged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import data, device
from core.normalization import nets

SPLIT_SEED = 0  # one train/test split for every seed: a seed changes weights and batch order only


@dataclass(frozen=True)
class Digits:
    x_train: torch.Tensor  # (1347, 64) standardized, on the device
    y_train: torch.Tensor
    x_test: torch.Tensor  # (450, 64)
    y_test: torch.Tensor


def digits() -> Digits:
    dev = device.device()
    return Digits(*(t.to(dev) for t in data.digits_flat(SPLIT_SEED)))


class Fit:
    """One or more stacks trained side by side with plain SGD, one learning rate per model."""

    def __init__(
        self,
        stacks: tuple[nets.Stack, ...],
        lrs: tuple[torch.Tensor, ...],
        batch: int,
        steps: int,
        seed: int,
        modes: tuple[str | int, ...] = ("running",),
    ):
        """lrs: one (M,) tensor per stack; the batch plan is seeded by seed + 1. `modes`: the normalization
        statistics (Stack.norm) under which `record` measures the accuracies."""
        self.stacks, self.data = stacks, digits()
        dev = device.device()
        self.lrs = [lr.to(dev, torch.float32).clone() for lr in lrs]
        self.plan = data.batch_plan(len(self.data.y_train), batch, steps, seed + 1).to(dev)  # (steps, B)
        self.loss = [np.zeros((0, s.spec.models), np.float32) for s in stacks]  # per stack: (steps so far, M)
        self.grad = [np.zeros((0, s.spec.models), np.float32) for s in stacks]  # ‖∂L/∂W_0‖ per step
        self.diverged = [np.full(s.spec.models, -1) for s in stacks]  # first step (1-based) with NaN/inf, or −1
        self.evals: list[int] = []  # steps at which `record` measured (0: the initial weights)
        self._acc: dict[str | int, list[np.ndarray]] = {m: [] for m in modes}
        self.record(0)

    @property
    def done(self) -> int:
        return len(self.loss[0])

    def chunk(self, start: int, stop: int) -> float:
        """Train steps [start, stop) of every stack; 1.0 while some model is alive, NaN once none is."""
        d = self.data
        for i, stack in enumerate(self.stacks):
            losses, grads = [], []
            for step in range(start, stop):
                idx = self.plan[step]
                loss, grad = stack.step(d.x_train[idx], d.y_train[idx], self.lrs[i])
                losses.append(loss)
                grads.append(grad)
            loss, grad = nets.rows(losses), nets.rows(grads)  # the chunk's one read
            bad = ~np.isfinite(loss) | ~np.isfinite(grad)
            fresh = bad.any(0) & (self.diverged[i] < 0)
            self.diverged[i][fresh] = start + 1 + bad.argmax(0)[fresh]
            self.lrs[i][torch.from_numpy(self.diverged[i] >= 0).to(self.lrs[i].device)] = 0.0
            self.loss[i] = np.concatenate([self.loss[i], loss])
            self.grad[i] = np.concatenate([self.grad[i], grad])
        alive = any((dv < 0).any() for dv in self.diverged)
        return 1.0 if alive else float("nan")

    def accuracy(self, stats: str | int = "running") -> np.ndarray:
        """(stacks, 2, M): training and test accuracy of every model, NaN for diverged ones."""
        d = self.data
        out = []
        for i, s in enumerate(self.stacks):
            acc = torch.stack([s.accuracy(d.x_train, d.y_train, stats), s.accuracy(d.x_test, d.y_test, stats)])
            acc = acc.cpu().numpy().astype(np.float32)
            acc[:, self.diverged[i] >= 0] = np.nan
            out.append(acc)
        return np.stack(out)

    def record(self, step: int) -> None:
        """Measure the accuracies in every mode after `step` steps (a snapshot calls this once per chunk)."""
        self.evals.append(step)
        for mode, history in self._acc.items():
            history.append(self.accuracy(mode))

    def history(self, mode: str | int = "running") -> np.ndarray:
        """(E, stacks, 2, M) float32: the recorded [training, test] accuracies, E = len(evals)."""
        return np.stack(self._acc[mode])


def by_model(rows: list[str], cols: tuple[str, ...], cell) -> dict:
    """{row: {col: cell(i, j)}}: a summary's nested table (learning rate × net, depth × net)."""
    return {r: {c: cell(i, j) for j, c in enumerate(cols)} for i, r in enumerate(rows)}


def step_or_none(step: int) -> int | None:
    """A recorded divergence step for JSON: None for −1 (never diverged)."""
    return int(step) if step >= 0 else None


def last(values: np.ndarray) -> float:
    """The last row's value as a float (NaN before the first chunk)."""
    return float(values[-1]) if len(values) else float("nan")


def thin(values: np.ndarray, points: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(steps (P,), means (P, …)) of a per-step series averaged over windows of equal length, at most `points`
    windows: what a chart needs of thousands of noisy steps. Steps are 1-based window ends."""
    n = len(values)
    if n == 0:
        return np.zeros(0, np.int64), values[:0].astype(np.float32)
    size = max(1, -(-n // points))
    full = n // size * size
    means = values[:full].reshape(full // size, size, *values.shape[1:]).mean(1)
    ends = np.arange(size, full + 1, size)
    if full < n:
        means = np.concatenate([means, values[full:].mean(0, keepdims=True)])
        ends = np.append(ends, n)
    return ends.astype(np.int64), means.astype(np.float32)
