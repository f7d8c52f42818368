"""The interview notes' statements about batch norm and residual networks, checked with this page's experiments:
each a card beside its section (core.experiment.Claim; `CARDS`, the concept's `claims`).

Two kinds of numbers:
- `quick()`: what needs no training (the default batch of section 1, the default counts, first-layer gradients of
  the initial 60-layer networks of section 5 on their first mini-batch, parameters counted on the torch modules of
  section 5's nets, core.normalization.blocks) — the concept's `numbers`, measured once per process; their cards
  sit beside sections 1, 2 and 5;
- `trained(...)`: what needs the default trainings of sections 3 and 5 (the learning-rate sweep and the
  plain-vs-residual run) — the CLAIMS experiment trains both (or a finished run supplies them); their cards sit in
  the page's last section, filled with that run's numbers once it is done.

A verdict the experiment decides is a function of the numbers (`*_verdict`, written next to its criterion); a
verdict that follows from arithmetic (BN divides by the standard deviation) is declared, and the tests check that
the numbers agree with it. The regularization claim rests on a gap of a point or two, less than one seed's noise,
so it is measured over SEEDS (the sweep's seed 0 and a plain/BN pair per extra seed at the two best learning
rates): BN regularizes ("partly": a small effect) when the mean difference of the train−test gaps is above twice
its standard error, it does not ("false") when it is below minus that, and "depends" in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core import data, training
from core.experiment import Claim, Experiment, drain
from core.normalization import blocks, count, depth, nets, runs, steps, sweep
from core.params import ParamSet

QUICK_KEYS = ("std_not_var", "notes_code", "gaussian", "fewer_params", "vanishing", "res_vanishing", "res_params")
TRAINED_KEYS = ("faster", "regularize", "res_depth")
DEEP = 60  # the depth of the gradient claims (a choice of section 4)
SEEDS = (1, 2, 3, 4)  # the extra seeds of the regularization claim (seed 0: the sweep's own run)


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
        "notes_std": float(1 / s.seeds_ratio),  # the notes' code's output spread (x.std(0) divides by n − 1)
        "normal_skew": 0.0,  # a normal distribution's skewness
        **blocks.counts(DEEP, depth.WIDTH),  # counted on the torch modules
    }


def vanishing_verdict(q: dict) -> str:
    """BN keeps the first-layer gradient of the deep plain net of order 1: "true"; only together with residual
    connections (BN alone lets it explode): "depends"; not even then: "false"."""
    order_one = lambda g: 0.1 < g < 10
    return (
        "true"
        if order_one(q["g_plain_bn"]) and order_one(q["g_res_bn"])
        else ("depends" if order_one(q["g_res_bn"]) else "false")
    )


def res_vanishing_verdict(q: dict) -> str:
    """The deep residual net's first-layer gradient is of order 1 with and without BN in its branches: "true"; with
    only one of them: "partly"; with neither: "false"."""
    order_one = [0.1 < q[k] < 10 for k in ("g_res_bn", "g_res")]
    return "true" if all(order_one) else "partly" if any(order_one) else "false"


def quick_verdicts(q: dict) -> dict[str, str]:
    """Each quick claim's verdict at these numbers (the cards beside sections 1, 2 and 5)."""
    return {c.key: c.judged(q) for c in CARDS if c.key in QUICK_KEYS}


# ---- the trained claims -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimsResult:
    sweep: sweep.SweepResult
    depth: depth.DepthResult
    gaps: np.ndarray  # (S, 2) train − test accuracy of plain and BN at their best learning rates, one row per seed


def best_lrs(s: sweep.SweepResult) -> tuple[float, float]:
    """The learning rates of the best test accuracy, plain and BN."""
    best = np.nan_to_num(s.test_acc[-1], nan=-1.0).argmax(1)  # (2,)
    return float(s.lrs[best[0]]), float(s.lrs[best[1]])


def _gap_stream(s: sweep.SweepResult, seeds: tuple[int, ...] = SEEDS) -> Iterator[tuple[float, np.ndarray]]:
    """The train − test gaps at the sweep's two best learning rates, seed 0 from the sweep itself and one plain/BN
    pair (same depth, steps, width, batch) per extra seed; yields (fraction, gaps so far (S', 2))."""
    lrs = best_lrs(s)
    j = [int(np.flatnonzero(s.lrs == lr)[0]) for lr in lrs]
    rows = [[s.train_acc[-1, i, j[i]] - s.test_acc[-1, i, j[i]] for i in (0, 1)]]
    for k, seed in enumerate(seeds):
        stack = nets.Stack(nets.Spec(("none", "bn"), (False, False), s.depth, sweep.WIDTH), seed)
        fit = runs.Fit((stack,), (torch.tensor(lrs),), sweep.BATCH, s.total, seed)
        for start, stop in training.bounds(s.total, training.chunk_size(s.total)):
            fit.chunk(start, stop)
        acc = fit.accuracy()[0]  # ([train, test], 2)
        rows.append(acc[0] - acc[1])
        yield (k + 1) / len(seeds), np.array(rows, np.float32)
    if not seeds:
        yield 1.0, np.array(rows, np.float32)


@lru_cache(maxsize=1)
def _default_gaps() -> np.ndarray:
    return drain(_gap_stream(sweep.trained(sweep.PARAMS.defaults())))


def _costs() -> tuple[float, float, float]:
    """Modelled CPU seconds of the default sweep, the extra seeds' pairs and the default depth run."""
    v = sweep.PARAMS.defaults()
    return sweep.cost(v), len(SEEDS) * sweep.pair_cost(v), depth.cost(depth.PARAMS.defaults())


def cost(_: dict) -> float:
    return sum(_costs())


def stream(_: dict) -> Iterator[tuple[float, ClaimsResult | None]]:
    """Train the default learning-rate sweep, the extra seeds at its best learning rates, then the default depth
    run; yields progress (None until the depth run starts; the claims are read once the run is done). Each part
    fills the progress bar in proportion to its modelled cost."""
    parts = np.array(_costs())
    start = np.concatenate([[0.0], np.cumsum(parts / parts.sum())])
    swept = gaps = None
    for fraction, partial in sweep.stream(sweep.PARAMS.defaults()):
        swept = partial
        yield start[1] * fraction, None
    for fraction, partial in _gap_stream(swept):
        gaps = partial
        yield start[1] + (start[2] - start[1]) * fraction, None
    for fraction, deep in depth.stream(depth.PARAMS.defaults()):
        yield start[2] + (1 - start[2]) * fraction, ClaimsResult(swept, deep, gaps)  # drawn once done


def run(_: dict) -> ClaimsResult:
    """The same numbers from the cached default runs (the CLI trains each once, for its section and here)."""
    swept = sweep.trained(sweep.PARAMS.defaults())
    return ClaimsResult(swept, depth.trained(depth.PARAMS.defaults()), _default_gaps())


def _learns(acc: np.ndarray) -> np.ndarray:
    return np.nan_to_num(acc, nan=0.0) >= 0.5


def gap_spread(gaps: np.ndarray) -> dict[str, float]:
    """Mean train − test gaps over the seeds (plain, BN) and the standard error of their mean difference
    (seeds where a net diverged are left out)."""
    ok = gaps[np.isfinite(gaps).all(1)]  # (S', 2)
    diff = ok[:, 0] - ok[:, 1]  # plain − BN: positive when BN narrows the gap
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("inf")
    return {
        "gap_plain": float(ok[:, 0].mean()) if len(ok) else float("nan"),
        "gap_bn": float(ok[:, 1].mean()) if len(ok) else float("nan"),
        "gap_diff": float(diff.mean()) if len(ok) else float("nan"),
        "gap_se": se,
        "gap_seeds": len(ok),
    }


def regularize_verdict(n: dict) -> str:
    """ "partly" (a small effect) when BN narrows the train − test gap by more than twice the standard error of
    the mean difference over the seeds, "false" when it widens it by more, "depends" within that spread."""
    margin = 2 * n["gap_se"]
    if not np.isfinite(n["gap_diff"]) or not np.isfinite(margin):
        return "depends"
    return "partly" if n["gap_diff"] > margin else "false" if n["gap_diff"] < -margin else "depends"


def trained(r: ClaimsResult) -> dict[str, float]:
    s, d = r.sweep, r.depth
    test = s.test_acc[-1]  # (2, K)
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
        **gap_spread(r.gaps),
        "gap_margin": 2 * gap_spread(r.gaps)["gap_se"],
        "sweep_steps": s.done,
        "loss10_plain": float(d.loss[-1, i10, 0]),
        "loss60_plain": float(d.loss[-1, i60, 0]),
        "loss10_res": float(d.loss[-1, i10, 1]),
        "loss60_res": float(d.loss[-1, i60, 1]),
        "test10_res": float(d.test_acc[-1, i10, 1]),
        "test60_res": float(d.test_acc[-1, i60, 1]),
        "depth_steps": d.done,
    }


def faster_verdict(n: dict) -> str:
    """BN is at least as accurate at the smallest η *and* still learns at a larger η than the plain net: "true";
    one of the two: "partly" (slower at the same step, faster only through a larger one); neither: "false"."""
    holds = [n["acc_low_bn"] >= n["acc_low_plain"], n["lr_top_bn"] > n["lr_top_plain"]]
    return "true" if all(holds) else "partly" if any(holds) else "false"


def res_depth_verdict(n: dict) -> str:
    """The 60-layer residual net trains as well as the 10-layer one (loss within 0.2) and tests better by more than
    4 points: "true"; trains as well, no better on the test digits: "partly"; degrades too: "false"."""
    if not n["loss60_res"] < n["loss10_res"] + 0.2:
        return "false"
    return "true" if n["test60_res"] - n["test10_res"] > 0.04 else "partly"


def trained_verdicts(n: dict) -> dict[str, str]:
    """Each trained claim's verdict at these numbers (the cards of the last section)."""
    return {c.key: c.judged(n) for c in CARDS if c.key in TRAINED_KEYS}


def summary(r: ClaimsResult) -> dict:
    numbers = trained(r)
    return {
        "quick": quick(),
        "trained": numbers,
        "verdicts": {**quick_verdicts(quick()), **trained_verdicts(numbers)},
        "regularization_gaps_per_seed": {"plain": r.gaps[:, 0].round(4).tolist(), "bn": r.gaps[:, 1].round(4).tolist()},
    }


CLAIMS = Experiment("claims", ParamSet(()), run, summary, heavy=True, stream=stream, cost=cost)


def card_numbers() -> dict:
    """What the cards beside sections 1, 2 and 5 quote (the concept's `numbers`): `quick()`."""
    return dict(quick())


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card: (key, verdict, section, preset, evidence). Quick ones beside the section they are
# about; the trained ones in the last section (the CLAIMS experiment trains what they need).
CARDS = (
    Claim("std_not_var", "false", "steps", None, bars(std="out_std", var="var_std")),
    Claim("notes_code", "partly", "steps", "two_examples", bars(bn="out_std", code="notes_std")),
    Claim("gaussian", "partly", "steps", "two_bumps", bars(before="skew_in", after="skew_out", normal="normal_skew")),
    Claim(
        "fewer_params", "false", "count", "resnet_stage", bars(conv="conv_params", bn="bn_params", buffers="bn_buffers")
    ),
    Claim(
        "vanishing", vanishing_verdict, "depth", "he_figure_1", bars(none="g_plain", bn="g_plain_bn", res_bn="g_res_bn")
    ),
    Claim("res_vanishing", res_vanishing_verdict, "depth", "residual_without_norm", bars(bn="g_res_bn", none="g_res")),
    Claim("res_params", "false", "depth", "he_figure_1", bars(plain="params_plain", res="params_res")),
    Claim("faster", faster_verdict, "claims", "issue_lrs", bars(plain="acc_low_plain", bn="acc_low_bn")),
    Claim("regularize", regularize_verdict, "claims", None, bars(plain="gap_plain", bn="gap_bn", spread="gap_margin")),
    Claim(
        "res_depth",
        res_depth_verdict,
        "claims",
        "he_figure_1",
        bars(p10="loss10_plain", p60="loss60_plain", r60="loss60_res"),
    ),
)
assert {c.key for c in CARDS} == set(QUICK_KEYS + TRAINED_KEYS)
