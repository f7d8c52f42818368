"""A stack of M small MLPs on the 8×8 digits, trained as one: every layer of all M models is one batched
matrix product, so a learning-rate sweep or a plain-vs-residual pair costs about one model's overhead.

    h_0 = x W_0 + b_0                                          (M, B, w)   x: (B, 64), shared by all models
    h_l = ReLU(N_l(h_{l−1})) W_l + b_l  [+ h_{l−1} if residual]   l = 1 … L−2   (pre-activation; He et al. 2016b)
    logits = ReLU(N_{L−1}(h_{L−2})) W_out + b_out              (M, B, 10)
L linear layers; N is the model's normalization, each with its own scale γ and shift β per feature:

    batch (BN)   x̂ = (x − μ_B) / √(σ²_B + ε), μ_B, σ²_B over the B examples, per feature (Ioffe & Szegedy 2015);
                 running μ, σ² (momentum 0.1, σ² unbiased) replace them in eval mode
    layer (LN)   the same over the w features of one example (Ba et al. 2016): no batch, no running statistics
    group (GN)   over each group of w/G features of one example (Wu & He 2018); G = 1 is LN
    none         N is the identity (and there is no γ, β)

A residual model has exactly the parameters of the plain one: the skip h_{l−1} is an identity, no weights.
All models of a stack start from the same weights (drawn once from the seed), so a comparison differs only in
what is compared. Plain SGD with a learning rate per model: θ_m ← θ_m − η_m ∇θ_m L_m (the loss is the sum of the
models' losses, whose gradient for model m is its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import device

D_IN, D_OUT = 64, 10
KINDS = ("none", "bn", "ln", "gn")
EPS, MOMENTUM = 1e-5, 0.1  # nn.BatchNorm1d / LayerNorm / GroupNorm defaults


@dataclass(frozen=True)
class Spec:
    kinds: tuple[str, ...]  # one normalization per model
    residual: tuple[bool, ...]  # one per model
    depth: int  # linear layers L (≥ 2)
    width: int
    groups: int = 8  # GN groups (divides width)

    def __post_init__(self):
        assert len(self.kinds) == len(self.residual) and set(self.kinds) <= set(KINDS)
        assert self.depth >= 2 and self.width % self.groups == 0

    @property
    def models(self) -> int:
        return len(self.kinds)

    def n_params(self, m: int) -> int:
        """Learnable numbers of model m: the linear layers, plus γ and β of each norm layer."""
        w, hidden = self.width, self.depth - 2
        linear = (D_IN + 1) * w + hidden * (w + 1) * w + (w + 1) * D_OUT
        return linear + (0 if self.kinds[m] == "none" else 2 * w * (self.depth - 1))

    def segments(self) -> list[tuple[str, int, int]]:
        """Runs of consecutive models with the same normalization: (kind, start, stop)."""
        out: list[tuple[str, int, int]] = []
        for m, kind in enumerate(self.kinds):
            if out and out[-1][0] == kind:
                out[-1] = (kind, out[-1][1], m + 1)
            else:
                out.append((kind, m, m + 1))
        return out


def initial(spec: Spec, seed: int) -> dict[str, torch.Tensor]:
    """One model's weights from the seed (He-normal hidden layers, 1/fan-in head, zero biases), repeated M times."""
    g = torch.Generator().manual_seed(seed)
    w, n = spec.width, spec.depth - 1
    one = {
        "w0": torch.randn(1, D_IN, w, generator=g) * math.sqrt(2 / D_IN),  # (1, 64, w)
        "wh": torch.randn(spec.depth - 2, 1, w, w, generator=g) * math.sqrt(2 / w),  # (L−2, 1, w, w)
        "wo": torch.randn(1, w, D_OUT, generator=g) * math.sqrt(1 / w),  # (1, w, 10)
    }
    m = spec.models
    return {
        "w0": one["w0"].repeat(m, 1, 1),
        "b0": torch.zeros(m, 1, w),
        "wh": one["wh"].repeat(1, m, 1, 1),
        "bh": torch.zeros(spec.depth - 2, m, 1, w),
        "wo": one["wo"].repeat(m, 1, 1),
        "bo": torch.zeros(m, 1, D_OUT),
        "gamma": torch.ones(n, m, 1, w),  # unused (and left at 1) for models without normalization
        "beta": torch.zeros(n, m, 1, w),
    }


MODEL_AXIS = {"w0": 0, "b0": 0, "wo": 0, "bo": 0, "wh": 1, "bh": 1, "gamma": 1, "beta": 1}


class Stack:
    """M models' parameters and BN running statistics on the device, a forward pass and an SGD step."""

    def __init__(self, spec: Spec, seed: int, dev: torch.device | None = None):
        self.spec = spec
        dev = dev or device.device()
        self.params = {k: t.to(dev).requires_grad_(True) for k, t in initial(spec, seed).items()}
        n, m, w = spec.depth - 1, spec.models, spec.width
        self.running_mean = torch.zeros(n, m, w, device=dev)
        self.running_var = torch.ones(n, m, w, device=dev)
        self._segments = spec.segments()
        self._res = torch.tensor(spec.residual, dtype=torch.float32, device=dev).view(m, 1, 1)

    # ---- forward -----------------------------------------------------------------------------------

    def norm(self, layer: int, h: torch.Tensor, stats: str | int, gamma: torch.Tensor, beta: torch.Tensor):
        """N_layer of every model: (M, B, w) -> (M, B, w); gamma, beta (M, 1, w). `stats`: "batch" (training:
        batch statistics, running statistics updated), "running" (eval mode), or an int b (batch statistics of
        consecutive groups of b examples, as training mode would see a test set in batches of b; nothing updated;
        B a multiple of b)."""
        parts = []
        whole = len(self._segments) == 1  # no slicing: every slice adds a backward step
        for kind, s, e in self._segments:
            z, ga, be = (h, gamma, beta) if whole else (h[s:e], gamma[s:e], beta[s:e])  # (k, B, w), (k, 1, w)
            if kind == "bn":
                z = self._batch_norm(layer, z, s, e, ga, be, stats)
            elif kind == "ln":
                z = torch.addcmul(be, F.layer_norm(z, (z.shape[-1],), eps=EPS), ga)
            elif kind == "gn":
                k, b, w = z.shape
                z = torch.addcmul(be, F.group_norm(z.reshape(k * b, w), self.spec.groups, eps=EPS).view(k, b, w), ga)
            parts.append(z)
        return parts[0] if len(parts) == 1 else torch.cat(parts, 0)

    def _batch_norm(self, layer, z, s, e, gamma, beta, stats) -> torch.Tensor:
        k, b, w = z.shape
        if isinstance(stats, int):  # groups of `stats` examples, each normalized with its own statistics
            groups = z.reshape(k, b // stats, stats, w)
            mean, var = groups.mean(2, keepdim=True), groups.var(2, unbiased=False, keepdim=True)
            return ((groups - mean) / torch.sqrt(var + EPS)).reshape(k, -1, w) * gamma + beta
        flat = z.transpose(0, 1).reshape(b, k * w)  # (B, k·w): one feature per (model, unit)
        out = F.batch_norm(
            flat,
            self.running_mean[layer, s:e].view(-1),
            self.running_var[layer, s:e].view(-1),
            gamma.reshape(-1),
            beta.reshape(-1),
            training=stats == "batch",
            momentum=MOMENTUM,
            eps=EPS,
        )
        return out.view(b, k, w).transpose(0, 1)

    def hidden(
        self, x: torch.Tensor, stats: str | int = "batch", keep: bool = False
    ) -> tuple[list[torch.Tensor], tuple]:
        """(h_0 … h_{L−2} if `keep`, else [h_{L−2}], each (M, B', w), and the per-layer (γ, β) views) for inputs
        x (B, 64). Not keeping the earlier layers frees them as the pass goes (an eval on 1,347 digits).

        Per-layer weights are taken with one unbind per stacked tensor (its backward is one stack); indexing
        the stacked tensor layer by layer would make every backward step allocate a whole-tensor gradient."""
        p = self.params
        if isinstance(stats, int):  # whole groups: the last one filled up with the first examples again
            x = x[torch.arange(-(-len(x) // stats) * stats, device=x.device) % len(x)]
        wh, bh = p["wh"].unbind(0), p["bh"].unbind(0)
        affine = (p["gamma"].unbind(0), p["beta"].unbind(0))
        h = torch.matmul(x, p["w0"]) + p["b0"]  # (M, B', w)
        out = [h]
        res = self.spec.residual
        for layer in range(self.spec.depth - 2):
            z = F.relu(self.norm(layer, h, stats, affine[0][layer], affine[1][layer]))
            u = torch.baddbmm(bh[layer], z, wh[layer])
            h = (h + u) if all(res) else u if not any(res) else torch.addcmul(u, self._res, h)
            out = out + [h] if keep else [h]
        return out, affine

    def forward(self, x: torch.Tensor, stats: str | int = "batch") -> torch.Tensor:
        """Logits (M, B, 10)."""
        hs, (gamma, beta) = self.hidden(x, stats)
        last = self.spec.depth - 2
        z = F.relu(self.norm(last, hs[-1], stats, gamma[last], beta[last]))
        return torch.baddbmm(self.params["bo"], z, self.params["wo"])[:, : len(x)]

    def losses(self, x: torch.Tensor, y: torch.Tensor, stats: str | int = "batch") -> torch.Tensor:
        """(M,) mean cross-entropy of each model."""
        logits = self.forward(x, stats)  # (M, B, 10)
        m, b, _ = logits.shape
        return F.cross_entropy(logits.reshape(m * b, D_OUT), y.repeat(m), reduction="none").view(m, b).mean(1)

    # ---- training ---------------------------------------------------------------------------------

    def step(self, x: torch.Tensor, y: torch.Tensor, lr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One SGD step of every model on the mini-batch (x, y); lr (M,). Returns (losses (M,), ‖∂L/∂W_0‖ (M,))
        on the device, before the step."""
        for t in self.params.values():
            t.grad = None
        lr = lr.to(self.params["w0"].device)
        loss = self.losses(x, y)
        loss.sum().backward()
        first = torch.linalg.vector_norm(self.params["w0"].grad, dim=(1, 2))
        with torch.no_grad():
            for name, t in self.params.items():
                if t.grad is not None:
                    shape = [1] * t.dim()
                    shape[MODEL_AXIS[name]] = -1
                    t.sub_(lr.view(shape) * t.grad)
        return loss.detach(), first

    @torch.no_grad()
    def accuracy(self, x: torch.Tensor, y: torch.Tensor, stats: str | int = "running") -> torch.Tensor:
        """(M,) share of correct predictions (NaN for a model whose logits are not finite)."""
        logits = self.forward(x, stats)
        right = (logits.argmax(-1) == y).float().mean(1)
        return torch.where(torch.isfinite(logits).all(-1).all(-1), right, torch.nan)


def rows(history: list[torch.Tensor]) -> np.ndarray:
    """Per-step device tensors (M,) of one chunk -> (steps, M) float32 numpy: the chunk's one read."""
    return torch.stack(history).detach().to("cpu", torch.float32).numpy()
