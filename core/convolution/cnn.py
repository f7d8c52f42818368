"""Learned filters: a small CNN trained on the scikit-learn 8×8 digits, live, chunk by chunk.

    conv k×k, 1 → C  · ReLU · max-pool 2   (B, C, 4, 4)       the first-layer kernels the page shows
    conv 3×3, C → 16 · ReLU · max-pool 2   (B, 16, 2, 2)
    flatten 64 · linear → 10 logits        loss: cross-entropy; Adam, mini-batches of 64
The train/test split is fixed (core.data.digits(0)); `seed` sets the initial weights and the batch
order. Snapshots of the first-layer kernels, the loss and the test accuracy are kept once per chunk
of CHUNK steps, so a finished run replays (and a shared link finds it in the store).
Feature maps for a chosen digit are the first layer's ReLU outputs: where each learned kernel fires.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import data, device, training
from core.experiment import Experiment, finished_run
from core.params import Int, LogFloat, ParamSet

CHUNK, BATCH, C2 = 100, 64, 16
SPLIT_SEED = 0  # one fixed train/test split, so every seed is measured on the same 450 test digits

_LEARN = (
    Int("l_ch", 8, lo=2, hi=16),
    Int("l_k", 5, lo=3, hi=7, step=2, on_grid=True),
    Int("l_steps", 300, lo=100, hi=1500, step=100),
    LogFloat("l_lr", 0.01, lo=1e-4, hi=0.1),
    Int("seed", 0, lo=0, hi=999),
)
LEARN_PARAMS = ParamSet(_LEARN)
PROBE_PARAMS = ParamSet(_LEARN + (Int("l_digit", 3, lo=0, hi=9),))


def make(ch: int, k: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, ch, k, padding=k // 2),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (B, ch, 4, 4)
        nn.Conv2d(ch, C2, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (B, 16, 2, 2)
        nn.Flatten(),
        nn.Linear(C2 * 2 * 2, 10),  # (B, 10)
    )


@dataclass(frozen=True)
class LearnResult:
    steps: np.ndarray  # (S,) int, step count at each snapshot (0 = the initial weights)
    loss: np.ndarray  # (S,) float32, mean training loss over the chunk before the snapshot (NaN at 0)
    test_acc: np.ndarray  # (S,) float32
    kernels: np.ndarray  # (S, C, k, k) float32, the first-layer kernels at each snapshot
    state: dict[str, np.ndarray]  # the latest weights (float32), for feature maps
    ch: int
    k: int
    total: int  # the step budget
    finite: bool  # False once the loss became NaN/inf (training stopped there)

    @property
    def done(self) -> bool:
        return int(self.steps[-1]) >= self.total or not self.finite


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def train(v: dict) -> Iterator[tuple[float, LearnResult]]:
    """Yield (fraction done, result so far) after every chunk of CHUNK steps (core.training.chunked)."""
    dev = device.device()
    x_tr, y_tr, x_te, y_te = (t.to(dev) for t in data.digits(SPLIT_SEED))
    with device.seeded(v["seed"]):
        model = make(v["l_ch"], v["l_k"]).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=v["l_lr"])
    order = torch.Generator().manual_seed(v["seed"])
    steps, losses, accs = [0], [float("nan")], [_accuracy(model, x_te, y_te)]
    kernels = [model[0].weight[:, 0].detach().clone()]  # (C, k, k) per snapshot; clone: the weights change in place

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        total = torch.zeros((), device=dev)
        for _ in range(start, stop):
            idx = torch.randint(0, len(y_tr), (BATCH,), generator=order).to(dev)
            loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.detach()
        losses.append(float(total) / (stop - start))  # one read per chunk
        return losses[-1]

    def snapshot(stop: int, finite: bool) -> LearnResult:
        steps.append(stop)
        accs.append(_accuracy(model, x_te, y_te))
        kernels.append(model[0].weight[:, 0].detach().clone())
        return _result(v, model, steps, losses, accs, kernels, finite)

    yield from training.chunked(v["l_steps"], train_chunk, snapshot, size=CHUNK)


def _result(v, model, steps, losses, accs, kernels, finite) -> LearnResult:
    return LearnResult(
        steps=np.array(steps),
        loss=np.array(losses, dtype=np.float32),
        test_acc=np.array(accs, dtype=np.float32),
        kernels=torch.stack(kernels).detach().cpu().numpy().astype(np.float32),
        state={k: t.detach().cpu().numpy().copy() for k, t in model.state_dict().items()},
        ch=v["l_ch"],
        k=v["l_k"],
        total=v["l_steps"],
        finite=finite,
    )


trained = finished_run(train, tuple(LEARN_PARAMS.names), maxsize=8)  # the CLI's probe reuses the learn run


def learn_summary(r: LearnResult) -> dict:
    return {
        "steps": int(r.steps[-1]),
        "test_accuracy": round(float(r.test_acc[-1]), 4),
        "final_loss": float(r.loss[-1]),
        "finite": r.finite,
        "first_layer": [r.ch, 1, r.k, r.k],
        "accuracy_per_chunk": [round(float(a), 4) for a in r.test_acc],
    }


LEARN = Experiment("learn", LEARN_PARAMS, trained, learn_summary, heavy=True, stream=train)


# ---- a chosen digit through the trained network ------------------------------------------------


@dataclass(frozen=True)
class ProbeResult:
    label: int
    image: np.ndarray  # (8, 8) float32 in [0, 1]
    maps: np.ndarray  # (C, 8, 8) float32: ReLU(conv1) — where each learned kernel responds
    probs: np.ndarray  # (10,) float32, softmax of the logits
    pred: int


def feature_maps(r: LearnResult, digit: int) -> ProbeResult:
    """The first test example of class `digit` through the network with the run's latest weights."""
    model = make(r.ch, r.k)
    model.load_state_dict({k: torch.from_numpy(a) for k, a in r.state.items()})
    _, _, x_te, y_te = data.digits(SPLIT_SEED)
    x = x_te[int(torch.nonzero(y_te == digit)[0, 0])].unsqueeze(0)  # (1, 1, 8, 8)
    with torch.no_grad():
        maps = model[1](model[0](x))[0]  # (C, 8, 8)
        probs = torch.softmax(model(x)[0], 0)
    return ProbeResult(
        digit, x[0, 0].numpy(), maps.numpy().astype(np.float32), probs.numpy().astype(np.float32), int(probs.argmax())
    )


def probe(v: dict) -> ProbeResult:
    return feature_maps(trained(v), v["l_digit"])


def probe_summary(r: ProbeResult) -> dict:
    return {
        "digit": r.label,
        "predicted": r.pred,
        "probability": round(float(r.probs[r.pred]), 4),
        "feature_map_max": [round(float(m.max()), 4) for m in r.maps],
    }


PROBE = Experiment("probe", PROBE_PARAMS, probe, probe_summary, heavy=True)
