"""The interview notes' statements about convolution, checked by computation: the cards beside the sections.

seeds_code     the notes' loop (sharpen kernel on a 3×3 cross) fills one cell of a 3×3 zeros array;
               the real output of that "valid" convolution is 1×1 (torch), 3×3 only with padding 1
flip           deep-learning "convolution" is cross-correlation: for the antisymmetric Sobel kernel
               torch's conv2d equals the textbook convolution (flipped kernel) times −1
linear         convolution is linear — conv(a·x + b·y) = a·conv(x) + b·conv(y) — so it adds no
               non-linearity; the ReLU after it does (ReLU(conv(x + y)) ≠ ReLU(conv x) + ReLU(conv y))
channels       a kernel on an RGB image is 3 slices deep: its output is the sum of three 2-D
               convolutions, and equals a 3-D convolution whose kernel is as deep as the input (so it
               cannot slide in depth: one output slice); nn.Conv2d(3, 1, 3) has 3·3·3 + 1 = 28 parameters
size           "convolution shrinks the map" and "keeps its size" are both only sometimes true:
               padding and stride decide (512 px, 3×3: p=1 → 512, p=0 → 510, s=2 → 256)
pointwise      a 1×1 convolution is one Linear(C_in → C_out) applied at every pixel: it mixes channels
               (the notes say it transforms "each channel")
separable      parameters of standard vs depthwise-separable at C_in = C_out = 256, k = 3
sharing        one 3×3 conv 64 → 64 on a 56×56 map vs a dense layer producing the same map

`claims()` measures these numbers (cheap: small tensors, once per process); `card_numbers()` adds what the cards'
evidence charts show; VERDICTS decide the computed badges from the numbers (tests check each against them).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import images
from core.convolution import count
from core.convolution import kernels as ck
from core.convolution import steps as cs


@lru_cache(maxsize=1)
def claims() -> dict[str, float | int | str]:
    g = torch.Generator().manual_seed(0)
    out: dict[str, float | int | str] = {}

    # the notes' code: zeros_like(image) with only the windows that fit filled in
    x = torch.tensor(cs.SEEDS_IMAGE, dtype=torch.float64)[None, None]  # (1, 1, 3, 3)
    w = torch.tensor(ck.as_grid(ck.SEEDS_SHARPEN))[None, None]  # (1, 1, 3, 3)
    valid = F.conv2d(x, w)  # (1, 1, 1, 1)
    same = F.conv2d(x, w, padding=1)[0, 0]  # (3, 3)
    out["seeds_value"] = float(valid[0, 0, 0, 0])
    out["seeds_valid_shape"] = "×".join(str(s) for s in valid.shape[-2:])
    out["seeds_same"] = str(same.int().tolist())
    out["seeds_windows"] = valid[0, 0].numel()  # the cells the loop really computes
    out["seeds_printed"] = int(np.zeros_like(np.array(cs.SEEDS_IMAGE)).size)  # the array it prints

    # cross-correlation vs convolution
    img = images.builtin("camera", max_side=64).double()[None]  # (1, 1, 64, 64)
    sobel = torch.tensor(ck.make("sobel_x", 3))[None, None]
    corr = F.conv2d(img, sobel)
    true_conv = F.conv2d(img, sobel.flip(-1, -2))  # textbook convolution flips the kernel
    out["flip_sum_gap"] = float((corr + true_conv).abs().max())  # corr = −conv for Sobel
    out["flip_diff"] = float((corr - true_conv).abs().max())

    # linearity
    a, b = 1.7, -0.6
    y = torch.rand(img.shape, generator=g, dtype=torch.float64)
    k = torch.randn(1, 1, 3, 3, generator=g, dtype=torch.float64)
    lhs = F.conv2d(a * img + b * y, k)
    out["linear_gap"] = float((lhs - (a * F.conv2d(img, k) + b * F.conv2d(y, k))).abs().max())
    relu_sum = F.relu(F.conv2d(img + y, k)) - (F.relu(F.conv2d(img, k)) + F.relu(F.conv2d(y, k)))
    out["relu_gap"] = float(relu_sum.abs().max())

    # a 3-slice kernel on RGB: the sum of three 2-D convolutions, and a depth-filling 3-D convolution
    rgb = images.builtin("astronaut", max_side=64).double()[None]  # (1, 3, 64, 64)
    w3 = torch.randn(1, 3, 3, 3, generator=g, dtype=torch.float64)
    whole = F.conv2d(rgb, w3)  # (1, 1, 62, 62)
    per = sum(F.conv2d(rgb[:, c : c + 1], w3[:, c : c + 1]) for c in range(3))
    vol = F.conv3d(rgb[:, None], w3[:, None])  # (1, 1, 1, 62, 62): kernel depth 3 = input depth 3
    out["channel_sum_gap"] = float((whole - per).abs().max())
    out["conv3d_gap"] = float((whole - vol[:, :, 0]).abs().max())
    out["conv3d_depth"] = int(vol.shape[2])
    out["conv3d_depth_k2"] = int(F.conv3d(rgb[:, None], w3[:, None, :2]).shape[2])  # a 2-deep kernel slides
    out["rgb_params"] = sum(p.numel() for p in nn.Conv2d(3, 1, 3).parameters())

    # output size: padding and stride decide
    big = torch.zeros(1, 1, 512, 512)
    one = torch.zeros(1, 1, 3, 3)
    out["size_same"] = int(F.conv2d(big, one, padding=1).shape[-1])
    out["size_valid"] = int(F.conv2d(big, one).shape[-1])
    out["size_stride"] = int(F.conv2d(big, one, padding=1, stride=2).shape[-1])

    # 1×1 convolution = a Linear layer at every pixel
    feat = torch.randn(1, 8, 5, 5, generator=g, dtype=torch.float64)
    pw = torch.randn(4, 8, 1, 1, generator=g, dtype=torch.float64)
    linear = torch.einsum("oc,bchw->bohw", pw[:, :, 0, 0], feat)  # mixes the 8 channels at each pixel
    out["pointwise_gap"] = float((F.conv2d(feat, pw) - linear).abs().max())
    out["pointwise_reads"] = channels_read(feat, pw, groups=1)  # input channels one output channel depends on
    dw = torch.randn(8, 1, 1, 1, generator=g, dtype=torch.float64)
    out["depthwise_reads"] = channels_read(feat, dw, groups=8)

    sep = count.count({"c_in": 256, "c_out": 256, "c_k": 3, "c_hw": 14, "c_bias": False})
    out["sep_standard"] = sep.weights["standard"]
    out["sep_separable"] = sep.weights["separable"]
    out["sep_factor"] = sep.weights["standard"] / sep.weights["separable"]

    share = count.count({"c_in": 64, "c_out": 64, "c_k": 3, "c_hw": 56, "c_bias": True})
    out["share_conv"] = share.params["standard"]
    out["share_dense"] = share.params["dense"]
    return out


def channels_read(x: torch.Tensor, w: torch.Tensor, groups: int) -> int:
    """How many input channels output channel 0 of conv2d(x, w) depends on (by autograd: a nonzero gradient)."""
    x = x.clone().requires_grad_(True)
    F.conv2d(x, w, groups=groups)[:, 0].sum().backward()
    return int((x.grad.abs().sum(dim=(0, 2, 3)) > 0).sum())


def card_numbers() -> dict[str, float | int | str]:
    """What the cards quote and chart (the numbers above; the evidence charts read them as floats)."""
    numbers = dict(claims())
    numbers["share_ratio"] = f"{numbers['share_dense'] / numbers['share_conv']:,.0f}"
    return numbers


# Verdicts the numbers decide (a constant verdict is declared on its card; tests check it against the numbers).
VERDICTS = {
    "seeds": lambda n: "false" if n["seeds_windows"] < n["seeds_printed"] else "true",
    "linear": lambda n: "false" if n["linear_gap"] < 1e-9 < n["relu_gap"] else "true",
    "size": lambda n: "depends" if n["size_valid"] < n["size_same"] == 512 else "true",
    "separable": lambda n: "true" if n["sep_factor"] > 2 else "partly",
    "sharing": lambda n: "true" if n["share_dense"] > 100 * n["share_conv"] else "partly",
}


def seeds_loop() -> np.ndarray:
    """The notes' code, run as written: a 3×3 zeros array with only the fitting window filled in."""
    image = np.array(cs.SEEDS_IMAGE)
    kernel = ck.as_grid(ck.SEEDS_SHARPEN)
    feature_map = np.zeros_like(image)
    for i in range(image.shape[0] - kernel.shape[0] + 1):
        for j in range(image.shape[1] - kernel.shape[1] + 1):
            feature_map[i, j] = np.sum(image[i : i + 3, j : j + 3] * kernel)
    return feature_map
