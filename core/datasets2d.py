"""Two-dimensional classification data sets, generated in code from a seed (TensorFlow Playground's,
plus a three-arm spiral and a train/test split).

Every set lives roughly in [-1, 1]²; `noise` is the standard deviation of Gaussian jitter added to
each point's position *after* its label is fixed, so noise can carry points across the true boundary.
Classes are balanced (round-robin), then the points are shuffled and the last `test` share held out.

    xor       label = [x₁·x₂ > 0]                      points kept a margin PAD away from both axes
    circles   inner disk r < 0.5 (class 0), ring 0.7 < r < 1 (class 1)
    moons     scikit-learn's two interleaving half circles, centred and scaled by 1/1.5
    spiral2/3 K arms: r = t, θ = 2πk/K + TURNS·2π·t,  t ~ U(0.05, 1)
    gauss     two Gaussian blobs, centres ±(0.5, 0.5), σ = 0.25
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

DATASETS = ("xor", "circles", "moons", "spiral2", "spiral3", "gauss")
CLASSES = {"xor": 2, "circles": 2, "moons": 2, "spiral2": 2, "spiral3": 3, "gauss": 2}
PAD = 0.1  # XOR: distance kept from the axes before noise
TURNS = 1.0  # spiral: turns of each arm


@dataclass(frozen=True)
class Dataset2D:
    x_train: torch.Tensor  # (N_train, 2) float32
    y_train: torch.Tensor  # (N_train,) int64
    x_test: torch.Tensor  # (N_test, 2) float32
    y_test: torch.Tensor  # (N_test,) int64
    classes: int
    extent: float  # the plotted square is [-extent, extent]²

    def chance(self) -> float:
        """Accuracy of always guessing the most common training class, measured on the test set."""
        majority = torch.bincount(self.y_train, minlength=self.classes).argmax()
        return float((self.y_test == majority).float().mean())


def _points(kind: str, y: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Noise-free positions (N, 2) for labels y."""
    n = len(y)
    u = lambda *shape: torch.rand(*shape, generator=g, dtype=torch.float64)
    if kind == "xor":
        sx = torch.where(u(n) < 0.5, -1.0, 1.0)  # sign of x₁ free, sign of x₂ fixed by the label
        sy = torch.where(y == 1, sx, -sx)
        return torch.stack([sx * (PAD + (1 - PAD) * u(n)), sy * (PAD + (1 - PAD) * u(n))], 1)
    if kind == "circles":
        r = torch.where(y == 0, 0.5 * u(n), 0.7 + 0.3 * u(n))
        theta = 2 * math.pi * u(n)
        return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], 1)
    if kind == "moons":
        t = math.pi * u(n)
        outer = torch.stack([torch.cos(t), torch.sin(t)], 1)
        inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
        p = torch.where((y == 0)[:, None], outer, inner)
        return (p - torch.tensor([0.5, 0.25], dtype=torch.float64)) / 1.5
    if kind in ("spiral2", "spiral3"):
        k = CLASSES[kind]
        t = 0.05 + 0.95 * u(n)
        theta = 2 * math.pi * y / k + TURNS * 2 * math.pi * t
        return torch.stack([t * torch.cos(theta), t * torch.sin(theta)], 1)
    if kind == "gauss":
        centre = torch.where((y == 1)[:, None], 0.5, -0.5).expand(n, 2)
        return centre + 0.25 * torch.randn(n, 2, generator=g, dtype=torch.float64)
    raise ValueError(f"unknown data set '{kind}'")


def test_size(n: int, test: float, classes: int) -> int:
    """Points held out for testing: the share `test` of n, at least one per class on each side."""
    return min(n - classes, max(classes, round(n * test)))


def make(kind: str, n: int, noise: float, test: float, seed: int) -> Dataset2D:
    """n points of data set `kind` with Gaussian position noise, a share `test` held out; seeded."""
    k = CLASSES[kind]
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k  # balanced classes
    x = _points(kind, y, g)
    x = x + noise * torch.randn(n, 2, generator=g, dtype=torch.float64)
    order = torch.randperm(n, generator=g)
    x, y = x[order].float(), y[order]
    n_test = test_size(n, test, k)
    extent = max(1.2, math.ceil(float(x.abs().max()) * 1.05 * 10) / 10)
    return Dataset2D(x[: n - n_test], y[: n - n_test], x[n - n_test :], y[n - n_test :], k, extent)


def grid(extent: float, size: int) -> tuple[np.ndarray, torch.Tensor]:
    """A size × size grid over [-extent, extent]²: its 1-D axis (float32) and the points (size², 2),
    row-major with x₂ along rows (so `values.reshape(size, size)` is a heatmap's z)."""
    axis = torch.linspace(-extent, extent, size)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    return axis.numpy().astype(np.float32), torch.stack([x1.reshape(-1), x2.reshape(-1)], 1)
