"""Class imbalance: one 2-D task with a rare class, three losses, the same small network each.

Data: a base data set of core.datasets2d (two classes), then class 1 thinned to 1/ratio of class 0 in both
the training and the test set (N_MAJOR and N_MAJOR_TEST points of class 0): the test set is as imbalanced
as the training set, as it would be in use.

Losses on the logits z (p_t = softmax(z)_y, the probability of the true class; n_c = points of class c):
    CE            −log p_t
    weighted CE   −w_y log p_t / Σ w_y,  w_c = N / (2 n_c)     (torch: F.cross_entropy(weight=w))
    focal γ       −α_y (1 − p_t)^γ log p_t,  α = w when "α-balanced", else 1   (Lin et al. 2017)
Three MLPs 2 → 32 ReLU → 2 from one initialisation, full-batch Adam, trained side by side (core.losses.nets).

Read-outs on the test set, class 1 the positive (rare) class:
    recall_c = TP_c / n_c per class; precision and recall of class 1 at the 0.5 threshold; the
    precision–recall curve as the threshold on p(class 1) moves, and the average precision
    AP = Σ_k (R_k − R_{k−1}) P_k (scikit-learn's definition; tests compare).

Work (core.budget): `cost` = 0.6 + steps · (4.2e-4 + 6e-7 · N) CPU seconds on one torch thread, N = N_MAJOR ·
(1 + 1/ratio) training points, times MARGIN. Calibrated once by timing 300-step runs (time.process_time, one
thread) at ratios 1, 10 and 100; 0.6 s is a fresh process's first run (the data set, torch's first kernels).
The costliest legal link (3,000 steps, ratio 1) measured 4.4 s in a fresh process (bench/link_budget.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import datasets2d, device, training
from core.losses.nets import mlp

KEYS = ("ce", "wce", "focal")
N_MAJOR, N_MAJOR_TEST = 400, 1000
N_MINOR_MIN = 4  # at least this many rare points in each set
WIDTH, LR = 32, 0.02
GRID = 61  # decision-map resolution
MARGIN = 1.5  # the model errs high: CPU time on a busy 2-core machine varies ~30 % run to run; no-AVX2 CPUs


def cost(steps: int, ratio: float) -> float:
    """Estimated CPU seconds of one run on one torch thread (calibration: the module docstring)."""
    return MARGIN * (0.6 + steps * (4.2e-4 + 6e-7 * N_MAJOR * (1 + 1 / ratio)))


def thin(x: torch.Tensor, y: torch.Tensor, n_major: int, ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The first n_major points of class 0 and the first n_major/ratio (≥ N_MINOR_MIN) of class 1."""
    major = torch.nonzero(y == 0).flatten()[:n_major]
    minor = torch.nonzero(y == 1).flatten()[: max(N_MINOR_MIN, round(n_major / ratio))]
    keep = torch.cat([major, minor])
    return x[keep], y[keep]


def dataset(kind: str, noise: float, ratio: float, seed: int) -> tuple[torch.Tensor, ...]:
    pool = N_MAJOR + N_MAJOR_TEST
    d = datasets2d.make(kind, 4 * pool, noise, 0.5, seed)  # balanced: ≥ 2·pool of each class in each half
    x_tr, y_tr = thin(d.x_train, d.y_train, N_MAJOR, ratio)
    x_te, y_te = thin(d.x_test, d.y_test, N_MAJOR_TEST, ratio)
    return x_tr, y_tr, x_te, y_te, torch.tensor(d.extent)


def class_weights(y: torch.Tensor) -> torch.Tensor:
    """w_c = N / (2 n_c): each class carries half of the total weight."""
    counts = torch.bincount(y, minlength=2).float()
    return len(y) / (2 * counts)


def loss_fns(w: torch.Tensor, gamma: float, alpha: bool):
    def focal(z, y):
        logp = F.log_softmax(z, -1).gather(1, y[:, None])[:, 0]
        a = w[y] if alpha else 1.0  # Σ w_y = N: the same scale as weighted CE
        return (-a * (1 - logp.exp()).pow(gamma) * logp).mean()

    return {
        "ce": lambda z, y: F.cross_entropy(z, y),
        "wce": lambda z, y: F.cross_entropy(z, y, weight=w),
        "focal": focal,
    }


def pr_curve(score: np.ndarray, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Precision and recall at every threshold (descending scores, ties as one), and the average precision."""
    order = np.argsort(-score, kind="stable")
    s, pos = score[order], positive[order].astype(np.float64)
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last index of each distinct score
    tp = np.cumsum(pos)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / max(pos.sum(), 1)
    ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    return precision.astype(np.float32), recall.astype(np.float32), ap


@dataclass(frozen=True)
class Imbalance:
    keys: tuple[str, ...]
    ratio: float
    counts: tuple[int, int]  # training points of class 0 and 1
    test_counts: tuple[int, int]
    x_train: np.ndarray  # (N, 2) float32
    y_train: np.ndarray  # (N,) int64
    axis: np.ndarray  # (GRID,) float32
    p_grid: np.ndarray  # (M, GRID, GRID) float32: p(class 1) over the plane
    p_test: np.ndarray  # (M, N_test) float32
    y_test: np.ndarray  # (N_test,) int64
    loss: np.ndarray  # (done, M) float32
    steps: int
    done: int
    finite: bool

    def recall(self) -> np.ndarray:
        """(M, 2) recall of each class at the 0.5 threshold."""
        pred = self.p_test >= 0.5
        return np.stack([(~pred[:, self.y_test == 0]).mean(1), pred[:, self.y_test == 1].mean(1)], 1)

    def precision(self) -> np.ndarray:
        """(M,) precision of class 1 at the 0.5 threshold (1 when nothing is called class 1)."""
        pred = self.p_test >= 0.5
        called = pred.sum(1)
        hits = (pred & (self.y_test == 1)).sum(1)
        return np.where(called > 0, hits / np.maximum(called, 1), 1.0)

    def accuracy(self) -> np.ndarray:
        return ((self.p_test >= 0.5) == (self.y_test == 1)).mean(1)

    def curves(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        return [pr_curve(p, self.y_test == 1) for p in self.p_test]


def stream(kind: str, noise: float, ratio: float, gamma: float, alpha: bool, steps: int, seed: int):
    dev = device.device()
    x_tr, y_tr, x_te, y_te, extent = (t.to(dev) for t in dataset(kind, noise, ratio, seed))
    axis, grid = datasets2d.grid(float(extent), GRID)
    grid = grid.to(dev)
    fns = loss_fns(class_weights(y_tr), gamma, alpha)
    net = mlp(len(KEYS), 2, WIDTH, 2, seed, dev=dev)
    opt = torch.optim.Adam(net.params, lr=LR)
    history: list[np.ndarray] = []

    def train_chunk(start: int, stop: int) -> np.ndarray:
        chunk = torch.empty(stop - start, len(KEYS), device=dev)
        for t in range(start, stop):
            z = net(x_tr)  # (M, N, 2)
            loss = torch.stack([fns[k](z[i], y_tr) for i, k in enumerate(KEYS)])
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()
            opt.step()
            chunk[t - start] = loss.detach()
        history.append(training.read(chunk))
        return history[-1]

    def snapshot(stop: int, finite: bool) -> Imbalance:
        with torch.no_grad():
            p_grid = torch.softmax(net(grid), -1)[..., 1].reshape(len(KEYS), GRID, GRID)
            p_test = torch.softmax(net(x_te), -1)[..., 1]
        counts = torch.bincount(y_tr, minlength=2).tolist()
        return Imbalance(
            keys=KEYS,
            ratio=ratio,
            counts=(counts[0], counts[1]),
            test_counts=tuple(torch.bincount(y_te, minlength=2).tolist()),
            x_train=x_tr.cpu().numpy(),
            y_train=y_tr.cpu().numpy(),
            axis=axis,
            p_grid=p_grid.cpu().numpy().astype(np.float32),
            p_test=p_test.cpu().numpy().astype(np.float32),
            y_test=y_te.cpu().numpy(),
            loss=np.concatenate(history).astype(np.float32),
            steps=steps,
            done=stop,
            finite=finite,
        )

    yield from training.chunked(steps, train_chunk, snapshot)
