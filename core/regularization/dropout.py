"""Dropout: what the 1/(1 − p) scaling does, and what dropout buys on a small training set.

Inverted dropout (what torch.nn.Dropout computes), unit i of a layer's input h, keep mask k_i ~ Bernoulli(1 − p):

    train   h̃_i = k_i · h_i / (1 − p)          eval   h̃_i = h_i
    so E[h̃_i] = h_i, and for the next layer's y = w·h̃:   E[y] = w·h,   Var[y] = p/(1 − p) · Σ_i w_i² h_i²

`masks` samples torch's own nn.Dropout many times on one input (the spread of y over masks, its mean against
the eval-mode output, and what an unscaled mask would give). `stream` trains, as one (R, P) tensor
(core.regularization.nets), networks with dropout rates P_GRID and the chosen p on the same minibatches and
from the same initial weights, and `bags` networks without dropout, each on its own bootstrap resample of the
training set and from its own initial weights (bagging: Breiman 1996); their averaged probabilities are the
ensemble. Dropout is often read as training an ensemble of thinned networks that share weights
(Srivastava et al. 2014, JMLR 15); the page compares it with a real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from core import device
from core.regularization import loop, nets

UNITS, SAMPLES = 32, 4000
WIDTH = 64
P_GRID = (0.0, 0.2, 0.4, 0.6, 0.8)
MC, MC_SHOWN = 50, 8  # masks per test digit; test digits whose spread the page shows


@dataclass(frozen=True)
class Masks:
    p: float
    outputs: np.ndarray  # (SAMPLES,) float32: y = w·Dropout(h) over independent masks (train mode)
    unscaled: np.ndarray  # (SAMPLES,) float32: the same masks without the 1/(1 − p)
    eval_output: float  # y = w·h (eval mode: dropout is the identity)
    kept: float  # share of units kept over all samples
    scaled_values_ok: bool  # every kept unit came out as h/(1 − p), every dropped one as 0
    theory_std: float  # √(p/(1 − p) · Σ w² h²)


def masks(p: float, seed: int) -> Masks:
    """SAMPLES draws of torch.nn.Dropout(p) in train mode on one seeded input h (UNITS,), read by w."""
    gen = torch.Generator().manual_seed(seed)
    h = torch.relu(torch.randn(UNITS, generator=gen, dtype=torch.float64)) + 0.1  # (UNITS,) positive activations
    w = torch.randn(UNITS, generator=gen, dtype=torch.float64) / UNITS**0.5
    drop = nn.Dropout(p).train()
    with device.seeded(seed):
        out = drop(h.expand(SAMPLES, UNITS))  # (SAMPLES, UNITS)
    kept = out != 0
    expected = torch.where(kept, h / (1 - p) if p < 1 else h, torch.zeros_like(h))
    y = out @ w
    return Masks(
        p=p,
        outputs=y.numpy().astype(np.float32),
        unscaled=(y * (1 - p)).numpy().astype(np.float32),
        eval_output=float(h @ w),
        kept=float(kept.double().mean()),
        scaled_values_ok=bool(torch.allclose(out, expected)),
        theory_std=float(np.sqrt(p / (1 - p) * float(((w * h) ** 2).sum()))) if p < 1 else float("nan"),
    )


@dataclass(frozen=True)
class DropoutRun:
    p: float
    rates: np.ndarray  # (D,) dropout rate of each dropout row (P_GRID, then the chosen p)
    bags: int
    n_train: int
    steps: np.ndarray  # (E,)
    test_acc: np.ndarray  # (E, R) float32, eval mode; rows: the D dropout rows, then the bags
    train_loss: np.ndarray  # (E, R) float32, eval mode, on each row's own training set
    ensemble_acc: np.ndarray  # (E,) float32, the bags' averaged probabilities
    mc_acc: float  # the chosen p's network: accuracy of the average over MC masks (vs eval mode)
    mc_probs: np.ndarray  # (MC_SHOWN, MC) float32: probability of the true class over masks, first test digits
    mc_labels: np.ndarray  # (MC_SHOWN,) int
    eval_probs: np.ndarray  # (MC_SHOWN,) float32: the same in eval mode
    total: int
    finite: bool

    @property
    def chosen(self) -> int:
        return len(self.rates) - 1


def rates_for(p: float) -> tuple[float, ...]:
    return (*P_GRID, p)


def bootstrap(n: int, bags: int, seed: int) -> torch.Tensor:
    """(bags, n) indices: each row a resample of n training examples with replacement (seeded)."""
    gen = torch.Generator().manual_seed(seed + 3)
    return torch.randint(0, n, (bags, n), generator=gen)


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run: the dropout rows plus one row per bagged network, per step.
    Calibrated once with CPU time on one torch thread (bench/regularization_cost.py's method: default,
    doubled steps, largest size knob; a shared 2-core x86 server) plus 25 % and 0.3 s of start-up."""
    return 0.3 + 1.25 * v["drop_steps"] * (1.35e-3 + 1.1e-4 * v["bags"] + 2e-7 * v["drop_n"])


def stream(v: dict) -> Iterator[tuple[float, DropoutRun]]:
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    pick = nets.subset(v["drop_n"], y_tr, v["seed"]).to(dev)
    xs, ys = x_tr[pick], y_tr[pick]
    n, rates = len(ys), torch.tensor(rates_for(v["p"]), device=dev)
    d, k = len(rates), v["bags"]
    pool = torch.cat([torch.arange(n).expand(d, n), bootstrap(n, k, v["seed"])]).to(dev)  # (R, n) each row's set
    theta = torch.cat([nets.init(d, WIDTH, v["seed"]), nets.init(k, WIDTH, v["seed"] + 1, same=False)])
    theta = theta.to(dev).requires_grad_(True)
    all_rates = torch.cat([rates, torch.zeros(k, device=dev)])
    opt = nets.Optim("adam", v["drop_lr"]).to(dev)
    total = v["drop_steps"]
    idx = loop.batches(n, total, v["seed"]).to(dev)  # positions into each row's pool: shared by every row
    gen = torch.Generator(device=dev).manual_seed(v["seed"] + 5)

    def step(t: int) -> torch.Tensor:
        rows = pool[:, idx[t]]  # (R, B) example indices per row
        keep = nets.dropout_keep(all_rates, (rows.shape[1], WIDTH), gen)  # (R, B, H)
        return opt.descend(theta, nets.losses(nets.logits(theta, xs[rows], WIDTH, keep), ys[rows]))

    def measure() -> torch.Tensor:
        with torch.no_grad():
            z = nets.logits(theta, x_te, WIDTH)  # (R, N, 10), eval mode
            ens = (z[d:].softmax(-1).mean(0).argmax(-1) == y_te).float().mean()
            train = nets.losses(nets.logits(theta, xs[pool], WIDTH), ys[pool])
            return torch.cat([nets.accuracy(z, y_te), train, ens[None]])

    def build(steps: np.ndarray, m: np.ndarray, finite: bool) -> DropoutRun:
        r = d + k
        mc_acc, mc_probs, eval_probs = monte_carlo(theta.detach()[d - 1 : d], x_te, y_te, float(rates[-1]), gen)
        return DropoutRun(
            p=v["p"],
            rates=np.asarray(rates_for(v["p"]), dtype=np.float32),
            bags=k,
            n_train=n,
            steps=steps,
            test_acc=m[:, :r],
            train_loss=m[:, r : 2 * r],
            ensemble_acc=m[:, 2 * r],
            mc_acc=mc_acc,
            mc_probs=mc_probs,
            mc_labels=y_te[:MC_SHOWN].cpu().numpy(),
            eval_probs=eval_probs,
            total=total,
            finite=finite,
        )

    yield from loop.stream(total, step, measure, build)


def monte_carlo(
    theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, p: float, gen: torch.Generator
) -> tuple[float, np.ndarray, np.ndarray]:
    """One network (1, P) on the test set with MC dropout masks: the accuracy of the averaged probabilities, the
    true class's probability per mask for the first MC_SHOWN digits (MC_SHOWN, MC), and eval mode's for them."""
    with torch.no_grad():
        rates = torch.full((MC,), p, device=x.device)
        keep = nets.dropout_keep(rates, (len(x), WIDTH), gen)  # (MC, N, H)
        probs = nets.logits(theta.expand(MC, -1), x, WIDTH, keep).softmax(-1)  # (MC, N, 10)
        acc = float((probs.mean(0).argmax(-1) == y).float().mean())
        true = probs[:, :MC_SHOWN].gather(2, y[:MC_SHOWN].view(1, -1, 1).expand(MC, -1, 1))[..., 0]  # (MC, S)
        eval_p = nets.logits(theta, x[:MC_SHOWN], WIDTH).softmax(-1)[0].gather(1, y[:MC_SHOWN, None])[:, 0]
    return acc, true.T.cpu().numpy().astype(np.float32), eval_p.cpu().numpy().astype(np.float32)
