"""Classifier heads on a C×H×W feature map: flatten → linear vs pooling first (Lin et al., "Network in
Network", 2013, introduced global average pooling as the head).

    parameters of a stack of linear layers with widths w_0 → w_1 → … → w_L:  Σ_l (w_{l−1} + 1)·w_l
    flatten:        w_0 = C·H·W
    2×2 max pool:   w_0 = C·⌊H/2⌋·⌊W/2⌋
    GAP:            w_0 = C            (independent of H, W: the same head takes any input size)

`head` builds the real nn.Module on the meta device (shapes and parameter counts, no memory), so a
VGG-sized head (124 M parameters) costs nothing to count; the closed form is tested against it.
"""

from __future__ import annotations

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
