"""The interview notes' claims about pooling, each checked by computation: the cards beside the sections.

the notes' 4×4 example max-pooled 2×2 / 2 gives [[6, 8], [3, 4]]; their NumPy loop vs torch
a pooling layer has no parameters; it shrinks the head after it (core.pooling.heads)
"pooling keeps the important features": strong edge responses kept by max vs average vs subsampling
translation: the shift section's default view (core.pooling.shift)
average pooling after a convolution is one larger strided convolution (both are linear); max pooling is not linear
"fully connected layers reduce the parameters" (seed 001): VGG-16's three FC layers against its 13 convolutions and a
GAP head, all real nn.Modules on the meta device (core.pooling.heads)

`claims()` measures once per process; VERDICTS decide the computed badges from those numbers (and, for the overfitting
card, from the training section's own run: `training.verdict`), and tests check each against them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import images
from core.pooling import shift as ps
from core.pooling import windows as pw
from core.pooling.heads import HEADS, count, head_params
from core.pooling.pool import SEEDS_EXAMPLE

SEEDS_RESULT = ((6.0, 8.0), (3.0, 4.0))


def matrix_text(a: np.ndarray) -> str:
    """[[6, 8], [3, 4]]: a small matrix as compact text (whole numbers without '.0')."""
    return "[" + ", ".join("[" + ", ".join(pw._num(float(v)) for v in row) + "]" for row in np.asarray(a)) + "]"


VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def vgg_conv_params() -> int:
    """VGG-16's 13 convolutions (3×3, biases), built on the meta device: the part before its FC head."""
    layers, c = [], 3
    for w in VGG16:
        if w != "M":
            layers.append(nn.Conv2d(c, w, 3, padding=1, device="meta"))
            c = w
    return count(nn.Sequential(*layers))


def fc_share(n: dict) -> float:
    """The FC head's share of VGG-16's parameters."""
    return n["vgg_fc"] / (n["vgg_fc"] + n["vgg_conv"])


# Verdicts the numbers decide (constant ones are declared on their cards; tests check them against the numbers).
VERDICTS = {
    "seeds": lambda n: "true" if n["seeds_match"] else "false",
    "loop": lambda n: "false" if n["loop_windows"] < n["loop_cells"] else "true",
    "compute": lambda n: "true" if n["macs28"] < n["macs56"] else "false",
    "fc_params": lambda n: "false" if n["vgg_fc"] > n["vgg_conv"] > n["gap7"] else "partly",
    # one seeded training: "true" only where the pooled nets overfit clearly less (training.verdict's rule)
    "overfit": lambda n: "true" if n["overfit_reduced"] else "depends",
}


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
    edges = ps.feature_map(img, "edges")  # (1, 1, 254, 254)
    thresh = torch.quantile(edges.flatten(), 0.95)
    strong = F.max_pool2d(edges, 2) >= thresh  # windows that contain a strong response
    kept = {
        "max": float((F.max_pool2d(edges, 2) >= thresh)[strong].float().mean()),
        "avg": float((F.avg_pool2d(edges, 2) >= thresh)[strong].float().mean()),
        "subsample": float((edges[..., :-1:2, :-1:2] >= thresh)[strong].float().mean()),
    }
    peak_avg = float((F.avg_pool2d(edges, 2) / F.max_pool2d(edges, 2).clamp_min(1e-12))[strong].mean())

    # translation: the default view of the shift section
    from core.pooling.concept import SHIFT_PARAMS  # the concept declares the cards: imported when they are measured

    sh = ps.run_shift(SHIFT_PARAMS.defaults())

    # average pooling after a convolution is one bigger, strided convolution (a linear map)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 20, 20, generator=g, dtype=torch.float64)
    w = torch.randn(1, 1, 3, 3, generator=g, dtype=torch.float64)
    merged = F.conv_transpose2d(w, torch.ones(1, 1, 2, 2, dtype=torch.float64) / 4)  # w ⊛ box: (1, 1, 4, 4)
    linear_gap = float((F.avg_pool2d(F.conv2d(x, w), 2) - F.conv2d(x, merged, stride=2)).abs().max())
    y = torch.randn(1, 1, 20, 20, generator=g, dtype=torch.float64)
    max_gap = float((F.max_pool2d(x + y, 2) - F.max_pool2d(x, 2) - F.max_pool2d(y, 2)).abs().max())

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
        "max_gap": max_gap,
        "loop_cells": int(loop.size),
        "loop_windows": int(torch_nine.size),
        "vgg_conv": vgg_conv_params(),
        "vgg_fc": head_params("flatten", 512, 7, 1000, 4096, 2),
        "gap7": head_params("gap", 512, 7, 1000, 0, 0),
        "macs56": macs(56),
        "macs28": macs(28),
    }


def card_numbers() -> dict:
    """What the cards quote and chart: the numbers above, and the FC head's share of VGG-16 as text."""
    numbers = dict(claims())
    numbers["fc_pct"] = f"{fc_share(numbers):.0%}"
    return numbers
