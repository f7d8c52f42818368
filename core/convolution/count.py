"""Parameters and multiply-adds of a convolution layer: standard vs depthwise-separable vs 1×1 (and dense).

For C_in input channels, C_out output channels, a k×k kernel and an H×W output ("same" padding,
stride 1, so the output is as large as the input):
    standard             params  k²·C_in·C_out (+ C_out biases)       MACs  k²·C_in·C_out·H·W
    depthwise separable  params  k²·C_in + C_in·C_out (+ C_in + C_out) MACs  (k²·C_in + C_in·C_out)·H·W
                         = a k×k depthwise conv (groups = C_in, one k×k filter per channel, no mixing)
                           followed by a 1×1 pointwise conv (mixes the channels, no spatial context)
    1×1 (pointwise)      params  C_in·C_out (+ C_out)                 MACs  C_in·C_out·H·W
    dense                a fully-connected layer from the whole H×W×C_in map to an H×W×C_out map:
                         (H·W·C_in)·(H·W·C_out) weights — what weight sharing saves
Separable / standard (weights and MACs) = 1/C_out + 1/k²  (Howard et al., "MobileNets", 2017).
`modules()` builds the real torch layers; the tests count their parameters and multiply-adds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch.nn as nn

from core.experiment import Experiment
from core.params import Bool, Int, ParamSet

KINDS = ("standard", "separable", "pointwise", "dense")

COUNT_PARAMS = ParamSet(
    (
        Int("c_in", 64, lo=1, hi=2048),
        Int("c_out", 128, lo=1, hi=2048),
        Int("c_k", 3, lo=1, hi=11, step=2, on_grid=True),
        Int("c_hw", 56, lo=1, hi=224),
        Bool("c_bias", True),
    )
)

FORMULAS = {
    "standard": r"k^2 C_\text{in} C_\text{out}",
    "separable": r"k^2 C_\text{in} + C_\text{in} C_\text{out}",
    "pointwise": r"C_\text{in} C_\text{out}",
    "dense": r"(H W C_\text{in})(H W C_\text{out})",
}

PLAIN = {
    "standard": "k²·C_in·C_out",
    "separable": "k²·C_in + C_in·C_out",
    "pointwise": "C_in·C_out",
    "dense": "(H·W·C_in)·(H·W·C_out)",
}


@dataclass(frozen=True)
class CountResult:
    c_in: int
    c_out: int
    k: int
    hw: int
    bias: bool
    weights: dict[str, int]  # kind -> weights (no biases)
    params: dict[str, int]  # kind -> weights + biases
    macs: dict[str, int]  # kind -> multiply-adds for one H×W output
    ratio: float  # separable / standard weights = 1/C_out + 1/k²
    latex: str  # the ratio with the numbers filled in


def count(v: dict) -> CountResult:
    ci, co, k, hw, bias = v["c_in"], v["c_out"], v["c_k"], v["c_hw"], v["c_bias"]
    pixels = hw * hw
    weights = {
        "standard": k * k * ci * co,  # one k×k×C_in kernel per output channel
        "separable": k * k * ci + ci * co,  # depthwise k×k per channel, then 1×1 across channels
        "pointwise": ci * co,
        "dense": (pixels * ci) * (pixels * co),
    }
    biases = {"standard": co, "separable": ci + co, "pointwise": co, "dense": pixels * co}
    params = {kind: weights[kind] + (biases[kind] if bias else 0) for kind in KINDS}
    macs = {kind: weights[kind] * (1 if kind == "dense" else pixels) for kind in KINDS}  # one MAC per weight use
    ratio = weights["separable"] / weights["standard"]
    latex = (
        rf"\frac{{{FORMULAS['separable']}}}{{{FORMULAS['standard']}}} = \frac{{1}}{{C_\text{{out}}}} + "
        rf"\frac{{1}}{{k^2}} = \frac{{1}}{{{co}}} + \frac{{1}}{{{k * k}}} = {ratio:.4f}"
    )
    return CountResult(ci, co, k, hw, bias, weights, params, macs, ratio, latex)


def modules(v: dict) -> dict[str, nn.Module]:
    """The real layers (dense only when small enough to build: the tests use small sizes)."""
    ci, co, k, bias = v["c_in"], v["c_out"], v["c_k"], v["c_bias"]
    out = {
        "standard": nn.Conv2d(ci, co, k, padding=k // 2, bias=bias),
        "separable": nn.Sequential(
            nn.Conv2d(ci, ci, k, padding=k // 2, groups=ci, bias=bias),  # depthwise
            nn.Conv2d(ci, co, 1, bias=bias),
        ),  # pointwise
        "pointwise": nn.Conv2d(ci, co, 1, bias=bias),
    }
    n = v["c_hw"] ** 2
    if n * ci * n * co <= 5_000_000:
        out["dense"] = nn.Sequential(nn.Flatten(), nn.Linear(n * ci, n * co, bias=bias))
    return out


def count_summary(r: CountResult) -> dict:
    return {
        "c_in": r.c_in,
        "c_out": r.c_out,
        "k": r.k,
        "hw": r.hw,
        "bias": r.bias,
        "params": r.params,
        "multiply_adds": r.macs,
        "separable_over_standard": round(r.ratio, 6),
        "standard_over_separable": round(1 / r.ratio, 4),
    }


COUNT = Experiment("count", COUNT_PARAMS, count, count_summary)
