"""Real data sets that ship inside installed packages (no downloads): the scikit-learn 8×8 digits.

    x_train, y_train, x_test, y_test = digits(seed=0)     # float32 (N, 1, 8, 8) in [0, 1], int64 labels
    x_train, y_train, x_test, y_test = digits_flat(0)     # (N, 64), standardized per pixel (MLPs)
    order = batch_plan(len(y_train), 64, steps, seed)     # (steps, 64) indices, a fresh shuffle per epoch

The split is stratified and fixed by `seed`, so a shared link sees the same train/test digits.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    images = (d.images / 16.0).astype(np.float32)  # (1797, 8, 8), pixel values 0..16 -> [0, 1]
    return images, d.target.astype(np.int64)


def digits(seed: int = 0, test_fraction: float = 0.25) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_test, y_test) on the CPU; x is (N, 1, 8, 8) float32 in [0, 1]."""
    images, labels = _digits_arrays()
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for c in range(10):  # stratified: the same share of every class in the test set
        idx = np.flatnonzero(labels == c)
        test[rng.choice(idx, size=int(round(len(idx) * test_fraction)), replace=False)] = True
    x = torch.from_numpy(images).unsqueeze(1)
    y = torch.from_numpy(labels)
    keep = torch.from_numpy(~test)
    return x[keep], y[keep], x[~keep], y[~keep]


@lru_cache(maxsize=4)
def digits_flat(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The digits as (N, 64) float32 vectors for an MLP, each pixel standardized with the training set's mean and
    std (a pixel that never varies there is divided by 0.1 instead of 0). Cached: do not modify in place."""
    x_tr, y_tr, x_te, y_te = digits(seed)
    x_tr, x_te = x_tr.flatten(1), x_te.flatten(1)
    mean, std = x_tr.mean(0), x_tr.std(0).clamp_min(0.1)
    return (x_tr - mean) / std, y_tr, (x_te - mean) / std, y_te


def batch_plan(n: int, batch: int, steps: int, seed: int) -> torch.Tensor:
    """(steps, batch) int64 indices into a training set of n examples: a fresh shuffle every epoch, the last
    incomplete batch of an epoch dropped, so every example is seen once per epoch (batch <= n)."""
    gen = torch.Generator().manual_seed(seed)
    per_epoch = n // batch
    epochs = -(-steps // per_epoch)
    order = torch.cat([torch.randperm(n, generator=gen)[: per_epoch * batch] for _ in range(epochs)])
    return order[: steps * batch].view(steps, batch)
