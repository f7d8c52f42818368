"""M small classifiers on the scikit-learn 8×8 digits, trained side by side with different losses.

    64 pixels → H ReLU units → 10 logits z, the M models batched (core.losses.nets), same start, same
    minibatches (drawn from the seed); only the loss on z differs.

Recorded once per chunk (read from the device once): the mean training loss per step, the test accuracy
every `every` steps, the mean gradient that reaches the logits per example ‖∂ℓ/∂z‖ (what a loss sends
back through the network), the mean logit norm ‖z‖ and the mean probability of the class the models
were pushed to at the start. The finished run keeps every model's test logits (calibration is computed
from them with any temperature, without training again).

`bias` starts the models confidently wrong: it is added to the output bias of class WRONG, so at step 0
every digit is called a WRONG with probability ≈ e^bias / (e^bias + 9).

Work (core.budget): `cost` = steps · (5.3e-4 + 1.3e-6·B + 1.5e-8·B·H + 6e-7·H) CPU seconds on one torch thread
for two models, batch B and width H (the evaluation on the test digits every 20 steps included), times MARGIN,
times ADAM with Adam, plus LOAD, the first load of the digits in a process (1.2 s measured; cached afterwards).
Calibrated once by a least-squares fit to 300-step runs (time.process_time, one thread) at (B, H) ∈ {(8, 16),
(64, 32), (256, 32), (64, 128), (256, 128)}: within 2 % of each; the costliest legal link (3,000 steps,
B = 256, H = 128) measured 5.6 s on a busy machine (7.4 s in a fresh process, bench/link_budget.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core import data, device, training
from core.losses.nets import mlp

CLASSES = 10
WRONG = 0  # the class a confidently wrong start believes in
LOAD = 1.2  # CPU s: scikit-learn's digits loaded and split, once per process
ADAM = 1.25  # Adam's steps cost this much more than SGD's (measured at B = 64, H ∈ {16, 64, 128})
MARGIN = 1.5  # the model errs high: CPU time on a busy 2-core machine varies ~30 % run to run; no-AVX2 CPUs


def cost(steps: int, batch: int, width: int, opt: str = "sgd") -> float:
    """Estimated CPU seconds of one two-model run on one torch thread (calibration: the module docstring)."""
    per_step = 5.3e-4 + 1.3e-6 * batch + 1.5e-8 * batch * width + 6e-7 * width
    return LOAD + MARGIN * (ADAM if opt == "adam" else 1.0) * steps * per_step


LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (logits (B, 10), labels (B,)) -> mean loss


@dataclass(frozen=True)
class DigitsRun:
    names: tuple[str, ...]  # one per model
    steps: int
    done: int
    train_loss: np.ndarray  # (done, M) float32
    grad_out: np.ndarray  # (done, M) float32: mean ‖∂ℓ/∂z‖ per example
    logit_norm: np.ndarray  # (done, M) float32: mean ‖z‖ on the minibatch
    p_wrong: np.ndarray  # (done, M) float32: mean softmax probability of class WRONG
    eval_steps: np.ndarray  # (E,) int
    test_acc: np.ndarray  # (E, M) float32
    test_logits: np.ndarray  # (M, N_test, 10) float32, at the last snapshot
    test_labels: np.ndarray  # (N_test,) int64
    finite: bool


@lru_cache(maxsize=2)
def split(dev: str, n_train: int) -> tuple[torch.Tensor, ...]:
    """(x_train (N, 64), y_train, x_test, y_test) on the device; the first n_train training digits (the
    stratified split of core.data.digits(0) is already shuffled)."""
    x_tr, y_tr, x_te, y_te = data.digits(0)
    flat = lambda x: x.reshape(len(x), -1).to(dev)
    return flat(x_tr[:n_train]), y_tr[:n_train].to(dev), flat(x_te), y_te.to(dev)


def n_train_max() -> int:
    return len(split("cpu", 10**6)[1])


def stream(
    names: tuple[str, ...],
    losses: list[LossFn],
    steps: int,
    *,
    batch: int,
    width: int,
    opt: str,
    lr: float,
    seed: int,
    bias: float = 0.0,
    n_train: int = 10**6,
    every: int = 20,
) -> Iterator[tuple[float, DigitsRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = split(str(dev), n_train)
    m = len(losses)
    net = mlp(m, 64, width, CLASSES, seed, dev=dev)
    with torch.no_grad():
        net.b2[:, 0, WRONG] += bias
    optim = torch.optim.SGD(net.params, lr=lr) if opt == "sgd" else torch.optim.Adam(net.params, lr=lr)
    gen = torch.Generator().manual_seed(seed + 1)
    order = torch.randint(0, len(y_tr), (steps, min(batch, len(y_tr))), generator=gen).to(dev)  # (T, B)
    records: list[np.ndarray] = []
    evals, accs = [0], [_accuracy(net, x_te, y_te)]

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        chunk = torch.empty(stop - start, 4, m, device=dev)
        for t in range(start, stop):
            x, y = x_tr[order[t]], y_tr[order[t]]
            z = net(x)  # (M, B, 10)
            z.retain_grad()
            loss = torch.stack([fn(z[i], y) for i, fn in enumerate(losses)])  # (M,)
            optim.zero_grad(set_to_none=True)
            loss.sum().backward()
            optim.step()
            with torch.no_grad():
                per_example = z.grad.norm(dim=-1).mean(-1) * len(y)  # the loss is a mean over the batch
                p = torch.softmax(z, -1)[..., WRONG].mean(-1)
                chunk[t - start] = torch.stack([loss, per_example, z.norm(dim=-1).mean(-1), p])
            if (t + 1) % every == 0 or t + 1 == steps:
                evals.append(t + 1)
                accs.append(_accuracy(net, x_te, y_te))
        records.append(training.read(chunk))  # one read per chunk
        return records[-1][:, 0]

    def snapshot(stop: int, finite: bool) -> DigitsRun:
        rec = np.concatenate(records).astype(np.float32)  # (done, 4, M)
        with torch.no_grad():
            logits = net(x_te).cpu().numpy().astype(np.float32)
        return DigitsRun(
            names=names,
            steps=steps,
            done=stop,
            train_loss=rec[:, 0],
            grad_out=rec[:, 1],
            logit_norm=rec[:, 2],
            p_wrong=rec[:, 3],
            eval_steps=np.asarray(evals[: len(accs)]),
            test_acc=training.read(torch.stack(accs)).astype(np.float32),
            test_logits=logits,
            test_labels=y_te.cpu().numpy(),
            finite=finite,
        )

    yield from training.chunked(steps, train_chunk, snapshot)


def _accuracy(net, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return (net(x).argmax(-1) == y).float().mean(-1)  # (M,), stays on the device
