"""M small networks as one batch: the models a section compares (one per loss) train side by side.

    one hidden layer:  x (B, I) → W1 (M, I, H), b1 (M, 1, H) → act → W2 (M, H, O), b2 (M, 1, O) → (M, B, O)

Every model starts from the same weights (initialised like torch.nn.Linear: U(−1/√fan_in, 1/√fan_in),
from the seed), sees the same data, and only its loss differs. The loss of the batch is the sum of the M
models' losses, so one backward pass gives every model its own gradient, and one torch.optim optimizer
over the stacked tensors updates each model exactly as its own optimizer would (SGD and Adam act
element by element). Twenty separate nn.Modules would cost ~20× the Python overhead per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Mlp:
    w1: torch.Tensor  # (M, I, H)
    b1: torch.Tensor  # (M, 1, H)
    w2: torch.Tensor  # (M, H, O)
    b2: torch.Tensor  # (M, 1, O)
    act: str = "relu"

    @property
    def params(self) -> list[torch.Tensor]:
        return [self.w1, self.b1, self.w2, self.b2]

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, I) shared by every model, or (M, B, I) -> hidden activations (M, B, H)."""
        x = x.expand(self.w1.shape[0], *x.shape) if x.dim() == 2 else x
        h = torch.baddbmm(self.b1, x, self.w1)
        return torch.tanh(h) if self.act == "tanh" else torch.relu(h)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """(M, B, O) outputs."""
        return torch.baddbmm(self.b2, self.hidden(x), self.w2)

    def numpy(self) -> dict[str, np.ndarray]:
        """The weights as float32 arrays (a finished result keeps them, e.g. to score a new threshold)."""
        return {k: getattr(self, k).detach().cpu().numpy().astype(np.float32) for k in ("w1", "b1", "w2", "b2")}


def mlp(models: int, n_in: int, width: int, n_out: int, seed: int, act: str = "relu", dev="cpu") -> Mlp:
    """`models` copies of one seeded initialisation, each a leaf tensor that requires grad."""
    gen = torch.Generator().manual_seed(seed)

    def uniform(fan_in: int, *shape: int) -> torch.Tensor:
        bound = 1 / fan_in**0.5
        one = (torch.rand(*shape, generator=gen) * 2 - 1) * bound
        return one.expand(models, *shape).clone().to(dev).requires_grad_(True)

    return Mlp(
        uniform(n_in, n_in, width),
        uniform(n_in, 1, width),
        uniform(width, width, n_out),
        uniform(width, 1, n_out),
        act,
    )
