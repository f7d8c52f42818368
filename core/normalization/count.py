"""What each normalization layer adds to a network, counted by formula and checked against the torch modules.

For a feature map of C channels and H×W positions (a batch of N):

    layer                    normalizes over            learned (γ, β)   buffers (not learned)
    BatchNorm2d(C)           N, H, W  (per channel)     2C               running mean, var (2C) + a step counter
    LayerNorm([C, H, W])     C, H, W  (per example)     2·C·H·W          none
    LayerNorm(C) per pos.    C        (per position)    2C               none            (as in transformers)
    GroupNorm(G, C)          C/G channels, H, W         2C               none
    InstanceNorm2d(C, affine) H, W    (per channel, per example)  2C   none (track_running_stats=False)

So batch norm never *removes* parameters: it adds 2C learned numbers per layer (and 2C + 1 stored statistics),
next to the C_in·C_out·k² + C_out of the 3×3 convolution it usually follows — whose bias it makes redundant (the
mean subtraction cancels any constant per channel), which is why conv layers before BN are built with bias=False.
The axes figure shows, for one highlighted value, which other values share its mean and variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from core.experiment import Experiment
from core.params import Int, Notice, ParamSet

LAYERS = ("bn", "ln_chw", "ln_c", "gn", "in")
PLAIN = {"bn": "2C", "ln_chw": "2·C·H·W", "ln_c": "2C", "gn": "2C", "in": "2C"}  # the formulas, as the table shows them


def _groups(v: dict) -> list[Notice]:
    """GroupNorm needs G to divide C: take the largest divisor of C not above G."""
    c, g = v["c_ch"], v["c_groups"]
    if c % g:
        raw = g
        v["c_groups"] = max(d for d in range(1, min(g, c) + 1) if c % d == 0)
        return [Notice("c_groups", "conflict", str(raw), {"why": "groups", "used": str(v["c_groups"])})]
    return []


PARAMS = ParamSet(
    (
        Int("c_ch", 64, lo=1, hi=1024),
        Int("c_hw", 8, lo=1, hi=64),
        Int("c_groups", 8, lo=1, hi=64),
    ),
    rules=_groups,
)


def formula(layer: str, c: int, hw: int) -> int:
    """Learned numbers by the formulas of the table above."""
    return 2 * c * hw * hw if layer == "ln_chw" else 2 * c


def module(layer: str, c: int, hw: int, groups: int) -> nn.Module:
    """The torch module, on the meta device: shapes only, nothing allocated (LayerNorm([1024, 64, 64]) is 8 M)."""
    meta = {"device": "meta"}
    return {
        "bn": lambda: nn.BatchNorm2d(c, **meta),
        "ln_chw": lambda: nn.LayerNorm([c, hw, hw], **meta),
        "ln_c": lambda: nn.LayerNorm(c, **meta),
        "gn": lambda: nn.GroupNorm(groups, c, **meta),
        "in": lambda: nn.InstanceNorm2d(c, affine=True, **meta),
    }[layer]()


def conv_params(c: int) -> int:
    """nn.Conv2d(c, c, 3) with bias: c·c·3·3 + c."""
    return 9 * c * c + c


def axes(layer: str, n: int, c: int, groups: int, pick: tuple[int, int]) -> np.ndarray:
    """(n, c) uint8 mask over (example, channel) cells: 2 for the picked cell, 1 for the cells whose values share
    its statistics (every H×W position of a cell is included), 0 otherwise. ln_c shares within one position only,
    which an (example, channel) grid shows as the picked example's row."""
    i, j = pick
    mask = np.zeros((n, c), np.uint8)
    if layer == "bn":
        mask[:, j] = 1
    elif layer in ("ln_chw", "ln_c"):
        mask[i, :] = 1
    elif layer == "gn":
        size = c // groups
        mask[i, j // size * size : (j // size + 1) * size] = 1
    else:  # instance norm: the cell itself
        mask[i, j] = 1
    mask[i, j] = 2
    return mask


@dataclass(frozen=True)
class CountResult:
    c: int
    hw: int
    groups: int
    params: dict[str, int]  # by formula
    torch_params: dict[str, int]  # counted on the real module
    torch_buffers: dict[str, int]  # numbers in the module's buffers (running statistics, step counter)
    conv: int  # a 3×3 convolution C → C with bias: what BN usually follows
    masks: dict[str, np.ndarray]  # (N_SHOW, C_SHOW) uint8, see axes()


N_SHOW, C_SHOW, G_SHOW = 4, 8, 4  # the axes figure: 4 examples × 8 channels, 4 groups


def run(v: dict) -> CountResult:
    c, hw, g = v["c_ch"], v["c_hw"], v["c_groups"]
    mods = {k: module(k, c, hw, g) for k in LAYERS}
    return CountResult(
        c=c,
        hw=hw,
        groups=g,
        params={k: formula(k, c, hw) for k in LAYERS},
        torch_params={k: sum(p.numel() for p in m.parameters()) for k, m in mods.items()},
        torch_buffers={k: sum(b.numel() for b in m.buffers()) for k, m in mods.items()},
        conv=conv_params(c),
        masks={k: axes(k, N_SHOW, C_SHOW, G_SHOW, (1, 5)) for k in LAYERS},
    )


def bias_cancels(c: int = 4, seed: int = 0) -> float:
    """max |BN(x + b) − BN(x)| for a per-channel constant b: a bias before BN has no effect (training mode)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, c, 5, 5, generator=g, dtype=torch.float64)
    b = torch.randn(1, c, 1, 1, generator=g, dtype=torch.float64) * 10
    bn = nn.BatchNorm2d(c).double()
    with torch.no_grad():
        return float((bn(x + b) - bn(x)).abs().max())


def summary(r: CountResult) -> dict:
    return {
        "channels": r.c,
        "height_width": r.hw,
        "groups": r.groups,
        "learned": r.params,
        "learned_torch": r.torch_params,
        "buffers_torch": r.torch_buffers,
        "conv3x3_same_channels": r.conv,
    }


COUNT = Experiment("count", PARAMS, run, summary)
