"""Measuring translation: a feature map of a photo and how much a (pooled) map changes under a shift.

    feature_map(img, "edges")   Sobel gradient magnitude √(G_x² + G_y²), a typical first-layer feature
    nrmsd(a, b) = RMS(b − a) / SD(a)

The change measure is normalised by the base map's own spread, so maps of different size and scale
(unpooled, max-pooled, average-pooled, subsampled) can be compared: 0 means unchanged, and for two
unrelated maps with equal spread and mean, E[(b − a)²] = 2·Var, so the measure is √2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

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
