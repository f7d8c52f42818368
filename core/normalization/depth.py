"""Degradation and residual connections: plain and residual MLPs of the same depth, same weights, same batches.

He et al. (2016, Figure 1) found that a deeper plain network reaches a *higher training error* than a shallower
one — not overfitting (the training error itself is worse) and, with BN in every layer, not a vanishing forward
signal. Their fix keeps every layer and adds an identity path around it:

    plain      h_l = F_l(h_{l−1})                 F_l(h) = ReLU(N(h)) W_l + b_l     (pre-activation form)
    residual   h_l = h_{l−1} + F_l(h_{l−1})       ∂h_l/∂h_{l−1} = I + ∂F_l/∂h_{l−1}

The skip has no weights, so both networks have exactly the same parameters; the identity term means the
gradient reaches the first layer through a path that no layer can shrink or blow up. The run records the
training loss and accuracy over the steps (the miniature Figure 1) and ‖∂L/∂W_0‖, the gradient of the first
layer, at every step. Width 32, mini-batches of 64, plain SGD; each depth's pair is one stack of two models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import budget, training
from core.experiment import Experiment, finished_run
from core.normalization import nets, runs
from core.params import Choice, Int, LogFloat, Multi, Notice, ParamSet

WIDTH, BATCH = 32, 64
DEPTHS = ("6", "10", "20", "30", "45", "60")
FORMULA = (  # two lines: it sits in the figure's column
    r"\begin{gathered} h_l = F_l(h_{l-1}) \quad\text{vs}\quad h_l = h_{l-1} + F_l(h_{l-1}) \\"
    r"F_l(h) = \mathrm{ReLU}(N(h))\,W_l + b_l \end{gathered}"
)
# CPU seconds on one torch thread: FIXED + steps × (Σ depths) × PER_LAYER µs (each depth is one stack of two
# width-32 models). Calibrated with time.process_time() around drain(stream(v)) under torch.set_num_threads(1) for
# depths (10), (10, 30), (10, 30, 60), (30, 45, 60) at 300 steps.
FIXED, PER_LAYER = 0.2, 190.0


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run."""
    return FIXED + v["r_steps"] * sum(int(d) for d in v["depths"]) * PER_LAYER * 1e-6


def _budget(v: dict) -> list[Notice]:
    return budget.cut(v, cost, "r_steps", 100, 100)


PARAMS = ParamSet(
    (
        Multi("depths", ("10", "30", "60"), choices=DEPTHS, lo=1, hi=3),
        Int("r_steps", 300, lo=100, hi=1500, step=100),
        LogFloat("r_lr", 0.05, lo=1e-3, hi=1.0),
        Choice("r_norm", "bn", choices=("bn", "none")),
        Int("r_seed", 0, lo=0, hi=999),
    ),
    rules=_budget,
)


@dataclass(frozen=True)
class DepthResult:
    depths: tuple[int, ...]  # (D,)
    norm: str
    total: int
    steps: np.ndarray  # (P,) window ends of the thinned curves
    loss: np.ndarray  # (P, D, 2) float32 training loss; [..., 0] plain, [..., 1] residual
    grad: np.ndarray  # (P, D, 2) ‖∂L/∂W_0‖ (window mean)
    grad0: np.ndarray  # (D, 2) ‖∂L/∂W_0‖ at the first step (the initial weights)
    evals: np.ndarray  # (E,)
    train_acc: np.ndarray  # (E, D, 2) eval mode on the 1,347 training digits
    test_acc: np.ndarray  # (E, D, 2)
    params: np.ndarray  # (D, 2) learnable numbers: plain, residual
    diverged: np.ndarray  # (D, 2) first step with NaN/inf, −1 if never
    finite: bool

    @property
    def done(self) -> int:
        return int(self.evals[-1])


def stream(v: dict) -> Iterator[tuple[float, DepthResult]]:
    depths = tuple(int(d) for d in v["depths"])
    kind = v["r_norm"]
    specs = [nets.Spec((kind, kind), (False, True), d, WIDTH) for d in depths]
    stacks = tuple(nets.Stack(s, v["r_seed"]) for s in specs)  # private generators: no global RNG
    lr = torch.full((2,), float(v["r_lr"]))
    fit = runs.Fit(stacks, (lr,) * len(stacks), BATCH, v["r_steps"], v["r_seed"])

    def snapshot(stop: int, finite: bool) -> DepthResult:
        fit.record(stop)
        acc = fit.history()  # (E, D, [train, test], 2)
        ends, loss = runs.thin(np.stack(fit.loss, 1))  # (steps, D, 2)
        _, grad = runs.thin(np.stack(fit.grad, 1))
        return DepthResult(
            depths=depths,
            norm=kind,
            total=v["r_steps"],
            steps=ends,
            loss=loss,
            grad=grad,
            grad0=np.stack([g[0] for g in fit.grad]).astype(np.float32),
            evals=np.array(fit.evals),
            train_acc=acc[:, :, 0],
            test_acc=acc[:, :, 1],
            params=np.array([[s.n_params(0), s.n_params(1)] for s in specs]),
            diverged=np.stack([dv.copy() for dv in fit.diverged]),
            finite=finite,
        )

    yield from training.chunked(v["r_steps"], fit.chunk, snapshot)


def summary(r: DepthResult) -> dict:
    def cell(i: int, j: int) -> dict:  # depth i, net j (plain, residual)
        return {
            "parameters": int(r.params[i, j]),
            "final_train_loss": runs.last(r.loss[:, i, j]),
            "train_accuracy": round(float(r.train_acc[-1, i, j]), 4),
            "test_accuracy": round(float(r.test_acc[-1, i, j]), 4),
            "first_layer_grad_norm_at_init": float(r.grad0[i, j]),
            "diverged_at_step": runs.step_or_none(r.diverged[i, j]),
        }

    rows = runs.by_model([str(d) for d in r.depths], ("plain", "residual"), cell)
    return {"steps": r.done, "norm": r.norm, "by_depth": rows}


trained = finished_run(stream, PARAMS.names)  # the CLI and the claims train a configuration once per process
DEPTH = Experiment("depth", PARAMS, trained, summary, heavy=True, stream=stream, cost=cost)


# ---- the section's reading, from the run's numbers ---------------------------------------------------------------

CHANCE = float(np.log(10))  # cross-entropy of a uniform guess over 10 digits


def _num(x: float, fmt: str = ".3f") -> str:
    return format(x, fmt) if np.isfinite(x) else "NaN"


def reading(r: DepthResult) -> list[tuple[str, dict[str, str]]]:
    """The sentences under the table, as (catalogue key under depth., numbers): each one is chosen by what this run
    measured (deepest and shallowest depth, first-layer gradients at step 1, final losses, divergence), so the
    text never states what the run did not show."""
    deep, low = int(np.argmax(r.depths)), int(np.argmin(r.depths))
    g_plain, g_res = (float(g) for g in r.grad0[deep])
    loss = r.loss[-1] if len(r.loss) else np.full((len(r.depths), 2), np.nan)
    n = {"deep": str(r.depths[deep]), "low": str(r.depths[low]), "g_plain": _num(g_plain, ".3g")}
    n |= {"g_res": _num(g_res, ".3g"), "steps": str(r.done)}
    for k, j in (("plain", 0), ("res", 1)):
        n |= {f"{k}_deep": _num(float(loss[deep, j])), f"{k}_low": _num(float(loss[low, j]))}
    out = []
    ratio = g_plain / g_res if g_res > 0 else float("inf")
    if np.isfinite(g_plain) and np.isfinite(g_res) and np.isfinite(ratio) and ratio > 0:
        if ratio > 10:
            key = "reading_grad_big" if r.norm == "bn" else "reading_grad_big_none"
            out.append((key, {**n, "ratio": f"{ratio:,.0f}"}))
        elif ratio < 0.1:
            out.append(("reading_grad_small", {**n, "ratio": f"{1 / ratio:,.0f}"}))
        else:
            out.append(("reading_grad_close", n))
    for j, net in ((0, "plain"), (1, "res")):
        if r.diverged[deep, j] >= 0:
            key = f"reading_{net}_diverged" + ("_none" if net == "res" and r.norm == "none" else "")
            out.append((key, {**n, "step": str(int(r.diverged[deep, j]))}))
        elif deep == low:
            out.append((f"reading_{net}_one", n))
        elif loss[deep, j] > loss[low, j] + 0.3:
            out.append((f"reading_{net}_worse", n))
        else:
            out.append((f"reading_{net}_flat", n))
    if r.diverged[deep, 0] < 0 and loss[deep, 0] > CHANCE - 0.3:
        out.append(("reading_chance", n))
    if r.norm == "bn":
        out.append(("reading_try", n))
    return out
