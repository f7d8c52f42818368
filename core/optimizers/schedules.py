"""Learning-rate schedules: the learning rate at step t (t = 0, 1, …, T−1) as a factor of the base rate.

Each one is the closed form of a torch.optim.lr_scheduler, stepped once per optimizer step (the tests
compare them step by step):

    constant     1                                                   (no scheduler)
    step         γ^⌊t / k⌋                                           StepLR(step_size=k, gamma=γ)
    exp          γ^(t / k)    (the same decay as `step`, smoothly)   ExponentialLR(gamma=γ^(1/k))
    cosine       ½ (1 + cos(π t / T))                                CosineAnnealingLR(T_max=T)
    warmup       min(1, (t + 1) / W)                                 LinearLR(start_factor=1/W, total_iters=W−1)
    warmup_cos   warm-up for W steps, then cosine over the rest      SequentialLR(LinearLR, CosineAnnealingLR)
    plateau      halve the rate when the loss has not improved by    ReduceLROnPlateau(factor=0.5, patience=P)
                 0.01 % for more than P steps ("halve it when the loss stops falling", the notes' recipe)

`plateau` depends on the loss, so it is not a table: `Plateau` keeps one learning rate per run (a row
of a batch) and updates them all at once with tensor operations, no `.item()`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

SCHEDULES = ("constant", "step", "exp", "cosine", "warmup", "warmup_cos", "plateau")
USES = {  # which schedule knobs each schedule reads
    "constant": (),
    "step": ("every", "gamma"),
    "exp": ("every", "gamma"),
    "cosine": (),
    "warmup": ("warmup",),
    "warmup_cos": ("warmup",),
    "plateau": ("patience",),
}
PLATEAU_FACTOR, PLATEAU_THRESHOLD, PLATEAU_EPS = 0.5, 1e-4, 1e-8  # torch's threshold and eps defaults


def factors(kind: str, steps: int, every: int = 100, gamma: float = 0.5, warmup: int = 50) -> np.ndarray:
    """(steps,) float64: lr_t / lr for a loss-independent schedule (`plateau` starts at 1 and is dynamic)."""
    t = np.arange(steps, dtype=np.float64)
    if kind in ("constant", "plateau"):
        return np.ones(steps)
    if kind == "step":
        return gamma ** np.floor(t / every)
    if kind == "exp":
        return (gamma ** (1.0 / every)) ** t
    if kind == "cosine":
        return (1 + np.cos(math.pi * t / steps)) / 2
    w = max(1, min(warmup, steps))
    ramp = np.minimum(1.0, (t + 1) / w)
    if kind == "warmup":
        return ramp
    if kind == "warmup_cos":
        rest = max(1, steps - w)
        return np.where(t < w, ramp, (1 + np.cos(math.pi * (t - w) / rest)) / 2)
    raise ValueError(f"unknown schedule {kind!r}")


class Plateau:
    """ReduceLROnPlateau(mode='min', factor=0.5, patience, threshold=1e-4 relative, cooldown=0, min_lr=0)
    for R independent runs at once: `lr` is (R, 1); call `step(loss)` with each run's loss (R,) after its step."""

    def __init__(self, lr: torch.Tensor, patience: int):
        self.lr = lr.clone()  # (R, 1)
        self.patience = patience
        self.best = torch.full_like(lr[:, 0], math.inf)  # (R,)
        self.bad = torch.zeros_like(lr[:, 0])  # steps without improvement, per run

    def step(self, loss: torch.Tensor) -> None:
        better = loss < self.best * (1 - PLATEAU_THRESHOLD)  # NaN compares False: a diverged run counts as bad
        self.best = torch.where(better, loss, self.best)
        self.bad = torch.where(better, 0.0, self.bad + 1)
        cut = self.bad > self.patience
        new = self.lr * PLATEAU_FACTOR
        apply = cut[:, None] & (self.lr - new > PLATEAU_EPS)  # torch skips cuts smaller than eps
        self.lr = torch.where(apply, new, self.lr)
        self.bad = torch.where(cut, 0.0, self.bad)
