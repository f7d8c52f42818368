"""Training the two configurations on the 8×8 digits, live: loss, gradient norms per layer, NaN, clipping.

Plain SGD (θ ← θ − η·g, no momentum): an adaptive optimizer (Adam) divides every gradient by its own
running size and would hide the vanishing this page is about. Both nets see the same mini-batches.

Clipping (applied to all weights and biases of a net together, before the step):
    by norm   g ← g · min(1, c / ‖g‖)      ‖g‖ over every parameter (torch.nn.utils.clip_grad_norm_)
    by value  g_i ← max(−c, min(c, g_i))  element-wise              (torch.nn.utils.clip_grad_value_)
By norm keeps the direction and bounds the step; by value bounds each coordinate and can turn it.

Exploding: a step whose loss or gradient is inf/NaN marks the net as diverged at that step; it stops
training (its later steps stay NaN, its test accuracy too: the argmax of NaN logits is class 0, a
meaningless ~10 %) and the other net carries on; the run ends when both have diverged. Metrics live on
the device and are read once per chunk (core.training: `chunked`, `chunk_size`), never per step. Batch
norm has no running averages here: it always normalizes with the statistics of the batch it sees, the
450 test digits included.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import data
from core.device import device
from core.gradients import net as grad_net
from core.gradients.net import Net
from core.training import chunked, first_nonfinite

TRAIN_BATCH = 64
# CPU seconds on one torch thread per step · depth · width² (two nets, batch 64, test evaluations included):
# measured 2.4e-8 … 3.0e-8 with time.process_time() over steps 100–300 at 30 × 128, 50 at 100 × 256, 20 at
# 100 × 512, 200 at 10 × 512 (bench/link_budget.py --page gradients checks the costliest link).
STEP_COST_S = 3e-8
LIMIT_S = 18.0  # tighter than core.budget.CPU_S: a class's trainings on this page stay short (as before the model)


def megabytes(v: dict) -> float:
    """Peak memory of one training above the idle process (MB): digits and workspace, two nets' weights and
    gradients, the test set's activations at every layer during an evaluation — fitted to peak RSS
    (/usr/bin/time) at 100 × 256, 50 × 512 and 100 × 512 (441, 590, 945 MB)."""
    return 235 + 22.7e-6 * v["depth"] * v["width"] ** 2 + 2.3e-3 * v["depth"] * v["width"]


def cost(v: dict) -> float:
    """Estimated CPU seconds of one training run (core.budget: its rule cuts `steps` to fit)."""
    return 0.5 + STEP_COST_S * v["steps"] * v["depth"] * v["width"] ** 2


digits = data.digits_flat  # train/test digits as (N, 64) float32, standardized per pixel (core.data)


@dataclass(frozen=True)
class TrainResult:
    nets: tuple[Net, Net]
    steps: int  # planned
    done: int  # steps run so far
    loss: np.ndarray  # (steps, 2) float32, NaN where not run
    grad_norm: np.ndarray  # (steps, 2) ‖g‖ over all parameters, before clipping
    applied_norm: np.ndarray  # (steps, 2) ‖g‖ after clipping (what the step used)
    layer_grad: np.ndarray  # (2, steps, L) ‖∂L/∂W_l‖ per layer, before clipping
    eval_steps: np.ndarray  # (E,) steps at which test accuracy was measured
    test_acc: np.ndarray  # (E, 2)
    nan_step: tuple[int | None, int | None]  # first step (1-based) with an inf/NaN loss or gradient
    clip: str
    clip_at: float
    lr: float


def _accuracy(p: grad_net.Params, net: Net, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        logits, _, _ = grad_net.forward(p, x, net)
        return (logits.argmax(1) == y).float().mean()


def _step(
    p: grad_net.Params,
    opt: torch.optim.Optimizer,
    net: Net,
    x: torch.Tensor,
    y: torch.Tensor,
    clip: str,
    clip_at: float,
) -> torch.Tensor:
    """One SGD step; returns (3 + L,) on the device: loss, ‖g‖ before and after clipping, per-layer ‖∂L/∂W_l‖."""
    opt.zero_grad(set_to_none=False)
    logits, _, _ = grad_net.forward(p, x, net)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    tensors = p.tensors()
    grads = [t.grad for t in tensors]
    layers = torch.cat(
        [
            torch.linalg.vector_norm(p.first.grad, dtype=torch.float64).view(1),  # float64: g² of a
            torch.linalg.vector_norm(p.hidden.grad, dim=(1, 2), dtype=torch.float64),
        ]
    )  # vanished g ≠ 0
    before = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    if clip == "norm":
        torch.nn.utils.clip_grad_norm_(tensors, clip_at, foreach=True)
    elif clip == "value":
        torch.nn.utils.clip_grad_value_(tensors, clip_at, foreach=True)
    after = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if clip != "none" else before
    opt.step()
    return torch.cat([loss.detach().view(1), before.view(1), after.view(1), layers.float()])


def stream(values: dict) -> Iterator[tuple[float, TrainResult]]:
    """Train A and B side by side; yield (fraction done, result so far) after every chunk (core.training)."""
    dev = device()
    nets = grad_net.pair(values)
    depth, width, seed, steps = values["depth"], values["width"], values["seed"], values["steps"]
    lr, clip, clip_at = float(values["lr"]), values["clip"], float(values["clip_at"])
    x_tr, y_tr, x_te, y_te = (t.to(dev) for t in digits(seed))
    params = [grad_net.params(n, seed, depth, width, dev) for n in nets]
    opts = [torch.optim.SGD(p.tensors(), lr=lr) for p in params]
    gen = torch.Generator().manual_seed(seed + 1)  # the mini-batch order, shared by both nets
    epochs = math.ceil(steps * TRAIN_BATCH / len(y_tr)) + 1
    order = torch.cat([torch.randperm(len(y_tr), generator=gen) for _ in range(epochs)])
    order = order[: steps * TRAIN_BATCH].view(steps, TRAIN_BATCH).to(dev)
    record = torch.full((2, steps, 3 + depth), float("nan"), device=dev)
    host = np.full((2, steps, 3 + depth), np.nan, dtype=np.float32)
    evals, accs = [], []
    nan_step: list[int | None] = [None, None]

    def train_chunk(start: int, stop: int) -> np.ndarray:
        """Steps [start, stop) of both nets; returns the last losses of the nets still training (the run
        ends when none is)."""
        for s in range(start, stop):
            xb, yb = x_tr[order[s]], y_tr[order[s]]
            for k in (0, 1):
                if nan_step[k] is None:
                    record[k, s] = _step(params[k], opts[k], nets[k], xb, yb, clip, clip_at)
        acc = torch.stack([_accuracy(p, n, x_te, y_te) for p, n in zip(params, nets)])
        chunk = torch.cat([record[:, start:stop].flatten(), acc]).cpu().numpy()  # one transfer per chunk
        host[:, start:stop] = chunk[:-2].reshape(2, stop - start, -1)
        for k in (0, 1):
            bad = first_nonfinite(host[k, start:stop, :3]) if nan_step[k] is None else None
            if bad is not None:
                nan_step[k] = start + bad + 1
        acc = chunk[-2:].copy()
        acc[[k for k in (0, 1) if nan_step[k] is not None]] = np.nan  # NaN weights: argmax says class 0, not a score
        evals.append(stop)
        accs.append(acc)
        alive = [k for k in (0, 1) if nan_step[k] is None]
        return host[alive, stop - 1, 0] if alive else np.array([np.nan])

    def snapshot(stop: int, finite: bool) -> TrainResult:
        return _result(nets, steps, stop, host, evals, accs, nan_step, clip, clip_at, lr)

    yield from chunked(steps, train_chunk, snapshot)


def _result(nets, steps, done, host, evals, accs, nan_step, clip, clip_at, lr) -> TrainResult:
    return TrainResult(
        nets=nets,
        steps=steps,
        done=done,
        loss=host[:, :, 0].T.copy(),
        grad_norm=host[:, :, 1].T.copy(),
        applied_norm=host[:, :, 2].T.copy(),
        layer_grad=host[:, :, 3:].copy(),
        eval_steps=np.asarray(evals, dtype=np.int32),
        test_acc=np.asarray(accs, dtype=np.float32),
        nan_step=tuple(nan_step),
        clip=clip,
        clip_at=clip_at,
        lr=lr,
    )
