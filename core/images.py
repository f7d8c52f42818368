"""Real images shipped inside installed packages (scikit-image samples, scikit-learn digits).

    img = builtin("camera", max_side=512)     # float32 (C, H, W) in [0, 1]; C = 1 (gray) or 3 (RGB)

Images larger than `max_side` are downscaled (area averaging) for compute; callers that display
them downsample again for the browser.

    up = load_upload(data, max_side=512)      # an uploaded PNG/JPEG, validated; raises UploadError

An upload is refused with a reason (`UploadError.code`) when it is empty, larger than
MAX_UPLOAD_BYTES, not an image, not PNG/JPEG, over MAX_UPLOAD_PIXELS (checked from the header,
before decoding, so a decompression bomb costs nothing), smaller than MIN_UPLOAD_SIDE, so long and
thin that shrinking it to `max_side` would leave its shorter side under MIN_UPLOAD_SIDE (no kernel and
padding mode could then work on it), or corrupt / truncated (the decoder fails). A valid one is
turned upright (EXIF orientation), converted to gray or RGB (alpha dropped, 16-bit scaled) and
downscaled to `max_side` with `downscaled=True`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
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


# ---- uploads -----------------------------------------------------------------------------------

UPLOAD_TYPES = ("png", "jpg", "jpeg")
UPLOAD_FORMATS = ("PNG", "JPEG")
MAX_UPLOAD_BYTES = 8 * 2**20  # 8 MiB
MAX_UPLOAD_PIXELS = 4096 * 4096  # width × height, read from the header before decoding (a 12 MP photo passes).
# The pages compute on at most 512 px a side, so a bigger file buys nothing; decoding one this size costs
# ~130 MB (PNG: full decode, then an early PIL reduce) or far less (JPEG decodes at 1/8 scale): bench/upload_cost.py
MIN_UPLOAD_SIDE = 8


class UploadError(ValueError):
    """An upload that cannot be used. `code` picks the message; `info` fills it in."""

    def __init__(self, code: str, **info):
        super().__init__(code, info)
        self.code = code
        self.info = info


@dataclass(frozen=True)
class Upload:
    image: torch.Tensor  # float32 (C, H, W) in [0, 1], C = 1 or 3, at most max_side on its longer side
    width: int  # as uploaded
    height: int
    format: str  # PNG | JPEG
    downscaled: bool


def _pixels(im) -> np.ndarray:
    """A decoded PIL image -> uint8 (H, W) gray or (H, W, 3) RGB, or float (H, W) in [0, 1] for 16-bit."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.clip(np.array(im, dtype=np.float32) / 65535.0, 0.0, 1.0)  # 16-bit gray PNG
    if im.mode in ("1", "L", "LA", "F"):
        return np.array(im.convert("L"))
    return np.array(im.convert("RGB"))  # RGB, RGBA, P, CMYK, YCbCr, …: alpha dropped


def _fitted_short_side(width: int, height: int, max_side: int) -> int:
    """The shorter side after `fit(img, max_side)` (the same rounding), known from the header alone."""
    if max(width, height) <= max_side:
        return min(width, height)
    s = max_side / max(width, height)
    return max(1, round(min(width, height) * s))


def load_upload(data: bytes, max_side: int = 512) -> Upload:
    """Validate and decode an uploaded PNG/JPEG; raises UploadError with a reason code."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise UploadError("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError("too_large", size=f"{len(data) / 2**20:.1f}", limit=f"{MAX_UPLOAD_BYTES / 2**20:.0f}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise UploadError("not_image") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError("too_many_pixels", limit=f"{MAX_UPLOAD_PIXELS / 1e6:.0f}") from None
        except Exception:  # a header the decoder chokes on (truncated, malformed): any error means unusable
            raise UploadError("corrupt") from None
        fmt = str(im.format)
        if fmt not in UPLOAD_FORMATS:
            raise UploadError("format", format=fmt)
        width, height = im.size
        if width * height > MAX_UPLOAD_PIXELS:
            raise UploadError("too_many_pixels", limit=f"{MAX_UPLOAD_PIXELS / 1e6:.0f}")
        if min(width, height) < MIN_UPLOAD_SIDE:
            raise UploadError("too_small", side=MIN_UPLOAD_SIDE)
        short = _fitted_short_side(width, height, max_side)
        if short < MIN_UPLOAD_SIDE:
            raise UploadError(
                "too_thin", width=width, height=height, max_side=max_side, short=short, side=MIN_UPLOAD_SIDE
            )
        try:
            im.draft(im.mode, (max_side, max_side))  # JPEG: decode at 1/2…1/8 scale while still ≥ max_side
            im.load()  # decodes everything: a truncated or corrupt file fails here
            im = ImageOps.exif_transpose(im)
            factor = max(im.size) // max_side
            if factor >= 2:  # box-reduce in PIL first: the float32 copies below stay at most ~4·max_side² each
                im = im.reduce(factor)
            arr = _pixels(im)
        except Exception:  # truncated or corrupt pixel data
            raise UploadError("corrupt") from None
    img = to_chw(arr)
    return Upload(fit(img, max_side), width, height, fmt, max(width, height) > max_side)
