"""Why non-linearity: train a small MLP on 2-D data, live, and compare it with the best linear model.

With the identity activation an L-layer network is one affine map,
    W_out(⋯(W₂(W₁x + b₁) + b₂)⋯) + b_out = W_eff x + b_eff,   W_eff = W_out ⋯ W₁,
so however deep or wide it is, its class regions are cut by straight lines and XOR / circles stay near
chance. Any non-linear f (tanh, ReLU, …) between the layers lets the boundary bend. This module
checks both by experiment: the trained identity net is collapsed to (W_eff, b_eff) and compared with
the net on a grid, and a softmax-regression baseline gives the best a linear model reaches here.

Experiments: TRAIN (live training, streamed per chunk, snapshots kept for replay) and UNITS (what each
hidden unit of one layer responds to, for the same trained network).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core import datasets2d
from core.activation_fns import FUNCTIONS
from core.activations import trainer
from core.experiment import Experiment, finished_run, streaming
from core.params import Choice, Float, Int, LogFloat, Notice, ParamSet

LINEAR_HARD = ("xor", "circles", "spiral2", "spiral3")  # data no straight cut can separate


def _rules(v: dict) -> list[Notice]:
    n_train = v["n"] - datasets2d.test_size(v["n"], v["test"], datasets2d.CLASSES[v["data"]])
    if v["batch"] > n_train:
        raw, v["batch"] = v["batch"], n_train
        return [Notice("batch", "conflict", str(raw), {"why": "batch_full", "used": str(n_train)})]
    return []


TRAIN_PARAMS = ParamSet(
    (
        Choice("data", "circles", choices=datasets2d.DATASETS),
        Float("noise", 0.1, lo=0.0, hi=0.5, step=0.05),
        Int("n", 500, lo=100, hi=2000, step=50),
        Float("test", 0.3, lo=0.1, hi=0.5, step=0.05),
        Int("depth", 2, lo=1, hi=6),
        Int("width", 8, lo=2, hi=64),
        Choice("act", "tanh", choices=tuple(FUNCTIONS)),
        Choice("opt", "adam", choices=trainer.OPTIMIZERS),
        LogFloat("lr", 0.02, lo=1e-4, hi=2.0),
        Int("batch", 32, lo=1, hi=256),
        Int("steps", 1000, lo=100, hi=5000, step=100),
        Float("l2", 0.0, lo=0.0, hi=0.02, step=0.0005),
        Int("seed", 0, lo=0, hi=999),
    ),
    rules=_rules,
)


def config(v: dict) -> trainer.Config:
    return trainer.Config(
        depth=v["depth"],
        width=v["width"],
        act=v["act"],
        opt=v["opt"],
        lr=v["lr"],
        batch=v["batch"],
        steps=v["steps"],
        l2=v["l2"],
        seed=v["seed"],
    )


def dataset(v: dict) -> datasets2d.Dataset2D:
    return datasets2d.make(v["data"], v["n"], v["noise"], v["test"], v["seed"])


@dataclass(frozen=True)
class Classifier:
    """A training run plus what the page says about it once it has finished."""

    run: trainer.TrainResult
    data: str
    chance: float  # test accuracy of always guessing the majority class
    linear: dict | None = None  # the softmax-regression baseline's train/test accuracy (when finished)
    w_eff: np.ndarray | None = None  # identity nets: the single affine map the layers multiply out to
    b_eff: np.ndarray | None = None
    collapse_gap: float | None = None  # max |net logits − (W_eff x + b_eff)| on the plotted grid


def _finish(res: trainer.TrainResult, data: datasets2d.Dataset2D, name: str) -> Classifier:
    extra: dict = {"linear": trainer.linear_baseline(data)}
    if res.config.act == "identity" and res.diverged_at is None:
        w_eff, b_eff = trainer.collapse(res.weights, res.biases)
        g = np.stack(np.meshgrid(res.axis, res.axis), -1).reshape(-1, 2).astype(np.float64)
        gap = float(np.abs(trainer.logits_np(res, g) - (g @ w_eff.T + b_eff)).max())
        extra |= {"w_eff": w_eff, "b_eff": b_eff, "collapse_gap": gap}
    return Classifier(res, name, data.chance(), **extra)


def stream(v: dict):
    data = dataset(v)
    for fraction, res in trainer.train(config(v), data):
        yield fraction, (_finish(res, data, v["data"]) if res.finished else Classifier(res, v["data"], data.chance()))


train_run = finished_run(stream, tuple(TRAIN_PARAMS.names))  # shared by TRAIN and UNITS: a headless run trains once


def _pct(x: float) -> str:
    return f"{x:.0%}"


def lines(c: Classifier) -> list[tuple[str, dict]]:
    """The sentences the page shows for a finished run: (catalogue key, the numbers in it) each."""
    r = c.run
    if r.diverged_at is not None:
        return [("diverged", {"step": r.diverged_at})]
    nums = {
        "train": _pct(r.train_acc[-1]),
        "test": _pct(r.test_acc[-1]),
        "loss": float(r.test_loss[-1]),
        "linear": _pct(c.linear["test_acc"]),
        "chance": _pct(c.chance),
        "steps": r.done,
        "depth": r.config.depth,
        "act": r.config.act,
    }
    if c.collapse_gap is None:
        return [("verdict_nonlinear", nums)]
    hint = [("hint_linear_hard", {})] if c.data in LINEAR_HARD else []
    return [("verdict_identity", {**nums, "gap": c.collapse_gap}), *hint]


def _round(x, nd=4):
    return [round(float(a), nd) for a in np.atleast_1d(x)]


def train_summary(c: Classifier) -> dict:
    r = c.run
    keep = np.isin(r.eval_steps, r.snap_steps)
    out = {
        "data": c.data,
        "classes": r.classes,
        "steps_run": r.done,
        "diverged_at": r.diverged_at,
        "train_acc": float(r.train_acc[-1]),
        "test_acc": float(r.test_acc[-1]),
        "train_loss": float(r.train_loss[-1]),
        "test_loss": float(r.test_loss[-1]),
        "chance": c.chance,
        "linear_model": c.linear,
        "dead_share_per_layer": _round(r.dead[-1]),
        "dead_share_over_steps": {int(s): round(float(d), 4) for s, d in zip(r.eval_steps[keep], r.dead[keep].mean(1))},
    }
    if c.w_eff is not None:
        out["identity_collapse"] = {
            "w_eff": c.w_eff.round(4).tolist(),
            "b_eff": _round(c.b_eff),
            "max_gap": c.collapse_gap,
        }
    return out


# streaming(...) with one difference: `run` (the CLI, tests, UNITS) goes through the small cache above
TRAIN = replace(streaming("train", TRAIN_PARAMS, stream, train_summary), run=train_run)


# ---- hidden units of one layer --------------------------------------------------------------


def _layer_rule(v: dict) -> list[Notice]:
    if v["layer"] > v["depth"]:
        raw, v["layer"] = v["layer"], v["depth"]
        return [Notice("layer", "conflict", str(raw), {"why": "no_layer", "used": str(v["depth"])})]
    return []


UNITS_PARAMS = ParamSet((*TRAIN_PARAMS.params, Int("layer", 1, lo=1, hi=6)), rules=lambda v: _rules(v) + _layer_rule(v))


def units_run(v: dict) -> tuple[int, Classifier]:
    return v["layer"], train_run({k: v[k] for k in TRAIN_PARAMS.names})


def units_summary(out: tuple[int, Classifier]) -> dict:
    layer, c = out
    maps = c.run.units[layer - 1]  # (H, U, U)
    return {
        "layer": layer,
        "units": [
            {
                "dead": bool(c.run.dead_units[layer - 1, i]),
                "min": round(float(m.min()), 4),
                "max": round(float(m.max()), 4),
                "positive_share": round(float((m > 0).mean()), 4),
            }
            for i, m in enumerate(maps)
        ],
    }


UNITS = Experiment("units", UNITS_PARAMS, units_run, units_summary, heavy=True)
