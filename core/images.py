"""Real images shipped inside installed packages (scikit-image samples, scikit-learn digits).

    img = builtin("camera", max_side=512)     # float32 (C, H, W) in [0, 1]; C = 1 (gray) or 3 (RGB)

Images larger than `max_side` are downscaled (area averaging) for compute; callers that display
them downsample again for the browser. Upload validation belongs here too (see the convolution page).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

BUILTIN = ("camera", "astronaut", "coins", "chelsea", "brick", "moon", "digit")


@lru_cache(maxsize=16)
def _raw(name: str) -> np.ndarray:
    if name == "digit":
        from core.data import _digits_arrays

        images, _ = _digits_arrays()
        return (images[0] * 255).astype(np.uint8)  # an 8×8 "0"
    import skimage.data

    return getattr(skimage.data, name)()


def to_chw(arr: np.ndarray) -> torch.Tensor:
    """uint8/float (H, W) or (H, W, C) -> float32 (C, H, W) in [0, 1] (alpha dropped)."""
    a = np.asarray(arr)
    scale = 255.0 if a.dtype == np.uint8 else 1.0
    t = torch.from_numpy(np.ascontiguousarray(a)).to(torch.float32) / scale
    if t.ndim == 2:
        t = t.unsqueeze(0)
    else:
        t = t[..., :3].permute(2, 0, 1)
    return t.clamp(0.0, 1.0).contiguous()


def fit(img: torch.Tensor, max_side: int) -> torch.Tensor:
    """Downscale (C, H, W) so that max(H, W) <= max_side, keeping the aspect ratio."""
    h, w = img.shape[-2:]
    if max(h, w) <= max_side:
        return img
    s = max_side / max(h, w)
    size = (max(1, round(h * s)), max(1, round(w * s)))
    return F.interpolate(img.unsqueeze(0), size=size, mode="area").squeeze(0)


def builtin(name: str, max_side: int = 512, gray: bool = False) -> torch.Tensor:
    """A built-in sample image as float32 (C, H, W) in [0, 1]."""
    if name not in BUILTIN:
        raise KeyError(name)
    img = fit(to_chw(_raw(name)), max_side)
    if gray and img.shape[0] == 3:
        img = (img * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0, keepdim=True)  # ITU-R 601 luma
    return img
