"""A real MLP trained on the same few points as the polynomials (core.regularization.poly), live.

    x → [Linear(·, H) → ReLU] × depth → Linear(H, 1),   loss: mean squared error on the n points,
    Adam on the whole training set each step (nn.Linear's default initialisation, seeded)

Train and test MSE are recorded EVALS times over the run and the fitted function once per chunk, so the page
draws the curves as they come and a finished run replays the fit step by step. With many units and few
noisy points the training error keeps falling to ~0 while the test error turns up: overfitting in time,
which early stopping (core.regularization.early) cuts off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from core import device, training
from core.regularization import poly

EVALS = 100  # test-error points per run


def make(width: int, depth: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    fan_in = 1
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), nn.ReLU()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


@dataclass(frozen=True)
class MlpRun:
    steps: np.ndarray  # (E,) int, steps at which the errors were measured (0 = initial weights)
    train_mse: np.ndarray  # (E,) float32
    test_mse: np.ndarray  # (E,) float32
    snap_steps: np.ndarray  # (S,) int, steps of the fitted-function snapshots
    curves: np.ndarray  # (S, N_GRID) float32
    grid: np.ndarray  # (N_GRID,) float32
    truth: np.ndarray
    x_train: np.ndarray  # (n,) float32
    y_train: np.ndarray
    total: int
    params: int  # the network's parameter count
    finite: bool

    @property
    def best(self) -> int:
        """Index of the lowest test error so far."""
        return int(np.nanargmin(self.test_mse))


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run: per full-batch step a fixed overhead (first-run dispatch included) plus
    the hidden layers' work.
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["steps"] * (8e-4 + 3.9e-9 * v["width"] ** 2 * v["depth"])


def train(v: dict) -> Iterator[tuple[float, MlpRun]]:
    """Yield (fraction done, result so far) after every chunk (core.training.chunked)."""
    dev = device.device()
    t = poly.task(v["n"], v["noise"], v["seed"])
    col = lambda a: torch.tensor(a, dtype=torch.float32, device=dev)[:, None]  # (N, 1)
    x_tr, y_tr, x_te, y_te = col(t.x_train), col(t.y_train), col(t.x_test), col(t.y_test)
    grid = np.linspace(-1, 1, poly.N_GRID).astype(np.float32)
    x_grid = col(grid)
    with device.seeded(v["seed"]):
        model = make(v["width"], v["depth"]).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=v["lr"], fused=True)
    total = v["steps"]
    every = max(1, total // EVALS)
    steps, errs = [0], []
    snaps, curves = [], []

    def measure() -> torch.Tensor:
        with torch.no_grad():
            return torch.stack([((model(x_tr) - y_tr) ** 2).mean(), ((model(x_te) - y_te) ** 2).mean()])

    def curve() -> None:
        with torch.no_grad():
            curves.append(model(x_grid)[:, 0])

    errs.append(measure())
    snaps.append(0)
    curve()

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        loss = torch.zeros((), device=dev)
        for i in range(start, stop):
            loss = ((model(x_tr) - y_tr) ** 2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if (i + 1) % every == 0 or i + 1 == total:
                steps.append(i + 1)
                errs.append(measure())
        return loss.detach()

    def snapshot(stop: int, finite: bool) -> MlpRun:
        snaps.append(stop)
        curve()
        e = training.read(torch.stack(errs)).astype(np.float32)  # (E, 2): one read per chunk
        return MlpRun(
            steps=np.array(steps),
            train_mse=e[:, 0],
            test_mse=e[:, 1],
            snap_steps=np.array(snaps),
            curves=training.read(torch.stack(curves)).astype(np.float32),
            grid=grid,
            truth=poly.target(grid).astype(np.float32),
            x_train=t.x_train.astype(np.float32),
            y_train=t.y_train.astype(np.float32),
            total=total,
            params=sum(p.numel() for p in model.parameters()),
            finite=finite,
        )

    yield from training.chunked(total, train_chunk, snapshot)
