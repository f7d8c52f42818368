"""The activation functions, as a table shared by the explorer and the trainer.

Each entry is f(x, values) in PyTorch (values carries the knobs: leak, elu_alpha, ...), its formula
in LaTeX, with `{knob}` placeholders that `latex` fills in, and its kinks (where f or f′ is not smooth,
whatever the knobs: quadrature splits there). Derivatives are never typed in: callers
use torch.autograd (see `evaluate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

# the knobs' default values (the explorer's sliders start here; the trainer uses these values)
KNOB_DEFAULTS = {"leak": 0.01, "prelu_a": 0.25, "elu_alpha": 1.0, "swish_beta": 1.0, "softplus_beta": 1.0}


Fn = Callable[[torch.Tensor, dict], torch.Tensor]


@dataclass(frozen=True)
class Activation:
    fn: Fn  # f(x, values): values carries the knobs (leak, elu_alpha, ...)
    latex: str
    knob: str | None = None  # the parameter this function reads, if any
    kinks: tuple[float, ...] = ()  # where f or f′ jumps or has a corner (integration splits there)


def _step(x: torch.Tensor, v: dict) -> torch.Tensor:
    return (x > 0).to(x.dtype) + 0.0 * x  # Heaviside; the 0·x keeps x in the graph so f' = 0


FUNCTIONS: dict[str, Activation] = {
    "identity": Activation(lambda x, v: x, r"f(x) = x"),
    "step": Activation(_step, r"H(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}", kinks=(0.0,)),
    "sigmoid": Activation(lambda x, v: torch.sigmoid(x), r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
    "tanh": Activation(
        lambda x, v: torch.tanh(x), r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1"
    ),
    "relu": Activation(lambda x, v: F.relu(x), r"\mathrm{ReLU}(x) = \max(0, x)", kinks=(0.0,)),
    "leaky_relu": Activation(
        lambda x, v: F.leaky_relu(x, v["leak"]),
        r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases},\ \alpha = {leak}",
        "leak",
        kinks=(0.0,),
    ),
    "prelu": Activation(
        lambda x, v: F.prelu(x, torch.tensor([v["prelu_a"]], dtype=x.dtype)),
        r"\mathrm{PReLU}(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases},\ a = {prelu_a}\ \text{(learned)}",
        "prelu_a",
        kinks=(0.0,),
    ),
    "elu": Activation(
        lambda x, v: F.elu(x, v["elu_alpha"]),
        r"\mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},\ \alpha = {elu_alpha}",
        "elu_alpha",
        kinks=(0.0,),
    ),
    "selu": Activation(
        lambda x, v: F.selu(x),
        r"\mathrm{SELU}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
        r"\ \alpha \approx 1.6733,\ \lambda \approx 1.0507",
        kinks=(0.0,),
    ),
    "gelu": Activation(
        lambda x, v: F.gelu(x), r"\mathrm{GELU}(x) = x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)"
    ),
    "gelu_tanh": Activation(
        lambda x, v: F.gelu(x, approximate="tanh"),
        r"\mathrm{GELU}_{\tanh}(x) = \tfrac{x}{2}\left(1 + \tanh\!\left("
        r"\sqrt{2/\pi}\,(x + 0.044715\,x^{3})\right)\right)",
    ),
    "silu": Activation(
        lambda x, v: x * torch.sigmoid(v["swish_beta"] * x),
        r"\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x),\ \beta = {swish_beta}\ (\beta = 1:\ \mathrm{SiLU})",
        "swish_beta",
    ),
    "softplus": Activation(
        lambda x, v: F.softplus(x, beta=v["softplus_beta"]),
        r"\mathrm{Softplus}_\beta(x) = \tfrac{1}{\beta}\log\left(1 + e^{\beta x}\right),\ \beta = {softplus_beta}",
        "softplus_beta",
    ),
    "mish": Activation(lambda x, v: F.mish(x), r"\mathrm{Mish}(x) = x \tanh\left(\mathrm{softplus}(x)\right)"),
    "hardsigmoid": Activation(
        lambda x, v: F.hardsigmoid(x),
        r"\mathrm{HardSigmoid}(x) = \max\left(0, \min\left(1, \tfrac{x}{6} + \tfrac{1}{2}\right)\right)",
        kinks=(-3.0, 3.0),
    ),
    "hardtanh": Activation(
        lambda x, v: F.hardtanh(x), r"\mathrm{HardTanh}(x) = \max(-1, \min(1, x))", kinks=(-1.0, 1.0)
    ),
}

KNOBS = tuple(KNOB_DEFAULTS)


def latex(key: str, values: dict) -> str:
    """The formula with this view's knob values filled in."""
    text = FUNCTIONS[key].latex
    for knob in KNOBS:
        text = text.replace("{" + knob + "}", f"{values[knob]:g}")
    return text


def evaluate(keys: tuple[str, ...], x: torch.Tensor, values: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """f and f' for each function on the 1-D grid x: two (F, N) tensors, f' by autograd."""
    xs = x.detach().expand(len(keys), -1).clone().requires_grad_(True)  # (F, N), one row per function
    y = torch.stack([FUNCTIONS[k].fn(xs[i], values) for i, k in enumerate(keys)])  # (F, N)
    (dy,) = torch.autograd.grad(y.sum(), xs)  # rows are independent, so d(sum)/dx_ij = f_i'(x_ij)
    return y.detach(), dy
