"""Convolution: a kernel slides over a real image; every stride, padding mode and dilation live.

Key equations (what torch.nn.Conv2d computes — a cross-correlation, the kernel is not flipped):
    one channel      y[i, j] = Σ_{a,b} K[a, b] · x̃[i·s + a·d, j·s + b·d]      x̃: x padded by p
    C channels       y[i, j] = Σ_c (K_c ⋆ x_c)[i, j]     one kernel is C slices deep; the per-channel
                                                        responses add up to ONE feature map
    output size      H_out = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1        (core.convolution.ops)
Here the C slices are one 2-D kernel K times a weight per channel (K_c = w_c·K), so the page can show
each channel's response and their sum.

Sections (experiments), one URL namespace:
    filter   a built-in photo (or an upload, which no link can hold) through a preset or typed kernel
    steps    the same arithmetic window by window on a small grid, and transposed convolution (core.convolution.steps)
    count    parameters and multiply-adds: standard vs depthwise-separable vs 1×1 (core.convolution.count)
    learn    a small CNN trained live on the digits: learned kernels and feature maps (core.convolution.cnn)
CLAIMS: the interview notes' claims, each a card beside its section, measured in core.convolution.claims.
References: Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep learning";
Goodfellow, Bengio & Courville, Deep Learning, ch. 9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from core import device, images
from core.convolution import claims, cnn, count, ops, steps
from core.convolution import kernels as ck
from core.experiment import Claim, Concept, Experiment
from core.params import Bool, Choice, Float, FloatList, Int, Notice, ParamSet, When, when

DISPLAY_MAX = 256  # longest side of an image or feature map sent to the browser
PANEL_MAX = 128  # the smaller panels of the per-channel figure
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as core.images.builtin(gray=True)
CHANNEL_WEIGHTS = ("w_r", "w_g", "w_b")


# ---- kernels and images --------------------------------------------------------------------------


def kernel_of(v: dict) -> np.ndarray:
    """The (k, k) kernel this view uses: a preset at (ksize, σ), or the typed cells."""
    if v["kernel"] == "custom":
        return ck.as_grid(v["k"])
    return ck.make(v["kernel"], v["ksize"], v["sigma"])


@lru_cache(maxsize=8)
def _image(name: str, side: int, gray: bool) -> torch.Tensor:
    return images.builtin(name, max_side=side, gray=gray)  # (C, H, W); cached: do not modify


def to_gray(img: torch.Tensor) -> torch.Tensor:
    if img.shape[0] == 1:
        return img
    return (img * torch.tensor(LUMA).view(3, 1, 1)).sum(0, keepdim=True)


_NAMES = {"p": "pad", "d": "dil", "mode": "pmode"}


def _kernel_rules(v: dict) -> list[Notice]:
    """A typed kernel brings its own size: `ksize` follows the cells."""
    side = math.isqrt(len(v["k"]))
    if v["kernel"] == "custom" and side != v["ksize"]:
        raw, v["ksize"] = v["ksize"], side
        return [Notice("ksize", "conflict", str(raw), {"why": "ksize_custom", "used": str(side)})]
    return []


def _filter_rules(v: dict) -> list[Notice]:
    notes = _kernel_rules(v)
    _, h, w = _image(v["img"], v["side"], v["gray"]).shape
    return notes + ops.fit_conv(v, min(h, w), v["ksize"], _NAMES)


PADDED = When(lambda v: v["pad"] > 0, "pad>0")  # a padding mode only matters when there is padding

FILTER_PARAMS = ParamSet(
    (
        Choice("img", "camera", choices=images.BUILTIN),
        Bool("gray", False),
        Int("side", 256, lo=32, hi=512, step=32),
        Choice("kernel", "sobel_x", choices=ck.KERNELS),
        Int("ksize", 3, lo=3, hi=7, step=2, on_grid=True),
        Float("sigma", 1.0, lo=0.3, hi=3.0, step=0.1, when=when("kernel", "gauss")),
        FloatList("k", ck.SEEDS_SHARPEN, lo=-200.0, hi=200.0, lengths=tuple(n * n for n in ck.SIZES)),
        Int("stride", 1, lo=1, hi=4),
        Int("pad", 1, lo=0, hi=9),
        Choice("pmode", "zeros", choices=ops.MODES, when=PADDED),
        Int("dil", 1, lo=1, hi=3),
        *(Float(name, 1.0, lo=-2.0, hi=2.0, step=0.1, when=when("gray", False)) for name in CHANNEL_WEIGHTS),
    ),
    rules=_filter_rules,
)


# ---- the filter experiment -------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterResult:
    source: str  # a built-in image name, or "upload"
    kernel: np.ndarray  # (k, k) float32, the 2-D kernel K
    weights: tuple[float, ...]  # per input channel: the kernel slice is weights[c]·K
    in_shape: tuple[int, int, int]  # (C, H, W) computed on
    out_shape: tuple[int, int]  # (H_out, W_out)
    s: int
    p: int
    d: int
    mode: str
    image: np.ndarray  # (h, w, 3) uint8, display size
    fmap: np.ndarray  # (h', w') float32, the feature map, display size
    zmin: float  # colour range of the feature map: ±(99.5th percentile of |y|) when signed, else min…max
    zmax: float
    signed: bool
    stats: dict[str, float]
    size_latex: tuple[str, str]  # H and W formulas with the numbers filled in
    macs: int
    channels: np.ndarray | None = None  # RGB only: (3, h, w) uint8, each input channel, panel size
    per_channel: np.ndarray | None = None  # RGB only: (3, h', w') float32, w_c·K ⋆ x_c, panel size
    fmap_small: np.ndarray | None = None  # RGB only: (h', w') float32, their sum, panel size
    notices: tuple[Notice, ...] = field(default_factory=tuple)  # uploads: fixes for the image's size


def _uint8(t: torch.Tensor) -> np.ndarray:
    return (t.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def _f32(t: torch.Tensor, side: int) -> np.ndarray:
    """(C, H, W) -> float32 numpy, at most `side` pixels on the longer side (area averaging)."""
    return images.fit(t, side).numpy().astype(np.float32)


def run_filter(v: dict, image: torch.Tensor | None = None) -> FilterResult:
    """Filter a built-in image (or `image`, an upload already fitted to `side`) with this view's kernel."""
    notes: list[Notice] = []
    if image is None:
        x, source = _image(v["img"], v["side"], v["gray"]), v["img"]
    else:
        x, source = (to_gray(image) if v["gray"] else image), "upload"
        v = dict(v)
        notes = ops.fit_conv(v, min(x.shape[-2:]), v["ksize"], _NAMES)
    s, p, d, mode = v["stride"], v["pad"], v["dil"], v["pmode"]
    kernel = torch.from_numpy(kernel_of(v)).to(torch.float32)  # (k, k)
    c, h, w = x.shape
    k = kernel.shape[0]
    weights = tuple(float(v[n]) for n in CHANNEL_WEIGHTS) if c == 3 else (1.0,)
    wt = torch.tensor(weights).view(c, 1, 1, 1) * kernel  # (C, 1, k, k): slice c of the C-deep kernel
    with torch.no_grad():
        per = ops.conv2d(x.unsqueeze(0), wt, s, p, mode, d, groups=c)[0]  # (C, H_out, W_out), one per channel
        fmap = per.sum(0)  # (H_out, W_out): the channels' responses add up to one map (= one C-deep conv2d)
    shown = images.fit(fmap.unsqueeze(0), DISPLAY_MAX)[0]
    lo, hi = float(fmap.min()), float(fmap.max())
    signed = lo < -1e-6 and hi > 1e-6
    if signed:  # symmetric around 0, a few extreme pixels clipped so the rest keeps its contrast
        mag = shown.abs().flatten()
        zmax = max(float(mag.kthvalue(max(1, int(0.995 * mag.numel()))).values), 1e-6)
        zmin = -zmax
    else:
        zmin, zmax = lo, (hi if hi > lo else lo + 1e-6)
    rgb = x.expand(3, -1, -1) if c == 1 else x
    stats = {
        "min": lo,
        "max": hi,
        "mean": float(fmap.mean()),
        "std": float(fmap.std()) if fmap.numel() > 1 else 0.0,
        "negative_share": float((fmap < 0).float().mean()),
    }
    panels = {}
    if c == 3:
        panels = dict(
            channels=_uint8(images.fit(x, PANEL_MAX)),
            per_channel=_f32(per, PANEL_MAX),
            fmap_small=_f32(fmap.unsqueeze(0), PANEL_MAX)[0],
        )
    return FilterResult(
        source=source,
        kernel=kernel.numpy(),
        weights=weights,
        in_shape=(c, h, w),
        out_shape=tuple(fmap.shape),
        s=s,
        p=p,
        d=d,
        mode=mode,
        image=_uint8(images.fit(rgb, DISPLAY_MAX).permute(1, 2, 0)),
        fmap=shown.numpy().astype(np.float32),
        zmin=zmin,
        zmax=zmax,
        signed=signed,
        stats=stats,
        size_latex=(ops.size_latex(h, k, s, p, d, "H"), ops.size_latex(w, k, s, p, d, "W")),
        macs=int(fmap.numel() * c * k * k),
        notices=tuple(notes),
        **panels,
    )


def run_upload(data: bytes, v: dict) -> tuple[dict, FilterResult]:
    """Decode and validate an uploaded file (raises images.UploadError), then filter it like a built-in.
    Returns what the page says about the file (its size, whether it was downscaled) and the result. Decoding
    runs under the compute gate: a class uploading at once decodes as many files at a time as it has slots."""
    with device.compute():
        return _run_upload(data, v)


def _run_upload(data: bytes, v: dict) -> tuple[dict, FilterResult]:
    up = images.load_upload(data, max_side=v["side"])
    _, h, w = up.image.shape
    info = {
        "width": up.width,
        "height": up.height,
        "format": up.format,
        "downscaled": up.downscaled,
        "w": w,
        "h": h,
        "channels": int(up.image.shape[0]),
    }
    return info, run_filter(v, image=up.image)


def filter_summary(r: FilterResult) -> dict:
    c, h, w = r.in_shape
    ho, wo = r.out_shape
    return {
        "image": r.source,
        "input_shape": [c, h, w],
        "output_shape": [1, ho, wo],
        "formula": {
            "H": h,
            "W": w,
            "k": int(r.kernel.shape[0]),
            "s": r.s,
            "p": r.p,
            "d": r.d,
            "mode": r.mode,
            "H_out": ho,
            "W_out": wo,
        },
        "kernel": r.kernel.astype(np.float64).round(4).tolist(),
        "channel_weights": list(r.weights),
        "feature_map": {k: round(v, 6) for k, v in r.stats.items()},
        "multiply_adds": r.macs,
    }


FILTER = Experiment("filter", FILTER_PARAMS, run_filter, filter_summary)


PRESETS = {
    # filter
    "seeds_sharpen": {"kernel": "custom", "k": ck.SEEDS_SHARPEN, "img": "moon"},
    "edges_rgb": {"img": "astronaut", "kernel": "sobel_x"},
    "colour_opponent": {"img": "chelsea", "kernel": "identity", "w_r": 1.0, "w_g": -1.0, "w_b": 0.0},
    "blur_border_zeros": {"img": "coins", "kernel": "box", "ksize": 7, "pad": 3, "pmode": "zeros", "side": 128},
    "blur_border_reflect": {"img": "coins", "kernel": "box", "ksize": 7, "pad": 3, "pmode": "reflect", "side": 128},
    "stride_dilation": {"img": "brick", "kernel": "laplacian", "stride": 2, "dil": 3, "pad": 3},
    "gauss_big": {"kernel": "gauss", "ksize": 7, "sigma": 2.0, "pad": 3, "pmode": "replicate"},
    # step-through
    "seeds_example": {"t_in": "seeds", "t_p": 0},
    "stride_pad_steps": {"t_in": "ramp", "t_n": 7, "t_s": 2, "t_p": 1, "t_w": (1.0,) * 9},
    "impulse_mirror": {"t_in": "impulse", "t_n": 5, "t_p": 1, "t_w": ck.cells("sobel_x", 3)},
    "dilated_steps": {"t_in": "edge", "t_n": 9, "t_d": 2, "t_p": 2, "t_w": ck.cells("sobel_x", 3)},
    "transposed_upsample": {"t_op": "transposed", "t_in": "ramp", "t_n": 3, "t_s": 2, "t_p": 0, "t_w": (1.0,) * 4},
    "transposed_checkerboard": {"t_op": "transposed", "t_in": "ones", "t_n": 4, "t_s": 2, "t_p": 1, "t_w": (1.0,) * 9},
    # counting
    "mobilenet_block": {"c_in": 256, "c_out": 256, "c_k": 3, "c_hw": 14},
    "first_layer": {"c_in": 3, "c_out": 32, "c_k": 3, "c_hw": 112},
    "sharing_64": {"c_in": 64, "c_out": 64, "c_k": 3, "c_hw": 56},
}


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number of `claims.card_numbers` it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). A verdict the
# numbers decide is computed (claims.VERDICTS); the constant ones are checked against the numbers in the tests.
CLAIMS = (
    Claim("channels", "partly", "filter", "colour_opponent", bars(full="conv3d_depth", two="conv3d_depth_k2")),
    Claim(
        "size",
        claims.VERDICTS["size"],
        "filter",
        "stride_dilation",
        bars(same="size_same", valid="size_valid", stride="size_stride"),
    ),
    Claim("linear", claims.VERDICTS["linear"], "filter", None, bars(conv="linear_gap", relu="relu_gap")),
    Claim(
        "seeds", claims.VERDICTS["seeds"], "steps", "seeds_example", bars(fit="seeds_windows", printed="seeds_printed")
    ),
    Claim("flip", "partly", "steps", "impulse_mirror", bars(diff="flip_diff", sum="flip_sum_gap")),
    Claim(
        "separable",
        claims.VERDICTS["separable"],
        "count",
        "mobilenet_block",
        bars(standard="sep_standard", separable="sep_separable"),
    ),
    Claim(
        "pointwise",
        "partly",
        "count",
        "mobilenet_block",
        bars(pointwise="pointwise_reads", depthwise="depthwise_reads"),
    ),
    Claim("sharing", claims.VERDICTS["sharing"], "count", "sharing_64", bars(conv="share_conv", dense="share_dense")),
)

CONCEPT = Concept(
    "convolution",
    "🖼️",
    (FILTER, steps.STEPS, count.COUNT, cnn.LEARN, cnn.PROBE),
    PRESETS,
    claims=CLAIMS,
    numbers=claims.card_numbers,
)
