"""The interview notes' claims about regularization, checked by computation (cards beside the sections).

    light()        closed-form or tiny experiments (milliseconds): the sign of weight decay, ‖θ‖ vs ‖θ‖²,
                   "decay acts late in training", more data, "regularization adds complexity",
                   "cross-validation prevents overfitting", "normalization saves computation"
    network(v, runs)  trainings on the digits with the page's values v: dropout's parameters and speed, L1's
                   zeros, dropout vs bagging, dropout on small data, random labels, transfer learning. It
                   reuses the finished runs of the L1/L2, dropout and memorization sections for these values
                   (`runs`, by experiment key) and trains only what is missing: ~9 CPU s on one thread from
                   nothing, ~2 s when those three sections have trained (bench/regularization_cost.py)

Each returns a dict of plain numbers that the cards' `claims.<key>.why` are filled with (and their evidence charts
drawn from); the cards (core.regularization.concept.CARDS) declare their verdicts or compute them here
(`dropout_small`, `transfer`), and tests/regularization/test_claims.py checks that the numbers support them.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core import device
from core.experiment import drain
from core.regularization import dropout, kfold, loop, memorize, nets, penalties, poly, scaling


def _descend(sign: float, lam: float, steps: int = 500, lr: float = 0.1) -> float:
    """‖w‖ after gradient descent on a small least-squares problem with the penalty sign·(λ/2)‖w‖² (λ = 0:
    none), from w = 0.1 everywhere. Feature 5 is blank (always 0, like a border pixel), so the data say
    nothing about its weight: only the penalty moves it. The notes' "−λw²" is sign = −2."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(50, 5, generator=gen, dtype=torch.float64)
    x[:, 4] = 0
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0, 0.0], dtype=torch.float64)
    w = torch.full((5,), 0.1, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        loss = 0.5 * ((x @ w - y) ** 2).mean() + sign * 0.5 * lam * (w**2).sum()
        (g,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * g
    return float(w.detach().norm())


def weight_decay_matches_torch(lam: float = 0.1, lr: float = 0.05) -> float:
    """Largest difference between one SGD step on loss + (λ/2)‖w‖² (autograd) and torch.optim.SGD(weight_decay=λ)."""
    gen = torch.Generator().manual_seed(1)
    w0 = torch.randn(20, generator=gen, dtype=torch.float64)
    target = torch.randn(20, generator=gen, dtype=torch.float64)
    a = w0.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(0.5 * ((a - target) ** 2).sum() + 0.5 * lam * (a**2).sum(), a)
    by_formula = w0 - lr * g
    b = w0.clone().requires_grad_(True)
    opt = torch.optim.SGD([b], lr=lr, weight_decay=lam)
    (0.5 * ((b - target) ** 2).sum()).backward()
    opt.step()
    return float((by_formula - b.detach()).abs().max())


def decay_factors(lam: float = 0.01, lr: float = 0.1, steps: int = 1000) -> tuple[float, float]:
    """w_{t+1}/w_t of torch.optim.SGD(weight_decay=λ) on a weight its loss ignores, at step 1 and at the last."""
    w = torch.ones(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, weight_decay=lam)
    ratios = []
    for _ in range(steps):
        before = float(w.detach())
        w.grad = torch.zeros(1)
        opt.step()
        ratios.append(float(w.detach()) / before)
    return ratios[0], ratios[-1]


@lru_cache(maxsize=1)
def light() -> dict:
    out: dict = {}
    lam = 0.1
    out["norm_plain"], out["norm_plus"] = _descend(0.0, lam), _descend(1.0, lam)
    out["norm_minus"] = _descend(-2.0, lam)  # the notes' −λw²: the loss has no minimum, w runs away
    out["torch_gap"] = weight_decay_matches_torch()
    for scale, name in ((1.0, "small"), (10.0, "big")):  # θ = (3, 4) and (30, 40)
        theta = torch.tensor([3.0, 4.0], requires_grad=True) * scale
        (g_norm,) = torch.autograd.grad(0.1 * theta.norm(), theta)
        (g_sq,) = torch.autograd.grad(0.05 * (theta**2).sum(), theta)
        out[f"pull_norm_{name}"], out[f"pull_sq_{name}"] = float(g_norm.norm()), float(g_sq.norm())
        if name == "small":
            out["grad_norm"] = f"({g_norm[0]:.2f}, {g_norm[1]:.2f})"
            out["grad_sq"] = f"({g_sq[0]:.2f}, {g_sq[1]:.2f})"
    out["factor_first"], out["factor_last"] = decay_factors()
    few, many = poly.fit(10, 0.2, 9, 0.0, 0), poly.fit(30, 0.2, 9, 0.0, 0)
    out["few_train"], out["few_test"] = few.train_mse, few.test_mse
    out["many_train"], out["many_test"] = many.train_mse, many.test_mse
    plain, ridged = poly.fit(12, 0.2, 9, 0.0, 0), poly.fit(12, 0.2, 9, 1e-3, 0)
    out["ridge_train_0"], out["ridge_train_1"] = plain.train_mse, ridged.train_mse
    out["ridge_test_0"], out["ridge_test_1"] = plain.test_mse, ridged.test_mse
    out["ridge_norm_0"], out["ridge_norm_1"] = plain.weight_norm, ridged.weight_norm
    cv = kfold.kfold(40, 0.3, 5, 3, 0)
    out["cv_right"] = float(np.mean(cv.cv_picks == cv.best_true))
    out["split_right"] = float(np.mean(cv.split_picks == cv.best_true))
    out["cv_spread"], out["split_spread"] = float(cv.cv_repeats.std()), float(cv.split_repeats.std())
    sc = scaling.scaling(100.0, 5.0, 1e-3, 0)
    out["steps_raw"], out["steps_std"] = sc.steps_raw, sc.steps_std
    out["kappa_raw"], out["kappa_std"] = sc.kappa_raw, sc.kappa_std
    out["flops_step"] = 2 * scaling.N * 3 * 2  # X w and Xᵀ r: the same matrix sizes raw or standardized
    return out


# ---- trainings -----------------------------------------------------------------------------------------


def step_time(p: float, steps: int = 200, width: int = 256) -> tuple[float, int]:
    """Median CPU seconds per training step (forward, backward, Adam) of an MLP with nn.Dropout(p) after its
    hidden layers, and its parameter count. CPU time of this thread: the same on a busy machine."""
    x_tr, y_tr, _, _ = nets.digits(0, "cpu")
    with device.seeded(0):
        layers = [nn.Linear(64, width), nn.ReLU(), nn.Dropout(p), nn.Linear(width, width), nn.ReLU(), nn.Dropout(p)]
        model = nn.Sequential(*layers, nn.Linear(width, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    times = []
    for _ in range(steps):
        idx = torch.randint(0, len(y_tr), (64,), generator=gen)
        start = time.process_time()
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.process_time() - start)
    return float(np.median(times)), sum(t.numel() for t in model.parameters())


def transfer(seed: int, steps: int = 300, per_class: int = 5, width: int = 64) -> np.ndarray:
    """Test accuracy on the digits 5–9 after training on `per_class` random examples of each, (3,): from scratch;
    starting from a hidden layer first trained on all training digits 0–4, fine-tuned; and that layer frozen
    (only a new output layer trained). Rows of one (3, P) tensor, same minibatches."""
    dev = device.device()
    x_tr, y_tr, x_te, y_te = nets.digits(0, str(dev))
    old = torch.nonzero(y_tr < 5).flatten()
    pre = nets.init(1, width, seed).to(dev).requires_grad_(True)
    opt = nets.Optim("adam", 3e-3).to(dev)
    idx = old[loop.batches(len(old), 1000, seed).to(dev)]
    for t in range(1000):
        opt.descend(pre, nets.losses(nets.logits(pre, x_tr[idx[t]], width), y_tr[idx[t]]))
    gen = torch.Generator().manual_seed(seed + 43)
    labels = y_tr.cpu()
    few = torch.cat(
        [
            torch.nonzero(labels == c).flatten()[torch.randperm(int((labels == c).sum()), generator=gen)][:per_class]
            for c in range(5, 10)
        ]
    ).to(dev)
    hidden = sum(nets.sizes(width)[:2])
    theta = nets.init(3, width, seed + 1).to(dev)  # output layers: fresh in every row
    theta[1:, :hidden] = pre.detach()[0, :hidden]
    theta.requires_grad_(True)
    frozen = torch.ones_like(theta)
    frozen[2, :hidden] = 0  # row 2 keeps the pretrained hidden layer as it is
    opt = nets.Optim("adam", 3e-3).to(dev)
    idx = few[loop.batches(len(few), steps, seed).to(dev)]
    for t in range(steps):
        loss = nets.losses(nets.logits(theta, x_tr[idx[t]], width), y_tr[idx[t]])
        (g,) = torch.autograd.grad(loss.sum(), theta)
        opt.step(theta, g * frozen)
    test = y_te >= 5
    with torch.no_grad():
        return nets.accuracy(nets.logits(theta, x_te[test], width), y_te[test]).cpu().numpy()


TRANSFER_SEEDS = (0, 1, 2)
GAIN = 0.01  # a difference of accuracy this small on 450 test digits (≈ 5 digits) is not called a gain


LIGHT = ("decay_sign", "l2_squared", "decay_late", "more_data", "complexity", "cv", "norm_cost")


NETWORK = ("dropout_params", "l1_params", "bagging", "dropout_small", "random_slower", "transfer")


def dropout_small(net: dict) -> str:
    """The verdict on "dropout works very well on small data": partly when some rate beats no dropout by a
    point or more (the p = 0.5 rule still is not one), it depends when none does on this data."""
    return "partly" if net["acc_best"] >= net["acc_p0"] + GAIN else "depends"


def transfer_verdict(net: dict) -> str:
    """The verdict on "transfer learning helps when data are scarce": true when the fine-tuned start beats
    scratch by a point or more here, it depends (on how large and general the first task is) when it does not."""
    return "true" if net["transfer"] >= net["scratch"] + GAIN else "depends"


REUSED = ("penalty", "dropout", "memorize")  # sections whose finished run (for the same values) network() reuses
_NETWORK: dict[tuple, dict] = {}  # values -> numbers, for this process (seeded: the same values, the same numbers)


def network(values: dict, runs: dict | None = None) -> dict:
    """The trainings' numbers for the page's values; `runs` maps an experiment key of REUSED to its finished
    run for these same values (the memorization run: with every label random, as the default)."""
    key = tuple(sorted(values.items()))
    if key not in _NETWORK:
        if len(_NETWORK) >= 2:
            _NETWORK.clear()
        with device.compute():  # one compute slot for the whole measurement (heavy torch work)
            _NETWORK[key] = _network(dict(key), runs or {})
    return _NETWORK[key]


def _network(v: dict, runs: dict) -> dict:
    out: dict = {}
    t0, n0 = step_time(0.0)
    t5, n5 = step_time(0.5)
    out.update(params_plain=n0, params_dropout=n5, ms_plain=t0 * 1e3, ms_dropout=t5 * 1e3)
    pen = runs["penalty"] if "penalty" in runs else drain(penalties.stream(v))
    out["l1_zeros"] = int(pen.zeros[2])
    out["l1_small"] = float(pen.final("small")[2])
    out["n_weights"] = pen.n_weights
    out["l1_lam"] = v["lam"]
    out["l1_small_pct"], out["l1_zero_pct"] = 100 * out["l1_small"], 100 * out["l1_zeros"] / pen.n_weights
    drop = runs["dropout"] if "dropout" in runs else drain(dropout.stream(v))
    acc = drop.test_acc[-1]
    d = len(drop.rates)
    out["acc_p0"], out["acc_p"] = float(acc[0]), float(acc[d - 1])
    out["p"] = v["p"]
    out["acc_best_p"] = float(drop.rates[int(np.argmax(acc[:d]))])
    out["acc_best"] = float(acc[:d].max())
    out["acc_bag_member"] = float(acc[d:].mean())
    out["acc_ensemble"] = float(drop.ensemble_acc[-1])
    out["drop_n"] = drop.n_train
    reuse = "memorize" in runs and v["mem_noise"] == 1.0
    mem = runs["memorize"] if reuse else drain(memorize.stream({**v, "mem_noise": 1.0}))
    fit = mem.fitted_at()
    out["fit_true"], out["fit_random"] = fit[0], fit[-1]
    out["random_train"] = float(mem.metric("train_acc")[-1, -1])
    out["random_test"] = float(mem.metric("test_acc")[-1, -1])
    out["scratch"], out["transfer"], out["frozen"] = np.mean([transfer(s) for s in TRANSFER_SEEDS], axis=0).tolist()
    return out
