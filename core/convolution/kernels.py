"""Kernel presets for the convolution page, at 3×3, 5×5 and 7×7.

All kernels are written for cross-correlation, which is what deep-learning "convolution" computes
(torch.nn.functional.conv2d does not flip the kernel):
    y[i, j] = Σ_{a,b} K[a, b] · x[i·s + a·d, j·s + b·d]

    identity     δ at the centre: y = x
    box          1/k² everywhere: the mean of the window
    gauss        G[a, b] ∝ exp(−(a² + b²) / 2σ²), normalised to sum 1
    sharpen      the interview notes' [[0,−1,0],[−1,5,−1],[0,−1,0]] = δ − Laplacian
    sobel_x/y    binomial smoothing ⊗ central difference: 3×3 [1,2,1]ᵀ[−1,0,1], larger sizes use
                 the next binomial rows (5×5: [1,4,6,4,1]ᵀ[−1,−2,0,2,1]); positive where the image
                 gets brighter to the right (x) / downwards (y)
    prewitt_x/y  flat smoothing ⊗ a ramp: [1,1,1]ᵀ[−1,0,1] (5×5: [1,…,1]ᵀ[−2,−1,0,1,2])
    laplacian    [[0,1,0],[1,−4,1],[0,1,0]]: second derivative, zero on flat areas and ramps
    emboss       [[−2,−1,0],[−1,1,1],[0,1,2]]: a diagonal derivative plus the image
    outline      [[−1,−1,−1],[−1,8,−1],[−1,−1,−1]]: the 8-neighbour Laplacian, sign flipped

sharpen, laplacian, emboss and outline are 3×3 by definition; on a 5×5 or 7×7 grid they sit in the
centre with zeros around (the same response, but the window — and the lost border — grows).
References: Gonzalez & Woods, Digital Image Processing, ch. 3; Sobel & Feldman (1968).
"""

from __future__ import annotations

import math

import numpy as np

PRESETS = (
    "identity",
    "box",
    "gauss",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "prewitt_x",
    "prewitt_y",
    "laplacian",
    "emboss",
    "outline",
)
KERNELS = PRESETS + ("custom",)  # custom: the cells typed into the grid
SIZES = (3, 5, 7)

_FIXED_3 = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}
SEEDS_SHARPEN = tuple(float(v) for row in _FIXED_3["sharpen"] for v in row)  # the notes' example, 9 cells


def _binomial(n: int) -> np.ndarray:
    """Row n of Pascal's triangle: [1], [1,1], [1,2,1], [1,3,3,1], …"""
    return np.array([math.comb(n, i) for i in range(n + 1)], dtype=np.float64)


def embed(kernel: np.ndarray, size: int) -> np.ndarray:
    """Put a small odd kernel in the centre of a size×size grid of zeros."""
    out = np.zeros((size, size))
    o = (size - kernel.shape[0]) // 2
    out[o : o + kernel.shape[0], o : o + kernel.shape[1]] = kernel
    return out


def make(name: str, size: int, sigma: float = 1.0) -> np.ndarray:
    """The preset `name` as a (size, size) float64 array (size odd)."""
    if size % 2 != 1 or size < 1:
        raise ValueError(f"kernel size must be odd, got {size}")
    half = size // 2
    if name == "identity":
        return embed(np.ones((1, 1)), size)
    if name == "box":
        return np.full((size, size), 1.0 / size**2)
    if name == "gauss":
        r = np.arange(size) - half
        g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2.0 * sigma**2))
        return g / g.sum()
    if name in ("sobel_x", "sobel_y"):
        smooth = _binomial(size - 1)  # [1,2,1] at 3×3
        diff = np.convolve([-1.0, 0.0, 1.0], _binomial(size - 3))  # [-1,0,1] at 3×3
        k = np.outer(smooth, diff)
        return k if name == "sobel_x" else k.T
    if name in ("prewitt_x", "prewitt_y"):
        k = np.outer(np.ones(size), np.arange(size) - half)
        return k if name == "prewitt_x" else k.T
    if name in _FIXED_3:
        return embed(np.array(_FIXED_3[name], dtype=np.float64), size)
    raise KeyError(name)


def cells(name: str, size: int, sigma: float = 1.0) -> tuple[float, ...]:
    """The preset as the row-major cell list the URL parameter `k` holds (rounded for short links)."""
    return tuple(float(round(v, 4)) for v in make(name, size, sigma).ravel())


def as_grid(flat: tuple[float, ...]) -> np.ndarray:
    """Row-major cells -> (n, n) float64."""
    n = math.isqrt(len(flat))
    if n * n != len(flat):
        raise ValueError(f"{len(flat)} cells do not make a square kernel")
    return np.asarray(flat, dtype=np.float64).reshape(n, n)


def resize(flat: tuple[float, ...], size: int) -> tuple[float, ...]:
    """Centre-crop or zero-pad a square cell list to size×size (both sizes odd, or both even)."""
    k = as_grid(flat)
    n = k.shape[0]
    if size >= n:
        out = np.zeros((size, size))
        o = (size - n) // 2
        out[o : o + n, o : o + n] = k
    else:
        o = (n - size) // 2
        out = k[o : o + size, o : o + size]
    return tuple(float(v) for v in out.ravel())
