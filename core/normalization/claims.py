"""The interview notes' statements about batch norm and residual networks, checked with this page's experiments.

Two kinds of numbers:
- `quick()`: what needs no training (the default batch of section 1, the default counts, first-layer gradients of
  the initial 60-layer networks of section 4 on their first mini-batch) — computed when the page opens;
- `trained(...)`: what needs the default trainings of sections 2 and 4 (the learning-rate sweep and the
  plain-vs-residual run) — the CLAIMS experiment trains both (or a finished run supplies them).

The verdict of the regularization claim depends on the numbers (the gap between training and test accuracy with
and without BN), so `trained_keys` picks the catalogue entry that says what was measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core import data
from core.experiment import Experiment
from core.normalization import count, depth, nets, runs, steps, sweep
from core.params import ParamSet

QUICK_KEYS = ("std_not_var", "notes_code", "gaussian", "fewer_params", "vanishing", "res_vanishing", "res_params")
DEEP = 60  # the depth of the gradient claims (a choice of section 4)


@lru_cache(maxsize=1)
def init_gradients(depth_: int = DEEP, seed: int = 0) -> dict[str, float]:
    """‖∂L/∂W_0‖ of the initial networks of section 4 (width 32, same weights) on its first mini-batch."""
    spec = nets.Spec(("none", "bn", "none", "bn"), (False, False, True, True), depth_, depth.WIDTH)
    stack = nets.Stack(spec, seed)
    d = runs.digits()
    idx = data.batch_plan(len(d.y_train), depth.BATCH, 1, seed + 1)[0].to(d.x_train.device)
    _, grad = stack.step(d.x_train[idx], d.y_train[idx], torch.zeros(spec.models))
    g = grad.cpu().numpy()
    return {"plain": float(g[0]), "plain_bn": float(g[1]), "res": float(g[2]), "res_bn": float(g[3])}


@lru_cache(maxsize=1)
def quick() -> dict[str, float | int]:
    s = steps.run(steps.PARAMS.defaults())
    c = count.run(count.PARAMS.defaults())
    g = init_gradients()
    shallow = init_gradients(10)
    spec = nets.Spec(("bn", "bn"), (False, True), DEEP, depth.WIDTH)
    return {
        "err_train": s.err_train,
        "err_eval": s.err_eval,
        "var_std": float(s.var_std[0]),
        "x_std": float(np.sqrt(s.var[0])),
        "n": int(s.x.shape[1]),
        "seeds_gap": s.seeds_gap,
        "seeds_ratio": s.seeds_ratio,
        "skew_in": float(s.skew_in[0]),
        "skew_out": float(s.skew_out[0]),
        "out_std": float(s.out_std[0]),
        "bn_params": c.torch_params["bn"],
        "bn_buffers": c.torch_buffers["bn"],
        "conv_params": c.conv,
        "channels": c.c,
        "bias_gap": count.bias_cancels(),
        "depth": DEEP,
        "g_plain": g["plain"],
        "g_plain_bn": g["plain_bn"],
        "g_plain_bn10": shallow["plain_bn"],
        "g_res": g["res"],
        "g_res_bn": g["res_bn"],
        "params_plain": spec.n_params(0),
        "params_res": spec.n_params(1),
    }


# ---- the trained claims -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimsResult:
    sweep: sweep.SweepResult
    depth: depth.DepthResult


def stream(_: dict) -> Iterator[tuple[float, ClaimsResult | None]]:
    """Train the default learning-rate sweep, then the default depth run; yields progress (None while the sweep
    trains; the claims are read from the result once the run is done)."""
    share = 0.4  # of the progress bar for the sweep (it costs about 40 % of the two)
    swept = None
    for fraction, partial in sweep.stream(sweep.PARAMS.defaults()):
        swept = partial
        yield share * fraction, None
    for fraction, deep in depth.stream(depth.PARAMS.defaults()):
        yield share + (1 - share) * fraction, ClaimsResult(swept, deep)  # drawn once done


def run(_: dict) -> ClaimsResult:
    """The same numbers from the cached default runs (the CLI trains each once, for its section and here)."""
    return ClaimsResult(sweep.trained(sweep.PARAMS.defaults()), depth.trained(depth.PARAMS.defaults()))


def _learns(acc: np.ndarray) -> np.ndarray:
    return np.nan_to_num(acc, nan=0.0) >= 0.5


def trained(r: ClaimsResult) -> dict[str, float]:
    s, d = r.sweep, r.depth
    test, train = s.test_acc[-1], s.train_acc[-1]  # (2, K)
    best = np.nan_to_num(test, nan=-1.0).argmax(1)  # (2,) index of the best learning rate, plain and BN
    ok = _learns(test)
    top = [float(s.lrs[np.flatnonzero(row)].max()) if row.any() else float("nan") for row in ok]
    i10, i60 = d.depths.index(10), d.depths.index(DEEP)
    return {
        "lr_low": float(s.lrs[0]),
        "acc_low_plain": float(test[0, 0]),
        "acc_low_bn": float(test[1, 0]),
        "best_plain": float(test[0, best[0]]),
        "best_bn": float(test[1, best[1]]),
        "lr_best_plain": float(s.lrs[best[0]]),
        "lr_best_bn": float(s.lrs[best[1]]),
        "lr_top_plain": top[0],
        "lr_top_bn": top[1],
        "gap_plain": float(train[0, best[0]] - test[0, best[0]]),
        "gap_bn": float(train[1, best[1]] - test[1, best[1]]),
        "sweep_steps": s.done,
        "loss10_plain": float(d.loss[-1, i10, 0]),
        "loss60_plain": float(d.loss[-1, i60, 0]),
        "loss10_res": float(d.loss[-1, i10, 1]),
        "loss60_res": float(d.loss[-1, i60, 1]),
        "test10_res": float(d.test_acc[-1, i10, 1]),
        "test60_res": float(d.test_acc[-1, i60, 1]),
        "depth_steps": d.done,
    }


def trained_keys(numbers: dict[str, float]) -> tuple[str, ...]:
    regular = "regularize_yes" if numbers["gap_bn"] < numbers["gap_plain"] - 0.01 else "regularize_no"
    return ("faster", regular, "res_depth")


def summary(r: ClaimsResult) -> dict:
    numbers = trained(r)
    return {"quick": quick(), "trained": numbers, "verdict_keys": list(QUICK_KEYS + trained_keys(numbers))}


CLAIMS = Experiment("claims", ParamSet(()), run, summary, heavy=True, stream=stream)
