"""Dead ReLUs: how many hidden units a large learning rate switches off for good.

A ReLU unit is dead when z = w·h + b ≤ 0 on every training point: its output is 0 everywhere, so
∂L/∂w = ∂L/∂b = 0 and gradient descent never moves it again (in the first hidden layer, whose
inputs are the fixed data, it can never come back; deeper units can, if the layers below change).
One large SGD step can push b (or w) far enough to get there:  w ← w − η ∂L/∂w.

The experiment trains the same MLP (same seed: same initial weights and mini-batches) with plain
SGD, batch BATCH, on the chosen data: ReLU at the chosen learning rate η and at η/10, and the chosen
alternatives (Leaky ReLU, ELU, …) at η; it records the share of dead hidden units over the steps.
Leaky ReLU (slope 0.01 below 0) and ELU never output exactly 0, so they cannot die; the share of
their units with z ≤ 0 everywhere ("negative") shows how many would have died as ReLUs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from core import datasets2d, device
from core.activations import trainer
from core.experiment import drain, streaming
from core.params import Choice, Int, LogFloat, Multi, ParamSet

BATCH, N, NOISE, TEST = 32, 500, 0.1, 0.3  # fixed: this section varies the learning rate and init
REF_FACTOR = 10  # the reference ReLU run uses η / REF_FACTOR
COMPARE = ("leaky_relu", "elu", "prelu", "selu", "gelu", "silu", "softplus", "tanh")

DEAD_PARAMS = ParamSet(
    (
        Choice("d_data", "moons", choices=datasets2d.DATASETS),
        Multi("d_cmp", ("leaky_relu", "elu"), choices=COMPARE, lo=1, hi=3),
        Choice("d_init", "he", choices=trainer.INITS),
        LogFloat("d_lr", 1.0, lo=1e-3, hi=5.0),
        Int("d_steps", 500, lo=100, hi=2000, step=100),
        Int("d_depth", 3, lo=1, hi=6),
        Int("d_width", 16, lo=2, hi=64),
        Int("d_seed", 0, lo=0, hi=999),
    )
)


@dataclass(frozen=True)
class DeadResult:
    keys: tuple[str, ...]  # "relu", "relu_ref", then the compared activations
    acts: tuple[str, ...]  # the activation of each run
    lrs: tuple[float, ...]  # the learning rate of each run
    runs: tuple[trainer.TrainResult, ...]
    units: int  # hidden units per network (depth × width)


def configs(v: dict) -> list[tuple[str, trainer.Config]]:
    base = trainer.Config(
        depth=v["d_depth"],
        width=v["d_width"],
        init=v["d_init"],
        opt="sgd",
        lr=v["d_lr"],
        batch=BATCH,
        steps=v["d_steps"],
        seed=v["d_seed"],
        snapshots=1,
        grid=2,
        unit_grid=2,
    )
    return [("relu", replace(base, act="relu")), ("relu_ref", replace(base, act="relu", lr=v["d_lr"] / REF_FACTOR))] + [
        (k, replace(base, act=k)) for k in v["d_cmp"]
    ]


def stream(v: dict):
    """All networks advance one chunk at a time, so the page shows them side by side as they train."""
    data = datasets2d.make(v["d_data"], N, NOISE, TEST, v["d_seed"])
    named = configs(v)
    gens = [trainer.train(cfg, data) for _, cfg in named]
    latest: list = [None] * len(gens)
    while True:
        moved = False
        for i, gen in enumerate(gens):
            if latest[i] is None or not latest[i][1].finished:
                latest[i] = next(gen)
                moved = True
        if not moved:
            return
        runs = tuple(r for _, r in latest)
        fraction = float(np.mean([r.done / r.config.steps if r.diverged_at is None else 1.0 for r in runs]))
        yield (
            fraction,
            DeadResult(
                tuple(k for k, _ in named),
                tuple(c.act for _, c in named),
                tuple(c.lr for _, c in named),
                runs,
                v["d_depth"] * v["d_width"],
            ),
        )


def verdict(res: DeadResult) -> dict:
    """Final numbers per run: dead units (count and share), negative share, test accuracy, divergence."""
    out = {}
    for key, act, lr, r in zip(res.keys, res.acts, res.lrs, res.runs):
        out[key] = {
            "act": act,
            "lr": lr,
            "dead": int(r.dead_units.sum()),
            "units": res.units,
            "dead_share": float(r.dead[-1].mean()),
            "dead_at_start": float(r.dead[0].mean()),
            "negative_share": float(r.negative[-1].mean()),
            "test_acc": float(r.test_acc[-1]),
            "diverged_at": r.diverged_at,
        }
    return out


def lines(res: DeadResult) -> list[tuple[str, dict]]:
    """The sentences the page shows for a finished comparison: (catalogue key, numbers) each."""
    v, out = verdict(res), []
    pct = lambda x: f"{x:.0%}"
    relu, ref = v["relu"], v["relu_ref"]
    if relu["diverged_at"] is None and ref["diverged_at"] is None:
        out.append(
            (
                "verdict",
                {
                    "lr": f"{relu['lr']:g}",
                    "dead": relu["dead"],
                    "units": res.units,
                    "share": pct(relu["dead_share"]),
                    "start": pct(relu["dead_at_start"]),
                    "ref_lr": f"{ref['lr']:g}",
                    "ref_dead": ref["dead"],
                    "ref_share": pct(ref["dead_share"]),
                    "acc": pct(relu["test_acc"]),
                    "ref_acc": pct(ref["test_acc"]),
                },
            )
        )
    for key in res.keys:
        run = v[key]
        common = {"act": run["act"], "lr": f"{run['lr']:g}"}
        if run["diverged_at"] is not None:
            out.append(("diverged", {**common, "step": run["diverged_at"]}))
        elif key not in ("relu", "relu_ref"):
            out.append(
                (
                    "other",
                    {**common, "dead": run["dead"], "neg": pct(run["negative_share"]), "acc": pct(run["test_acc"])},
                )
            )
    return out


def summary(res: DeadResult) -> dict:
    out = verdict(res)
    for key, r in zip(res.keys, res.runs):
        every = max(1, len(r.eval_steps) // 20)
        out[key]["dead_share_over_steps"] = {
            int(s): round(float(d), 4) for s, d in zip(r.eval_steps[::every], r.dead[::every].mean(1))
        }
    return out


DEAD = streaming("dead", DEAD_PARAMS, stream, summary)


# ---- the notes' claim about dead ReLUs: a card beside this section ------------------------------------------
CARD_RUNS = (("xavier", 1.0), ("he", 1.0), ("xavier", 2.0))  # (init, η): the notes' fix, the page's init, η = 2


@lru_cache(maxsize=1)
def card_numbers() -> dict[str, float]:
    """Share of ReLU units dead after the section's default training (moons, 3 × 16, 500 SGD steps, seed 0) for
    each (init, η) of CARD_RUNS, as `dead_<init>_<η>`: one ReLU net each, no comparison runs (~1 s in all)."""
    v = DEAD.params.defaults()
    data = datasets2d.make(v["d_data"], N, NOISE, TEST, v["d_seed"])
    out = {}
    with device.compute():  # a heavy computation: one compute slot, as every training holds
        for init, lr in CARD_RUNS:
            (_, cfg), *_ = configs({**v, "d_init": init, "d_lr": lr, "d_cmp": ()})
            result = drain(trainer.train(cfg, data))
            out[f"dead_{init}_{lr:g}"] = float(result.dead[-1].mean())
    return out


def card_verdict(n) -> str:
    """The notes' fix helps at η = 1 (Xavier loses fewer units than He) but no init saves a too-large η."""
    helps = n["dead_xavier_1"] < n["dead_he_1"]
    saves = n["dead_xavier_2"] < 0.5
    return "true" if helps and saves else "partly" if helps or saves else "false"
