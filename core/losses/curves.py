"""Loss curves: L and dL/dx against the residual (regression) or the margin (classification), with the
places where the gradient is constant or vanishes marked — read off autograd, never typed in.

    x on a fixed grid [−X_MAX, X_MAX] (N points, float64), every chosen loss at once:
    L(x), g(x) = dL/dx (core.losses.functions.value_and_grad), g′(x) by finite differences of g
    vanishes      |g| < thresh                      (a model gets almost no signal from such a point)
    ... while wrong  (classification) m ≤ 0 as well  (the point is misclassified and still gets none)
    constant      |g| ≥ thresh and |g′| ≤ CONST_TOL over ≥ CONST_LEN  (every such point pushes equally hard)
The probe (r₀ or m₀) is evaluated exactly at its value, not read off the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.losses.functions import LOSSES, value_and_grad

X_MAX = 4.0
N = 801  # grid step 0.01
CONST_TOL = 0.01  # |g′| below this (per unit of x) counts as a constant slope...
CONST_LEN = 0.5  # ...over a stretch at least this long (not just at an extremum of g)


def intervals(x: np.ndarray, mask: np.ndarray, min_len: float = 0.0) -> list[tuple[float, float]]:
    """Maximal runs of True in `mask` as (x_first, x_last) pairs, those at least `min_len` long."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    runs = [(float(x[a]), float(x[b - 1])) for a, b in zip(edges[::2], edges[1::2])]
    return [(a, b) for a, b in runs if b - a >= min_len]


@dataclass(frozen=True)
class Curves:
    family: str  # "reg" or "cls"
    keys: tuple[str, ...]
    x: np.ndarray  # (N,) float32: residuals or margins
    loss: np.ndarray  # (K, N) float32
    grad: np.ndarray  # (K, N) float32, dL/dx by autograd
    x0: float  # the probe
    loss0: np.ndarray  # (K,) float64 at the probe
    grad0: np.ndarray  # (K,) float64 at the probe
    thresh: float
    vanish: tuple[tuple[tuple[float, float], ...], ...]  # per loss: where |g| < thresh
    vanish_wrong: tuple[tuple[tuple[float, float], ...], ...]  # per loss (classification): and m ≤ 0
    constant: tuple[tuple[tuple[float, float], ...], ...]  # per loss: where g is constant and not small
    torch_calls: tuple[str, ...]
    latex: tuple[str, ...]
    revision: str  # what the curves depend on (not the probe): the figure's datarevision


def curves(family: str, keys: tuple[str, ...], x0: float, thresh: float, knobs: dict) -> Curves:
    half = (N - 1) // 2
    x = torch.arange(-half, half + 1, dtype=torch.float64) * (X_MAX / half)  # k·0.01 on every CPU (not linspace:
    # its vector kernel puts 1.0 at 0.9999999999999999, on the hinge's kink, where the subgradient then differs)
    xs = x.numpy()
    probe = torch.tensor([x0], dtype=torch.float64)
    loss, grad, loss0, grad0, vanish, wrong, const = [], [], [], [], [], [], []
    for k in keys:
        y, g = value_and_grad(k, x, knobs)
        y0, g0 = value_and_grad(k, probe, knobs)
        gn = g.numpy()
        slope = np.abs(np.gradient(gn, xs))  # g′ by central differences
        small = np.abs(gn) < thresh
        loss.append(y.numpy())
        grad.append(gn)
        loss0.append(float(y0[0]))
        grad0.append(float(g0[0]))
        vanish.append(tuple(intervals(xs, small)))
        wrong.append(tuple(intervals(xs, small & (xs <= 0))) if family == "cls" else ())
        const.append(tuple(intervals(xs, ~small & (slope <= CONST_TOL), CONST_LEN)))
    return Curves(
        family=family,
        keys=keys,
        x=xs.astype(np.float32),
        loss=np.asarray(loss, np.float32).reshape(len(keys), N),
        grad=np.asarray(grad, np.float32).reshape(len(keys), N),
        x0=float(x0),
        loss0=np.asarray(loss0),
        grad0=np.asarray(grad0),
        thresh=thresh,
        vanish=tuple(vanish),
        vanish_wrong=tuple(wrong),
        constant=tuple(const),
        torch_calls=tuple(LOSSES[k].torch_call for k in keys),
        latex=tuple(LOSSES[k].latex for k in keys),
        revision=f"{family}:{','.join(keys)}:{thresh:g}:" + ",".join(f"{k}={v:g}" for k, v in sorted(knobs.items())),
    )


def probes(keys: tuple[str, ...], xs, knobs: dict) -> tuple[np.ndarray, np.ndarray]:
    """L and dL/dx of every loss in `keys` at each x of `xs`, (K, len(xs)) float64 each: the probe at every scrub
    position at once, by the same calls that `curves` makes for its one probe."""
    at = torch.tensor(xs, dtype=torch.float64)
    pairs = [value_and_grad(k, at, knobs) for k in keys]
    return np.stack([y.numpy() for y, _ in pairs]), np.stack([g.numpy() for _, g in pairs])


def summary(c: Curves) -> dict:
    span = lambda ivs: [[round(a, 2), round(b, 2)] for a, b in ivs]
    out = {"family": c.family, "probe": c.x0, "threshold": c.thresh, "losses": {}}
    for i, k in enumerate(c.keys):
        row = {
            "torch": c.torch_calls[i],
            "loss_at_probe": float(c.loss0[i]),
            "grad_at_probe": float(c.grad0[i]),
            "gradient_vanishes_on": span(c.vanish[i]),
            "gradient_constant_on": span(c.constant[i]),
        }
        if c.family == "cls":
            row["vanishes_while_wrong_on"] = span(c.vanish_wrong[i])
        out["losses"][k] = row
    return out
