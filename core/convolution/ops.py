"""2-D convolution and transposed convolution as PyTorch computes them, and their output sizes.

For an n-pixel side, kernel k, stride s, padding p, dilation d (PyTorch's Conv2d documentation):
    convolution          n_out = ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1
                         valid when the dilated kernel, d(k − 1) + 1 pixels wide, fits the padded input
    transposed           n_out = (n − 1)s − 2p + d(k − 1) + output_padding + 1
                         output_padding < max(s, d); the output must keep at least one pixel
Padding modes (nn.Conv2d's padding_mode): zeros, reflect (mirror without repeating the edge; needs
p < n), replicate (repeat the edge), circular (wrap around; needs p ≤ n). Transposed convolution
pads with zeros only: there its p *crops* the full output instead.
References: Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from core.params import Notice

MODES = ("zeros", "reflect", "replicate", "circular")
_TORCH_PAD = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}
NUMPY_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def out_latex(symbol: str = "n") -> str:
    return rf"\left\lfloor \frac{{{symbol} + 2p - d(k-1) - 1}}{{s}} \right\rfloor + 1"


T_OUT_LATEX = r"(n-1)s - 2p + d(k-1) + p_\text{out} + 1"


def span(k: int, d: int) -> int:
    """Width of a dilated kernel: d(k − 1) + 1 pixels."""
    return d * (k - 1) + 1


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    """Convolution output side; 0 or less means no window fits."""
    return (n + 2 * p - span(k, d)) // s + 1 if n + 2 * p >= span(k, d) else 0


def t_out_size(n: int, k: int, s: int, p: int, d: int, opad: int) -> int:
    """Transposed-convolution output side (may be ≤ 0 for an impossible combination)."""
    return (n - 1) * s - 2 * p + d * (k - 1) + opad + 1


def problem(n: int, k: int, p: int, d: int, mode: str) -> str | None:
    """Why PyTorch would refuse this convolution of an n-pixel side, or None."""
    if mode == "reflect" and p >= n:
        return "reflect_pad"
    if mode == "circular" and p > n:
        return "circular_pad"
    if span(k, d) > n + 2 * p:
        return "too_big"
    return None


def t_problem(n: int, k: int, s: int, p: int, d: int, opad: int) -> str | None:
    """Why PyTorch would refuse this transposed convolution, or None."""
    if opad >= max(s, d):
        return "opad"
    if t_out_size(n, k, s, p, d, opad) < 1:
        return "empty"
    return None


def fit_conv(v: dict, n: int, k: int, names: dict[str, str]) -> list[Notice]:
    """Fix (in place) a padding / dilation that PyTorch would refuse for an n-pixel input side.

    names maps "p", "d", "mode" to this section's parameter names. Order: padding the mode cannot
    make, then a dilation too wide for the padded input, then (a kernel wider than the padded input
    even undilated) the least padding that fits one window."""
    notes: list[Notice] = []
    p, d, mode = v[names["p"]], v[names["d"]], v[names["mode"]]
    why = problem(n, k, p, d, mode)
    if why in ("reflect_pad", "circular_pad"):
        used = n - 1 if why == "reflect_pad" else n
        notes.append(Notice(names["p"], "conflict", str(p), {"why": why, "used": str(used)}))
        p = used
    if span(k, d) > n + 2 * p and k > 1 and d > 1:
        used = max(1, (n + 2 * p - 1) // (k - 1))  # the widest dilation whose span fits
        notes.append(Notice(names["d"], "conflict", str(d), {"why": "dil_fit", "used": str(used)}))
        d = used
    if k > n + 2 * p:
        used = math.ceil((k - n) / 2)
        notes.append(Notice(names["p"], "conflict", str(p), {"why": "pad_fit", "used": str(used)}))
        p = used
    v[names["p"]], v[names["d"]] = p, d
    return notes


def conv2d(x: torch.Tensor, w: torch.Tensor, s: int, p: int, mode: str, d: int, groups: int = 1) -> torch.Tensor:
    """x (B, C, H, W), w (O, C/groups, k, k) -> (B, O, H', W'), exactly nn.Conv2d(padding_mode=mode)."""
    if mode == "zeros" or p == 0:
        return F.conv2d(x, w, stride=s, padding=p, dilation=d, groups=groups)
    x = F.pad(x, (p, p, p, p), mode=_TORCH_PAD[mode])  # (B, C, H + 2p, W + 2p)
    return F.conv2d(x, w, stride=s, dilation=d, groups=groups)


def conv_transpose2d(x: torch.Tensor, w: torch.Tensor, s: int, p: int, d: int, opad: int) -> torch.Tensor:
    """x (B, C, H, W), w (C, O, k, k) -> (B, O, H', W')."""
    return F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=opad, dilation=d)


def size_latex(n: int, k: int, s: int, p: int, d: int, symbol: str = "n") -> str:
    """The convolution output-size formula with this view's numbers filled in (two aligned lines)."""
    out = out_size(n, k, s, p, d)
    return (
        rf"\begin{{aligned}} {symbol}_\text{{out}} &= {out_latex(symbol)} \\ "
        rf"&= \left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1 = {out}"
        rf" \end{{aligned}}"
    )


def t_size_latex(n: int, k: int, s: int, p: int, d: int, opad: int) -> str:
    out = t_out_size(n, k, s, p, d, opad)
    return (
        rf"\begin{{aligned}} n_\text{{out}} &= {T_OUT_LATEX} \\ "
        rf"&= ({n}-1)\cdot{s} - 2\cdot{p} + {d}\cdot({k}-1) + {opad} + 1 = {out} \end{{aligned}}"
    )
