"""torch.optim's update rules for many runs at once: one (R, D) tensor, row r follows its own optimizer.

Looping over six torch.optim instances costs ~500 ms for 1,000 steps of a 2-D problem; almost all of it
is per-call overhead. Here every optimizer is one instance of a single update with per-row coefficients,
so a step is ~15 tensor operations whatever the mix (the tests check every row against torch.optim, step
by step, in float64). With g the gradient, lr_t the scheduled rate and t = 1, 2, … the step count:

    g ← g + λ p                       coupled weight decay (every optimizer but AdamW)
    p ← p (1 − lr_t λ)                decoupled weight decay (AdamW)
    m ← a₁ m + b₁ g                   momentum buffer / first moment
    v ← a₂ v + b₂ g²                  second moment / sum of squares
    d = √(v + e_in) · s_t + e         per-coordinate denominator
    p ← p − (c_m m + c_g g) · √(u + e_u) / d

    optimizer  a₁ b₁     a₂  b₂      s_t           e      c_m                       c_g
    SGD        0  1      0   0       0             1      lr_t                      0
    Momentum   μ  1      0   0       0             1      lr_t                      0      (dampening 0)
    Nesterov   μ  1      0   0       0             1      lr_t μ                    lr_t
    AdaGrad    0  1      1   1       1             1e-10  lr_t                      0
    RMSprop    0  1      α   1−α     1             1e-8   lr_t                      0
    Adam(W)    β₁ 1−β₁   β₂  1−β₂    1/√(1−β₂ᵗ)    1e-8   lr_t / (1−β₁ᵗ)            0
    NAdam      β₁ 1−β₁   β₂  1−β₂    1/√(1−β₂ᵗ)    1e-8   lr_t μₜ₊₁/(1−Πₜ₊₁)        lr_t (1−μₜ)/(1−Πₜ)
    Adadelta   0  1      ρ   1−ρ     1 (e_in=1e-6) 0      lr_t                      0

NAdam: μₜ = β₁ (1 − ½·0.96^(t·ψ)), ψ = 0.004, Πₜ = μ₁⋯μₜ (Dozat 2016, as in torch.optim.NAdam, which
keeps Πₜ as a float32 scalar: so does this table, or the runs would part at the tenth digit).
Adadelta (Zeiler 2012) also keeps u ← ρ u + (1−ρ) δ², δ the update before lr; e_u = 1e-6 (for every other
optimizer u stays 0 and e_u = 1, so the factor is 1). Terms no selected optimizer needs are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.optimizers.schedules import Plateau

KINDS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "adadelta")
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw", "nadam", "adadelta")  # per-coordinate step sizes
BUFFERED = ("momentum", "nesterov", "adam", "adamw", "nadam")  # keep a momentum buffer worth showing
LINEAR = ("sgd", "momentum", "nesterov")  # linear iterations on a quadratic: rates have a closed form
EPS = {"adagrad": 1e-10, "rmsprop": 1e-8, "adam": 1e-8, "adamw": 1e-8, "nadam": 1e-8, "adadelta": 1e-6}
NADAM_PSI = 4e-3  # torch.optim.NAdam's momentum_decay default
CLASS = {
    "sgd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "nadam": "NAdam",
    "adadelta": "Adadelta",
}


@dataclass(frozen=True)
class Spec:
    """One optimizer with its hyper-parameters (the rest at torch.optim's defaults)."""

    kind: str
    lr: float
    momentum: float = 0.9  # momentum, nesterov
    betas: tuple[float, float] = (0.9, 0.999)  # adam, adamw, nadam
    alpha: float = 0.99  # rmsprop
    rho: float = 0.9  # adadelta
    weight_decay: float = 0.0

    def torch_call(self) -> str:
        """The torch.optim constructor this row reproduces (shown on the page; the tests evaluate it)."""
        k, args = self.kind, [f"lr={self.lr:g}"]
        if k in ("momentum", "nesterov"):
            args.append(f"momentum={self.momentum:g}")
        if k == "nesterov":
            args.append("nesterov=True")
        if k in ("adam", "adamw", "nadam"):
            args.append(f"betas=({self.betas[0]:g}, {self.betas[1]:g})")
        if k == "rmsprop":
            args.append(f"alpha={self.alpha:g}")
        if k == "adadelta":
            args.append(f"rho={self.rho:g}")
        if self.weight_decay or k == "adamw":  # AdamW's default is 0.01: always say what is used
            args.append(f"weight_decay={self.weight_decay:g}")
        return f"torch.optim.{CLASS[k]}(params, {', '.join(args)})"


def nadam_mu(beta1: float, t: np.ndarray) -> np.ndarray:
    """μₜ = β₁ (1 − ½ · 0.96^(t ψ)) for steps t = 1, 2, …"""
    return beta1 * (1.0 - 0.5 * 0.96 ** (t * NADAM_PSI))


def nadam_products(mu: np.ndarray) -> np.ndarray:
    """Πₜ = μ₁⋯μₜ as torch.optim.NAdam keeps it: a float32 scalar tensor multiplied in place each step."""
    prod, out = torch.ones((), dtype=torch.float32), np.empty(len(mu))
    for i, m in enumerate(mu.tolist()):
        prod *= m
        out[i] = prod.item()
    return out


def _tables(spec: Spec, steps: int) -> dict[str, np.ndarray | float]:
    """One row's coefficients: scalars, and (T,) arrays for the time-dependent ones (lr not included)."""
    k, t = spec.kind, np.arange(1, steps + 1, dtype=np.float64)
    ones, zeros = np.ones(steps), np.zeros(steps)
    row = dict(
        a1=0.0,
        b1=1.0,
        a2=0.0,
        b2=0.0,
        e=1.0,
        e_in=0.0,
        e_u=1.0,
        a3=0.0,
        b3=0.0,
        s=zeros,
        cm=ones,
        cg=zeros,
        wdc=spec.weight_decay,
        wdd=0.0,
    )
    if k in ("momentum", "nesterov"):
        row.update(a1=spec.momentum)
    if k == "nesterov":
        row.update(cm=ones * spec.momentum, cg=ones)
    if k == "adagrad":
        row.update(a2=1.0, b2=1.0, s=ones, e=EPS[k])
    if k == "rmsprop":
        row.update(a2=spec.alpha, b2=1 - spec.alpha, s=ones, e=EPS[k])
    if k in ("adam", "adamw", "nadam"):
        beta1, beta2 = spec.betas
        row.update(
            a1=beta1, b1=1 - beta1, a2=beta2, b2=1 - beta2, s=1 / np.sqrt(1 - beta2**t), e=EPS[k], cm=1 / (1 - beta1**t)
        )
    if k == "adamw":
        row.update(wdc=0.0, wdd=spec.weight_decay)
    if k == "nadam":
        mu, mu_next = nadam_mu(spec.betas[0], t), nadam_mu(spec.betas[0], t + 1)
        prod = nadam_products(mu)
        row.update(cg=(1 - mu) / (1 - prod), cm=mu_next / (1 - prod * mu_next))
    if k == "adadelta":
        row.update(a2=spec.rho, b2=1 - spec.rho, s=ones, e=0.0, e_in=EPS[k], e_u=EPS[k], a3=spec.rho, b3=1 - spec.rho)
    return row


class Batched:
    """R runs of (R, D) parameters, row r updated exactly as torch.optim would with `specs[r]`.

    factors: (T,) learning-rate schedule factors (core.optimizers.schedules.factors); with `patience` set the rate
    is instead halved per row on a plateau of that row's loss (`plateau.step(loss)` after each step).
    """

    def __init__(
        self,
        specs: Sequence[Spec],
        steps: int,
        factors: np.ndarray,
        shape: tuple[int, int],
        dtype=torch.float64,
        device="cpu",
        patience: int | None = None,
    ):
        self.specs, self.steps = tuple(specs), steps
        self.kinds = {s.kind for s in self.specs}
        rows = [_tables(s, steps) for s in self.specs]
        col = lambda name: torch.tensor([[r[name]] for r in rows], dtype=dtype, device=device)
        tab = lambda name: torch.tensor(
            np.stack([r[name] for r in rows], 1)[..., None],
            dtype=dtype,
            device=device,
        )  # (T, R, 1)
        self.a1, self.b1, self.a2, self.b2, self.e = col("a1"), col("b1"), col("a2"), col("b2"), col("e")
        self.e_in, self.e_u, self.a3, self.wdc = col("e_in"), col("e_u"), col("a3"), col("wdc")
        self.use_v = bool(self.kinds & set(ADAPTIVE))
        self.use_cg = bool(self.kinds & {"nesterov", "nadam"})
        self.use_wdc = any(s.weight_decay and s.kind != "adamw" for s in self.specs)
        self.use_wdd = any(s.weight_decay and s.kind == "adamw" for s in self.specs)
        self.use_u = "adadelta" in self.kinds
        base_lr = torch.tensor([[s.lr] for s in self.specs], dtype=dtype, device=device)  # (R, 1)
        self.plateau = Plateau(base_lr, patience) if patience is not None else None
        lr = torch.as_tensor(np.asarray(factors, dtype=np.float64), dtype=dtype, device=device)[:, None, None] * base_lr
        self.lr = lr  # (T, R, 1) scheduled rates (for `plateau`: the starting rate; the live ones are plateau.lr)
        self._cm, self._cg, self._s = tab("cm"), tab("cg"), tab("s")
        self._wdd, self._b3 = col("wdd"), col("b3")
        if self.plateau is None:  # fold the rates into the tables once: one (R, 1) slice per step
            self.cm_t, self.cg_t = (lr * self._cm).unbind(0), (lr * self._cg).unbind(0)
            self.dec_t = (1 - lr * self._wdd).unbind(0)
            self.b3_t = (self._b3 / lr**2).unbind(0)
        self.s_t = self._s.unbind(0)
        zeros = torch.zeros(shape, dtype=dtype, device=device)
        self.m, self.v, self.u = zeros, zeros.clone(), zeros.clone()

    def coefficients(self, t: int) -> tuple[torch.Tensor, ...]:
        """(c_m, c_g, decay, b₃) for step index t (0-based), each (R, 1)."""
        if self.plateau is None:
            return self.cm_t[t], self.cg_t[t], self.dec_t[t], self.b3_t[t]
        lr = self.plateau.lr
        return lr * self._cm[t], lr * self._cg[t], 1 - lr * self._wdd, self._b3 / lr**2

    def rate(self, t: int) -> torch.Tensor:
        """The learning rate each row uses at step index t, (R, 1)."""
        return self.lr[t] if self.plateau is None else self.plateau.lr

    def step(
        self,
        t: int,
        p: torch.Tensor,
        g: torch.Tensor,
        out: torch.Tensor | None = None,
        out_m: torch.Tensor | None = None,
        out_v: torch.Tensor | None = None,
        out_u: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Update every row once (t: 0-based step index). `out*` receive the new parameters and state
        (e.g. views into a history buffer); by default they are written in place. Returns the new p."""
        cm, cg, dec, b3 = self.coefficients(t)
        if self.use_wdc:
            g = torch.addcmul(g, p, self.wdc)  # grad.add(param, alpha=weight_decay)
        if self.use_wdd:
            p = p * dec  # AdamW: param.mul_(1 - lr * weight_decay)
        self.m = m = torch.mul(self.m, self.a1, out=self.m if out_m is None else out_m).addcmul_(g, self.b1)
        num = m * cm
        if self.use_cg:
            num.addcmul_(g, cg)
        out = p if out is None else out
        if not self.use_v:  # SGD family only: the denominator is 1
            return torch.sub(p, num, out=out)
        gg = g * g
        self.v = v = torch.mul(self.v, self.a2, out=self.v if out_v is None else out_v).addcmul_(gg, self.b2)
        if self.use_u:
            den = torch.addcmul(self.e, torch.sqrt(v + self.e_in), self.s_t[t])
            delta = num.mul_(torch.sqrt(self.u + self.e_u)).div_(den)  # lr · δ (Adadelta); the update otherwise
            self.u = torch.mul(self.u, self.a3, out=self.u if out_u is None else out_u).addcmul_(delta * delta, b3)
            return torch.sub(p, delta, out=out)
        den = torch.addcmul(self.e, torch.sqrt(v), self.s_t[t])
        return torch.addcdiv(p, num, den, value=-1, out=out)

    def denominator(self, v: torch.Tensor, u: torch.Tensor | None = None) -> torch.Tensor:
        """d (and the Adadelta numerator factor) for a history of second moments v (T, R, D) (step 1..T):
        returns lr-free per-coordinate scale 1/d · √(u_{t−1} + e_u), so the effective step size is lr_t times it."""
        den = torch.sqrt(v + self.e_in) * self._s + self.e
        if u is None:
            return 1 / den
        return torch.sqrt(u + self.e_u) / den
