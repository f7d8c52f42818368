"""Every loss against its closed form (float64), torch.nn where torch has it, and autograd of the closed form."""

import math

import pytest
import torch
import torch.nn.functional as F

from core.losses.functions import CLASSIFICATION, LOSSES, REGRESSION, log_cosh, value_and_grad

KNOBS = {"delta": 0.7, "tau": 0.8, "gamma": 2.5}
X = torch.linspace(-5, 5, 1001, dtype=torch.float64)
KINKS = (0.0, 1.0, KNOBS["delta"], -KNOBS["delta"])  # |r|, Huber's ±δ, the hinge's m = 1, the 0-1 step
X = X[torch.stack([(X - k).abs() > 1e-6 for k in KINKS]).all(0)]  # every loss differentiable at every point


def closed(key: str, x: torch.Tensor, k=KNOBS) -> torch.Tensor:
    """The textbook formulas, written independently of core.losses.functions."""
    d, tau, g = k["delta"], k["tau"], k["gamma"]
    a = x.abs()
    p = 1 / (1 + torch.exp(-x))
    return {
        "mse": x**2,
        "mae": a,
        "huber": torch.where(a <= d, 0.5 * x**2, d * (a - 0.5 * d)),
        "smoothl1": torch.where(a < d, 0.5 * x**2 / d, a - 0.5 * d),
        "logcosh": torch.log(torch.cosh(x)),
        "quantile": torch.where(-x >= 0, tau * -x, (tau - 1) * -x),
        "zero_one": (x <= 0).double(),
        "logistic": torch.log1p(torch.exp(-x)),
        "hinge": torch.clamp(1 - x, min=0),
        "sq_hinge": torch.clamp(1 - x, min=0) ** 2,
        "exp": torch.exp(-x),
        "focal": -((1 - p) ** g) * torch.log(p),
        "mse_prob": (1 - p) ** 2,
    }[key]


@pytest.mark.parametrize("key", list(LOSSES))
def test_value_and_gradient_match_the_closed_form_and_its_autograd(key):
    y, g = value_and_grad(key, X, KNOBS)
    torch.testing.assert_close(y, closed(key, X), rtol=1e-10, atol=1e-12)
    x = X.clone().requires_grad_(True)
    out = closed(key, x)
    ref = torch.autograd.grad(out.sum(), x)[0] if out.requires_grad else torch.zeros_like(x)  # 0-1: a step
    torch.testing.assert_close(g, ref, rtol=1e-9, atol=1e-12)


def test_the_torch_nn_losses_are_the_ones_used():
    r = X
    zero = torch.zeros_like(r)
    assert torch.equal(value_and_grad("huber", r, KNOBS)[0], F.huber_loss(r, zero, reduction="none", delta=0.7))
    assert torch.equal(value_and_grad("smoothl1", r, KNOBS)[0], F.smooth_l1_loss(r, zero, reduction="none", beta=0.7))
    bce = F.binary_cross_entropy_with_logits(r, torch.ones_like(r), reduction="none")
    torch.testing.assert_close(value_and_grad("logistic", r, KNOBS)[0], bce)


def test_smooth_l1_is_huber_over_delta_and_focal_at_gamma_zero_is_logistic():
    huber, _ = value_and_grad("huber", X, KNOBS)
    smooth, _ = value_and_grad("smoothl1", X, KNOBS)
    torch.testing.assert_close(smooth, huber / KNOBS["delta"])
    focal0, g0 = value_and_grad("focal", X, {**KNOBS, "gamma": 0.0})
    logistic, g1 = value_and_grad("logistic", X, KNOBS)
    torch.testing.assert_close(focal0, logistic)
    torch.testing.assert_close(g0, g1)


def test_log_cosh_does_not_overflow_far_out():
    r = torch.tensor([1000.0, -1000.0], dtype=torch.float64)
    torch.testing.assert_close(log_cosh(r), r.abs() - math.log(2))
    assert torch.isinf(torch.log(torch.cosh(r))).all()  # the naive formula would


def test_the_zero_one_loss_has_no_gradient_and_the_families_are_complete():
    _, g = value_and_grad("zero_one", X, KNOBS)
    assert torch.count_nonzero(g) == 0
    assert set(REGRESSION) == {"mse", "mae", "huber", "smoothl1", "logcosh", "quantile"}
    assert set(CLASSIFICATION) == {"zero_one", "logistic", "hinge", "sq_hinge", "exp", "focal", "mse_prob"}


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_the_quantile_loss_is_minimised_at_the_quantile(tau):
    """argmin_c Σ pinball(c − y) over a fine grid of c is the τ-quantile of y (within one order-statistic gap)."""
    y = torch.randn(401, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    c = torch.linspace(-3, 3, 6001, dtype=torch.float64)
    total = LOSSES["quantile"].fn(c[:, None] - y[None], {"tau": tau}).sum(1)
    best = float(c[total.argmin()])
    lo, hi = torch.quantile(y, tau - 1 / 401), torch.quantile(y, tau + 1 / 401)
    assert lo - 1e-3 <= best <= hi + 1e-3
