"""R small networks trained at once: one (R, P) tensor of parameters, row r is one network.

    64 pixels → H ReLU units (optional inverted dropout) → 10 logits,   loss: cross-entropy

Row r's parameters are θ_r = [W1 (64·H), b1 (H), W2 (H·10), b2 (10)], initialised like torch.nn.Linear
(U(−1/√fan_in, 1/√fan_in) for weights and biases). The forward pass is two batched matrix products
(torch.baddbmm) over the rows; the inputs are shared (B, 64) or per row (R, B, 64) — bootstrap samples,
augmented digits — and the labels shared (B,) or per row (R, B) — random labels. One backward pass of the
sum of the R losses gives every row its own gradient, because the rows do not interact.

`Optim` updates every row exactly as torch.optim would (tests/regularization/test_nets.py checks rows
against nn.Sequential + torch.optim), with a per-row penalty:

    coupled L2 (torch's weight_decay)   g ← g + λ₂ θ          the gradient of (λ₂/2)·‖θ‖²
    L1                                  g ← g + λ₁ sign(θ)    a subgradient of λ₁·‖θ‖₁
    decoupled decay (AdamW)             θ ← θ (1 − α λ_d)     before the step, not through g
    SGD (momentum μ)   b ← μ b + g,  θ ← θ − α b
    Adam               m ← β₁ m + (1−β₁) g,  v ← β₂ v + (1−β₂) g²,  θ ← θ − α m̂ / (√v̂ + ε)

Penalties act on every parameter, biases included, as torch.optim's weight_decay does.
Reference: Loshchilov & Hutter (2019), "Decoupled weight decay regularization".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn.functional as F

from core import data

N_IN, N_OUT = 64, 10


def sizes(width: int) -> tuple[int, int, int, int]:
    """Parameter counts of W1, b1, W2, b2: the order of a row of θ."""
    return N_IN * width, width, width * N_OUT, N_OUT


def n_params(width: int) -> int:
    return sum(sizes(width))


def weight_mask(width: int) -> torch.Tensor:
    """(P,) bool: True at the entries of W1 and W2 (the weights), False at the biases."""
    w1, b1, w2, b2 = sizes(width)
    return torch.cat([torch.ones(w1), torch.zeros(b1), torch.ones(w2), torch.zeros(b2)]).bool()


def init(rows: int, width: int, seed: int, same: bool = True) -> torch.Tensor:
    """(R, P) float32 parameters as nn.Linear initialises them; `same`: every row starts from one draw."""
    gen = torch.Generator().manual_seed(seed)

    def one() -> torch.Tensor:
        parts = []
        for fan_in, n in zip((N_IN, N_IN, width, width), sizes(width), strict=True):
            parts.append((torch.rand(n, generator=gen) * 2 - 1) / fan_in**0.5)
        return torch.cat(parts)

    if same:
        return one().expand(rows, -1).clone()
    return torch.stack([one() for _ in range(rows)])


def unpack(theta: torch.Tensor, width: int) -> tuple[torch.Tensor, ...]:
    """θ (R, P) -> W1 (R, 64, H), b1 (R, 1, H), W2 (R, H, 10), b2 (R, 1, 10): views, gradients flow to θ."""
    r = theta.shape[0]
    w1, b1, w2, b2 = torch.split(theta, sizes(width), dim=1)
    return w1.view(r, N_IN, width), b1.view(r, 1, width), w2.view(r, width, N_OUT), b2.view(r, 1, N_OUT)


def hidden(theta: torch.Tensor, x: torch.Tensor, width: int) -> torch.Tensor:
    """ReLU units (R, B, H) for inputs x (B, 64) shared by every row, or (R, B, 64) one batch per row."""
    w1, b1, _, _ = unpack(theta, width)
    if x.dim() == 2:
        x = x.expand(theta.shape[0], *x.shape)
    return torch.baddbmm(b1, x, w1).relu_()


def logits(theta: torch.Tensor, x: torch.Tensor, width: int, keep: torch.Tensor | None = None) -> torch.Tensor:
    """(R, B, 10). `keep`: (R, B, H) dropout multipliers (0 or 1/(1−p)), or None (eval mode)."""
    _, _, w2, b2 = unpack(theta, width)
    h = hidden(theta, x, width)
    if keep is not None:
        h = h * keep
    return torch.baddbmm(b2, h, w2)


def dropout_keep(rates: torch.Tensor, shape: tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    """Inverted-dropout multipliers (R, B, H): 1/(1 − p_r) with probability 1 − p_r, else 0 (nn.Dropout's)."""
    p = rates.view(-1, 1, 1)  # (R, 1, 1)
    u = torch.rand(len(rates), *shape, generator=gen, device=rates.device)
    return (u >= p).float() / (1 - p)


def losses(z: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Each row's mean cross-entropy, (R,). y: (B,) shared or (R, B); weight: (R, B) counts per example."""
    r, b = z.shape[:2]
    y = y.expand(r, b) if y.dim() == 1 else y
    ce = F.cross_entropy(z.reshape(r * b, N_OUT), y.reshape(-1), reduction="none").view(r, b)
    if weight is None:
        return ce.mean(1)
    return (ce * weight).sum(1) / weight.sum(1).clamp_min(1e-12)


def accuracy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(R,) share of correct argmax predictions; y (B,) or (R, B)."""
    return (z.argmax(-1) == y).float().mean(-1)


@dataclass
class Optim:
    """torch.optim's SGD (with momentum) or Adam for every row, with per-row penalties (see the module doc).

    lr, l2, l1, decay: (R,) tensors or floats."""

    kind: str  # "sgd" | "adam"
    lr: torch.Tensor
    l2: torch.Tensor | float = 0.0
    l1: torch.Tensor | float = 0.0
    decay: torch.Tensor | float = 0.0
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __post_init__(self):
        col = lambda v: torch.as_tensor(v, dtype=torch.float32).reshape(-1, 1)  # (R, 1) or (1, 1)
        self.lr, self.l2, self.l1, self.decay = col(self.lr), col(self.l2), col(self.l1), col(self.decay)
        self.uses = {name: bool((getattr(self, name) != 0).any()) for name in ("l2", "l1", "decay")}  # read once
        self.t = 0
        self.m: torch.Tensor | None = None
        self.v: torch.Tensor | None = None

    def to(self, dev: torch.device) -> Optim:
        self.lr, self.l2, self.l1, self.decay = (a.to(dev) for a in (self.lr, self.l2, self.l1, self.decay))
        return self

    @torch.no_grad()
    def step(self, theta: torch.Tensor, grad: torch.Tensor) -> None:
        """One update of θ (R, P) in place."""
        self.t += 1
        g = grad
        if self.uses["l2"]:
            g = g + self.l2 * theta  # coupled L2: torch.optim's weight_decay
        if self.uses["l1"]:
            g = g + self.l1 * torch.sign(theta)  # L1 subgradient
        if self.uses["decay"]:
            theta.mul_(1 - self.lr * self.decay)  # AdamW: param.mul_(1 − lr·weight_decay)
        if self.kind == "sgd":
            self.m = g.clone() if self.m is None else self.m.mul_(self.momentum).add_(g)
            theta.sub_(self.lr * self.m)
            return
        b1, b2 = self.betas
        if self.m is None:
            self.m, self.v = torch.zeros_like(theta), torch.zeros_like(theta)
        self.m.mul_(b1).add_(g, alpha=1 - b1)
        self.v.mul_(b2).addcmul_(g, g, value=1 - b2)
        m_hat = self.m / (1 - b1**self.t)
        denom = (self.v / (1 - b2**self.t)).sqrt_().add_(self.eps)
        theta.sub_(self.lr * m_hat / denom)

    def descend(self, theta: torch.Tensor, loss: torch.Tensor) -> torch.Tensor:
        """One step of every row on its own loss (R,) (rows share no weights: the sum's gradient is each row's
        own); returns the loss."""
        (grad,) = torch.autograd.grad(loss.sum(), theta)
        self.step(theta, grad)
        return loss


def minibatch_step(theta: torch.Tensor, opt: Optim, x: torch.Tensor, y: torch.Tensor, idx: torch.Tensor, width: int):
    """`step(t)` for core.regularization.loop.stream: every row takes one step on the minibatch idx[t] of (x, y)."""
    return lambda t: opt.descend(theta, losses(logits(theta, x[idx[t]], width), y[idx[t]]))


@lru_cache(maxsize=4)
def digits(seed: int, dev: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The scikit-learn digits, flattened: x_train (1347, 64), y_train, x_test (450, 64), y_test, on `dev`."""
    x_tr, y_tr, x_te, y_te = data.digits(seed)
    flat = lambda x: x.reshape(len(x), -1).to(dev)
    return flat(x_tr), y_tr.to(dev), flat(x_te), y_te.to(dev)


def balanced_order(labels: torch.Tensor, seed: int) -> torch.Tensor:
    """A seeded permutation of the examples in which every prefix is as class-balanced as it can be: one of
    each class in turn (classes by their shuffled first appearance). Prefixes are nested: the first 100 are
    among the first 200."""
    gen = torch.Generator().manual_seed(seed + 7)
    order = torch.randperm(len(labels), generator=gen)
    y = labels.cpu()[order]
    rank = torch.zeros(len(y), dtype=torch.long)  # position of each example among its class, in shuffled order
    for c in range(N_OUT):
        where = torch.nonzero(y == c).flatten()
        rank[where] = torch.arange(len(where))
    return order[torch.argsort(rank * len(y) + torch.arange(len(y)))]


def subset(n: int, labels: torch.Tensor, seed: int) -> torch.Tensor:
    """Indices of n training examples (the first n of `balanced_order`), sorted."""
    return balanced_order(labels, seed)[:n].sort().values
