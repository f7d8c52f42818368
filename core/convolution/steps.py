"""Convolution and transposed convolution one step at a time, written out by hand on a small grid.

Convolution (one output cell per step), on the input x̃ padded by p (zeros/reflect/replicate/circular):
    rows_i = i·s + d·(0, 1, …, k−1),   cols_j = j·s + d·(0, 1, …, k−1)
    y[i, j] = Σ_{a,b} K[a, b] · x̃[rows_i[a], cols_j[b]]                (the products, then their sum)
Transposed convolution (one *input* cell per step): every input value stamps a scaled copy of the
kernel onto a canvas of side (n−1)s + d(k−1) + 1 + output_padding, and overlapping stamps add up:
    canvas[i·s + a·d, j·s + b·d] += x[i, j] · K[a, b]
then p rows and columns are cut from each border (so padding *shrinks* a transposed convolution).
Both are checked against torch.nn.functional (conv2d, conv_transpose2d) on every run: `max_err`.
It is the gradient of convolution with respect to its input — the adjoint: ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.convolution import kernels as ck
from core.convolution import ops
from core.experiment import Experiment
from core.params import Choice, FloatList, Int, Notice, ParamSet, When, when, when_not

INPUTS = ("digit", "ramp", "edge", "impulse", "ones", "seeds")
FIXED_SIDE = {"digit": 8, "seeds": 3}  # inputs whose size is their own
SEEDS_IMAGE = ((0.0, 1.0, 0.0), (1.0, 1.0, 1.0), (0.0, 1.0, 0.0))  # the interview notes' 3×3 input
T_MAX = 6  # largest input stepped through as a transposed convolution (its canvas grows by s per cell)
KERNEL_SIDES = (1, 2, 3, 4, 5)
OPS = ("conv", "transposed")


def input_side(v: dict) -> int:
    n = FIXED_SIDE.get(v["t_in"], v["t_n"])
    return min(n, T_MAX) if v["t_op"] == "transposed" else n


def make_input(name: str, n: int) -> np.ndarray:
    """The small input grid (n, n) float64; digit and seeds have their own size (n is then ignored,
    except that a transposed convolution crops the digit to its centre n×n)."""
    if name == "digit":
        from core.data import _digits_arrays

        full = np.round(_digits_arrays()[0][0].astype(np.float64) * 16)  # the first digit, pixel values 0…16
        o = (8 - min(n, 8)) // 2
        return full[o : o + min(n, 8), o : o + min(n, 8)]
    if name == "seeds":
        return np.array(SEEDS_IMAGE)
    i, j = np.indices((n, n))
    if name == "ramp":
        return (i + j).astype(np.float64)
    if name == "edge":
        return np.where(j >= n // 2, 9.0, 0.0)
    if name == "impulse":
        return ((i == n // 2) & (j == n // 2)).astype(np.float64)
    if name == "ones":
        return np.ones((n, n))
    raise KeyError(name)


def _rules(v: dict) -> list[Notice]:
    k = math.isqrt(len(v["t_w"]))
    if v["t_op"] == "conv":
        return ops.fit_conv(v, input_side(v), k, {"p": "t_p", "d": "t_d", "mode": "t_pm"})  # as for the photo
    notes = []
    if v["t_in"] not in FIXED_SIDE and v["t_n"] > T_MAX:
        notes.append(Notice("t_n", "conflict", str(v["t_n"]), {"why": "t_cap", "used": str(T_MAX)}))
        v["t_n"] = T_MAX
    n, s, d = input_side(v), v["t_s"], v["t_d"]
    if v["t_opad"] >= max(s, d):
        used = max(s, d) - 1
        notes.append(Notice("t_opad", "conflict", str(v["t_opad"]), {"why": "opad", "used": str(used)}))
        v["t_opad"] = used
    if ops.t_out_size(n, k, s, v["t_p"], d, v["t_opad"]) < 1:
        used = ((n - 1) * s + d * (k - 1) + v["t_opad"]) // 2
        notes.append(Notice("t_p", "conflict", str(v["t_p"]), {"why": "t_empty", "used": str(used)}))
        v["t_p"] = used
    return notes


STEPS_PARAMS = ParamSet(
    (
        Choice("t_op", "conv", choices=OPS),
        Choice("t_in", "digit", choices=INPUTS),
        Int("t_n", 6, lo=3, hi=12, when=when_not("t_in", *FIXED_SIDE)),
        FloatList("t_w", ck.SEEDS_SHARPEN, lo=-20.0, hi=20.0, lengths=tuple(n * n for n in KERNEL_SIDES)),
        Int("t_s", 1, lo=1, hi=3),
        Int("t_p", 1, lo=0, hi=3),
        Choice("t_pm", "zeros", choices=ops.MODES, when=when("t_op", "conv") & When(lambda v: v["t_p"] > 0, "t_p>0")),
        Int("t_d", 1, lo=1, hi=3),
        Int("t_opad", 0, lo=0, hi=2, when=when("t_op", "transposed")),
    ),
    rules=_rules,
)


@dataclass(frozen=True)
class StepResult:
    op: str  # conv | transposed
    x: np.ndarray  # (n, n) float64, the input
    w: np.ndarray  # (k, k) float64, the kernel
    s: int
    p: int
    d: int
    mode: str
    opad: int
    grid: np.ndarray  # conv: the padded input (n + 2p, n + 2p); transposed: the input again
    cells: np.ndarray  # (T, 2) int: conv: the output cell of each step; transposed: the input cell
    rows: np.ndarray  # (T, k) int: conv: window rows in padded coordinates; transposed: canvas rows
    cols: np.ndarray  # (T, k) int
    prods: np.ndarray  # (T, k, k) float64: the element-wise products of this step
    sums: np.ndarray  # (T,) float64: conv: the output value; transposed: the input value stamped
    partial: np.ndarray | None  # transposed: (T, F, F) float32, the canvas after each step
    out: np.ndarray  # (n_out, n_out) float64, by hand
    ref: np.ndarray  # (n_out, n_out) float64, torch.nn.functional
    max_err: float
    size_latex: str
    cropped: bool  # the digit was cropped to fit a transposed step-through


def conv_by_hand(x: np.ndarray, w: np.ndarray, s: int, p: int, mode: str, d: int):
    """Every window of a single-channel convolution: (padded input, cells, rows, cols, products, sums, out)."""
    k, n = w.shape[0], x.shape[0]
    xp = np.pad(x, p, mode=ops.NUMPY_PAD[mode]) if p else x  # (n + 2p, n + 2p)
    m = ops.out_size(n, k, s, p, d)
    cells, rows, cols, prods = [], [], [], []
    for i in range(m):
        for j in range(m):
            r = i * s + d * np.arange(k)  # the window's rows in the padded input
            c = j * s + d * np.arange(k)
            cells.append((i, j))
            rows.append(r)
            cols.append(c)
            prods.append(xp[np.ix_(r, c)] * w)  # element-wise products K[a, b] · x̃[r_a, c_b]
    prods_a = np.array(prods).reshape(-1, k, k)
    sums = prods_a.sum(axis=(1, 2))  # y[i, j] = Σ products
    return (
        xp,
        np.array(cells).reshape(-1, 2),
        np.array(rows).reshape(-1, k),
        np.array(cols).reshape(-1, k),
        prods_a,
        sums,
        sums.reshape(m, m),
    )


def transposed_by_hand(x: np.ndarray, w: np.ndarray, s: int, p: int, d: int, opad: int):
    """Every stamp of a transposed convolution: (cells, rows, cols, products, values, partial canvases, out)."""
    k, n = w.shape[0], x.shape[0]
    side = (n - 1) * s + d * (k - 1) + 1 + opad  # the full canvas, before cutting p from each border
    canvas = np.zeros((side, side))
    cells, rows, cols, prods, partial = [], [], [], [], []
    for i in range(n):
        for j in range(n):
            r = i * s + d * np.arange(k)
            c = j * s + d * np.arange(k)
            stamp = x[i, j] * w  # the kernel scaled by one input value
            canvas[np.ix_(r, c)] += stamp  # overlapping stamps add up
            cells.append((i, j))
            rows.append(r)
            cols.append(c)
            prods.append(stamp)
            partial.append(canvas.copy())
    m = ops.t_out_size(n, k, s, p, d, opad)
    out = canvas[p : p + m, p : p + m]
    return (
        np.array(cells),
        np.array(rows),
        np.array(cols),
        np.array(prods),
        x.ravel().copy(),
        np.array(partial, dtype=np.float32),
        out,
    )


def run_steps(v: dict) -> StepResult:
    n = input_side(v)
    x = make_input(v["t_in"], n)
    w = ck.as_grid(v["t_w"])
    s, p, d, mode, opad = v["t_s"], v["t_p"], v["t_d"], v["t_pm"], v["t_opad"]
    xt, wt = torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None]  # (1, 1, n, n), (1, 1, k, k)
    if v["t_op"] == "conv":
        grid, cells, rows, cols, prods, sums, out = conv_by_hand(x, w, s, p, mode, d)
        ref = ops.conv2d(xt, wt, s, p, mode, d)[0, 0].numpy()
        partial, latex = None, ops.size_latex(n, w.shape[0], s, p, d)
    else:
        cells, rows, cols, prods, sums, partial, out = transposed_by_hand(x, w, s, p, d, opad)
        ref = ops.conv_transpose2d(xt, wt, s, p, d, opad)[0, 0].numpy()
        grid, latex = x, ops.t_size_latex(n, w.shape[0], s, p, d, opad)
    return StepResult(
        op=v["t_op"],
        x=x,
        w=w,
        s=s,
        p=p,
        d=d,
        mode=mode,
        opad=opad,
        grid=grid,
        cells=cells,
        rows=rows,
        cols=cols,
        prods=prods,
        sums=sums,
        partial=partial,
        out=out,
        ref=ref,
        max_err=float(np.abs(out - ref).max()),
        size_latex=latex,
        cropped=v["t_op"] == "transposed" and v["t_in"] == "digit",
    )


def steps_summary(r: StepResult) -> dict:
    return {
        "op": r.op,
        "input": r.x.tolist(),
        "kernel": r.w.tolist(),
        "s": r.s,
        "p": r.p,
        "d": r.d,
        "padding_mode": r.mode if r.op == "conv" else "zeros",
        "output_padding": r.opad,
        "output_shape": list(r.out.shape),
        "output": np.round(r.out, 6).tolist(),
        "steps": len(r.cells),
        "max_abs_diff_vs_torch": r.max_err,
    }


STEPS = Experiment("steps", STEPS_PARAMS, run_steps, steps_summary)
