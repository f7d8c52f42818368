"""The pooling section: torch's max, average and L_p pooling of the editable grid and of a real photo, the
gradient each input cell receives, and every window worked out by hand (core.pooling.windows).

    max pooling      y_ij = max_{(a,b) ∈ W_ij} x_ab                       (padding = −∞, never chosen)
    average pooling  y_ij = (1/N_ij) Σ_{(a,b) ∈ W_ij} x_ab                 N_ij: see core.pooling.windows
    L_p pooling      y_ij = (Σ_{(a,b) ∈ W_ij} x_ab^p)^{1/p}                (p = 1: sum, p → ∞: max)
    output size      n_out = ⌊(n + 2p − k)/s⌋ + 1    (⌈·⌉ with ceil_mode)
Gradients (by autograd): ∂y_ij/∂x_ab = 1 for the window's argmax only (max), 1/N_ij for every cell of the
window (average), (x_ab / y_ij)^{p−1} (L_p).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import images
from core.pooling import windows as pw

SEEDS_EXAMPLE = (1.0, 1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0, 2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
OPS = ("max", "avg", "lp")
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
