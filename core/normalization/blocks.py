"""The page's networks as ordinary torch modules, to count what a skip connection adds (the notes: ResNet "trains
faster because it has fewer parameters").

    plain block      h_l = F_l(h_{l−1})              F_l(h) = Linear(ReLU(BN(h)))     (section 5, pre-activation)
    residual block   h_l = h_{l−1} + F_l(h_{l−1})    the same F_l: the identity path has no weights

So a residual net has exactly the parameters of its plain twin. Only where the shortcut must change the shape (a
ResNet stage that doubles the channels and halves the map, He et al. 2016, option B) does it get weights: a 1×1
convolution and its BN — a residual net then has *more* parameters, never fewer. What the skip does change is the
backward path: ∂h_l/∂h_{l−1} = I + ∂F_l/∂h_{l−1}.

`mlp` builds section 5's network (nn.Linear, nn.BatchNorm1d; or LayerNorm / GroupNorm: any model of a
core.normalization.nets Stack); `load` copies one model of a Stack into it (tests/normalization/test_nets.py checks
both compute the same, step by step); `Basic` is ResNet-18/34's two-convolution block.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.normalization import nets


def _norm(kind: str, width: int, groups: int) -> nn.Module:
    """N of core.normalization.nets as its torch module (the same ε and momentum)."""
    if kind == "bn":
        return nn.BatchNorm1d(width, eps=nets.EPS, momentum=nets.MOMENTUM)
    if kind == "ln":
        return nn.LayerNorm(width, eps=nets.EPS)
    return nn.GroupNorm(groups, width, eps=nets.EPS) if kind == "gn" else nn.Identity()


NORMS = (nn.BatchNorm1d, nn.LayerNorm, nn.GroupNorm)


class Block(nn.Module):
    """One hidden layer of section 5: Linear(ReLU(N(h))), plus h when residual."""

    def __init__(self, width: int, norm: str, residual: bool, groups: int = 8):
        super().__init__()
        self.norm, self.linear, self.residual = _norm(norm, width, groups), nn.Linear(width, width), residual

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        u = self.linear(F.relu(self.norm(h)))
        return h + u if self.residual else u


def mlp(depth: int, width: int, norm: str = "bn", residual: bool = False, groups: int = 8) -> nn.Sequential:
    """Section 5's net of `depth` linear layers: 64 → width, depth − 2 blocks, then N, ReLU and width → 10 (any
    model of a nets.Stack: N is BN, LN, GN with `groups` groups, or none)."""
    blocks = [Block(width, norm, residual, groups) for _ in range(depth - 2)]
    head = [_norm(norm, width, groups), nn.ReLU(), nn.Linear(width, nets.D_OUT)]
    return nn.Sequential(nn.Linear(nets.D_IN, width), *blocks, *head)


@torch.no_grad()
def load(net: nn.Sequential, stack: nets.Stack, m: int) -> nn.Sequential:
    """Copy model m of `stack` (its weights, γ, β and BN's running statistics) into `net` (built by `mlp` alike)."""
    p = {k: v.detach().cpu() for k, v in stack.params.items()}
    linears = [mod for mod in net.modules() if isinstance(mod, nn.Linear)]
    weights = [p["w0"][m]] + [p["wh"][i, m] for i in range(len(p["wh"]))] + [p["wo"][m]]
    biases = [p["b0"][m, 0]] + [p["bh"][i, m, 0] for i in range(len(p["bh"]))] + [p["bo"][m, 0]]
    for lin, w, b in zip(linears, weights, biases, strict=True):
        lin.weight.copy_(w.T)
        lin.bias.copy_(b)
    for i, norm in enumerate(mod for mod in net.modules() if isinstance(mod, NORMS)):
        norm.weight.copy_(p["gamma"][i, m, 0])
        norm.bias.copy_(p["beta"][i, m, 0])
        if isinstance(norm, nn.BatchNorm1d):
            norm.running_mean.copy_(stack.running_mean[i, m].cpu())
            norm.running_var.copy_(stack.running_var[i, m].cpu())
    return net


class Basic(nn.Module):
    """ResNet-18/34's basic block: 3×3 conv, BN, ReLU, 3×3 conv, BN (convolutions without bias: BN cancels it),
    then the shortcut: "none" (a plain block), "identity", or "projection" (1×1 conv + BN, for a new shape)."""

    def __init__(self, c_in: int, c_out: int, stride: int, shortcut: str):
        super().__init__()
        assert shortcut in ("none", "identity", "projection")
        assert shortcut != "identity" or (c_in == c_out and stride == 1), "an identity keeps the shape"
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.kind = shortcut
        proj = (
            [nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)] if shortcut == "projection" else []
        )
        self.shortcut = nn.Sequential(*proj)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = self.body(x)
        return F.relu(u if self.kind == "none" else u + self.shortcut(x))


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def counts(depth: int, width: int) -> dict[str, int]:
    """Learned numbers counted on the torch modules: section 5's plain and residual nets (with BN), a 64-channel
    basic block plain and with its identity skip, and a 64 → 128 (stride 2) block plain and with a projection."""
    down_plain, down_proj = n_params(Basic(64, 128, 2, "none")), n_params(Basic(64, 128, 2, "projection"))
    return {
        "params_plain": n_params(mlp(depth, width, "bn", False)),
        "params_res": n_params(mlp(depth, width, "bn", True)),
        "block_plain": n_params(Basic(64, 64, 1, "none")),
        "block_res": n_params(Basic(64, 64, 1, "identity")),
        "down_plain": down_plain,
        "down_proj": down_proj,
        "proj_extra": down_proj - down_plain,
    }
