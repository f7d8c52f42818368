"""Data augmentation on the 8×8 digits: random shifts, rotations and pixel noise at training time.

    shift     move the digit by (dx, dy) whole pixels, dx, dy ~ U{−s … s}, zeros shifted in
    rotate    turn it by an angle ~ U(−r°, r°) about the centre (bilinear, zeros outside: F.grid_sample)
    noise     add N(0, σ²) to every pixel, then clip to [0, 1]
The label never changes: an augmentation is a change the task should not care about.

The scikit-learn digits are centred and size-normalised, so a plain MLP sees each digit in one place. It is
tested twice: on the test digits as they are (centred) and on the same digits moved by up to `test_shift`
pixels. Rows of one (R, P) tensor (core.regularization.nets): no augmentation on SIZES real digits (and on
the chosen n), then augmentation on the chosen n — so the page can say how many *real* digits the
augmentation is worth on each test set (the number of unaugmented digits that reaches the same accuracy,
interpolated on a log scale).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import device
from core.regularization import loop, nets

WIDTH = 64
SIZES = (25, 50, 100, 200, 400, 800, 1347)
SIDE = 8


def shift(x: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """x (N, 64) images moved by integer (dx, dy) pixels each (right, down), zeros shifted in."""
    n, pad = len(x), SIDE
    img = F.pad(x.view(n, SIDE, SIDE), (pad, pad, pad, pad))  # (N, 24, 24)
    ar = torch.arange(SIDE, device=x.device)
    rows = ar[None, :] + pad - dy[:, None]  # (N, 8) source rows
    cols = ar[None, :] + pad - dx[:, None]
    out = img[torch.arange(n, device=x.device)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return out.reshape(n, SIDE * SIDE)


def rotate(x: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """x (N, 64) turned by `degrees` (N,) about the image centre, bilinear, zeros outside."""
    n, t = len(x), degrees * math.pi / 180
    c, s, z = torch.cos(t), torch.sin(t), torch.zeros_like(t)
    affine = torch.stack([torch.stack([c, -s, z], 1), torch.stack([s, c, z], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(affine, [n, 1, SIDE, SIDE], align_corners=False)
    return F.grid_sample(x.view(n, 1, SIDE, SIDE), grid, align_corners=False).reshape(n, SIDE * SIDE)


def augment(
    x: torch.Tensor, y: torch.Tensor, max_shift: int, max_deg: float, sigma: float, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """A randomly changed copy of the batch x (N, 64) and its labels y, unchanged."""
    n, dev = len(x), x.device
    if max_deg > 0:
        x = rotate(x, (torch.rand(n, generator=gen, device=dev) * 2 - 1) * max_deg)
    if max_shift > 0:
        d = torch.randint(-max_shift, max_shift + 1, (2, n), generator=gen, device=dev)
        x = shift(x, d[0], d[1])
    if sigma > 0:
        x = (x + sigma * torch.randn(x.shape, generator=gen, device=dev)).clamp(0, 1)
    return x, y


def shifted_test(x: torch.Tensor, max_shift: int, seed: int) -> torch.Tensor:
    """The test digits, each moved by a random (dx, dy) with |dx|, |dy| ≤ max_shift, one of them = max_shift."""
    gen = torch.Generator().manual_seed(seed + 17)
    n = len(x)
    if max_shift == 0:
        return x
    d = torch.randint(-max_shift, max_shift + 1, (2, n), generator=gen)
    edge = torch.randint(0, 2, (n,), generator=gen)  # which coordinate goes the whole way
    sign = torch.where(torch.rand(n, generator=gen) < 0.5, -1, 1)
    d[edge, torch.arange(n)] = sign * max_shift
    return shift(x, d[0].to(x.device), d[1].to(x.device))


def sizes_for(n: int) -> tuple[int, ...]:
    return tuple(sorted(set(SIZES) | {n}))


def worth(sizes: np.ndarray, acc: np.ndarray, target: float) -> tuple[float, str]:
    """How many real digits (no augmentation) reach accuracy `target`: log-interpolated on the running maximum
    of acc over sizes. ("below", sizes[0]) / ("above", sizes[-1]) when outside the measured range."""
    best = np.maximum.accumulate(acc)
    if target <= best[0]:
        return float(sizes[0]), "below"
    if target > best[-1]:
        return float(sizes[-1]), "above"
    i = int(np.argmax(best >= target))
    lo, hi = np.log(sizes[i - 1]), np.log(sizes[i])
    frac = (target - best[i - 1]) / max(best[i] - best[i - 1], 1e-12)
    return float(np.exp(lo + frac * (hi - lo))), "within"


@dataclass(frozen=True)
class AugmentRun:
    n: int
    sizes: np.ndarray  # (S,) real digits of each unaugmented row
    steps: np.ndarray  # (E,)
    centred: np.ndarray  # (E, S + 1) float32 accuracy on the centred test digits; last column: augmented
    shifted: np.ndarray  # (E, S + 1) float32 on the shifted test digits
    examples: np.ndarray  # (6, 8, 8) float32: a training digit and five augmented copies
    example_label: int
    shifted_examples: np.ndarray  # (5, 8, 8) float32: shifted test digits
    total: int
    finite: bool

    @property
    def plain(self) -> int:
        """Column of the unaugmented row trained on the same n digits."""
        return int(np.flatnonzero(self.sizes == self.n)[0])

    def worth(self, which: str) -> tuple[float, str]:
        acc = (self.centred if which == "centred" else self.shifted)[-1]
        return worth(self.sizes, acc[:-1], float(acc[-1]))


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run (every row's augmented minibatch, per step; evaluation grows with n).
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["aug_steps"] * (1.49e-3 + 1.8e-7 * v["aug_n"])


def stream(v: dict) -> Iterator[tuple[float, AugmentRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    sizes = sizes_for(v["aug_n"])
    order = nets.balanced_order(y_tr, v["seed"]).to(dev)  # row r trains on the first limit[r] digits of it
    s = len(sizes)
    x_shift = shifted_test(x_te, v["test_shift"], v["seed"])
    theta = nets.init(s + 1, WIDTH, v["seed"]).to(dev).requires_grad_(True)
    opt = nets.Optim("adam", v["aug_lr"]).to(dev)
    total = v["aug_steps"]
    gen = torch.Generator(device=dev).manual_seed(v["seed"] + 19)
    limit = torch.tensor([*sizes, v["aug_n"]], device=dev)  # (R,) each row draws from the first limit[r] digits
    u = torch.rand(total, loop.BATCH, generator=torch.Generator().manual_seed(v["seed"] + 1)).to(dev)
    args = (v["aug_shift"], v["aug_rot"], v["aug_noise"])

    def step(t: int) -> torch.Tensor:
        rows = order[(u[t][None, :] * limit[:, None]).long()]  # (R, B): row r's batch from its first limit[r]
        xb, yb = x_tr[rows], y_tr[rows]  # (R, B, 64)
        xa, _ = augment(xb[-1], yb[-1], *args, gen)
        xb = torch.cat([xb[:-1], xa[None]])
        return opt.descend(theta, nets.losses(nets.logits(theta, xb, WIDTH), yb))

    def measure() -> torch.Tensor:
        with torch.no_grad():
            return torch.stack([nets.accuracy(nets.logits(theta, x, WIDTH), y_te) for x in (x_te, x_shift)])  # (2, R)

    first = order[:1]
    g_ex = torch.Generator(device=dev).manual_seed(v["seed"] + 23)
    copies, _ = augment(x_tr[first].expand(5, -1), y_tr[first].expand(5), *args, g_ex)
    examples = torch.cat([x_tr[first], copies]).view(6, SIDE, SIDE).cpu().numpy().astype(np.float32)
    shifted_ex = x_shift[:5].view(5, SIDE, SIDE).cpu().numpy().astype(np.float32)

    def build(steps: np.ndarray, m: np.ndarray, finite: bool) -> AugmentRun:
        return AugmentRun(
            n=v["aug_n"],
            sizes=np.array(sizes),
            steps=steps,
            centred=m[:, 0],
            shifted=m[:, 1],
            examples=examples,
            example_label=int(y_tr[first]),
            shifted_examples=shifted_ex,
            total=total,
            finite=finite,
        )

    yield from loop.stream(total, step, measure, build)
