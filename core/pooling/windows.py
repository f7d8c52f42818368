"""Pooling window arithmetic by hand: which cells each window covers, its divisor, its value.

Written out cell by cell (no torch) so the page can highlight every window, and so the tests can hold
this hand-written version against torch.nn.functional.{max,avg,lp}_pool2d.

Output size per axis (PyTorch, pooling docs):
    n_out = ⌊(n + 2p − k) / s⌋ + 1            (floor mode)
    n_out = ⌈(n + 2p − k) / s⌉ + 1            (ceil_mode=True), then
            n_out −= 1  if (n_out − 1)·s ≥ n + p   (a last window may not *start* in the right padding)
Valid only if p ≤ k/2 and n_out ≥ 1 (torch raises otherwise); with ceil_mode, n_out can be 1 even
when the kernel is larger than the padded input.

Window o along an axis starts at a = o·s − p and nominally ends at a + k (exclusive):
    max:  over the real cells [max(a, 0), min(a + k, n)); padding is −∞, never chosen
    avg:  sum over the real cells / divisor, where the divisor counts
          count_include_pad=True:  cells in [a, min(a + k, n + p))  (padding counts, cells beyond it do not)
          count_include_pad=False: the real cells only
    L_p:  torch computes  (k² · avg_pool(x^p))^{1/p}  with no padding; for a window cut short by ceil_mode
          the average divides by the real cells, so the window's Σx^p is scaled by k²/(real cells).
          (sign-preserving: sign(m)·|m|, then ^(1/p); negative inputs give NaN unless p makes x^p real.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def out_size(n: int, k: int, s: int, p: int, ceil: bool) -> int:
    """Output length along one axis (< 1 for an invalid combination). With ceil_mode a kernel up to
    s − 1 cells larger than the padded input still gives one output, as in torch."""
    span = n + 2 * p - k
    out = (-(-span // s) if ceil else span // s) + 1  # ⌈span/s⌉ or ⌊span/s⌋, plus one
    if ceil and (out - 1) * s >= n + p:  # the last window would start in the right padding: dropped
        out -= 1
    return out


def problem(n: int, k: int, s: int, p: int, ceil: bool) -> str | None:
    """Why torch would refuse this combination (a catalogue key), or None if it is valid."""
    if 2 * p > k:
        return "pad_half"  # "pad should be at most half of effective kernel size"
    if out_size(n, k, s, p, ceil) < 1:
        return "kernel_big"  # "Output size is too small"
    return None


@dataclass(frozen=True)
class Span:
    """One window along one axis."""

    start: int  # nominal first index, may be negative (in the left padding)
    stop: int  # nominal end (exclusive), start + k; may run past n + p with ceil_mode
    lo: int  # first real cell
    hi: int  # end of the real cells (exclusive)
    padded: int  # cells counted by avg with count_include_pad=True: [start, min(stop, n + p))

    @property
    def real(self) -> int:
        return self.hi - self.lo


def spans(n: int, k: int, s: int, p: int, ceil: bool) -> list[Span]:
    out = []
    for o in range(out_size(n, k, s, p, ceil)):
        a = o * s - p
        b = a + k
        out.append(Span(a, b, max(a, 0), min(b, n), min(b, n + p) - a))
    return out


@dataclass(frozen=True)
class Window:
    row: Span
    col: Span
    cells: tuple[tuple[int, int], ...]  # real input cells (i, j) in the window, row-major
    divisor: int  # what avg_pool divides by
    value: float
    pick: tuple[int, int] | None  # max: the cell whose value is taken (first maximum, row-major)
    formula: str  # the computation in numbers, e.g. "max(1, 1, 5, 6) = 6"


def _num(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def windows(
    x: np.ndarray, op: str, k: int, s: int, p: int, ceil: bool, cip: bool = True, norm: float = 2.0
) -> list[list[Window]]:
    """Every window of pooling the 2-D array x, as an (out_h, out_w) nested list, computed by hand."""
    x = np.asarray(x, dtype=np.float64)
    h, w = x.shape
    if op == "lp":
        p = 0  # torch's lp_pool2d has no padding
    rows, cols = spans(h, k, s, p, ceil), spans(w, k, s, p, ceil)
    grid = []
    for r in rows:
        line = []
        for c in cols:
            cells = tuple((i, j) for i in range(r.lo, r.hi) for j in range(c.lo, c.hi))
            vals = [x[i, j] for i, j in cells]
            shown = ", ".join(_num(v) for v in vals)
            pick = None
            if op == "max":
                best = int(np.argmax(vals))
                pick, value, divisor = cells[best], float(vals[best]), 1
                formula = f"max({shown}) = {_num(value)}"
            elif op == "avg":
                divisor = r.padded * c.padded if cip else len(cells)
                value = float(sum(vals)) / divisor
                formula = f"({' + '.join(_num(v) for v in vals)}) / {divisor} = {_num(value)}"
            else:
                divisor = len(cells)
                mean = sum(_pow(v, norm) for v in vals) / divisor  # avg_pool2d(x^p): the real cells only
                scaled = math.copysign(abs(mean), mean) * k * k  # torch: sign(m)·relu(|m|)·kw·kh
                value = _pow(scaled, 1.0 / norm)
                scale = "" if divisor == k * k else f" · {k * k}/{divisor}"
                formula = f"(Σ x^{_num(norm)}{scale})^(1/{_num(norm)}) = {_num(value)}"
            line.append(Window(r, c, cells, divisor, value, pick, formula))
        grid.append(line)
    return grid


def _pow(base: float, e: float) -> float:
    """base**e as torch computes it for float tensors: NaN for a negative base and a non-integer e."""
    if base < 0 and not float(e).is_integer():
        return float("nan")
    return float(base**e)


def pool_by_hand(
    x: np.ndarray, op: str, k: int, s: int, p: int, ceil: bool, cip: bool = True, norm: float = 2.0
) -> np.ndarray:
    """The pooled array from the hand-written windows (float64)."""
    grid = windows(x, op, k, s, p, ceil, cip, norm)
    return np.array([[wd.value for wd in line] for line in grid], dtype=np.float64).reshape(len(grid), -1)


def textbook_lp(win: Window, x: np.ndarray, norm: float) -> float:
    """(Σ_window x^p)^{1/p} over the window's real cells: the L_p norm without torch's k²/count scaling."""
    total = sum(_pow(float(x[i, j]), norm) for i, j in win.cells)
    return _pow(total, 1.0 / norm)
