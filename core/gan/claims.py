"""The interview notes' claims about GANs, and the numbers their cards quote (core.gan.concept.CLAIMS).

    numbers()   closed forms checked with autograd, and torch.optim's steps on them (milliseconds): how much
                gradient the saturating and the non-saturating loss give G when D rejects its samples, and how
                far SGD and Adam move a weight on each of those gradients

What the trainings show (collapse, the stall, the clipped critic) the cards leave to a preset: one click runs it on
the page, and tests/gan/test_lab.py checks each behaviour over seeds.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from core.gan.losses import g_terms

D_FAKE = 0.001  # D(G(z)): how sure D is that G's samples are fake
STEPS = 10  # optimizer steps on a constant gradient
SGD_LR, ADAM_LR = 0.05, 1e-3  # the stall preset's G rate (SGD), the lab's default (Adam, β = (0.5, 0.99))


def _moved(make, grad: float) -> float:
    """How far torch.optim moves one weight in STEPS steps of a constant gradient."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = make([w])
    for _ in range(STEPS):
        w.grad = torch.full_like(w, grad)
        opt.step()
    return abs(float(w.detach()))


@lru_cache(maxsize=1)
def numbers() -> dict:
    """The gradient of G's loss with respect to D's logit at D(G(z)) = D_FAKE, per loss, and the distance SGD and
    Adam move a weight in STEPS steps on each (Adam divides by the gradient's running size: it moves alike)."""
    p = torch.tensor([D_FAKE], dtype=torch.float64)
    f = torch.log(p / (1 - p)).requires_grad_(True)  # the logit at which D(G(z)) = p
    (sat,) = torch.autograd.grad(g_terms("minimax", f).sum(), f)
    (non,) = torch.autograd.grad(g_terms("nonsat", f).sum(), f)
    sat, non = abs(float(sat)), abs(float(non))
    sgd = lambda ps: torch.optim.SGD(ps, lr=SGD_LR)
    adam = lambda ps: torch.optim.Adam(ps, lr=ADAM_LR, betas=(0.5, 0.99))
    return {
        "p": D_FAKE,
        "sat": sat,
        "non": non,
        "ratio": non / sat,
        "steps": STEPS,
        "sgd_sat": _moved(sgd, sat),
        "sgd_non": _moved(sgd, non),
        "adam_sat": _moved(adam, sat),
        "adam_non": _moved(adam, non),
    }
