"""Pooling: max, average and L_p pooling window by window, on real images, and what pooling buys.

Key equations (PyTorch's definitions, for one channel, window W_ij of size k×k at stride s, padding p):
    max pooling      y_ij = max_{(a,b) ∈ W_ij} x_ab                       (padding = −∞, never chosen)
    average pooling  y_ij = (1/N_ij) Σ_{(a,b) ∈ W_ij} x_ab                 N_ij: see core.pooling.windows
    L_p pooling      y_ij = (Σ_{(a,b) ∈ W_ij} x_ab^p)^{1/p}                (p = 1: sum, p → ∞: max)
    output size      n_out = ⌊(n + 2p − k)/s⌋ + 1    (⌈·⌉ with ceil_mode)
Gradients (all by autograd here): ∂y_ij/∂x_ab = 1 for the window's argmax only (max), 1/N_ij for every
cell of the window (average), (x_ab / y_ij)^{p−1} (L_p).
Global average pooling (Lin, Chen & Yan, "Network in Network", 2013) replaces flatten + FC.

Sections (experiments), one URL namespace:
    pool     the editable grid (the interview notes' 4×4 example by default) and a real image;
             every window also worked out by hand in core.pooling.windows
    shift    translation: how much a pooled map changes when the input moves 0…m pixels (core.pooling.shift)
    rf       receptive field of a user-written conv/pool stack (core.pooling.receptive_field)
    head     parameters of a flatten head vs a global-average-pooling head (core.pooling.heads)
    train    four small CNNs on digits: does pooling reduce overfitting? (core.pooling.training)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import images
from core.experiment import Concept, Experiment, streaming
from core.params import Bool, Choice, Float, FloatList, Int, Notice, ParamSet
from core.pooling import receptive_field as rfm
from core.pooling import training
from core.pooling import windows as pw
from core.pooling.heads import HEADS, count, head, head_params
from core.pooling.shift import feature_map, nrmsd

SEEDS_EXAMPLE = (1.0, 1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0, 2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
SEEDS_RESULT = ((6.0, 8.0), (3.0, 4.0))
OPS = ("max", "avg", "lp")
IMAGES = ("camera", "astronaut", "coins", "chelsea", "brick", "moon")
GRID_SIDES = tuple(range(2, 13))
DISPLAY_MAX = 256  # longest side of a photo sent to the browser (three side by side on the page)

FORMULAS = {
    "max": r"y_{ij} = \max_{(a,b)\,\in\,W_{ij}} x_{ab}",
    "avg": r"y_{ij} = \frac{1}{N_{ij}} \sum_{(a,b)\,\in\,W_{ij}} x_{ab}",
    "lp": r"y_{ij} = \Big(\sum_{(a,b)\,\in\,W_{ij}} x_{ab}^{\,{p}}\Big)^{1/{p}}",
}


def formula(op: str, norm: float) -> str:
    """The definition of `op` with this view's p filled in (L_p only)."""
    return FORMULAS[op].replace("{p}", f"{norm:g}")


def pool(x: torch.Tensor, op: str, k: int, s: int, p: int, ceil: bool, cip: bool, norm: float) -> torch.Tensor:
    """torch.nn.functional pooling of a (B, C, H, W) tensor: the trusted implementation the page shows."""
    if op == "max":
        return F.max_pool2d(x, k, s, p, ceil_mode=ceil)
    if op == "avg":
        return F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=cip)
    return F.lp_pool2d(x, norm, k, s, ceil_mode=ceil)  # torch's L_p pooling takes no padding


def routed_gradient(
    x: torch.Tensor, op: str, k: int, s: int, p: int, ceil: bool, cip: bool, norm: float
) -> torch.Tensor:
    """∂(Σ y)/∂x by autograd: the gradient each input cell receives when every output passes back 1."""
    leaf = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        y = pool(leaf, op, k, s, p, ceil, cip, norm)
        (grad,) = torch.autograd.grad(y.sum(), leaf)
    return grad


def grid_side(cells: tuple[float, ...]) -> int:
    return math.isqrt(len(cells))


def random_grid(n: int, salt: str) -> tuple[float, ...]:
    """n×n whole numbers 0…9, fixed by `salt` (the view passes the current cells: each click differs)."""
    seed = int.from_bytes(hashlib.sha256(f"{n}:{salt}".encode()).digest()[:8], "little")
    return tuple(float(v) for v in np.random.default_rng(seed).integers(0, 10, size=n * n))


def resize_grid(cells: tuple[float, ...], n: int) -> tuple[float, ...]:
    """Keep the top-left cells of the current grid, fill new cells with 0."""
    old = np.asarray(cells, dtype=np.float64).reshape(grid_side(cells), -1)
    new = np.zeros((n, n))
    m = min(n, old.shape[0])
    new[:m, :m] = old[:m, :m]
    return tuple(float(v) for v in new.ravel())


# ---- the pooling section: the grid and a real image ----------------------------------------------


def _pool_rules(v: dict) -> list[Notice]:
    notes, n = [], grid_side(v["x"])
    if v["op"] == "lp" and v["pad"] > 0:
        notes.append(Notice("pad", "conflict", str(v["pad"]), {"why": "lp_no_pad", "used": "0"}))
        v["pad"] = 0
    if pw.problem(n, v["k"], v["s"], v["pad"], v["ceil"]) == "pad_half":
        used = v["k"] // 2
        notes.append(Notice("pad", "conflict", str(v["pad"]), {"why": "pad_half", "used": str(used)}))
        v["pad"] = used
    if pw.problem(n, v["k"], v["s"], v["pad"], v["ceil"]) == "kernel_big":
        used = n + 2 * v["pad"]
        notes.append(Notice("k", "conflict", str(v["k"]), {"why": "kernel_big", "used": str(used), "n": n}))
        v["k"] = used
    return notes


POOL_PARAMS = ParamSet(
    (
        FloatList("x", SEEDS_EXAMPLE, lo=-99.0, hi=99.0, lengths=tuple(n * n for n in GRID_SIDES)),
        Choice("op", "max", choices=OPS),
        Int("k", 2, lo=1, hi=6),
        Int("s", 2, lo=1, hi=6),
        Int("pad", 0, lo=0, hi=3),
        Bool("ceil", False),
        Bool("cip", True),
        Float("pnorm", 2.0, lo=1.0, hi=8.0, step=0.5),
        Choice("img", "camera", choices=IMAGES),
        Int("side", 128, lo=32, hi=512, step=32),
    ),
    rules=_pool_rules,
)


@dataclass(frozen=True)
class WindowView:
    """One window for the figure: rows/cols as nominal [start, stop) and real [lo, hi) spans."""

    r: tuple[int, int, int, int]  # start, stop, lo, hi
    c: tuple[int, int, int, int]
    pick: tuple[int, int] | None
    formula: str


@dataclass(frozen=True)
class PoolResult:
    op: str
    k: int
    s: int
    p: int
    ceil: bool
    cip: bool
    norm: float
    x: np.ndarray  # (n, n) float32, the input grid
    out: np.ndarray  # (oh, ow) float64, torch's result
    by_hand: np.ndarray  # (oh, ow) float64, core.pooling.windows (the highlights are drawn from this)
    windows: tuple[WindowView, ...]  # row-major over the output
    grads: dict[str, np.ndarray]  # op -> (n, n) float32: ∂Σy/∂x by autograd (max, avg; L_p when chosen)
    size: dict[str, int]  # n, span, out_raw (before the ceil_mode drop), out
    size_latex: str
    lp_scaled: tuple[tuple[int, int, float], ...]  # L_p windows torch scales by k²/count: (i, j, textbook)
    nan_cells: int
    uncovered: int  # input cells in no window (floor mode stops early, or stride > kernel skips them)
    image: str
    img_in: np.ndarray  # (h, w, 3) uint8 for display
    img_out: np.ndarray  # (oh, ow, 3) uint8 for display
    img_grad: np.ndarray  # (h, w) float32, gradient on the gray image (display size)
    img_shape: tuple[int, int]  # compute sizes (H, W) and pooled (H', W')
    img_out_shape: tuple[int, int]
    img_grad_share: float  # share of input pixels that receive any gradient
    img_out_scale: float  # display scale applied to the pooled image (L_p can exceed 1)


def size_latex(n: int, k: int, s: int, p: int, ceil: bool) -> tuple[str, dict[str, int]]:
    span = n + 2 * p - k
    raw = (-(-span // s) if ceil else span // s) + 1
    out = pw.out_size(n, k, s, p, ceil)
    lo, hi = (r"\left\lceil", r"\right\rceil") if ceil else (r"\left\lfloor", r"\right\rfloor")
    text = (
        rf"n_\text{{out}} = {lo}\frac{{n + 2p - k}}{{s}}{hi} + 1 = "
        rf"{lo}\frac{{{n} + 2\cdot {p} - {k}}}{{{s}}}{hi} + 1 = {raw}"
    )
    if out != raw:
        text += rf" \;\to\; {out}"
    return text, {"n": n, "span": span, "out_raw": raw, "out": out}


def _display_rgb(img: torch.Tensor, scale: float = 1.0) -> np.ndarray:
    """(C, H, W) float in [0, 1·scale] -> (h, w, 3) uint8, downsampled to DISPLAY_MAX for the browser."""
    img = images.fit(img / scale, DISPLAY_MAX)
    if img.shape[0] == 1:
        img = img.expand(3, -1, -1)
    return (img.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).contiguous().numpy()


def run_pool(v: dict) -> PoolResult:
    op, k, s, p, ceil, cip, norm = v["op"], v["k"], v["s"], v["pad"], v["ceil"], v["cip"], v["pnorm"]
    n = grid_side(v["x"])
    x = torch.tensor(v["x"], dtype=torch.float64).view(1, 1, n, n)  # (1, 1, n, n)
    out = pool(x, op, k, s, p, ceil, cip, norm)[0, 0]
    grid = pw.windows(x[0, 0].numpy(), op, k, s, p, ceil, cip, norm)
    flat = [w for line in grid for w in line]
    by_hand = np.array([w.value for w in flat], dtype=np.float64).reshape(out.shape)
    views = tuple(
        WindowView(
            (w.row.start, w.row.stop, w.row.lo, w.row.hi),
            (w.col.start, w.col.stop, w.col.lo, w.col.hi),
            w.pick,
            w.formula,
        )
        for w in flat
    )
    shown = ("max", "avg", "lp") if op == "lp" else ("max", "avg")  # L_p has no padding: only with its own rules
    grads = {o: routed_gradient(x, o, k, s, p, ceil, cip, norm)[0, 0].numpy().astype(np.float32) for o in shown}
    scaled = ()
    if op == "lp":
        xn = x[0, 0].numpy()
        scaled = tuple(
            (i, j, pw.textbook_lp(w, xn, norm))
            for i, line in enumerate(grid)
            for j, w in enumerate(line)
            if len(w.cells) != k * k
        )
    latex, size = size_latex(n, k, s, 0 if op == "lp" else p, ceil)

    # the same pooling on a real image (RGB pooled per channel; the gradient on its gray version)
    img = images.builtin(v["img"], max_side=v["side"])  # (C, H, W) float32
    img_out = pool(img.unsqueeze(0), op, k, s, p, ceil, cip, norm)[0]
    gray = images.builtin(v["img"], max_side=v["side"], gray=True).unsqueeze(0)  # (1, 1, H, W)
    g = routed_gradient(gray, op, k, s, p, ceil, cip, norm)[0, 0]
    scale = max(1.0, float(img_out.max())) if op == "lp" else 1.0
    g_disp = images.fit(g.unsqueeze(0), DISPLAY_MAX)[0] if max(g.shape) > DISPLAY_MAX else g
    return PoolResult(
        op=op,
        k=k,
        s=s,
        p=p,
        ceil=ceil,
        cip=cip,
        norm=norm,
        x=x[0, 0].numpy().astype(np.float32),
        out=out.numpy(),
        by_hand=by_hand,
        windows=views,
        grads=grads,
        size=size,
        size_latex=latex,
        lp_scaled=scaled,
        nan_cells=int(torch.isnan(out).sum()),
        uncovered=n * n - len({cell for w in flat for cell in w.cells}),
        image=v["img"],
        img_in=_display_rgb(img),
        img_out=_display_rgb(img_out, scale),
        img_grad=g_disp.numpy().astype(np.float32),
        img_shape=tuple(img.shape[-2:]),
        img_out_shape=tuple(img_out.shape[-2:]),
        img_grad_share=float((g != 0).float().mean()),
        img_out_scale=scale,
    )


def _finite(a: np.ndarray) -> list:
    return [[float(v) if math.isfinite(v) else str(v) for v in row] for row in a]


def pool_summary(r: PoolResult) -> dict:
    return {
        "op": r.op,
        "kernel": r.k,
        "stride": r.s,
        "padding": r.p,
        "ceil_mode": r.ceil,
        "count_include_pad": r.cip,
        "norm_p": r.norm,
        "input_shape": list(r.x.shape),
        "output_shape": list(r.out.shape),
        "size_formula": r.size,
        "pooled": _finite(r.out),
        "nan_cells": r.nan_cells,
        "cells_in_no_window": r.uncovered,
        "gradient_sum": {o: float(g.sum()) for o, g in r.grads.items()},
        "image": {
            "name": r.image,
            "input_shape": list(r.img_shape),
            "output_shape": list(r.img_out_shape),
            "share_of_pixels_with_gradient": r.img_grad_share,
        },
    }


POOL = Experiment("pool", POOL_PARAMS, run_pool, pool_summary)


# ---- translation invariance -------------------------------------------------------------------------

SHIFT_SIDE = 192
CURVES = ("unpooled", "subsample", "max", "avg")
SHIFT_PARAMS = ParamSet(
    (
        Choice("t_img", "camera", choices=IMAGES),
        Choice("t_feat", "edges", choices=("edges", "image")),
        Int("t_k", 2, lo=2, hi=8),
        Int("t_s", 2, lo=1, hi=8),
        Int("t_max", 8, lo=1, hi=16),
        Choice("t_dir", "x", choices=("x", "y", "xy")),
    ),
)


@dataclass(frozen=True)
class ShiftResult:
    shifts: np.ndarray  # (M+1,) int
    curves: dict[str, np.ndarray]  # name -> (M+1,) float32 change vs shift 0
    k: int
    s: int
    feature: np.ndarray  # (h, w) uint8, the base feature map for display
    shape: tuple[int, int]  # compared feature map size
    pooled_shape: tuple[int, int]


def run_shift(v: dict) -> ShiftResult:
    k, s, m, direction = v["t_k"], v["t_s"], v["t_max"], v["t_dir"]
    img = images.builtin(v["t_img"], max_side=SHIFT_SIDE, gray=True).unsqueeze(0)  # (1, 1, H, W)
    f = feature_map(img, v["t_feat"])  # translation-equivariant, so shifting the input = shifting f
    h, w = f.shape[-2] - m, f.shape[-1] - m
    dy = range(m + 1) if direction in ("y", "xy") else [0] * (m + 1)
    dx = range(m + 1) if direction in ("x", "xy") else [0] * (m + 1)
    moved = torch.cat([f[..., a : a + h, b : b + w] for a, b in zip(dy, dx)])  # (M+1, 1, h, w), row t = shift t
    maps = {
        "unpooled": moved,
        "subsample": moved[..., ::s, ::s],  # stride without pooling: keep one cell per step
        "max": F.max_pool2d(moved, k, s),
        "avg": F.avg_pool2d(moved, k, s),
    }
    curves = {name: nrmsd(t[:1], t).numpy().astype(np.float32) for name, t in maps.items()}
    base = f[0, 0, :h, :w]
    disp = images.fit((base / base.max().clamp_min(1e-12)).unsqueeze(0), DISPLAY_MAX)[0]
    return ShiftResult(
        np.arange(m + 1),
        curves,
        k,
        s,
        (disp * 255).round().to(torch.uint8).numpy(),
        (h, w),
        tuple(maps["max"].shape[-2:]),
    )


def shift_summary(r: ShiftResult) -> dict:
    return {
        "kernel": r.k,
        "stride": r.s,
        "shifts": r.shifts,
        "feature_shape": list(r.shape),
        "pooled_shape": list(r.pooled_shape),
        "change": {k: v for k, v in r.curves.items()},
    }


SHIFT = Experiment("shift", SHIFT_PARAMS, run_shift, shift_summary)


# ---- receptive field -----------------------------------------------------------------------------


def _rf_rules(v: dict) -> list[Notice]:
    notes = []
    layers, changed = rfm.fix_pool_padding(rfm.parse_stack(v["layers"]))
    if changed:
        notes.append(
            Notice(
                "layers",
                "conflict",
                v["layers"],
                {"why": "pool_pad", "used": rfm.encode_stack(layers), "layer": ", ".join(str(i + 1) for i in changed)},
            )
        )
    rows = rfm.table(layers, v["rf_in"])
    if len(rows) < len(layers):
        cut = rfm.encode_stack(layers[: max(1, len(rows))])
        notes.append(
            Notice(
                "layers",
                "conflict",
                v["layers"],
                {"why": "stack_cut", "used": cut, "layer": str(len(rows) + 1), "n": v["rf_in"]},
            )
        )
        layers = layers[: max(1, len(rows))]
    v["layers"] = rfm.encode_stack(layers)
    if not rows:  # even the first layer does not fit: grow the input to the smallest size that works
        need = layers[0].k_eff - 2 * layers[0].p
        notes.append(Notice("rf_in", "conflict", str(v["rf_in"]), {"why": "rf_small", "used": str(need)}))
        v["rf_in"] = need
    return notes


RF_PARAMS = ParamSet(
    (
        rfm.Stack("layers", "c3,c3,m2,c3,c3,m2,c3,c3,m2"),
        Int("rf_in", 128, lo=16, hi=512),
        Choice("rf_img", "camera", choices=IMAGES),
    ),
    rules=_rf_rules,
)


@dataclass(frozen=True)
class RFResult:
    rows: tuple[rfm.Row, ...]
    n_in: int
    unit: tuple[int, int]  # the traced unit of the last layer (its centre unit)
    boxes: tuple[tuple[float, float], ...]  # per layer: input span of the unit above the traced one
    image: np.ndarray  # (n, n) uint8, the input
    grad: np.ndarray  # (n, n) float32, |∂y/∂x| of the traced unit, max-normalised
    support: tuple[int, int, int, int]  # rows and cols (first, last) where the gradient is non-zero
    support_share: float  # share of the theoretical receptive field (inside the image) with gradient


def _square(img: torch.Tensor, n: int) -> torch.Tensor:
    """(1, H, W) -> (n, n): centre square crop, then area/bilinear resize."""
    h, w = img.shape[-2:]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = img[:, top : top + side, left : left + side].unsqueeze(0)
    mode = "area" if side >= n else "bilinear"
    return F.interpolate(crop, size=(n, n), mode=mode)[0, 0]


def run_rf(v: dict) -> RFResult:
    layers, n = rfm.parse_stack(v["layers"]), v["rf_in"]
    rows = tuple(rfm.table(layers, n))
    img = _square(images.builtin(v["rf_img"], max_side=512, gray=True), n).double()
    grad = rfm.input_gradient(tuple(r.layer for r in rows), img).abs()
    u = (rows[-1].n - 1) // 2  # the traced unit: the centre of the last layer
    boxes = tuple(rfm.box(row, _unit_at(rows, i, u)) for i, row in enumerate(rows))
    nz = (grad > 0).nonzero()  # (K, 2) row, col of every pixel the traced unit depends on
    support = (0, -1, 0, -1)
    if len(nz):
        support = (int(nz[:, 0].min()), int(nz[:, 0].max()), int(nz[:, 1].min()), int(nz[:, 1].max()))
    lo, hi = boxes[-1]
    inside = max(0, min(hi, n - 1) - max(lo, 0) + 1)
    share = float((grad > 0).sum()) / max(1.0, inside**2)
    peak = float(grad.max())
    return RFResult(
        rows,
        n,
        (u, u),
        boxes,
        (img * 255).round().to(torch.uint8).numpy(),
        (grad / peak if peak > 0 else grad).numpy().astype(np.float32),
        support,
        share,
    )


def _unit_at(rows: tuple[rfm.Row, ...], layer: int, last_unit: int) -> int:
    """The unit of `layer` nearest to the centre of the last layer's traced unit (for nested boxes)."""
    centre = rows[-1].centre0 + last_unit * rows[-1].jump
    row = rows[layer]
    return int(min(row.n - 1, max(0, round((centre - row.centre0) / row.jump))))


def rf_summary(r: RFResult) -> dict:
    return {
        "input": r.n_in,
        "layers": [
            {
                "layer": row.layer.token(),
                "kernel": row.layer.k,
                "stride": row.layer.s,
                "padding": row.layer.p,
                "dilation": row.layer.d,
                "output": row.n,
                "jump": row.jump,
                "receptive_field": row.rf,
            }
            for row in r.rows
        ],
        "traced_unit": list(r.unit),
        "gradient_support": list(r.support),
    }


RF = Experiment("rf", RF_PARAMS, run_rf, rf_summary)


# ---- global average pooling vs flatten -------------------------------------------------------------

HEAD_SIZES = np.arange(1, 33)


HEAD_PARAMS = ParamSet(
    (
        Int("h_c", 512, lo=1, hi=2048),
        Int("h_size", 7, lo=1, hi=32),
        Int("h_cls", 1000, lo=2, hi=1000),
        Int("h_hidden", 4096, lo=16, hi=4096, step=16),
        Int("h_depth", 0, lo=0, hi=2),
    ),
)


@dataclass(frozen=True)
class HeadResult:
    sizes: np.ndarray  # (S,) feature-map sizes
    counts: dict[str, np.ndarray]  # head -> (S,) float64 parameter counts (NaN where undefined)
    chosen: dict[str, int]  # head -> count at the chosen size (-1: undefined)
    layers: dict[str, list[tuple[str, int]]]  # head -> [(layer, params)] at the chosen size
    size: int
    c: int
    classes: int
    features_in: dict[str, int]  # head -> length of the vector the first linear layer sees


def run_head(v: dict) -> HeadResult:
    c, size, cls, hid, depth = v["h_c"], v["h_size"], v["h_cls"], v["h_hidden"], v["h_depth"]
    counts, chosen, layers, feats = {}, {}, {}, {}
    for kind in HEADS:
        counts[kind] = np.array(
            [
                head_params(kind, c, int(n), cls, hid, depth) if kind != "pool_flatten" or n >= 2 else np.nan
                for n in HEAD_SIZES
            ],
            dtype=np.float64,
        )  # closed form (tested)
        if kind == "pool_flatten" and size < 2:
            chosen[kind], layers[kind], feats[kind] = -1, [], 0
            continue
        m = head(kind, c, size, cls, hid, depth)
        chosen[kind] = count(m)
        out = m(torch.empty(1, c, size, size, device="meta"))  # the head really accepts this map
        assert out.shape == (1, cls)
        layers[kind] = [
            (
                type(mod).__name__ + (f"({mod.in_features}→{mod.out_features})" if isinstance(mod, nn.Linear) else ""),
                count(mod),
            )
            for mod in m
        ]
        feats[kind] = next(mod.in_features for mod in m if isinstance(mod, nn.Linear))
    return HeadResult(HEAD_SIZES, counts, chosen, layers, size, c, cls, feats)


def head_summary(r: HeadResult) -> dict:
    return {
        "feature_map": [r.c, r.size, r.size],
        "classes": r.classes,
        "params": r.chosen,
        "features_into_first_linear": r.features_in,
    }


HEAD = Experiment("head", HEAD_PARAMS, run_head, head_summary)


# ---- training: does pooling reduce overfitting? ---------------------------------------------------

TRAIN_PARAMS = ParamSet(
    (
        Int("seed", 0, lo=0, hi=9999),
        Int("o_n", 300, lo=50, hi=1000, step=50),
        Int("o_steps", 300, lo=100, hi=1500, step=100),
        Int("o_shift", 2, lo=0, hi=2),
    ),
)


def stream_train(v: dict):
    yield from training.train(v["seed"], v["o_n"], v["o_steps"], v["o_shift"])


def train_summary(r: training.TrainResult) -> dict:
    return {
        "steps": int(r.steps[-1]),
        "n_train": r.n_train,
        "n_test": r.n_test,
        "test_shift_px": r.shift,
        "models": {
            m: {
                "params": int(r.params[i]),
                "train_acc": float(r.train_acc[i, -1]),
                "test_acc": float(r.test_acc[i, -1]),
                "shifted_test_acc": float(r.shifted_acc[i, -1]),
                "overfit_gap": float(r.train_acc[i, -1] - r.test_acc[i, -1]),
            }
            for i, m in enumerate(r.models)
        },
    }


TRAIN = streaming("train", TRAIN_PARAMS, stream_train, train_summary)


def shift_numbers(r: ShiftResult) -> dict:
    """The numbers the page quotes under the translation chart (shift 1 and one window, if plotted)."""
    at = min(r.k, len(r.shifts) - 1)
    c = r.curves
    return {
        "u1": float(c["unpooled"][1]),
        "m1": float(c["max"][1]),
        "a1": float(c["avg"][1]),
        "s1": float(c["subsample"][1]),
        "k": int(r.shifts[at]),
        "uk": float(c["unpooled"][at]),
        "mk": float(c["max"][at]),
    }


def matrix_text(a: np.ndarray) -> str:
    """[[6, 8], [3, 4]]: a small matrix as compact text (whole numbers without '.0')."""
    return "[" + ", ".join("[" + ", ".join(pw._num(float(v)) for v in row) + "]" for row in np.asarray(a)) + "]"


# ---- the seeds' claims, checked by computation ----------------------------------------------------


@lru_cache(maxsize=1)
def claims() -> dict:
    """Numbers that confirm or refute what the interview notes say about pooling."""
    seeds = torch.tensor(SEEDS_EXAMPLE).view(1, 1, 4, 4)
    pooled = F.max_pool2d(seeds, 2, 2)[0, 0]
    nine = np.arange(1, 10, dtype=np.float64).reshape(3, 3)
    loop = np.zeros_like(nine)  # the notes' NumPy loop: a 2×2 stride-1 max written into a 3×3 array
    for i in range(nine.shape[0] - 2 + 1):
        for j in range(nine.shape[1] - 2 + 1):
            loop[i, j] = np.max(nine[i : i + 2, j : j + 2])
    torch_nine = F.max_pool2d(torch.from_numpy(nine).view(1, 1, 3, 3), 2, 1)[0, 0].numpy()

    # parameters: a pooling layer has none; it shrinks the head that follows
    pool_layer_params = count(nn.MaxPool2d(2)) + count(nn.AvgPool2d(2)) + count(nn.AdaptiveAvgPool2d(1))
    flat14, pool14, gap14 = (head_params(k, 512, 14, 1000, 0, 0) for k in HEADS)

    # "pooling keeps the important features": strong edge responses in 2×2 windows of a real photo
    img = images.builtin("camera", max_side=256, gray=True).unsqueeze(0)
    edges = feature_map(img, "edges")  # (1, 1, 254, 254)
    thresh = torch.quantile(edges.flatten(), 0.95)
    strong = F.max_pool2d(edges, 2) >= thresh  # windows that contain a strong response
    kept = {
        "max": float((F.max_pool2d(edges, 2) >= thresh)[strong].float().mean()),
        "avg": float((F.avg_pool2d(edges, 2) >= thresh)[strong].float().mean()),
        "subsample": float((edges[..., :-1:2, :-1:2] >= thresh)[strong].float().mean()),
    }
    peak_avg = float((F.avg_pool2d(edges, 2) / F.max_pool2d(edges, 2).clamp_min(1e-12))[strong].mean())

    # translation: the default view of the shift section
    sh = run_shift(SHIFT_PARAMS.defaults())

    # average pooling after a convolution is one bigger, strided convolution (a linear map)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 20, 20, generator=g, dtype=torch.float64)
    w = torch.randn(1, 1, 3, 3, generator=g, dtype=torch.float64)
    merged = F.conv_transpose2d(w, torch.ones(1, 1, 2, 2, dtype=torch.float64) / 4)  # w ⊛ box: (1, 1, 4, 4)
    linear_gap = float((F.avg_pool2d(F.conv2d(x, w), 2) - F.conv2d(x, merged, stride=2)).abs().max())

    macs = lambda n: 64 * 64 * 9 * n * n
    return {
        "seeds_pooled": matrix_text(pooled.numpy()),
        "seeds_match": bool(pooled.tolist() == [list(r) for r in SEEDS_RESULT]),
        "loop": matrix_text(loop),
        "torch_nine": matrix_text(torch_nine),
        "pool_layer_params": pool_layer_params,
        "flat14": flat14,
        "pool14": pool14,
        "gap14": gap14,
        "kept_max": kept["max"],
        "kept_avg": kept["avg"],
        "kept_sub": kept["subsample"],
        "peak_avg": peak_avg,
        "shift_k": sh.k,
        "shift1_unpooled": float(sh.curves["unpooled"][1]),
        "shift1_max": float(sh.curves["max"][1]),
        "shift1_avg": float(sh.curves["avg"][1]),
        "shift1_sub": float(sh.curves["subsample"][1]),
        "shiftk_unpooled": float(sh.curves["unpooled"][sh.k]),
        "shiftk_max": float(sh.curves["max"][sh.k]),
        "linear_gap": linear_gap,
        "macs56": macs(56),
        "macs28": macs(28),
    }


# ---- presets and the page ------------------------------------------------------------------------

PRESETS = {
    "average": {"op": "avg"},
    "overlapping": {"x": random_grid(5, "overlap"), "k": 3, "s": 2},
    "ceil_padding": {"x": random_grid(5, "ceil"), "k": 2, "s": 2, "pad": 1, "ceil": True},
    "avg_corners": {"x": random_grid(5, "corners"), "op": "avg", "k": 3, "s": 2, "pad": 1, "cip": False},
    "lp_norm": {"op": "lp", "pnorm": 3.0, "k": 3, "s": 1},
    "alexnet_rf": {"layers": "c11s4p0,m3s2,c5,m3s2,c3,c3,c3,m3s2", "rf_in": 227},
    "resnet_stem": {"layers": "c7s2,m3s2p1,c3,c3,c3,c3,c3s2,c3,c3,c3", "rf_in": 224},
    "dilated": {"layers": "c3,c3d2,c3d4,c3d8", "rf_in": 64},
    "vgg_head": {"h_c": 512, "h_size": 7, "h_cls": 1000, "h_hidden": 4096, "h_depth": 2},
}

CONCEPT = Concept("pooling", "🔳", (POOL, SHIFT, RF, HEAD, TRAIN), PRESETS)
