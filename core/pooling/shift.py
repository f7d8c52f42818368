"""Measuring translation: a feature map of a photo and how much a (pooled) map changes under a shift.

    feature_map(img, "edges")   Sobel gradient magnitude √(G_x² + G_y²), a typical first-layer feature
    nrmsd(a, b) = RMS(b − a) / SD(a)

The change measure is normalised by the base map's own spread, so maps of different size and scale
(unpooled, max-pooled, average-pooled, subsampled) can be compared: 0 means unchanged, and for two
unrelated maps with equal spread and mean, E[(b − a)²] = 2·Var, so the measure is √2.

The page's translation experiment (`run_shift`): a photo's feature map moved by 0…m pixels (x, y or both);
for each shift, the change of the unpooled map, of a stride-s subsample, and of k×k max and average pooling
at stride s, each against shift 0. Shifting the input shifts the feature map (convolution is
translation-equivariant), so the crops of one map stand for feature maps of shifted photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import images
from core.pooling.pool import DISPLAY_MAX

SOBEL = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def feature_map(img: torch.Tensor, feat: str) -> torch.Tensor:
    """(1, 1, H, W) gray image -> a feature map: the image itself, or its Sobel gradient magnitude."""
    if feat == "image":
        return img[..., 1:-1, 1:-1]
    gx = F.conv2d(img, SOBEL.view(1, 1, 3, 3))  # (1, 1, H-2, W-2) horizontal gradient
    gy = F.conv2d(img, SOBEL.t().reshape(1, 1, 3, 3))
    return torch.sqrt(gx**2 + gy**2)


def nrmsd(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Change of b against a, per batch row: RMS(b − a) / SD(a). 0 = unchanged; √2 ≈ an unrelated map
    with the same spread. a: (1, ...) base, b: (B, ...)."""
    diff = (b - a).flatten(1)
    return diff.pow(2).mean(1).sqrt() / a.flatten(1).std(dim=1).clamp_min(1e-12)


# ---- the translation experiment ----------------------------------------------------------------------

SHIFT_SIDE = 192
CURVES = ("unpooled", "subsample", "max", "avg")


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
