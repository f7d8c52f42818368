"""The losses the page compares, each written with torch.nn.functional where torch has it.

Regression, as a function of the residual r = ŷ − y (prediction minus target):
    MSE        r²                                           F.mse_loss
    MAE        |r|                                          F.l1_loss
    Huber δ    ½r² if |r| ≤ δ, else δ(|r| − ½δ)             F.huber_loss(delta=δ)
    smooth L1  ½r²/β if |r| < β, else |r| − ½β  (= Huber/β)   F.smooth_l1_loss(beta=β)   (β = the page's δ)
    log-cosh   log cosh r                                   closed form (torch has none), overflow-safe
    quantile τ max(τu, (τ − 1)u) with u = y − ŷ = −r          closed form (the pinball loss; Koenker 2005)

Classification (y ∈ {−1, +1}, score f), as a function of the margin m = y·f:
    0-1         [m ≤ 0]                                     no gradient anywhere: it cannot be trained on
    logistic    log(1 + e^{−m})                             F.soft_margin_loss (= BCE with logits)
    hinge       max(0, 1 − m)                               F.multi_margin_loss on the logits (0, m), × 2
    sq. hinge   max(0, 1 − m)²                              F.multi_margin_loss(p=2), × 2
    exponential e^{−m}                                      closed form (AdaBoost's loss)
    focal γ     −(1 − p)^γ log p,  p = σ(m)                 closed form (Lin et al. 2017; γ = 0 is logistic)
    MSE on p    (1 − σ(m))²                                 F.mse_loss(σ(m), 1): squared error on the probability

Every derivative on the page is torch.autograd of these functions (never typed in); tests check each
value against the closed form and each gradient against autograd of the closed form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def log_cosh(r: Tensor) -> Tensor:
    """log cosh r = |r| + log(1 + e^{−2|r|}) − log 2, without overflow for large |r|."""
    a = r.abs()
    return a + F.softplus(-2 * a) - math.log(2.0)


def pinball(r: Tensor, tau: float) -> Tensor:
    """Quantile (pinball) loss of the residual r = ŷ − y: with u = y − ŷ, max(τu, (τ − 1)u)."""
    u = -r
    return torch.maximum(tau * u, (tau - 1) * u)


def focal(m: Tensor, gamma: float) -> Tensor:
    """−(1 − p)^γ log p with p = σ(m), in log space: (1 − p) = σ(−m), log p = log σ(m)."""
    return -torch.sigmoid(-m).pow(gamma) * F.logsigmoid(m)


def _two_logits(m: Tensor) -> tuple[Tensor, Tensor]:
    """The margin m as a two-class problem: logits (0, m) (N, 2) with the true class 1."""
    z = torch.stack([torch.zeros_like(m), m], -1).reshape(-1, 2)
    return z, torch.ones(z.shape[0], dtype=torch.long, device=m.device)


def _multi_margin(m: Tensor, p: int) -> Tensor:
    z, y = _two_logits(m)
    return 2 * F.multi_margin_loss(z, y, p=p, margin=1.0, reduction="none").reshape(m.shape)  # torch divides by C = 2


@dataclass(frozen=True)
class Loss:
    key: str
    family: str  # "reg" (of the residual) or "cls" (of the margin)
    fn: Callable[[Tensor, Mapping[str, float]], Tensor]  # elementwise: (residual or margin, knobs) -> loss
    torch_call: str  # what the page says computes it
    latex: str
    knob: str | None = None  # the page knob it reads (delta, tau, gamma)


def _zero(y: Tensor) -> Tensor:
    return torch.zeros_like(y)


REGRESSION: dict[str, Loss] = {
    "mse": Loss("mse", "reg", lambda r, k: F.mse_loss(r, _zero(r), reduction="none"), "F.mse_loss", r"L = r^2"),
    "mae": Loss("mae", "reg", lambda r, k: F.l1_loss(r, _zero(r), reduction="none"), "F.l1_loss", r"L = |r|"),
    "huber": Loss(
        "huber",
        "reg",
        lambda r, k: F.huber_loss(r, _zero(r), reduction="none", delta=k["delta"]),
        "F.huber_loss(delta=δ)",
        r"L = \begin{cases}\tfrac12 r^2 & |r|\le\delta\\ \delta\,(|r|-\tfrac12\delta) & \text{else}\end{cases}",
        "delta",
    ),
    "smoothl1": Loss(
        "smoothl1",
        "reg",
        lambda r, k: F.smooth_l1_loss(r, _zero(r), reduction="none", beta=k["delta"]),
        "F.smooth_l1_loss(beta=δ)",
        r"L = \begin{cases}\tfrac{r^2}{2\delta} & |r|<\delta\\ |r|-\tfrac12\delta & \text{else}\end{cases}"
        r"\;=\;\tfrac1\delta\,\text{Huber}_\delta",
        "delta",
    ),
    "logcosh": Loss("logcosh", "reg", lambda r, k: log_cosh(r), "log(cosh(r))", r"L = \log\cosh r"),
    "quantile": Loss(
        "quantile",
        "reg",
        lambda r, k: pinball(r, k["tau"]),
        "max(τ·u, (τ−1)·u), u = y − ŷ",
        r"L = \max(\tau u,\ (\tau-1)\,u),\quad u = y-\hat y = -r",
        "tau",
    ),
}

CLASSIFICATION: dict[str, Loss] = {
    "zero_one": Loss("zero_one", "cls", lambda m, k: (m <= 0).to(m.dtype) + 0 * m, "(m <= 0).float()", r"L = [m\le 0]"),
    "logistic": Loss(
        "logistic",
        "cls",
        lambda m, k: F.soft_margin_loss(m, torch.ones_like(m), reduction="none"),
        "F.soft_margin_loss",
        r"L = \log(1+e^{-m})",
    ),
    "hinge": Loss("hinge", "cls", lambda m, k: _multi_margin(m, 1), "2·F.multi_margin_loss", r"L = \max(0,\ 1-m)"),
    "sq_hinge": Loss(
        "sq_hinge", "cls", lambda m, k: _multi_margin(m, 2), "2·F.multi_margin_loss(p=2)", r"L = \max(0,\ 1-m)^2"
    ),
    "exp": Loss("exp", "cls", lambda m, k: torch.exp(-m), "torch.exp(-m)", r"L = e^{-m}"),
    "focal": Loss(
        "focal",
        "cls",
        lambda m, k: focal(m, k["gamma"]),
        "−(1−p)^γ·log p",
        r"L = -(1-p)^\gamma \log p,\quad p=\sigma(m)",
        "gamma",
    ),
    "mse_prob": Loss(
        "mse_prob",
        "cls",
        lambda m, k: F.mse_loss(torch.sigmoid(m), torch.ones_like(m), reduction="none"),
        "F.mse_loss(σ(m), 1)",
        r"L = (1-\sigma(m))^2",
    ),
}

LOSSES = {**REGRESSION, **CLASSIFICATION}


def value_and_grad(key: str, x: Tensor, knobs: Mapping[str, float]) -> tuple[Tensor, Tensor]:
    """L(x) and dL/dx by autograd (x: residuals or margins), both detached, same shape as x."""
    x = x.detach().clone().requires_grad_(True)
    y = LOSSES[key].fn(x, knobs)
    (g,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), g.detach()
