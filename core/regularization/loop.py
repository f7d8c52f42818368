"""The training loop every digits section shares, on top of core.training's chunk skeleton.

    for fraction, result in stream(total, step, measure, build):   # what an Experiment.stream yields
        ...

- `step(t)` trains step t (0-based) of every row and returns the rows' minibatch losses, (R,), on the device.
- `measure()` returns the metrics of every row, (K, R), on the device; it runs before the first step and
  then EVALS times over the run (every `every` steps), and its results stay on the device until the chunk
  ends: one read per chunk.
- `build(steps, metrics, finite)` makes the section's result from the steps measured so far (E,) and the
  metrics (E, K, R) float32.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import numpy as np
import torch

from core import training

R = TypeVar("R")
EVALS = 50  # measurements per run (plus the one before training)
BATCH = 64


def every(total: int, evals: int = EVALS) -> int:
    return max(1, total // evals)


def stream(
    total: int,
    step: Callable[[int], torch.Tensor],
    measure: Callable[[], torch.Tensor],
    build: Callable[[np.ndarray, np.ndarray, bool], R],
    evals: int = EVALS,
) -> Iterator[tuple[float, R]]:
    gap = every(total, evals)
    steps, pending, done = [0], [measure()], []

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        loss = None
        for t in range(start, stop):
            loss = step(t).detach()
            if (t + 1) % gap == 0 or t + 1 == total:
                steps.append(t + 1)
                pending.append(measure())
        return loss

    def snapshot(stop: int, finite: bool) -> R:
        done.append(training.read(torch.stack(pending)).astype(np.float32))  # (e, K, R): the chunk's one read
        pending.clear()
        return build(np.array(steps), np.concatenate(done), finite)

    yield from training.chunked(total, train_chunk, snapshot)


def batches(n: int, total: int, seed: int, batch: int = BATCH) -> torch.Tensor:
    """(total, min(batch, n)) minibatch indices into n examples, drawn with replacement (seeded)."""
    gen = torch.Generator().manual_seed(seed + 1)
    return torch.randint(0, n, (total, min(batch, n)), generator=gen)
