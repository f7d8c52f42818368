"""The training skeleton every streaming experiment shares: chunk sizes, the chunk loop, the finite check.

    for fraction, result in chunked(total, train_chunk, snapshot):   # what Experiment.stream yields
        ...

- A page redraws after every chunk, so a chunk is 100–250 steps (`chunk_size`): long enough that
  drawing is a small share of the time, short enough that the page moves at least every second or so.
- Metrics are read once per chunk: `train_chunk(start, stop)` trains steps [start, stop) and returns
  what it accumulated on the device (a loss sum, a stack of metrics); `chunked` reads it once.
- A run whose metric becomes NaN/inf stops after that chunk; the result says so (`finite=False`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import torch

R = TypeVar("R")

CHUNK_MIN, CHUNK_MAX = 100, 250


def chunk_size(total: int, parts: int = 10, lo: int = CHUNK_MIN, hi: int = CHUNK_MAX) -> int:
    """Steps per chunk: about `parts` chunks per run, within [lo, hi] (never more than the run)."""
    return max(1, min(total, hi, max(lo, total // parts)))


def bounds(total: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of each chunk of `size` steps covering [0, total)."""
    for start in range(0, total, size):
        yield start, min(total, start + size)


def read(metric: Any) -> np.ndarray:
    """A chunk's metric (tensor, array or number) as a float64 numpy array: the one device read per chunk."""
    if isinstance(metric, torch.Tensor):
        metric = metric.detach().to("cpu", torch.float64).numpy()
    return np.asarray(metric, dtype=np.float64)


def is_finite(metric: Any) -> bool:
    return bool(np.isfinite(read(metric)).all())


def first_nonfinite(values: np.ndarray) -> int | None:
    """Index of the first entry (row, for 2-D) that is NaN/inf, or None."""
    values = np.asarray(values)
    bad = ~np.isfinite(values.reshape(len(values), -1)).all(1) if values.size else np.zeros(0, bool)
    return int(np.argmax(bad)) if bad.any() else None


def chunked(
    total: int, train_chunk: Callable[[int, int], Any], snapshot: Callable[[int, bool], R], size: int | None = None
) -> Iterator[tuple[float, R]]:
    """Run `train_chunk(start, stop)` chunk by chunk and yield (fraction done, `snapshot(stop, finite)`).

    The chunk's returned metric is read once; when it is not finite the run ends there (fraction 1.0:
    the page's progress bar completes, the result's `finite` flag says why)."""
    size = size or chunk_size(total)
    for start, stop in bounds(total, size):
        finite = is_finite(train_chunk(start, stop))
        yield (stop / total if finite else 1.0), snapshot(stop, finite)
        if not finite:
            return
