"""GAN losses, written on the discriminator's raw output f(x) (a logit, or a critic's score).

With σ the logistic function, x_r real samples, x_f = G(z) fakes (means over the batch):

    minimax     L_D = −log σ(f(x_r)) − log(1 − σ(f(x_f)))      L_G = log(1 − σ(f(x_f)))      (saturating)
    nonsat      L_D as minimax                                   L_G = −log σ(f(x_f))
                    (Goodfellow et al. 2014; −log σ(f) = softplus(−f), log(1 − σ(f)) = −softplus(f))
    wgan        L_D = f(x_f) − f(x_r), weights clipped to [−c, c]  L_G = −f(x_f)  (Arjovsky et al. 2017)
    wgan_gp     L_D = f(x_f) − f(x_r) + λ·(‖∇_x̂ f(x̂)‖₂ − 1)²,   x̂ = ε x_r + (1 − ε) x_f, ε ~ U(0, 1)
                                                                 L_G = −f(x_f)  (Gulrajani et al. 2017)
    lsgan       L_D = ½(f(x_r) − 1)² + ½ f(x_f)²                L_G = ½(f(x_f) − 1)²  (Mao et al. 2017)
    hinge       L_D = max(0, 1 − f(x_r)) + max(0, 1 + f(x_f))   L_G = −f(x_f)  (Lim & Ye 2017; Miyato et al. 2018)

Why the saturating loss stalls: ∂L_G/∂f = −σ(f) for minimax but −(1 − σ(f)) for nonsat, so when D
confidently rejects the fakes (f ≪ 0) the minimax gradient vanishes like e^{f} while nonsat stays ≈ −1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LOSSES = ("nonsat", "minimax", "wgan", "wgan_gp", "lsgan", "hinge")
LOGISTIC = ("nonsat", "minimax")  # D's output is a logit: the page shows σ(f) = P(real)


def g_terms(loss: str, f_fake: torch.Tensor) -> torch.Tensor:
    """Per-sample generator loss ℓ_G(f(x_f)); L_G is its mean."""
    if loss == "minimax":
        return -F.softplus(f_fake)  # log(1 − σ(f))
    if loss == "nonsat":
        return F.softplus(-f_fake)  # −log σ(f)
    if loss == "lsgan":
        return 0.5 * (f_fake - 1) ** 2
    return -f_fake  # wgan, wgan_gp, hinge


def d_loss(loss: str, f_real: torch.Tensor, f_fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss without the gradient penalty."""
    if loss in LOGISTIC:
        return F.softplus(-f_real).mean() + F.softplus(f_fake).mean()  # binary cross-entropy, labels 1 / 0
    if loss == "lsgan":
        return 0.5 * ((f_real - 1) ** 2).mean() + 0.5 * (f_fake**2).mean()
    if loss == "hinge":
        return F.relu(1 - f_real).mean() + F.relu(1 + f_fake).mean()
    return f_fake.mean() - f_real.mean()  # wgan, wgan_gp


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """mean over the batch of (‖∇_x̂ f(x̂)‖₂ − 1)² at x̂ = ε x_r + (1 − ε) x_f; eps has shape (B, 1, …)."""
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
