"""Classifier heads on a C×H×W feature map: flatten → linear vs pooling first (Lin et al., "Network in
Network", 2013, introduced global average pooling as the head).

    parameters of a stack of linear layers with widths w_0 → w_1 → … → w_L:  Σ_l (w_{l−1} + 1)·w_l
    flatten:        w_0 = C·H·W
    2×2 max pool:   w_0 = C·⌊H/2⌋·⌊W/2⌋
    GAP:            w_0 = C            (independent of H, W: the same head takes any input size)

`head` builds the real nn.Module on the meta device (shapes and parameter counts, no memory), so a
VGG-sized head (124 M parameters) costs nothing to count; the closed form is tested against it.
The page's head experiment (`run_head`) counts every head over feature-map sizes 1…32 and at the chosen one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

HEADS = ("flatten", "pool_flatten", "gap")


def head(kind: str, c: int, size: int, classes: int, hidden: int, depth: int) -> nn.Sequential:
    """A classifier head for a (C, size, size) feature map, built on the meta device (no memory)."""
    meta = dict(device="meta")
    mods: list[nn.Module] = []
    if kind == "pool_flatten":
        mods.append(nn.MaxPool2d(2))
        size //= 2
    elif kind == "gap":
        mods.append(nn.AdaptiveAvgPool2d(1))
        size = 1
    mods.append(nn.Flatten())
    width = c * size * size
    for _ in range(depth):
        mods += [nn.Linear(width, hidden, **meta), nn.ReLU()]
        width = hidden
    mods.append(nn.Linear(width, classes, **meta))
    return nn.Sequential(*mods)


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def head_params(kind: str, c: int, size: int, classes: int, hidden: int, depth: int) -> int:
    """Closed form of count(head(...)): Σ over linear layers of (in + 1)·out."""
    side = {"flatten": size, "pool_flatten": size // 2, "gap": 1}[kind]
    widths = [c * side * side] + [hidden] * depth + [classes]
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


# ---- the head experiment: parameter counts over feature-map sizes ----------------------------------

HEAD_SIZES = np.arange(1, 33)


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
