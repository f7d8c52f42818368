"""Outliers: the same 1-D regression fitted with each regression loss — a constant, a line and a small MLP
per loss, side by side, live — and how far each fit is pulled by a share of outliers.

Data: x ~ U(−1, 1), y = f(x) + σ·ε (ε ~ N(0, 1)), f a line (y = x) or a wave (y = sin πx); then a share of
the points (chosen from the seed) get y += size: one-sided outliers. Or the user's own points, rescaled to
that frame (x to [−1, 1], y centred on its median and divided by its IQR/1.349, a robust spread) and the
fits mapped back.

Models, one per chosen loss, all from the same start: a constant c, a line a·x + b, and an MLP
1 → 32 tanh → 1. Full-batch Adam with the rate decayed linearly to 0, so each fit settles on its optimum
instead of circling it. What the optimum is, without outliers in the way (Koenker 2005, Huber 1964):
    MSE   the constant → mean(y),     the line → least squares (the conditional mean)
    MAE   the constant → median(y),   the line → least absolute deviations: half the points on each side
    quantile τ → the τ-quantile of y; the line leaves a share τ of the points below it
    Huber / log-cosh / smooth L1: in between — squared near 0, absolute (bounded influence) far out
"Pull" = mean over x of (fit(x) − f(x)): how far the outliers moved the fit away from the clean truth.

Work (core.budget): `cost` = steps · (5.2e-4 + L · (6.9e-5 + 3.2e-7 · n)) CPU seconds on one torch thread, for L
losses and n points, times MARGIN. Calibrated once by timing 500-step runs (time.process_time, one thread) at
L ∈ {1, 3, 6} and n ∈ {60, 400}: the fit is within 3 % of each; the costliest legal link (5,000 steps, 6 losses,
400 points) measured 10.2 s in a fresh process (bench/link_budget.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import device, training
from core.losses.functions import REGRESSION
from core.losses.nets import mlp

WIDTH = 32  # hidden units of the MLP
LR = 0.05  # Adam's initial rate (decayed linearly to 0)
PLOT = 161  # points of the plotted fits over [−1, 1]
KINDS = ("const", "line", "mlp")
MARGIN = 1.5  # the model errs high: CPU time on a busy 2-core machine varies ~30 % run to run; no-AVX2 CPUs


def cost(steps: int, n_losses: int, n_points: int) -> float:
    """Estimated CPU seconds of one run on one torch thread (the calibration is in the module docstring)."""
    return MARGIN * steps * (5.2e-4 + n_losses * (6.9e-5 + 3.2e-7 * n_points))


@dataclass(frozen=True)
class Data:
    x: np.ndarray  # (n,) float64 in the fitting frame
    y: np.ndarray  # (n,) float64
    outlier: np.ndarray  # (n,) bool
    truth: np.ndarray | None  # (PLOT,) f on the plot grid, None for the user's points
    truth_at: np.ndarray | None  # (n,) f(x) at the data
    x_scale: tuple[float, float]  # (centre, half range): original x = centre + half · x
    y_scale: tuple[float, float]  # (centre, spread): original y = centre + spread · y


def truth_fn(kind: str, x: np.ndarray) -> np.ndarray:
    return np.sin(math.pi * x) if kind == "wave" else x


def synthetic(n: int, truth: str, noise: float, share: float, size: float, seed: int) -> Data:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = truth_fn(truth, x) + noise * rng.standard_normal(n)
    out = np.zeros(n, bool)
    out[rng.permutation(n)[: int(round(share * n))]] = True
    y = y + size * out
    grid = np.linspace(-1, 1, PLOT)
    return Data(x, y, out, truth_fn(truth, grid), truth_fn(truth, x), (0.0, 1.0), (0.0, 1.0))


def user_points(points: np.ndarray) -> Data:
    """(N, 2) user points in their own units -> the fitting frame (robust centre and spread)."""
    x, y = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    lo, hi = float(x.min()), float(x.max())
    cx, hx = (lo + hi) / 2, max((hi - lo) / 2, 1e-9)
    q1, cy, q3 = np.quantile(y, [0.25, 0.5, 0.75])
    sy = float(q3 - q1) / 1.349 or float(np.abs(y - cy).max()) or 1.0
    return Data((x - cx) / hx, (y - cy) / sy, np.zeros(len(x), bool), None, None, (cx, hx), (float(cy), sy))


@dataclass(frozen=True)
class OutlierFits:
    keys: tuple[str, ...]  # the losses, one model of each kind per loss
    data: Data
    grid: np.ndarray  # (PLOT,) float32, x of the plotted fits (fitting frame)
    const: np.ndarray  # (L,) float64: fitted constants
    line: np.ndarray  # (L, 2) float64: slope, intercept
    line_fit: np.ndarray  # (L, PLOT) float32
    mlp_fit: np.ndarray  # (L, PLOT) float32
    residual: np.ndarray  # (L, 3, n) float32: y − ŷ at the data, per model kind
    loss: np.ndarray  # (done, L) float32: the summed training loss of each loss's three models
    steps: int
    done: int
    finite: bool
    delta: float
    tau: float

    def pull(self) -> dict[str, np.ndarray] | None:
        """Mean over x of (fit − truth), per kind and loss; None without a known truth."""
        d = self.data
        if d.truth is None:
            return None
        return {
            "const": self.const - float(d.truth.mean()),
            "line": (self.line_fit - d.truth).mean(1),
            "mlp": (self.mlp_fit - d.truth).mean(1),
        }

    def targets(self) -> dict[str, float]:
        """Where the constant fits must land: the mean, median and τ-quantile of y (and Huber's M-estimate
        lies between mean and median); for the line and MLP, the same statistics of the noise y − f(x)."""
        y = self.data.y
        out = {"mean": float(y.mean()), "median": float(np.median(y)), "quantile": float(np.quantile(y, self.tau))}
        if self.data.truth_at is not None:
            e = y - self.data.truth_at
            out |= {
                "noise_mean": float(e.mean()),
                "noise_median": float(np.median(e)),
                "noise_quantile": float(np.quantile(e, self.tau)),
            }
        return out

    def least_squares(self) -> tuple[float, float]:
        """The closed-form least-squares line (slope, intercept): where the MSE line must land."""
        a = np.stack([self.data.x, np.ones_like(self.data.x)], 1)
        slope, intercept = np.linalg.lstsq(a, self.data.y, rcond=None)[0]
        return float(slope), float(intercept)

    def share_below(self) -> np.ndarray:
        """(L,) share of points strictly below each loss's line (y < ŷ): ½ for MAE, τ for quantile τ."""
        return (self.residual[:, 1] < 0).mean(1)


def _losses(keys: tuple[str, ...], r: torch.Tensor, knobs: dict) -> torch.Tensor:
    """r (L, 3, n) residuals ŷ − y -> (L,) each loss's mean over the points, summed over the three models."""
    return torch.stack([REGRESSION[k].fn(r[i], knobs).mean(-1).sum() for i, k in enumerate(keys)])


def stream(keys: tuple[str, ...], data: Data, steps: int, delta: float, tau: float, seed: int):
    dev = device.device()
    n_loss = len(keys)
    x = torch.tensor(data.x, dtype=torch.float32, device=dev)
    y = torch.tensor(data.y, dtype=torch.float32, device=dev)
    grid = torch.linspace(-1, 1, PLOT, device=dev)
    const = torch.zeros(n_loss, 1, device=dev, requires_grad=True)
    line = torch.zeros(n_loss, 2, device=dev, requires_grad=True)
    net = mlp(n_loss, 1, WIDTH, 1, seed, act="tanh", dev=dev)
    opt = torch.optim.Adam([const, line, *net.params], lr=LR, foreach=True)
    knobs = {"delta": delta, "tau": tau}
    history: list[np.ndarray] = []

    def predict(xs: torch.Tensor) -> torch.Tensor:
        """(L, 3, len(xs)): constant, line, MLP."""
        lin = line[:, :1] * xs + line[:, 1:]
        return torch.stack([const.expand(-1, len(xs)), lin, net(xs[:, None])[..., 0]], 1)

    def train_chunk(start: int, stop: int) -> torch.Tensor:
        chunk = torch.empty(stop - start, n_loss, device=dev)
        for t in range(start, stop):
            for group in opt.param_groups:
                group["lr"] = LR * (1 - t / steps)  # linear decay to 0: the fits settle on their optima
            loss = _losses(keys, predict(x) - y, knobs)
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            chunk[t - start] = loss.detach()
        history.append(training.read(chunk))  # one read per chunk
        return history[-1]

    def snapshot(stop: int, finite: bool) -> OutlierFits:
        with torch.no_grad():
            fits = predict(grid).cpu().numpy()
            residual = (y - predict(x)).cpu().numpy()
        return OutlierFits(
            keys=keys,
            data=data,
            grid=grid.cpu().numpy(),
            const=const.detach().cpu().numpy()[:, 0].astype(np.float64),
            line=line.detach().cpu().numpy().astype(np.float64),
            line_fit=fits[:, 1].astype(np.float32),
            mlp_fit=fits[:, 2].astype(np.float32),
            residual=residual.astype(np.float32),
            loss=np.concatenate(history).astype(np.float32),
            steps=steps,
            done=stop,
            finite=finite,
            delta=delta,
            tau=tau,
        )

    yield from training.chunked(steps, train_chunk, snapshot)


def run(keys, data, steps, delta, tau, seed) -> Iterator[tuple[float, OutlierFits]]:
    """The stream with the seeded MLP initialisation drawn under the compute device's settings."""
    return stream(tuple(keys), data, steps, delta, tau, seed)
