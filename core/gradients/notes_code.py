"""The interview notes' backprop example (seed 000, "什么是反向传播算法？"), run as written and checked against torch
autograd. The notes' code, a linear model z = x·w trained by hand:

    def forward(x, weights):
        z = np.dot(x, weights)
        return z

    def backward(y, z, weights, learning_rate):
        error = y - z
        dweights = np.dot(x.T, error)
        return dweights

    x = np.array([[1], [2], [3], [4]])
    y = np.array([[1], [2], [3], [4]])
    weights = np.random.rand(4, 1)

    for epoch in range(100):
        z = forward(x, weights)
        dweights = backward(y, z, weights, learning_rate=0.1)
        weights -= dweights

Its bugs, each measured below:
    shape   weights is (4, 1) while x is (4, 1): np.dot(x, weights) raises on the first line. It needs (1, 1).
    sign    with the shape fixed, xᵀ(y − z) is MINUS the gradient of L = ½ Σ (z − y)² (autograd: xᵀ(z − y)), so
            `weights -= dweights` climbs the loss: |w − 1| grows ×(1 + Σx²) = ×31 per step.
    step    learning_rate is passed and never used (a step of 1 on a sum over 4 points). Even with the sign fixed
            that step diverges (×(1 − 30) per step), and so does η = 0.1 on the sum (×(1 − 3)); η = 0.1 on the mean
            gradient xᵀ(z − y)/n converges (×(1 − 0.75) per step).
The corrected code: error = z − y, dweights = xᵀ·error / n, weights -= learning_rate · dweights, weights (1, 1).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

X = np.array([[1.0], [2.0], [3.0], [4.0]])
Y = np.array([[1.0], [2.0], [3.0], [4.0]])
EPOCHS, LR = 100, 0.1


def _start(rows: int, seed: int = 0) -> np.ndarray:
    """np.random.rand(rows, 1), seeded: the same starting weights on every run."""
    return np.random.default_rng(seed).random((rows, 1))


def as_written() -> str | None:
    """Run the notes' code as printed (weights of shape (4, 1)): the error it stops with, or None if it runs."""

    def forward(x, weights):
        return np.dot(x, weights)

    try:
        weights = _start(4)
        for _ in range(EPOCHS):
            z = forward(X, weights)
            weights -= np.dot(X.T, Y - z)
    except ValueError as err:
        return str(err)
    return None


def notes_gradient(w: np.ndarray) -> np.ndarray:
    """The notes' `backward` with the shape fixed: xᵀ(y − z)."""
    return np.dot(X.T, Y - np.dot(X, w))


def fixed_gradient(w: np.ndarray) -> np.ndarray:
    """The corrected `backward`: the gradient of the mean loss ½·mean((z − y)²), xᵀ(z − y)/n."""
    return np.dot(X.T, np.dot(X, w) - Y) / len(X)


def autograd(w: np.ndarray, mean: bool) -> np.ndarray:
    """∂L/∂w by torch autograd for L = ½ Σ (x·w − y)² (or ½·mean(…) when `mean`), in float64."""
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    squares = 0.5 * (x @ wt - y) ** 2
    (squares.mean() if mean else squares.sum()).backward()
    return wt.grad.numpy()


def relative_error(g: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(g - reference) / np.linalg.norm(reference))


def train(step, epochs: int = EPOCHS) -> np.ndarray:
    """|w − 1| after each of `epochs` updates w ← step(w) from the seeded start (shape (1, 1)): 1 is the answer."""
    w, out = _start(1), []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            w = step(w)
            out.append(abs(float(w[0, 0]) - 1.0))
    return np.array(out)


@lru_cache(maxsize=1)
def numbers() -> dict[str, float]:
    """What the card quotes: does it run, how far its gradient is from autograd's, before and after the fix, and
    where 100 updates take w (the answer is w = 1)."""
    w = _start(1)
    notes = train(lambda w: w - notes_gradient(w))  # the notes' update, shape fixed
    fixed = train(lambda w: w - LR * fixed_gradient(w))
    return {
        "code_crashes": float(as_written() is not None),
        "code_rel_err_notes": relative_error(notes_gradient(w), autograd(w, mean=False)),
        "code_rel_err_fixed": relative_error(fixed_gradient(w), autograd(w, mean=True)),
        "code_growth_notes": float(notes[1] / notes[0]),  # |w − 1| per step: ×31, it climbs the loss
        "code_w_err_notes_10": float(notes[9]),
        "code_w_err_fixed": float(fixed[-1]),
    }


def verdict(n) -> str:
    """The example is right only if it runs and its gradient is autograd's."""
    return "true" if n["code_crashes"] == 0 and n["code_rel_err_notes"] < 1e-6 else "false"
