"""Does pooling reduce overfitting, or make a CNN robust to shifts? Four small CNNs trained side by side.

The scikit-learn 8×8 digits are placed in the middle of a 12×12 canvas (offset 2, 2). Four networks
with the same two 3×3 convolutions (8 and 16 channels, ReLU) differ only in what sits between the
convolutions and the linear classifier:
    flat  no pooling: flatten 16·12·12 = 2304 features
    max   a 2×2 max pooling after each convolution: flatten 16·3·3 = 144 features
    avg   the same with 2×2 average pooling
    gap   no local pooling, global average pooling at the end: 16 features
Each is trained with Adam (lr 1e-2, mini-batches of 64, the same seed and batch order) on a subset of
the training digits, then measured on the held-out digits where they were trained (centred) and on the
same digits moved by up to `shift` pixels in x and y (a translation the training set never showed).
Overfitting = train accuracy − test accuracy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import data, device, training

MODELS = ("flat", "max", "avg", "gap")
CANVAS, OFFSET = 12, 2  # 8×8 digit in a 12×12 canvas: up to 2 pixels of room on every side
C1, C2 = 8, 16
BATCH, LR, CHUNK = 64, 1e-2, 100


def make(kind: str) -> nn.Sequential:
    pool = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}.get(kind)
    layers: list[nn.Module] = [nn.Conv2d(1, C1, 3, padding=1), nn.ReLU()]  # (B, 8, 12, 12)
    if pool:
        layers.append(pool(2))  # (B, 8, 6, 6)
    layers += [nn.Conv2d(C1, C2, 3, padding=1), nn.ReLU()]
    if pool:
        layers.append(pool(2))  # (B, 16, 3, 3)
    if kind == "gap":
        layers.append(nn.AdaptiveAvgPool2d(1))  # (B, 16, 1, 1)
    side = {"flat": CANVAS, "max": CANVAS // 4, "avg": CANVAS // 4, "gap": 1}[kind]
    layers += [nn.Flatten(), nn.Linear(C2 * side * side, 10)]
    return nn.Sequential(*layers)


def place(x: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor) -> torch.Tensor:
    """(N, 1, 8, 8) digits -> (N, 1, 12, 12) canvases with each digit's top-left corner at (dy, dx)."""
    n = x.shape[0]
    out = torch.zeros(n, 1, CANVAS, CANVAS)
    rows = dy.view(n, 1, 1) + torch.arange(8).view(1, 8, 1)  # (N, 8, 1)
    cols = dx.view(n, 1, 1) + torch.arange(8).view(1, 1, 8)  # (N, 1, 8)
    out[torch.arange(n).view(n, 1, 1), 0, rows, cols] = x[:, 0]
    return out


@dataclass(frozen=True)
class Data:
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    x_shifted: torch.Tensor
    y_test: torch.Tensor


def dataset(seed: int, n_train: int, shift: int) -> Data:
    xtr, ytr, xte, yte = data.digits(seed)
    g = torch.Generator().manual_seed(seed)
    pick = torch.randperm(len(xtr), generator=g)[:n_train]
    xtr, ytr = xtr[pick], ytr[pick]
    centre = lambda n: torch.full((n,), OFFSET)
    moves = torch.randint(-shift, shift + 1, (2, len(xte)), generator=g) + OFFSET  # offsets 2 ± shift
    return Data(
        place(xtr, centre(len(xtr)), centre(len(xtr))),
        ytr,
        place(xte, centre(len(xte)), centre(len(xte))),
        place(xte, moves[0], moves[1]),
        yte,
    )


@dataclass(frozen=True)
class TrainResult:
    steps: np.ndarray  # (C,) step count at the end of each chunk
    loss: np.ndarray  # (M, C) training loss (mean over the chunk's batches)
    train_acc: np.ndarray  # (M, C)
    test_acc: np.ndarray  # (M, C) centred held-out digits
    shifted_acc: np.ndarray  # (M, C) the same digits moved by up to `shift` pixels
    params: np.ndarray  # (M,) parameter counts
    n_train: int
    n_test: int
    shift: int
    done: bool
    models: tuple[str, ...] = MODELS


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean()


def train(seed: int, n_train: int, steps: int, shift: int) -> Iterator[tuple[float, TrainResult]]:
    """Yield (fraction done, result so far) after every chunk of CHUNK steps of all four models
    (core.training.chunked: the chunk's losses are read once, a NaN/inf loss ends the run)."""
    d = dataset(seed, n_train, shift)
    models, opts = [], []
    for kind in MODELS:
        with device.seeded(seed):  # every model starts from its own seeded init, whatever runs alongside
            m = make(kind)
        models.append(m)
        opts.append(torch.optim.Adam(m.parameters(), lr=LR, fused=True))  # one kernel per step, not per tensor
    g = torch.Generator().manual_seed(seed + 1)
    order = torch.randint(0, len(d.x_train), (steps, BATCH), generator=g)  # one batch order for all models
    params = np.array([sum(p.numel() for p in m.parameters()) for m in models])
    hist: dict[str, list] = {k: [] for k in ("steps", "loss", "train", "test", "shifted")}

    def train_chunk(start: int, stop: int) -> np.ndarray:
        losses = []
        for m, opt in zip(models, opts):
            m.train()
            total = torch.zeros(())
            for b in order[start:stop]:
                loss = F.cross_entropy(m(d.x_train[b]), d.y_train[b])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.detach()
            losses.append(total / (stop - start))
        hist["loss"].append(training.read(torch.stack(losses)).astype(np.float32))  # (M,), read once per chunk
        return hist["loss"][-1]

    def snapshot(stop: int, finite: bool) -> TrainResult:
        for m in models:
            m.eval()
        hist["steps"].append(stop)
        sets = {"train": (d.x_train, d.y_train), "test": (d.x_test, d.y_test), "shifted": (d.x_shifted, d.y_test)}
        for key, (x, y) in sets.items():
            hist[key].append(torch.stack([_accuracy(m, x, y) for m in models]).numpy())  # (M,) one read each
        as_mc = lambda key: np.stack(hist[key], axis=1).astype(np.float32)
        return TrainResult(
            np.array(hist["steps"]),
            as_mc("loss"),
            as_mc("train"),
            as_mc("test"),
            as_mc("shifted"),
            params,
            len(d.x_train),
            len(d.y_test),
            shift,
            stop == steps or not finite,
        )

    yield from training.chunked(steps, train_chunk, snapshot, size=CHUNK)


def verdict(r: TrainResult) -> dict:
    """The numbers the page reads the claims from: overfitting gaps and shifted-test accuracy, in points."""
    i = {m: k for k, m in enumerate(r.models)}
    last = lambda a, m: float(a[i[m], -1])
    gap = {m: last(r.train_acc, m) - last(r.test_acc, m) for m in r.models}
    return {
        "gap_flat": gap["flat"],
        "gap_max": gap["max"],
        "gap_avg": gap["avg"],
        "gap_gap": gap["gap"],
        "test_flat": last(r.test_acc, "flat"),
        "test_max": last(r.test_acc, "max"),
        "test_avg": last(r.test_acc, "avg"),
        "test_gap": last(r.test_acc, "gap"),
        "shift_flat": last(r.shifted_acc, "flat"),
        "shift_max": last(r.shifted_acc, "max"),
        "shift_avg": last(r.shifted_acc, "avg"),
        "shift_gap": last(r.shifted_acc, "gap"),
        "train_gap": last(r.train_acc, "gap"),
        "ratio": float(r.params[i["flat"]] / r.params[i["max"]]),
        # pooling "reduces overfitting" here only if the pooled nets' gap is clearly below the flat net's
        "overfit_reduced": min(gap["max"], gap["avg"]) < gap["flat"] - 0.03,
    }


def stream(v: dict) -> Iterator[tuple[float, TrainResult]]:
    """The page's experiment: its values (seed, o_n, o_steps, o_shift) -> train(...)."""
    yield from train(v["seed"], v["o_n"], v["o_steps"], v["o_shift"])


def train_summary(r: TrainResult) -> dict:
    return {
        "steps": int(r.steps[-1]),
        "n_train": r.n_train,
        "n_test": r.n_test,
        "test_shift_px": r.shift,
        "models": {
            m: {
                "params": int(r.params[i]),
                "train_acc": float(r.train_acc[i, -1]),
                "test_acc": float(r.test_acc[i, -1]),
                "shifted_test_acc": float(r.shifted_acc[i, -1]),
                "overfit_gap": float(r.train_acc[i, -1] - r.test_acc[i, -1]),
            }
            for i, m in enumerate(r.models)
        },
    }
