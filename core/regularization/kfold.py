"""k-fold cross-validation on the polynomial task (core.regularization.poly): folds, per-fold scores, and
how much one train/validation split can mislead.

    folds      shuffle the n points (seeded) and cut them into k folds of ⌊n/k⌋ or ⌈n/k⌉ points
    fold j     fit on the other k − 1 folds, score (MSE) on fold j
    CV(d)      mean over the k folds of the score of degree d;  pick d̂ = argmin CV(d)
    one split  hold out one random share 1/k once, score on it (what a single validation set gives)
    truth      the degree-d polynomial fitted on all n points, scored on N_TEST fresh points

Fits are least squares on the Legendre features (ridge JITTER·I keeps a fold with fewer points than
coefficients solvable: it then interpolates, as poly's minimum-norm fit does). Every fit of every split is
one batched solve of the normal equations per degree (numpy), so REPEATS reshuffles of both procedures
show their spread: how far one split's estimate lands from the truth, and how often each picks the best
degree. Cross-validation measures; it does not by itself stop a model from overfitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.regularization import poly

DEG_MAX = 15
REPEATS = 100
JITTER = 1e-9


def folds(n: int, k: int, seed: int) -> np.ndarray:
    """(n,) fold number of each point: a seeded shuffle cut into k nearly equal parts."""
    order = np.random.default_rng(seed + 31).permutation(n)
    fold = np.empty(n, dtype=np.int64)
    fold[order] = np.arange(n) % k
    return fold


def split_scores(phi: np.ndarray, y: np.ndarray, train: np.ndarray) -> np.ndarray:
    """MSE on the held-out points for every degree 0…D and every split: train (S, n) bool → (S, D + 1).
    Normal equations, batched over splits, nested over degrees (the leading (d+1)×(d+1) block)."""
    w_tr = train.astype(np.float64)  # (S, n)
    gram = np.einsum("sn,ni,nj->sij", w_tr, phi, phi)  # (S, D+1, D+1)
    rhs = np.einsum("sn,ni,n->si", w_tr, phi, y)  # (S, D+1)
    held = 1.0 - w_tr
    out = np.empty((len(train), phi.shape[1]))
    for d in range(phi.shape[1]):
        g = gram[:, : d + 1, : d + 1]
        g = g + JITTER * (1 + np.trace(g, axis1=1, axis2=2))[:, None, None] * np.eye(d + 1)
        w = np.linalg.solve(g, rhs[:, : d + 1, None])[..., 0]  # (S, d+1)
        err = (phi[None, :, : d + 1] @ w[..., None])[..., 0] - y[None]  # (S, n)
        out[:, d] = (held * err**2).sum(1) / held.sum(1)
    return out


@dataclass(frozen=True)
class KFold:
    k: int
    degree: int  # the degree whose per-fold scores are shown
    x: np.ndarray  # (n,) float32
    y: np.ndarray
    fold: np.ndarray  # (n,) int
    per_fold: np.ndarray  # (k, D + 1) validation MSE per fold and degree
    one_split: np.ndarray  # (D + 1,) validation MSE of one random split
    held_out: np.ndarray  # (n,) bool, that split's validation points
    truth: np.ndarray  # (D + 1,) test MSE of the fit on all points
    cv_repeats: np.ndarray  # (REPEATS,) the CV estimate at `degree` over reshuffled folds
    split_repeats: np.ndarray  # (REPEATS,) one split's estimate at `degree` over other random splits
    cv_picks: np.ndarray  # (REPEATS,) the degree CV picks on each reshuffle
    split_picks: np.ndarray  # (REPEATS,) the degree one split picks each time

    @property
    def cv(self) -> np.ndarray:
        return self.per_fold.mean(0)

    @property
    def best_true(self) -> int:
        return int(np.argmin(self.truth))


def kfold(n: int, noise: float, k: int, degree: int, seed: int) -> KFold:
    t = poly.task(n, noise, seed)
    phi = poly.features(t.x_train, DEG_MAX)  # (n, D+1) — below the threshold the basis does not matter
    fold = folds(n, k, seed)
    rng = np.random.default_rng(seed + 37)
    # the shown folds, then REPEATS reshuffles of k folds, then 1 + REPEATS single splits of one fold's size
    shuffles = [fold] + [folds(n, k, seed + 1000 + r) for r in range(REPEATS)]
    train = [f[None, :] != np.arange(k)[:, None] for f in shuffles]  # each (k, n)
    n_val = n // k
    singles = []
    for _ in range(REPEATS + 1):
        held = np.zeros(n, dtype=bool)
        held[rng.choice(n, n_val, replace=False)] = True
        singles.append(~held)
    scores = split_scores(phi, t.y_train, np.concatenate([*train, np.array(singles)]))
    cv = scores[: k * (REPEATS + 1)].reshape(REPEATS + 1, k, -1)  # (1 + REPEATS, k, D+1)
    single = scores[k * (REPEATS + 1) :]  # (1 + REPEATS, D+1)
    phi_test = poly.features(t.x_test, DEG_MAX)
    fit = lambda d: np.linalg.lstsq(phi[:, : d + 1], t.y_train, rcond=None)[0]
    truth = np.array([poly.mse(phi_test[:, : d + 1] @ fit(d), t.y_test) for d in range(DEG_MAX + 1)])
    return KFold(
        k=k,
        degree=degree,
        x=t.x_train.astype(np.float32),
        y=t.y_train.astype(np.float32),
        fold=fold,
        per_fold=cv[0],
        one_split=single[0],
        held_out=~singles[0],
        truth=truth,
        cv_repeats=cv[1:, :, degree].mean(1),
        split_repeats=single[1:, degree],
        cv_picks=cv[1:].mean(1).argmin(1),
        split_picks=single[1:].argmin(1),
    )
