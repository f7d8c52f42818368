"""Receptive fields of a stack of conv / pool layers: arithmetic, a real torch stack, and its gradient.

A stack is written compactly (it is a URL value):   c3,c3,m2,c3s2,c5d2p4,a3s2p1
    c<k> convolution  (defaults: stride 1, 'same' padding p = d(k−1)//2, dilation 1)
    m<k> max pooling, a<k> average pooling  (defaults: stride k, padding 0)
    optional suffixes, in any order: s<stride> p<padding> d<dilation (conv only)>

Per layer l with kernel k_l, stride s_l, padding p_l, dilation d_l (Araujo, Norris & Sim,
"Computing Receptive Fields of Convolutional Neural Networks", Distill 2019):
    k_eff = d(k − 1) + 1
    n_l   = ⌊(n_{l−1} + 2p − k_eff) / s⌋ + 1           output size
    j_l   = j_{l−1} · s                                 jump: input pixels between neighbouring units
    r_l   = r_{l−1} + (k_eff − 1) · j_{l−1}             receptive field size
    c_l   = c_{l−1} + ((k_eff − 1)/2 − p) · j_{l−1}     centre of unit 0, in input pixel coordinates
with n_0 = input size, j_0 = r_0 = 1, c_0 = 0. Unit u of layer l sees input pixels
c_l + u·j_l ± (r_l − 1)/2.

The brute-force check (tests, and the map on the page) builds the same stack in torch and takes the
gradient of one output unit with respect to the input: the pixels with a non-zero gradient are the
ones that unit actually depends on. The page's experiment (`run_rf`) traces the centre unit of the last
layer back onto a photo that way, next to the boxes the arithmetic predicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import images
from core.params import ParamError, Typed

LATEX = (
    r"k^\text{eff}_l = d_l(k_l - 1) + 1,\quad n_l = \left\lfloor \frac{n_{l-1} + 2p_l - k^\text{eff}_l}{s_l}"
    r"\right\rfloor + 1,\quad j_l = j_{l-1}\,s_l,\quad r_l = r_{l-1} + (k^\text{eff}_l - 1)\,j_{l-1}"
)
MAX_LAYERS = 12
K_MAX, S_MAX, P_MAX, D_MAX = 11, 4, 8, 8
_TOKEN = re.compile(r"^([cma])(\d{1,2})((?:[spd]\d{1,2})*)$")
_SUFFIX = re.compile(r"([spd])(\d{1,2})")


@dataclass(frozen=True)
class Layer:
    kind: str  # "c" | "m" | "a"
    k: int
    s: int
    p: int
    d: int = 1

    @property
    def k_eff(self) -> int:
        return self.d * (self.k - 1) + 1

    @staticmethod
    def defaults(kind: str, k: int, d: int = 1) -> dict:
        return {"s": 1, "p": d * (k - 1) // 2} if kind == "c" else {"s": k, "p": 0}

    def token(self) -> str:
        """Canonical text: the kind and kernel, then only the suffixes that differ from the defaults."""
        base = self.defaults(self.kind, self.k, self.d)
        text = f"{self.kind}{self.k}"
        if self.s != base["s"]:
            text += f"s{self.s}"
        if self.p != base["p"]:
            text += f"p{self.p}"
        if self.d != 1:
            text += f"d{self.d}"
        return text


def parse_layer(token: str) -> Layer:
    m = _TOKEN.match(token.strip().lower())
    if not m:
        raise ParamError("type", expected="layers")
    kind, k = m.group(1), int(m.group(2))
    given = dict((key, int(v)) for key, v in _SUFFIX.findall(m.group(3)))
    d = given.get("d", 1)
    if kind != "c" and d != 1:
        raise ParamError("type", expected="layers")  # torch's avg pooling has no dilation; keep pools plain
    if not (
        1 <= k <= K_MAX and 1 <= given.get("s", 1) <= S_MAX and 0 <= given.get("p", 0) <= P_MAX and 1 <= d <= D_MAX
    ):
        raise ParamError("type", expected="layers")
    base = Layer.defaults(kind, k, d)
    return Layer(kind, k, given.get("s", base["s"]), given.get("p", base["p"]), d)


def parse_stack(text: str) -> tuple[Layer, ...]:
    tokens = [t for t in str(text).replace(" ", "").split(",") if t]
    if not 1 <= len(tokens) <= MAX_LAYERS:
        raise ParamError("length", lo=1, hi=MAX_LAYERS)
    return tuple(parse_layer(t) for t in tokens)


def encode_stack(layers: tuple[Layer, ...]) -> str:
    return ",".join(layer.token() for layer in layers)


@dataclass(frozen=True)
class Stack(Typed):
    """A layer stack as a URL value. The value is the canonical text, so widgets and links hold a string."""

    def parse(self, raw: str) -> str:
        return encode_stack(parse_stack(raw))

    def samples(self) -> list:
        return [self.default, "c3", ",".join(["m2s1"] * MAX_LAYERS)]


@dataclass(frozen=True)
class Row:
    """One layer's geometry for the table and the drawing."""

    layer: Layer
    n: int  # output size
    jump: int
    rf: int
    centre0: float  # centre of unit 0 in input pixel coordinates


def table(layers: tuple[Layer, ...], n_in: int) -> list[Row]:
    """The per-layer recurrences (see the module docstring); stops before a layer with no output."""
    n, j, r, c = n_in, 1, 1, 0.0
    rows = []
    for layer in layers:
        n_next = (n + 2 * layer.p - layer.k_eff) // layer.s + 1  # output size, floor mode
        if n + 2 * layer.p < layer.k_eff or n_next < 1:
            break
        c = c + ((layer.k_eff - 1) / 2 - layer.p) * j  # centre of unit 0
        r = r + (layer.k_eff - 1) * j  # receptive field
        j = j * layer.s  # jump
        n = n_next
        rows.append(Row(layer, n, j, r, c))
    return rows


def box(row: Row, unit: int) -> tuple[float, float]:
    """Input pixel span [first, last] (inclusive, may reach outside the image) seen by `unit` of a layer."""
    centre = row.centre0 + unit * row.jump
    half = (row.rf - 1) / 2
    return centre - half, centre + half


def fix_pool_padding(layers: tuple[Layer, ...]) -> tuple[tuple[Layer, ...], list[int]]:
    """Pools with padding above k/2 (torch refuses them) get p = k//2; returns the indices changed."""
    fixed, changed = [], []
    for i, layer in enumerate(layers):
        if layer.kind != "c" and 2 * layer.p > layer.k:
            fixed.append(Layer(layer.kind, layer.k, layer.s, layer.k // 2, layer.d))
            changed.append(i)
        else:
            fixed.append(layer)
    return tuple(fixed), changed


# ---- the same stack in torch ---------------------------------------------------------------------


def build(layers: tuple[Layer, ...], *, pool_as_avg: bool = False, dtype=torch.float64) -> nn.Sequential:
    """A one-channel torch stack with the given geometry. Convolutions are box filters (all weights
    1/k², no bias) so every pixel in reach has a positive path; `pool_as_avg` swaps max pooling for
    average pooling (same geometry, but the gradient reaches the whole window instead of its argmax)."""
    mods: list[nn.Module] = []
    for layer in layers:
        if layer.kind == "c":
            conv = nn.Conv2d(1, 1, layer.k, layer.s, layer.p, layer.d, bias=False, dtype=dtype)
            nn.init.constant_(conv.weight, 1.0 / layer.k**2)
            mods.append(conv)
        elif layer.kind == "m" and not pool_as_avg:
            mods.append(nn.MaxPool2d(layer.k, layer.s, layer.p))
        else:
            mods.append(nn.AvgPool2d(layer.k, layer.s, layer.p))
    return nn.Sequential(*mods)


def input_gradient(layers: tuple[Layer, ...], image: torch.Tensor, *, pool_as_avg: bool = False) -> torch.Tensor:
    """d y[centre unit] / d image for a (H, W) image through the torch stack: an (H, W) map."""
    net = build(layers, pool_as_avg=pool_as_avg, dtype=image.dtype)
    x = image.detach().clone().reshape(1, 1, *image.shape).requires_grad_(True)
    with torch.enable_grad():
        y = net(x)  # (1, 1, n_h, n_w)
        uh, uw = (y.shape[-2] - 1) // 2, (y.shape[-1] - 1) // 2
        (grad,) = torch.autograd.grad(y[0, 0, uh, uw], x)
    return grad[0, 0]


# ---- the receptive-field experiment: a stack on a photo, traced back by autograd ------------------


@dataclass(frozen=True)
class RFResult:
    rows: tuple[Row, ...]
    n_in: int
    unit: tuple[int, int]  # the traced unit of the last layer (its centre unit)
    boxes: tuple[tuple[float, float], ...]  # per layer: input span of the unit above the traced one
    image: np.ndarray  # (n, n) uint8, the input
    grad: np.ndarray  # (n, n) float32, |∂y/∂x| of the traced unit, max-normalised
    support: tuple[int, int, int, int]  # rows and cols (first, last) where the gradient is non-zero
    support_share: float  # share of the theoretical receptive field (inside the image) with gradient


def _square(img: torch.Tensor, n: int) -> torch.Tensor:
    """(1, H, W) -> (n, n): centre square crop, then area/bilinear resize."""
    h, w = img.shape[-2:]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    crop = img[:, top : top + side, left : left + side].unsqueeze(0)
    mode = "area" if side >= n else "bilinear"
    return F.interpolate(crop, size=(n, n), mode=mode)[0, 0]


def run_rf(v: dict) -> RFResult:
    layers, n = parse_stack(v["layers"]), v["rf_in"]
    rows = tuple(table(layers, n))
    img = _square(images.builtin(v["rf_img"], max_side=512, gray=True), n).double()
    grad = input_gradient(tuple(r.layer for r in rows), img).abs()
    u = (rows[-1].n - 1) // 2  # the traced unit: the centre of the last layer
    boxes = tuple(box(row, _unit_at(rows, i, u)) for i, row in enumerate(rows))
    nz = (grad > 0).nonzero()  # (K, 2) row, col of every pixel the traced unit depends on
    support = (0, -1, 0, -1)
    if len(nz):
        support = (int(nz[:, 0].min()), int(nz[:, 0].max()), int(nz[:, 1].min()), int(nz[:, 1].max()))
    lo, hi = boxes[-1]
    inside = max(0, min(hi, n - 1) - max(lo, 0) + 1)
    share = float((grad > 0).sum()) / max(1.0, inside**2)
    peak = float(grad.max())
    return RFResult(
        rows,
        n,
        (u, u),
        boxes,
        (img * 255).round().to(torch.uint8).numpy(),
        (grad / peak if peak > 0 else grad).numpy().astype(np.float32),
        support,
        share,
    )


def _unit_at(rows: tuple[Row, ...], layer: int, last_unit: int) -> int:
    """The unit of `layer` nearest to the centre of the last layer's traced unit (for nested boxes)."""
    centre = rows[-1].centre0 + last_unit * rows[-1].jump
    row = rows[layer]
    return int(min(row.n - 1, max(0, round((centre - row.centre0) / row.jump))))


def rf_summary(r: RFResult) -> dict:
    return {
        "input": r.n_in,
        "layers": [
            {
                "layer": row.layer.token(),
                "kernel": row.layer.k,
                "stride": row.layer.s,
                "padding": row.layer.p,
                "dilation": row.layer.d,
                "output": row.n,
                "jump": row.jump,
                "receptive_field": row.rf,
            }
            for row in r.rows
        ],
        "traced_unit": list(r.unit),
        "gradient_support": list(r.support),
    }
