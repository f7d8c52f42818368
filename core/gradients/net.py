"""The deep MLP of the gradient page, and one forward + backward pass that measures every layer.

    h_0 = x (B, 64),   z_l = N(W_l h_{l−1} + b_l),   h_l = φ(z_l)  [+ h_{l−1} if residual, l ≥ 2]
    logits = W_out h_L + b_out,   loss = cross-entropy(logits, y)
N is nothing, batch norm (statistics of the batch, per unit) or layer norm (per sample), both without
learned scale and shift.

Backward, for a plain net (no norm, no skip):  ∂L/∂h_{l−1} = W_lᵀ (φ′(z_l) ⊙ ∂L/∂h_l), so
    ‖∂L/∂h_{l−1}‖² ≈ n_in · Var(W_l) · E[φ′(z_l)²] · ‖∂L/∂h_l‖²          (mean-field estimate;
Poole et al. 2016, Schoenholz et al. 2017). With sigmoid, φ′ ≤ 1/4, so the factor per layer is at most
¼·√(n_in·Var W): below 1 unless Var W > 16/n_in. The gradient of the weights is ∂L/∂W_l = δ_lᵀ h_{l−1}
with δ_l = ∂L/∂z_l: the product of a backward quantity that shrinks towards the input and a forward
one (h_{l−1}) that, with a small init and tanh, shrinks towards the output — so the two trends can
cancel and ‖∂L/∂W_l‖ stays flat while ‖∂L/∂h_l‖ vanishes (Glorot & Bengio, 2010, §4.2).

Every per-layer number is stacked on the device and read in one transfer (`.cpu()` once).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from core.activation_fns import FUNCTIONS
from core.gradients import inits

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu")
KNOBS = {"leak": 0.01, "elu_alpha": 1.0}  # PyTorch's defaults for F.leaky_relu and F.elu
NORMS = ("none", "batch", "layer")
D_IN, D_OUT = 64, 10  # 8×8 digits (or 64 standard-normal features) -> 10 classes
HIST_BINS, HIST_ROWS = 48, 32  # histograms of h_l use the first HIST_ROWS samples of the batch
CACHE_LIMIT = 4_000_000  # base draws bigger than this many numbers are not kept between runs


@dataclass(frozen=True)
class Net:
    """One configuration of the network (the page compares two on the same seed)."""

    act: str
    init: str
    sigma: float = 1.0
    norm: str = "none"
    res: bool = False

    @property
    def plain(self) -> bool:
        return self.norm == "none" and not self.res


# ---- weights ---------------------------------------------------------------------------------------


def _draw(seed: int, depth: int, width: int, kind: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    if kind == "orthogonal":  # the Q factors of the normal draws
        first, hidden, head = draws(seed, depth, width, "normal")
        return inits.orthogonal(first), inits.orthogonal(hidden), inits.orthogonal(head)
    gen = torch.Generator().manual_seed(seed * 8 + {"normal": 0, "uniform": 1, "bias": 2}[kind])
    if kind == "bias":  # U(−1, 1) per unit: hidden biases (depth, width) and the head's (D_OUT,)
        return inits.base("uniform", (depth, width), gen), inits.base("uniform", (D_OUT,), gen), torch.empty(0)
    return (
        inits.base(kind, (width, D_IN), gen),
        inits.base(kind, (depth - 1, width, width), gen),
        inits.base(kind, (D_OUT, width), gen),
    )


_draw_cached = lru_cache(maxsize=6)(_draw)


def draws(seed: int, depth: int, width: int, kind: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Base draws (CPU, never modified): first (width, 64), hidden (depth−1, width, width), head (10, width)."""
    small = depth * width * width <= CACHE_LIMIT
    return (_draw_cached if small else _draw)(seed, depth, width, kind)


@dataclass
class Params:
    first: torch.Tensor  # (width, 64)
    hidden: torch.Tensor  # (depth−1, width, width), layers 2..L
    bias: torch.Tensor  # (depth, width)
    head: torch.Tensor  # (10, width)
    head_bias: torch.Tensor  # (10,)

    def tensors(self) -> list[torch.Tensor]:
        return [self.first, self.hidden, self.bias, self.head, self.head_bias]


def params(net: Net, seed: int, depth: int, width: int, device: torch.device, grad: bool = True) -> Params:
    """Fresh leaf tensors of `net`'s scheme on `device`, scaled from the shared base draws."""
    init = inits.INITS[net.init]
    first, hidden, head = draws(seed, depth, width, init.base)
    scale = lambda fan_in, fan_out: init.scale(fan_in, fan_out, net.sigma)
    if init.bias:  # PyTorch default: b ~ U(±1/√fan_in)
        b, hb = draws(seed, depth, width, "bias")[:2]
        fan_ins = torch.full((depth, 1), 1 / np.sqrt(width))
        fan_ins[0] = 1 / np.sqrt(D_IN)
        bias, head_bias = b * fan_ins, hb / np.sqrt(width)
    else:
        bias, head_bias = torch.zeros(depth, width), torch.zeros(D_OUT)
    p = Params(first * scale(D_IN, width), hidden * scale(width, width), bias, head * scale(width, D_OUT), head_bias)
    for name, t in vars(p).items():
        setattr(p, name, t.to(device=device, dtype=torch.float32).requires_grad_(grad))
    return p


# ---- forward ----------------------------------------------------------------------------------------


def forward(p: Params, x: torch.Tensor, net: Net) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """logits (B, 10), activations h_1..h_L and activation inputs z_1..z_L (each (B, width))."""
    act = FUNCTIONS[net.act].fn
    weights = [p.first, *p.hidden.unbind(0)]  # unbind: one stack in backward, not a zero-filled copy per layer
    hs, zs, h = [], [], x
    for layer, (w, b) in enumerate(zip(weights, p.bias.unbind(0))):
        z = F.linear(h, w, b)  # (B, width)
        if net.norm == "batch":
            z = F.batch_norm(z, None, None, training=True)
        elif net.norm == "layer":
            z = F.layer_norm(z, z.shape[-1:])
        a = act(z, KNOBS)
        h = h + a if net.res and layer > 0 else a
        zs.append(z)
        hs.append(h)
    return F.linear(h, p.head, p.head_bias), hs, zs


# ---- one measured pass --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """Per-layer numbers of one configuration (layer 1 = next to the input, L = next to the output)."""

    net: Net
    act_grad: np.ndarray  # (L,) ‖∂L/∂h_l‖ over the batch
    weight_grad: np.ndarray  # (L,) ‖∂L/∂W_l‖_F
    mean: np.ndarray  # (L,) mean of h_l
    std: np.ndarray  # (L,) standard deviation of h_l
    hist: np.ndarray  # (L, HIST_BINS) share of h_l's values in each bin (float32)
    edges: np.ndarray  # (HIST_BINS + 1,) common bin edges of this configuration
    phi2: np.ndarray  # (L,) E[φ′(z_l)²] over the sampled rows
    theory: np.ndarray  # (L,) mean-field prediction of ‖∂L/∂h_l‖ from the top layer down (plain nets; else NaN)
    loss: float
    weight_var_formula: float  # Var(W) of layers 2..L by the scheme's formula
    gain: float  # √(n_in · Var W) from the formula: the weights' share of the per-layer factor
    max_slope: float  # max φ′ over the real line


@cache
def max_slope(act: str) -> float:
    """max φ′(x) over x ∈ [−10, 10] by autograd (sigmoid: 1/4, tanh: 1, SELU: λα ≈ 1.76)."""
    x = torch.linspace(-10, 10, 20001, dtype=torch.float64, requires_grad=True)
    (d,) = torch.autograd.grad(FUNCTIONS[act].fn(x, KNOBS).sum(), x)
    return float(d.max())


def measure(net: Net, x: torch.Tensor, y: torch.Tensor, seed: int, depth: int, width: int) -> Probe:
    """Forward + backward on the batch (x, y); every statistic of every layer in one transfer."""
    p = params(net, seed, depth, width, x.device)
    logits, hs, zs = forward(p, x, net)
    loss = F.cross_entropy(logits, y)
    grads = torch.autograd.grad(loss, [*hs, p.first, p.hidden])
    # norms in float64: squares of float32 gradients below ~1e-19 would underflow to 0
    act_grad = torch.stack([torch.linalg.vector_norm(g, dtype=torch.float64) for g in grads[:depth]])  # (L,)
    weight_grad = torch.cat(
        [
            torch.linalg.vector_norm(grads[depth], dtype=torch.float64).view(1),
            torch.linalg.vector_norm(grads[depth + 1], dim=(1, 2), dtype=torch.float64),
        ]
    )  # (L,)
    h = torch.stack([h.detach() for h in hs]).view(depth, -1)  # (L, B·width)
    # float64 sums: activations of 1e20 are finite in float32, their squares are not
    mean = h.mean(1, dtype=torch.float64)
    std = torch.linalg.vector_norm(h - mean.float()[:, None], dim=1, dtype=torch.float64) / h.shape[1] ** 0.5
    rows = min(HIST_ROWS, x.shape[0])
    with torch.enable_grad():  # φ′ on a sample of the activation inputs, by autograd
        zsub = torch.stack([z.detach()[:rows] for z in zs]).requires_grad_(True)  # (L, R, width)
        (slope,) = torch.autograd.grad(FUNCTIONS[net.act].fn(zsub, KNOBS).sum(), zsub)
    phi2 = slope.pow(2).mean((1, 2))  # (L,)
    counts, edges = _histograms(h[:, : rows * width], mean.float(), std.float())
    out = (
        torch.cat(
            [
                act_grad,
                weight_grad,
                mean,
                std,
                phi2.double(),
                counts.double(),
                edges.double(),
                loss.detach().double().view(1),
            ]
        )
        .cpu()
        .numpy()
    )  # the one transfer
    L, nb = depth, HIST_BINS
    g_h, g_w, mean, std, phi2, counts, edges, loss_v = np.split(out, np.cumsum([L, L, L, L, L, L * nb, nb + 1]))
    formula = inits.INITS[net.init].variance(width, width, net.sigma)
    gain = float(np.sqrt(width * formula))
    return Probe(
        net=net,
        act_grad=g_h.astype(np.float32),
        weight_grad=g_w.astype(np.float32),
        mean=mean.astype(np.float32),
        std=std.astype(np.float32),
        hist=(counts.reshape(L, nb) / (rows * width)).astype(np.float32),
        edges=edges.astype(np.float32),
        phi2=phi2.astype(np.float32),
        theory=_theory(g_h, phi2, gain, net).astype(np.float32),
        loss=float(loss_v[0]),
        weight_var_formula=float(formula),
        gain=gain,
        max_slope=max_slope(net.act),
    )


def _histograms(h: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Counts (L·HIST_BINS,) of each layer's values h (L, N) over edges common to all layers: the
    union of every finite layer's mean ± 4 std, cut to its values' extent. Non-finite values are left out."""
    L = h.shape[0]
    lo_l = torch.maximum(h.amin(1), mean - 4 * std)  # NaN for a layer holding NaN or inf: excluded below
    hi_l = torch.minimum(h.amax(1), mean + 4 * std)
    ok = torch.isfinite(lo_l) & torch.isfinite(hi_l)
    big = torch.finfo(h.dtype).max
    lo = torch.where(ok.any(), torch.where(ok, lo_l, big).amin(), -1.0)
    hi = torch.where(ok.any(), torch.where(ok, hi_l, -big).amax(), 1.0)
    pad = torch.clamp(1e-6 * torch.maximum(hi.abs(), lo.abs()), min=1e-12)  # a constant layer: widen the range
    narrow = hi - lo < pad
    lo, hi = torch.where(narrow, lo - pad, lo), torch.where(narrow, hi + pad, hi)
    pos = (h - lo).mul_(HIST_BINS / (hi - lo))  # bin position; NaN/inf stay non-finite
    inside = (pos >= 0) & (pos <= HIST_BINS)  # False for NaN
    offset = torch.arange(L, device=h.device).unsqueeze(1) * HIST_BINS
    idx = torch.where(inside, pos.clamp_(0, HIST_BINS - 1).long() + offset, L * HIST_BINS)  # last slot: left out
    counts = torch.bincount(idx.flatten(), minlength=L * HIST_BINS + 1)[:-1]
    return counts, torch.linspace(0, 1, HIST_BINS + 1, device=h.device, dtype=h.dtype) * (hi - lo) + lo


def _theory(act_grad: np.ndarray, phi2: np.ndarray, gain: float, net: Net) -> np.ndarray:
    """Mean-field prediction of ‖∂L/∂h_l‖, anchored at the measured top layer: going down through
    layer l multiplies by √(n_in·Var W · E[φ′(z_l)²]) = gain · rms φ′(z_l). Only for plain nets."""
    L = len(act_grad)
    if not net.plain or not np.isfinite(act_grad[-1]):
        return np.full(L, np.nan)
    factors = gain * np.sqrt(phi2[1:])  # layer l (2..L) takes ∂L/∂h_l to ∂L/∂h_{l−1}
    with np.errstate(over="ignore", invalid="ignore"):
        cum = np.concatenate([np.cumprod(factors[::-1])[::-1], [1.0]])
        return act_grad[-1] * cum


def factor(values: np.ndarray) -> float:
    """Geometric-mean change per layer from layer L down to layer 1: (v_1 / v_L)^(1/(L−1)); NaN if not finite."""
    a, b = float(values[0]), float(values[-1])
    if not (np.isfinite(a) and np.isfinite(b)) or a <= 0 or b <= 0:
        return float("nan")
    return (a / b) ** (1 / (len(values) - 1))


def pair(values: dict) -> tuple[Net, Net]:
    """Configurations A and B from a page's values (keys act_a, init_a, sigma_a, norm_a, res_a, … _b)."""
    return tuple(
        Net(
            values[f"act_{k}"],
            values[f"init_{k}"],
            float(values[f"sigma_{k}"]),
            values[f"norm_{k}"],
            bool(values[f"res_{k}"]),
        )
        for k in "ab"
    )


def diagnose(p: Probe) -> dict:
    """Where the numbers stop being usable: the first layer whose activations are inf/NaN, whether any
    gradient is inf/NaN, and the layers whose activation gradient underflowed to exactly 0 in float32."""
    bad_forward = np.flatnonzero(~(np.isfinite(p.mean) & np.isfinite(p.std)))
    return {
        "first_nonfinite_layer": int(bad_forward[0]) + 1 if len(bad_forward) else None,
        "gradient_nonfinite": bool(not np.isfinite(p.act_grad).all() or not np.isfinite(p.weight_grad).all()),
        "underflow_layers": [int(i) + 1 for i in np.flatnonzero(p.act_grad == 0)],
    }
