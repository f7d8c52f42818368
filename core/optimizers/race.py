"""The same optimizers training the same small network on the scikit-learn digits, side by side.

Network (one per optimizer, all starting from the same weights):  64 pixels → H ReLU units → 10 logits,
initialised like torch.nn.Linear (U(−1/√fan_in, 1/√fan_in) for weights and biases), loss: cross-entropy.
Every optimizer sees the same minibatches in the same order (one shuffle per epoch from the seed).

The O networks are one batch: their parameters are rows of a (O, P) tensor, the forward pass is two
batched matrix products (torch.baddbmm), one backward pass gives every network its own gradient (the
loss is the sum of the O independent losses), and core.optimizers.batched updates every row exactly as
torch.optim would (a test checks one row against nn.Sequential + torch.optim).

Training is a generator on the shared skeleton (core.training: `chunked`, `chunk_size`): `stream(...)` yields
(fraction_done, RaceResult) once per chunk; losses stay on the device during a chunk and are read once at its
end. A network whose loss turns inf/NaN is marked diverged at that step and the others race on; the race
ends early only when every network has diverged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from core import data
from core.device import device
from core.optimizers.batched import Batched, Spec
from core.training import chunked, first_nonfinite

N_IN, N_OUT = 64, 10


@dataclass(frozen=True)
class RaceResult:
    kinds: tuple[str, ...]
    calls: tuple[str, ...]  # the torch.optim constructors
    steps: int  # planned
    done: int  # finished so far
    batch: int
    width: int
    n_train: int
    loss: np.ndarray  # (done, O) float32: minibatch training loss at every step
    eval_steps: np.ndarray  # (E,) int: steps after which the test set was scored (0 = before training)
    test_acc: np.ndarray  # (E, O) float32
    test_loss: np.ndarray  # (E, O) float32
    diverged: np.ndarray  # (O,) int: first step with a non-finite loss, −1 if none

    @property
    def epochs(self) -> float:
        return self.done * self.batch / self.n_train


def sizes(width: int) -> tuple[int, ...]:
    """Parameter counts of W1 (64·H), b1 (H), W2 (H·10), b2 (10), in the order of a row of θ."""
    return N_IN * width, width, width * N_OUT, N_OUT


def init_row(width: int, seed: int) -> torch.Tensor:
    """One network's parameters, flattened (P,), float32, as nn.Linear's default initialisation."""
    gen = torch.Generator().manual_seed(seed)
    parts = []
    for fan_in, n in ((N_IN, N_IN * width), (N_IN, width), (width, width * N_OUT), (width, N_OUT)):
        bound = 1 / fan_in**0.5
        parts.append((torch.rand(n, generator=gen) * 2 - 1) * bound)
    return torch.cat(parts)


def unpack(theta: torch.Tensor, width: int) -> tuple[torch.Tensor, ...]:
    """θ (O, P) -> W1 (O, 64, H), b1 (O, 1, H), W2 (O, H, 10), b2 (O, 1, 10): views, so gradients flow to θ."""
    o = theta.shape[0]
    w1, b1, w2, b2 = torch.split(theta, sizes(width), dim=1)
    return w1.view(o, N_IN, width), b1.view(o, 1, width), w2.view(o, width, N_OUT), b2.view(o, 1, N_OUT)


def logits(theta: torch.Tensor, x: torch.Tensor, width: int) -> torch.Tensor:
    """x (B, 64) shared by every network -> logits (O, B, 10)."""
    w1, b1, w2, b2 = unpack(theta, width)
    h = torch.baddbmm(b1, x.expand(theta.shape[0], *x.shape), w1).relu_()  # (O, B, H)
    return torch.baddbmm(b2, h, w2)


def losses(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, width: int) -> torch.Tensor:
    """Each network's mean cross-entropy on the batch, (O,)."""
    z = logits(theta, x, width)
    o, b = z.shape[:2]
    return F.cross_entropy(z.reshape(o * b, N_OUT), y.repeat(o), reduction="none").view(o, b).mean(1)


@lru_cache(maxsize=2)
def dataset(seed: int, dev: str) -> tuple[torch.Tensor, ...]:
    """(x_train (N, 64), y_train, x_test, y_test) on the device."""
    x_tr, y_tr, x_te, y_te = data.digits(seed)
    flat = lambda x: x.reshape(len(x), -1).to(dev)
    return flat(x_tr), y_tr.to(dev), flat(x_te), y_te.to(dev)


def batches(n: int, batch: int, steps: int, seed: int) -> torch.Tensor:
    """(steps, batch) training-set indices: a fresh shuffle each epoch, incomplete last batch dropped."""
    gen = torch.Generator().manual_seed(seed + 1)
    per_epoch = n // batch
    epochs = -(-steps // per_epoch)
    order = torch.cat([torch.randperm(n, generator=gen)[: per_epoch * batch] for _ in range(epochs)])
    return order[: steps * batch].view(steps, batch)


def eval_every(steps: int) -> int:
    return max(5, steps // 100)


def stream(specs: list[Spec], steps: int, batch: int, width: int, seed: int) -> Iterator[tuple[float, RaceResult]]:
    dev = device()
    x_tr, y_tr, x_te, y_te = dataset(seed, str(dev))
    n_opt = len(specs)
    theta = init_row(width, seed).to(dev).expand(n_opt, -1).clone().requires_grad_(True)  # (O, P)
    opt = Batched(specs, steps, np.ones(steps), tuple(theta.shape), dtype=torch.float32, device=dev)
    idx = batches(len(y_tr), batch, steps, seed).to(dev)
    every = eval_every(steps)
    loss_hist, evals, accs, test_losses = [], [0], [], []

    def score():
        with torch.no_grad():
            z = logits(theta, x_te, width)  # (O, N, 10)
            acc = (z.argmax(-1) == y_te).float().mean(1)
            lo = F.cross_entropy(z.reshape(-1, N_OUT), y_te.repeat(n_opt), reduction="none").view(n_opt, -1).mean(1)
        return acc, lo

    acc0, lo0 = score()
    accs.append(acc0)
    test_losses.append(lo0)
    done_acc = np.empty((0, n_opt), np.float32)
    done_tl = np.empty((0, n_opt), np.float32)
    diverged = np.full(n_opt, -1)

    def train_chunk(start: int, end: int) -> np.ndarray:
        """Steps [start, end) of every network; returns the last losses of those still finite (the race
        ends when none is)."""
        nonlocal accs, test_losses, done_acc, done_tl
        chunk = torch.empty(end - start, n_opt, device=dev)
        for t in range(start, end):
            b = idx[t]
            loss = losses(theta, x_tr[b], y_tr[b], width)
            (grad,) = torch.autograd.grad(loss.sum(), theta)
            with torch.no_grad():
                opt.step(t, theta, grad, out=theta)
            chunk[t - start] = loss.detach()
            if (t + 1) % every == 0:
                acc, lo = score()
                accs.append(acc)
                test_losses.append(lo)
                evals.append(t + 1)
        loss_hist.append(chunk.cpu().numpy())  # one read per chunk
        done_acc = np.concatenate([done_acc, torch.stack(accs).cpu().numpy()])
        done_tl = np.concatenate([done_tl, torch.stack(test_losses).cpu().numpy()])
        accs, test_losses = [], []
        for o in np.flatnonzero(diverged < 0):
            bad = first_nonfinite(loss_hist[-1][:, o])
            if bad is not None:
                diverged[o] = start + bad
        alive = diverged < 0
        return loss_hist[-1][-1, alive] if alive.any() else np.array([np.nan])

    def snapshot(end: int, finite: bool) -> RaceResult:
        return RaceResult(
            kinds=tuple(s.kind for s in specs),
            calls=tuple(s.torch_call() for s in specs),
            steps=steps,
            done=end,
            batch=batch,
            width=width,
            n_train=len(y_tr),
            loss=np.concatenate(loss_hist),
            eval_steps=np.asarray(evals[: len(done_acc)]),
            test_acc=done_acc,
            test_loss=done_tl,
            diverged=diverged.copy(),
        )

    yield from chunked(steps, train_chunk, snapshot)
