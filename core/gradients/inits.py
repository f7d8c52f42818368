"""Weight initializations and the variance each one gives a weight W_ij of a layer with
fan_in inputs and fan_out outputs (what the gradient page plots and the tests check).

    PyTorch default  U(−1/√fan_in, 1/√fan_in)            Var = 1/(3·fan_in)
        nn.Linear.reset_parameters calls kaiming_uniform_(a=√5): gain √(2/(1+a²)) = √(1/3),
        bound = gain·√(3/fan_in) = 1/√fan_in. This is *not* He initialization (Var = 2/fan_in):
        it is 6× smaller, so a deep net with it shrinks its signal at every layer.
    N(0, σ²)         σ fixed, whatever the width          Var = σ²
    Xavier/Glorot    U(±√(6/(fan_in+fan_out)))           Var = 2/(fan_in+fan_out)     (Glorot & Bengio, 2010)
                     or N(0, 2/(fan_in+fan_out))
    He/Kaiming       N(0, 2/fan_in)                      Var = 2/fan_in               (He et al., 2015)
    LeCun            N(0, 1/fan_in)                      Var = 1/fan_in               (LeCun et al., 1998; SELU)
    Orthogonal       Q of a QR of a Gaussian matrix      Var = 1/max(fan_in, fan_out) (Saxe et al., 2014)
                     (square: W Wᵀ = I exactly, so every vector keeps its length through the linear part)

Biases: the PyTorch default draws them from U(−1/√fan_in, 1/√fan_in) too; every other scheme here
sets them to 0.

Weights are built from *base* draws shared by every scheme: Z ~ N(0, 1), U ~ U(−1, 1) and the
orthogonal Q of Z, one set per (seed, shapes). A scheme only scales them, so two configurations on
the same seed start from the same random numbers and differ only by their scheme.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Init:
    base: str  # which base draw the scheme scales: "normal", "uniform" or "orthogonal"
    scale: Callable[[int, int, float], float]  # (fan_in, fan_out, sigma) -> multiplier of the base draw
    variance: Callable[[int, int, float], float]  # (fan_in, fan_out, sigma) -> Var(W_ij), the formula
    latex: str
    bias: bool = False  # True: biases ~ U(±1/√fan_in) (PyTorch default); False: biases = 0


INITS: dict[str, Init] = {
    "default": Init(
        "uniform",
        lambda i, o, s: 1 / math.sqrt(i),
        lambda i, o, s: 1 / (3 * i),
        r"W_{ij} \sim U\!\left(-\tfrac{1}{\sqrt{n_\mathrm{in}}}, \tfrac{1}{\sqrt{n_\mathrm{in}}}\right),"
        r"\ \mathrm{Var} = \tfrac{1}{3 n_\mathrm{in}}",
        bias=True,
    ),
    "normal": Init(
        "normal",
        lambda i, o, s: s,
        lambda i, o, s: s * s,
        r"W_{ij} \sim \mathcal{N}(0, \sigma^2),\ \mathrm{Var} = \sigma^2",
    ),
    "xavier_uniform": Init(
        "uniform",
        lambda i, o, s: math.sqrt(6 / (i + o)),
        lambda i, o, s: 2 / (i + o),
        r"W_{ij} \sim U\!\left(\pm\sqrt{\tfrac{6}{n_\mathrm{in} + n_\mathrm{out}}}\right),"
        r"\ \mathrm{Var} = \tfrac{2}{n_\mathrm{in} + n_\mathrm{out}}",
    ),
    "xavier_normal": Init(
        "normal",
        lambda i, o, s: math.sqrt(2 / (i + o)),
        lambda i, o, s: 2 / (i + o),
        r"W_{ij} \sim \mathcal{N}\!\left(0, \tfrac{2}{n_\mathrm{in} + n_\mathrm{out}}\right)",
    ),
    "he": Init(
        "normal",
        lambda i, o, s: math.sqrt(2 / i),
        lambda i, o, s: 2 / i,
        r"W_{ij} \sim \mathcal{N}\!\left(0, \tfrac{2}{n_\mathrm{in}}\right)",
    ),
    "lecun": Init(
        "normal",
        lambda i, o, s: math.sqrt(1 / i),
        lambda i, o, s: 1 / i,
        r"W_{ij} \sim \mathcal{N}\!\left(0, \tfrac{1}{n_\mathrm{in}}\right)",
    ),
    "orthogonal": Init(
        "orthogonal",
        lambda i, o, s: 1.0,
        lambda i, o, s: 1 / max(i, o),
        r"W = Q,\ Q Q^\top = I\ (\text{or } Q^\top Q = I),"
        r"\ \mathrm{Var} = \tfrac{1}{\max(n_\mathrm{in}, n_\mathrm{out})}",
    ),
}


def sigma_scale(sigma: float, n: int) -> dict[str, float]:
    """A fixed σ against the width-aware scales at fan-in n: He's √(2/n), LeCun's 1/√n, and the ratios
    (σ = 1 at n = 128 is 8× He's 0.125 and 11.3× LeCun's 0.088)."""
    he_std, lecun_std = math.sqrt(INITS["he"].variance(n, n, sigma)), math.sqrt(INITS["lecun"].variance(n, n, sigma))
    return {
        "n": n,
        "sigma": sigma,
        "he_std": he_std,
        "lecun_std": lecun_std,
        "he_ratio": sigma / he_std,
        "lecun_ratio": sigma / lecun_std,
    }


def orthogonal(z: torch.Tensor) -> torch.Tensor:
    """Orthogonal matrices from Gaussian ones, batched over leading dims (the method of
    torch.nn.init.orthogonal_): QR of the tall orientation, signs fixed by diag(R) so Q is uniform."""
    rows, cols = z.shape[-2:]
    tall = z if rows >= cols else z.transpose(-2, -1)
    q, r = torch.linalg.qr(tall)  # (…, max, min)
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).unsqueeze(-2)
    return q if rows >= cols else q.transpose(-2, -1)


def base(kind: str, shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    """One base draw: N(0, 1), U(−1, 1), or orthogonal (over the last two dims)."""
    if kind == "uniform":
        return torch.empty(shape).uniform_(-1.0, 1.0, generator=gen)
    z = torch.randn(shape, generator=gen)
    return orthogonal(z) if kind == "orthogonal" else z


def weight(key: str, fan_out: int, fan_in: int, sigma: float, gen: torch.Generator) -> torch.Tensor:
    """One (fan_out, fan_in) weight matrix of scheme `key` (fresh draws from `gen`)."""
    init = INITS[key]
    return base(init.base, (fan_out, fan_in), gen) * init.scale(fan_in, fan_out, sigma)
