"""Learning-rate tolerance: the same deep MLP with and without batch norm, trained at several learning rates.

For each learning rate η two models start from the same weights and see the same mini-batches: one without
normalization, one with BN before every ReLU. Without BN a step changes every layer's output scale by an amount
that grows with η and compounds over the depth, until one step overshoots and the loss turns NaN. With BN each
layer's output is re-standardized over the batch, so its scale cannot run away; the loss is also invariant to the
scale of the weights feeding a BN layer, and the effective step on their direction, η/‖w‖², shrinks as the weights
grow (Ioffe & Szegedy 2015; Santurkar et al. 2018 on the smoother loss; van Laarhoven 2017 on the
scale invariance). At a small η that same scale invariance makes the BN model *slower*: the figure shows both.

All 2K models are one stack (core.normalization.nets): one batched matrix product per layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import budget, training
from core.experiment import Experiment, finished_run
from core.normalization import nets, runs
from core.params import Int, Multi, Notice, ParamSet

WIDTH, BATCH = 64, 64
LR_CHOICES = ("0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "0.5", "1", "2", "5")
# CPU seconds on one torch thread of a run of M models: FIXED + steps × depth × (PER_LAYER + PER_MODEL·M) µs.
# Calibrated with time.process_time() around drain(stream(v)) under torch.set_num_threads(1), for M = 2, 6, 12, 16
# and depth 10, 30 at 300 steps (0.9 … 11.5 s; bench/link_budget.py measures the costliest link). Per step a
# model's layer is one batched (64 × 64) matmul forward and backward: linear in steps × depth and in M.
FIXED, PER_LAYER, PER_MODEL = 0.2, 130.0, 72.0  # fits depth 30 (10 % lower per layer at depth 10)


def _seconds(steps: int, depth: int, models: int) -> float:
    return FIXED + steps * depth * (PER_LAYER + PER_MODEL * models) * 1e-6


def cost(v: dict) -> float:
    """Estimated CPU seconds of one sweep (2 models per learning rate)."""
    return _seconds(v["steps"], v["depth"], 2 * len(v["lrs"]))


def pair_cost(v: dict) -> float:
    """Estimated CPU seconds of one plain/BN pair at the sweep's depth and steps (the claims' extra seeds)."""
    return _seconds(v["steps"], v["depth"], 2)


def _budget(v: dict) -> list[Notice]:
    return budget.cut(v, cost, "steps", 100, 100)


PARAMS = ParamSet(
    (
        Multi("lrs", ("0.01", "0.03", "0.1", "0.3", "1", "2"), choices=LR_CHOICES, lo=1, hi=8),
        Int("depth", 10, lo=10, hi=30),
        Int("steps", 500, lo=100, hi=2000, step=100),
        Int("seed", 0, lo=0, hi=999),
    ),
    rules=_budget,
)


@dataclass(frozen=True)
class SweepResult:
    lrs: np.ndarray  # (K,) float
    depth: int
    total: int  # planned steps
    steps: np.ndarray  # (P,) window ends of the thinned loss curves
    loss: np.ndarray  # (P, 2, K) float32 mean training loss per window; [:, 0] plain, [:, 1] BN
    evals: np.ndarray  # (E,) steps at which accuracy was measured (0 = the initial weights)
    test_acc: np.ndarray  # (E, 2, K) eval mode (BN: running statistics); NaN once diverged
    train_acc: np.ndarray  # (E, 2, K)
    diverged: np.ndarray  # (2, K) first step with a NaN/inf loss, −1 if never
    params: tuple[int, int]  # learnable numbers of one plain and one BN model
    finite: bool  # False when every model diverged (the run stopped there)

    @property
    def done(self) -> int:
        return int(self.evals[-1])


def _pairs(a: np.ndarray) -> np.ndarray:
    """(…, 2K) model axis -> (…, 2, K): plain first, then BN."""
    return a.reshape(*a.shape[:-1], 2, -1)


def stream(v: dict) -> Iterator[tuple[float, SweepResult]]:
    lrs = tuple(float(x) for x in v["lrs"])
    k = len(lrs)
    spec = nets.Spec(("none",) * k + ("bn",) * k, (False,) * 2 * k, v["depth"], WIDTH)
    stack = nets.Stack(spec, v["seed"])  # a private generator: no global RNG
    fit = runs.Fit((stack,), (torch.tensor(lrs * 2),), BATCH, v["steps"], v["seed"])

    def snapshot(stop: int, finite: bool) -> SweepResult:
        fit.record(stop)
        acc = fit.history()[:, 0]  # (E, [train, test], 2K)
        ends, loss = runs.thin(fit.loss[0])
        return SweepResult(
            lrs=np.array(lrs),
            depth=v["depth"],
            total=v["steps"],
            steps=ends,
            loss=_pairs(loss),
            evals=np.array(fit.evals),
            test_acc=_pairs(acc[:, 1]),
            train_acc=_pairs(acc[:, 0]),
            diverged=_pairs(fit.diverged[0].copy()),
            params=(spec.n_params(0), spec.n_params(k)),
            finite=finite,
        )

    yield from training.chunked(v["steps"], fit.chunk, snapshot)


def summary(r: SweepResult) -> dict:
    def cell(j: int, i: int) -> dict:  # learning rate j, net i (plain, BN)
        return {
            "test_accuracy": round(float(r.test_acc[-1, i, j]), 4),
            "train_accuracy": round(float(r.train_acc[-1, i, j]), 4),
            "final_loss": runs.last(r.loss[:, i, j]),
            "diverged_at_step": runs.step_or_none(r.diverged[i, j]),
        }

    best = np.nan_to_num(r.test_acc[-1]).max(1)  # (2,)
    return {
        "steps": r.done,
        "depth": r.depth,
        "parameters": {"plain": r.params[0], "bn": r.params[1]},
        "by_learning_rate": runs.by_model([f"{lr:g}" for lr in r.lrs], ("plain", "bn"), cell),
        "best_test_accuracy": {"plain": round(float(best[0]), 4), "bn": round(float(best[1]), 4)},
    }


trained = finished_run(stream, PARAMS.names)  # the CLI and the claims train a configuration once per process
SWEEP = Experiment("lr", PARAMS, trained, summary, heavy=True, stream=stream, cost=cost)
