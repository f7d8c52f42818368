"""Judges of digit-likeness: MLP classifiers trained once per process on the *real* training digits only.

    strict (the page's)   64 → 256 → 11: the ten digits and "not a digit", the latter trained on negatives that
                          fool a plain 10-way classifier (uniform and Gaussian noise, pixel-shuffled digits,
                          35–65% blends of two digits)
    mlp                   64 → 256 → 10: an independent digit classifier, as a paper would use one
A generated image counts as a confident digit when a classifier gives one digit class p ≥ 0.9
(core.gan.metrics.class_scores); both report that share and how many of the 10 classes appear. The strict
judge is harder to please: a blurry blend of two digits is "not a digit" to it, a low-confidence digit to
the plain one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from core.data import digits
from core.gan import metrics

NOT_A_DIGIT = 10


def negatives(n: int, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """n "not a digit" images in [0, 1]: uniform noise, Gaussian noise, pixel-shuffled digits, blends."""
    k = n // 4
    uniform = torch.rand(k, 1, 8, 8, generator=g)
    scale, mean = torch.rand(k, 1, 1, 1, generator=g) * 0.6, torch.rand(k, 1, 1, 1, generator=g) * 0.5
    gauss = (torch.randn(k, 1, 8, 8, generator=g) * scale + mean).clamp(0, 1)
    rows = torch.randint(len(x), (k,), generator=g)
    keys = torch.rand(k, 64, generator=g).argsort(1)  # one random pixel order per image
    shuffled = torch.gather(x[rows].flatten(1), 1, keys).view(k, 1, 8, 8)
    a, b = torch.randint(len(x), (2, n - 3 * k), generator=g)
    alpha = 0.35 + 0.3 * torch.rand(n - 3 * k, 1, 1, 1, generator=g)
    return torch.cat([uniform, gauss, shuffled, alpha * x[a] + (1 - alpha) * x[b]])


@dataclass(frozen=True)
class Classifier:
    weights: tuple[torch.Tensor, ...]  # W1 (256, 64), b1, W2 (K, 256), b2 on the CPU; K = 11 or 10
    test_acc: float  # on the real test digits (argmax over the ten digit classes)

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 8, 8) images in [0, 1] -> (N, K) class probabilities."""
        w1, b1, w2, b2 = (w.to(x.device) for w in self.weights)
        return torch.softmax(F.linear(F.relu(F.linear(x.flatten(1), w1, b1)), w2, b2), 1)


@lru_cache(maxsize=4)
def _train(with_negatives: bool, steps: int = 800, seed: int = 0) -> Classifier:
    x, y, x_test, y_test = digits(0)
    g = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 11 if with_negatives else 10))
    with torch.no_grad():
        for p in net.parameters():
            bound = 1 / math.sqrt(p.shape[-1] if p.dim() > 1 else 64)
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * bound)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(steps):
        rows = torch.randint(len(x), (128,), generator=g)
        batch, labels = x[rows], y[rows]
        if with_negatives:
            batch = torch.cat([batch, negatives(48, x, g)])
            labels = torch.cat([labels, torch.full((48,), NOT_A_DIGIT)])
        loss = F.cross_entropy(net(batch), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    clf = Classifier(tuple(p.detach().clone() for p in net.parameters()), 0.0)
    with torch.no_grad():
        acc = float((clf.probs(x_test)[:, :10].argmax(1) == y_test).float().mean())
    return replace(clf, test_acc=acc)


def classifier() -> Classifier:
    """The page's strict judge (11 classes), trained once per process (≈1 s on one CPU thread)."""
    return _train(True)


def mlp_classifier() -> Classifier:
    """The independent 10-class MLP (no "not a digit" class), trained once per process."""
    return _train(False)


def digit_scores(clf: Classifier, images01: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(confident-digit share, digit classes covered, confident count per digit) as device tensors."""
    p_digit = clf.probs(images01)[:, :10]  # p ≥ 0.9 for a digit implies it beats "not a digit" too
    return metrics.class_scores(p_digit, classes=10)
