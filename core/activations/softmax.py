"""Softmax with temperature, its two-class case, and the cross-entropy of a chosen class.

    softmax(z / T)_i = e^{z_i / T} / Σ_j e^{z_j / T}          (T → 0: one-hot on the largest z; T → ∞: uniform)
    two classes:  softmax(z₁, z₂)₁ = 1 / (1 + e^{−(z₁ − z₂)}) = σ(z₁ − z₂)
    CE(y) = −log softmax(z / T)_y,     ∂CE/∂z_i = (softmax(z / T)_i − [i = y]) / T   (here by autograd)
    softmax(z + c) = softmax(z) for any constant c: only differences between logits matter.

The interview notes also list a "SigmoidSoftmax", σ(z_i) / Σ_j σ(z_j). It is computed here next to
softmax so the page can show what it does: it is not shift-invariant, and since σ saturates at 1 it
cannot tell large logits apart (z = 8 and z = 4 get almost the same share).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core.experiment import Experiment
from core.params import Float, Int, LogFloat, Notice, ParamSet, When

LOGIT_DEFAULTS = (2.0, 1.0, 0.5, -1.0, 0.0, -2.0)
SHIFT = 5.0  # the constant added to every logit for the shift-invariance check
LATEX = (
    r"\mathrm{softmax}(z/T)_i = \frac{e^{z_i/T}}{\sum_j e^{z_j/T}}",
    r"\mathrm{softmax}(z_1, z_2)_1 = \frac{1}{1 + e^{-(z_1 - z_2)}} = \sigma(z_1 - z_2)",
    r"\mathrm{CE}(y) = -\log \mathrm{softmax}(z/T)_y, \qquad \frac{\partial\,\mathrm{CE}}{\partial z_i}"
    r" = \frac{\mathrm{softmax}(z/T)_i - [i = y]}{T}",
)


def _rules(v: dict) -> list[Notice]:
    if v["target"] > v["classes"]:
        raw, v["target"] = v["target"], v["classes"]
        return [Notice("target", "conflict", str(raw), {"why": "no_class", "used": str(v["classes"])})]
    return []


CLASSES = Int("classes", 4, lo=3, hi=len(LOGIT_DEFAULTS))


def _logit(i: int, default: float) -> Float:
    """Logit z_i (1-based): it matters while there are at least i classes."""
    shown = When(lambda v: v["classes"] >= i, f"classes>={i}") if i > CLASSES.lo else None
    return Float(f"z{i}", default, lo=-10.0, hi=10.0, step=0.1, when=shown)


SOFTMAX_PARAMS = ParamSet(
    (
        CLASSES,
        *(_logit(i, d) for i, d in enumerate(LOGIT_DEFAULTS, start=1)),
        LogFloat("temp", 1.0, lo=0.01, hi=100.0),
        Int("target", 1, lo=1, hi=6),
    ),
    rules=_rules,
)


@dataclass(frozen=True)
class SoftmaxResult:
    logits: np.ndarray  # (K,) float64
    temp: float
    target: int  # 0-based
    probs: np.ndarray  # (K,) softmax(z / T)
    probs_t1: np.ndarray  # (K,) softmax(z), for comparison
    ce: float  # −log p_target, in nats
    grad: np.ndarray  # (K,) ∂CE/∂z by autograd
    entropy: float  # −Σ p log p, nats (max log K)
    p2: float  # softmax(z₁/T, z₂/T)₁
    sig2: float  # σ((z₁ − z₂)/T)
    curve_d: np.ndarray  # (M,) float32 logit differences
    curve_softmax: np.ndarray  # (M,) float32 softmax(d, 0)₁
    curve_sigmoid: np.ndarray  # (M,) float32 σ(d)
    sig_norm: np.ndarray  # (K,) σ(z/T) / Σ σ(z/T)  (the notes' "SigmoidSoftmax")
    softmax_shift_gap: float  # max |softmax(z + c) − softmax(z)|
    sig_norm_shift_gap: float  # max |signorm(z + c) − signorm(z)|


def softmax_t(z: torch.Tensor, temp: float) -> torch.Tensor:
    return torch.softmax(z / temp, -1)


def sig_norm(z: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(z)
    return s / s.sum(-1, keepdim=True)


def compute(v: dict) -> SoftmaxResult:
    k, temp, target = v["classes"], v["temp"], v["target"] - 1
    z = torch.tensor([v[f"z{i + 1}"] for i in range(k)], dtype=torch.float64, requires_grad=True)
    p = softmax_t(z, temp)
    ce = F.cross_entropy((z / temp)[None], torch.tensor([target]))  # −log softmax(z/T)_y
    (grad,) = torch.autograd.grad(ce, z)
    z = z.detach()
    pair = z[:2]
    d = torch.linspace(-10, 10, 401, dtype=torch.float64)
    curve = torch.softmax(torch.stack([d, torch.zeros_like(d)], 1), 1)[:, 0]
    p = p.detach()
    return SoftmaxResult(
        logits=z.numpy(),
        temp=temp,
        target=target,
        probs=p.numpy(),
        probs_t1=torch.softmax(z, -1).numpy(),
        ce=float(ce.detach()),
        grad=grad.numpy(),
        entropy=float(-(p * torch.log(p.clamp_min(1e-300))).sum()),
        p2=float(softmax_t(pair, temp)[0]),
        sig2=float(torch.sigmoid((pair[0] - pair[1]) / temp)),
        curve_d=d.numpy().astype(np.float32),
        curve_softmax=curve.numpy().astype(np.float32),
        curve_sigmoid=torch.sigmoid(d).numpy().astype(np.float32),
        sig_norm=sig_norm(z / temp).numpy(),
        softmax_shift_gap=float((softmax_t(z + SHIFT, temp) - p).abs().max()),
        sig_norm_shift_gap=float((sig_norm((z + SHIFT) / temp) - sig_norm(z / temp)).abs().max()),
    )


def numbers(r: SoftmaxResult) -> dict:
    """The values the page's sentences quote."""
    k = len(r.logits)
    fmt = lambda p: "(" + ", ".join(f"{x:.2f}" for x in p) + ")"
    return {
        "cls": r.target + 1,
        "ce": r.ce,
        "p": float(r.probs[r.target]),
        "h": r.entropy,
        "k": k,
        "hmax": float(np.log(k)),
        "t": f"{r.temp:g}",
        "p2": r.p2,
        "s2": r.sig2,
        "gap": abs(r.p2 - r.sig2),
        "pmax": float(r.probs.max()),
        "uni": 1 / k,
        "signorm": fmt(r.sig_norm),
        "softmax": fmt(r.probs),
        "shift": f"{SHIFT:g}",
        "gap_sig": r.sig_norm_shift_gap,
        "gap_soft": r.softmax_shift_gap,
    }


def summary(r: SoftmaxResult) -> dict:
    return {
        "probs": r.probs.round(6).tolist(),
        "temp": r.temp,
        "target": r.target + 1,
        "cross_entropy": r.ce,
        "grad": r.grad.round(6).tolist(),
        "entropy": r.entropy,
        "two_class": {"softmax": r.p2, "sigmoid": r.sig2},
        "sigmoid_normalised": r.sig_norm.round(6).tolist(),
        "softmax_shift_gap": r.softmax_shift_gap,
        "sigmoid_normalised_shift_gap": r.sig_norm_shift_gap,
    }


SOFTMAX = Experiment("softmax", SOFTMAX_PARAMS, compute, summary)
