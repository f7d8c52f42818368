"""GAN losses against independent formulas: BCE from torch.nn.functional, the WGAN-GP penalty from
per-sample Jacobians, and the saturating vs non-saturating gradients in closed form."""

import math

import pytest
import torch
import torch.nn.functional as F

from core.experiment import drain
from core.gan import concept as gan
from core.gan import lab
from core.gan.losses import LOSSES, d_loss, g_terms, gradient_penalty


def test_logistic_losses_are_binary_cross_entropy():
    g = torch.Generator().manual_seed(0)
    fr, ff = torch.randn(64, 1, generator=g, dtype=torch.float64), torch.randn(64, 1, generator=g, dtype=torch.float64)
    bce = F.binary_cross_entropy_with_logits
    for loss in ("minimax", "nonsat"):
        ref = bce(fr, torch.ones_like(fr)) + bce(ff, torch.zeros_like(ff))
        torch.testing.assert_close(d_loss(loss, fr, ff), ref)
    # G: minimax minimises log(1 − D), non-saturating minimises −log D, with D = σ(f)
    torch.testing.assert_close(g_terms("minimax", ff), torch.log(1 - torch.sigmoid(ff)))
    torch.testing.assert_close(g_terms("nonsat", ff), -torch.log(torch.sigmoid(ff)))


def test_other_losses_match_their_papers():
    fr = torch.tensor([[2.0], [0.5], [-1.0]], dtype=torch.float64)
    ff = torch.tensor([[-2.0], [0.3], [1.5]], dtype=torch.float64)
    assert float(d_loss("wgan", fr, ff)) == pytest.approx((-2 + 0.3 + 1.5) / 3 - (2 + 0.5 - 1) / 3)
    assert float(d_loss("hinge", fr, ff)) == pytest.approx((0 + 0.5 + 2) / 3 + (0 + 1.3 + 2.5) / 3)
    assert float(d_loss("lsgan", fr, ff)) == pytest.approx(0.5 * (1 + 0.25 + 4) / 3 + 0.5 * (4 + 0.09 + 2.25) / 3)
    assert g_terms("lsgan", ff).flatten().tolist() == pytest.approx([4.5, 0.245, 0.125])
    for loss in ("wgan", "wgan_gp", "hinge"):
        assert g_terms(loss, ff).flatten().tolist() == pytest.approx([2.0, -0.3, -1.5])


def test_the_saturating_gradient_vanishes_where_the_non_saturating_one_does_not():
    p = torch.tensor([0.5, 0.01, 0.001], dtype=torch.float64)  # D(G(z))
    f = torch.log(p / (1 - p)).requires_grad_(True)
    (sat,) = torch.autograd.grad(g_terms("minimax", f).sum(), f)
    (non,) = torch.autograd.grad(g_terms("nonsat", f).sum(), f)
    torch.testing.assert_close(sat, -p)  # ∂/∂f log(1 − σ(f)) = −σ(f)
    torch.testing.assert_close(non, -(1 - p))  # ∂/∂f −log σ(f) = −(1 − σ(f))


def _mlp_critic(seed: int):
    g = torch.Generator().manual_seed(seed)
    params = [p.detach().double().requires_grad_(True) for p in lab.mlp([2, 16, 16, 1], g)]
    return params, (lambda x: lab.forward(params, x, torch.tanh))


def test_wgan_gp_penalty_equals_its_formula_for_a_linear_critic():
    w, b = torch.tensor([[0.6, -2.0]], dtype=torch.float64), torch.tensor([0.3], dtype=torch.float64)
    real, fake = torch.randn(32, 2, dtype=torch.float64), torch.randn(32, 2, dtype=torch.float64)
    eps = torch.rand(32, 1, dtype=torch.float64)
    gp = gradient_penalty(lambda x: F.linear(x, w, b), real, fake, eps)
    assert float(gp) == pytest.approx((math.hypot(0.6, -2.0) - 1) ** 2, rel=1e-12)  # ∇f = w everywhere


def test_wgan_gp_penalty_equals_per_sample_jacobians_of_an_mlp():
    params, critic = _mlp_critic(1)
    g = torch.Generator().manual_seed(2)
    real, fake = (torch.randn(20, 2, generator=g, dtype=torch.float64) for _ in range(2))
    eps = torch.rand(20, 1, generator=g, dtype=torch.float64)
    gp = gradient_penalty(critic, real, fake, eps)
    x_hat = eps * real + (1 - eps) * fake
    norms = torch.stack(
        [torch.autograd.functional.jacobian(lambda x: critic(x[None])[0, 0], xi).norm() for xi in x_hat]
    )  # one sample at a time: no batch coupling possible
    torch.testing.assert_close(gp, ((norms - 1) ** 2).mean(), rtol=1e-10, atol=1e-12)
    # ... and central finite differences agree with the Jacobian
    h, xi = 1e-6, x_hat[0]
    with torch.no_grad():
        fd = torch.stack(
            [
                (critic((xi + h * e)[None]) - critic((xi - h * e)[None]))[0, 0] / (2 * h)
                for e in torch.eye(2, dtype=torch.float64)
            ]
        )
    assert float(fd.norm()) == pytest.approx(float(norms[0]), rel=1e-6)


def test_the_penalty_is_differentiable_in_the_critic_weights():
    params, critic = _mlp_critic(3)
    real, fake = torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    gp = gradient_penalty(critic, real, fake, torch.full((8, 1), 0.5, dtype=torch.float64))
    grads = torch.autograd.grad(gp, params, allow_unused=True)
    assert grads[-1] is None  # the output bias does not change ∇ₓf, so the penalty ignores it
    used = grads[:-1]
    assert all(torch.isfinite(gr).all() for gr in used) and all(gr.abs().sum() > 0 for gr in used)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_gives_finite_gradients_on_the_first_steps(loss):
    cfg = gan.lab_config(loss=loss, batch=64, g_width=32, d_width=32, steps=5, snapshots=5)
    res = drain(lab.train(cfg))
    assert res.diverged_at is None and res.done == 5
    assert torch.isfinite(torch.from_numpy(res.d_loss)).all() and torch.isfinite(torch.from_numpy(res.g_loss)).all()
    assert (res.grad_norm > 0).all() and torch.isfinite(torch.from_numpy(res.arrows)).all()
    assert not (res.fake[0] == res.fake[-1]).all()  # G moved
    # and straight from autograd, for G and D parameters of fresh networks
    g = torch.Generator().manual_seed(0)
    G, D = lab.mlp([2, 16, 2], g), lab.mlp([2, 16, 1], g)
    fake = lab.forward(G, torch.randn(32, 2, generator=g), torch.relu)
    real = torch.randn(32, 2, generator=g)
    f = lab.forward(D, torch.cat([real, fake]), torch.relu)
    ld = d_loss(loss, f[:32], f[32:])
    if loss == "wgan_gp":
        ld = ld + 10 * gradient_penalty(lambda x: lab.forward(D, x, torch.relu), real, fake, torch.rand(32, 1))
    lg = g_terms(loss, f[32:]).mean()
    for out, params in ((ld, D), (lg, G)):
        grads = torch.autograd.grad(out, params, retain_graph=True)
        assert all(torch.isfinite(gr).all() for gr in grads) and sum(float(gr.abs().sum()) for gr in grads) > 0
