"""The interview notes' claims about losses, each checked by a small experiment (the cards beside the sections).

`measure(...)` returns plain numbers and a verdict per claim — true / false / partly / depends, decided
here from the numbers by the criterion written next to it (so a verdict is measured, not typed; where the
numbers do not support the expected verdict it reads "inconclusive", which the CLI prints). The cards
(core.losses.concept.CLAIMS) declare their verdicts, or read the measured one (ce_always); the catalogue's
`claims.<key>.why` is filled with these numbers (words.card_numbers); tests/losses/test_claims.py checks that
every declared verdict is the measured one.

    hinge_regression  004 §14: "MSE and hinge loss suit regression tasks"
    log_loss          000 §20, 001 §12: "log loss is the logarithmic form of cross-entropy"
    log_cancels       002 (sigmoid): "the log in the loss cancels the sigmoid's vanishing gradient"
    convex            002 §36: "the logistic loss makes logistic regression's loss convex"
    ce_bumpier        002 §41: "cross-entropy is more 'undulating' than squared error, so it finds a usable minimum"
    no_matter         002 §50: "the choice of loss has no substantial effect on the final result"
    ce_always         003 §9.1 (and the usual reading of it): "for classification, cross-entropy is always better
                      than squared error"
    noise             003 §9.1: "for regression use MSE or MAE" — what each assumes about the noise
    kl_is_ce          003 §2.1: KL divergence listed as a classification loss
    mse_generalizes   004 §14: "MSE … improves the model's generalisation"
    imbalance         002 §45: "imbalance hurts accuracy; resampling helps significantly"

Work (core.budget): one fixed set of runs (the default outlier, imbalance and two CE-vs-MSE trainings, plus the
small checks here), measured once at 4.0 CPU s on one torch thread (time.process_time around `measure`, the
digits already loaded); COST adds the sections' 50 % margin and the digits' load (core.losses.digits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F

from core import datasets2d
from core.experiment import drain
from core.losses import digits, outliers

KEYS = (  # in the order of the sections they sit beside
    "hinge_regression",
    "log_loss",
    "log_cancels",
    "convex",
    "ce_bumpier",
    "no_matter",
    "ce_always",
    "noise",
    "kl_is_ce",
    "mse_generalizes",
    "imbalance",
)


COST = 1.5 * 4.0 + digits.LOAD  # CPU seconds on one torch thread (see the docstring)


def _verdict(expected: str, holds: bool) -> str:
    return expected if holds else "inconclusive"


def hinge_regression() -> dict:
    """A line fitted to y = x + noise with MSE and with the hinge max(0, 1 − y·ŷ) (the target as a 'label'), and
    each loss's gradient (autograd) at a prediction far off its target, y = 2, ŷ = 8: the hinge's is 0, since
    y·ŷ ≥ 1 already satisfies its margin; MSE's is 2(ŷ − y) = 12."""
    far = torch.tensor(8.0, dtype=torch.float64, requires_grad=True)
    (g_hinge,) = torch.autograd.grad(torch.relu(1 - 2.0 * far), far)
    (g_mse,) = torch.autograd.grad((far - 2.0) ** 2, far)
    d = outliers.synthetic(60, "line", 0.3, 0.0, 0.0, 1)
    x, y = torch.tensor(d.x), torch.tensor(d.y)
    theta = torch.zeros(2, 2, dtype=torch.float64, requires_grad=True)  # (model, [slope, intercept])
    opt = torch.optim.Adam([theta], lr=0.05)
    steps = 500
    for t in range(steps):
        for group in opt.param_groups:
            group["lr"] = 0.05 * (1 - t / steps)
        pred = theta[:, :1] * x + theta[:, 1:]  # (2, n)
        loss = F.mse_loss(pred[0], y) + torch.relu(1 - y * pred[1]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        pred = theta[:, :1] * x + theta[:, 1:]
        err = (pred - y).abs().mean(1)
        satisfied = float((y * pred[1] >= 1).double().mean())
    return {
        "err_mse": float(err[0]),
        "err_hinge": float(err[1]),
        "slope_mse": float(theta[0, 0].detach()),
        "slope_hinge": float(theta[1, 0].detach()),
        "hinge_silent": satisfied,
        "grad_hinge": float(g_hinge),
        "grad_mse": float(g_mse),
        "verdict": _verdict("false", float(err[1]) > 3 * float(err[0]) and float(g_hinge) == 0 < float(g_mse)),
    }


def log_loss() -> dict:
    """The seed's log-loss formula against torch's binary cross-entropy on the same predictions."""
    gen = torch.Generator().manual_seed(0)
    p = torch.rand(1000, generator=gen, dtype=torch.float64) * 0.98 + 0.01
    y = (torch.rand(1000, generator=gen, dtype=torch.float64) < 0.5).double()
    seed_formula = float(-(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean())
    bce = float(F.binary_cross_entropy(p, y))
    return {
        "logloss": seed_formula,
        "bce": bce,
        "diff": abs(seed_formula - bce),
        "log_of_ce": float(np.log(bce)),
        "verdict": _verdict("false", abs(seed_formula - bce) < 1e-12),
    }


def _grad(fn: Callable[[torch.Tensor], torch.Tensor], z: float, order: int = 1) -> float:
    x = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = fn(x)
    for _ in range(order):
        (out,) = torch.autograd.grad(out, x, create_graph=True)
    return float(out.detach())


def _bce(z):
    return F.binary_cross_entropy_with_logits(z, torch.ones_like(z))


def _mse_sigmoid(z):
    return (torch.sigmoid(z) - 1) ** 2


def log_cancels(z: float = -6.0) -> dict:
    """dL/dz at a logit z that is confidently wrong (label 1): BCE vs squared error on σ(z)."""
    g_bce, g_mse = _grad(_bce, z), _grad(_mse_sigmoid, z)
    return {
        "z": z,
        "g_bce": g_bce,
        "g_mse": g_mse,
        "ratio": abs(g_bce / g_mse),
        "mag_bce": abs(g_bce),
        "mag_mse": abs(g_mse),
        "verdict": _verdict("true", abs(g_bce / g_mse) > 10),
    }


def convex() -> dict:
    """Second derivatives in the logit, and Hessian eigenvalues in the weights of a 2-D logistic regression."""
    zs = np.linspace(-8, 8, 65)
    d2_bce = min(_grad(_bce, z, 2) for z in zs)
    d2_mse = min(_grad(_mse_sigmoid, z, 2) for z in zs)
    data = datasets2d.make("gauss", 200, 0.1, 0.2, 0)
    x = torch.cat([data.x_train.double(), torch.ones(len(data.y_train), 1, dtype=torch.float64)], 1)  # (N, 3)
    y = data.y_train.double()
    gen = torch.Generator().manual_seed(1)
    eig_bce, eig_mse = [], []
    for _ in range(10):
        w = torch.randn(3, generator=gen, dtype=torch.float64) * 3
        hb = torch.autograd.functional.hessian(lambda w: F.binary_cross_entropy_with_logits(x @ w, y), w)
        hm = torch.autograd.functional.hessian(lambda w: ((torch.sigmoid(x @ w) - y) ** 2).mean(), w)
        eig_bce.append(float(torch.linalg.eigvalsh(hb).min()))
        eig_mse.append(float(torch.linalg.eigvalsh(hm).min()))
    holds = d2_bce >= 0 and min(eig_bce) >= -1e-12 and d2_mse < 0 and min(eig_mse) < 0
    return {
        "d2_bce": d2_bce,
        "d2_mse": d2_mse,
        "eig_bce": min(eig_bce),
        "eig_mse": min(eig_mse),
        "verdict": _verdict("true", holds),
    }


def noise(n: int = 25, repeats: int = 4000) -> dict:
    """Spread of the sample mean (MSE's constant) and median (MAE's) over many samples of n, under
    Gaussian and under Laplace noise of the same variance."""
    rng = np.random.default_rng(0)
    gauss = rng.standard_normal((repeats, n))
    laplace = rng.laplace(0, 1 / np.sqrt(2), (repeats, n))  # variance 2b² = 1
    ratio = lambda e: float(np.median(e, 1).std() / e.mean(1).std())
    rg, rl = ratio(gauss), ratio(laplace)
    return {"n": n, "ratio_gauss": rg, "ratio_laplace": rl, "verdict": _verdict("depends", rg > 1.1 and rl < 0.9)}


def kl_is_ce() -> dict:
    """F.kl_div(log p, target) vs F.cross_entropy, with one-hot and with smoothed targets (values, gradients)."""
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(256, 10, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 10, (256,), generator=gen)
    out = {}
    for name, eps in (("onehot", 0.0), ("smooth", 0.1)):
        target = F.one_hot(y, 10).double() * (1 - eps) + eps / 10
        ce = F.cross_entropy(z, target)
        kl = F.kl_div(F.log_softmax(z, -1), target, reduction="batchmean")
        (g_ce,) = torch.autograd.grad(ce, z)
        (g_kl,) = torch.autograd.grad(kl, z)
        entropy = float(-(target * target.log().nan_to_num(0.0, 0.0, 0.0)).sum(1).mean()) if eps else 0.0
        out[name] = (float((ce - kl).detach()), float((g_ce - g_kl).abs().max()), entropy)
    holds = abs(out["onehot"][0]) < 1e-12 and abs(out["smooth"][0] - out["smooth"][2]) < 1e-9
    holds = holds and max(out["onehot"][1], out["smooth"][1]) < 1e-12
    return {
        "diff_onehot": out["onehot"][0],
        "diff_smooth": out["smooth"][0],
        "entropy": out["smooth"][2],
        "grad_diff": max(out["onehot"][1], out["smooth"][1]),
        "verdict": _verdict("true", holds),
    }


TIE = 0.05  # test accuracies closer than this count as a tie
CLEAR = 0.3  # a gap larger than this is a clear win


def ce_always(acc_wrong, acc_fair, acc_adam) -> dict:
    """CE vs MSE test accuracy from a confidently wrong start (SGD), from a fair start, and wrong with Adam.
    CE "wins" a run when it leads by more than a tie. "Always better" is true if CE wins from both starts,
    partly if from one of them, false if from neither (its card shows this measured verdict)."""
    gap_wrong, gap_fair = float(acc_wrong[0] - acc_wrong[1]), float(acc_fair[0] - acc_fair[1])
    wins = (gap_wrong > TIE) + (gap_fair > TIE)
    verdict = ("false", "partly", "true")[wins]
    return {
        "acc_ce": float(acc_wrong[0]),
        "acc_mse": float(acc_wrong[1]),
        "acc_ce_fair": float(acc_fair[0]),
        "acc_mse_fair": float(acc_fair[1]),
        "acc_ce_adam": float(acc_adam[0]),
        "acc_mse_adam": float(acc_adam[1]),
        "verdict": verdict,
    }


def measure(
    outlier_run: Iterator, cemse: Callable[[dict], Iterator], cm_defaults: dict, adam: dict, imbalance_run: Iterator
) -> dict:
    """Every claim's numbers. `outlier_run` and `imbalance_run` are the page's default runs (streams);
    `cemse(values)` starts the CE-vs-MSE run for values (the default, the same from a fair start, and the
    default with `adam`'s values: the preset "Adam rescues MSE")."""
    wrong = drain(cemse(cm_defaults))
    fair = drain(cemse({**cm_defaults, "cm_bias": 0.0}))
    with_adam = drain(cemse({**cm_defaults, **adam}))
    acc_w, acc_f = wrong.test_acc[-1], fair.test_acc[-1]  # (2,): CE, MSE
    fits = drain(outlier_run)
    err = {k: float(np.abs(fits.line_fit[i] - fits.data.truth).mean()) for i, k in enumerate(fits.keys)}
    imb = drain(imbalance_run)
    rec, prec, aps = imb.recall(), imb.precision(), [c[2] for c in imb.curves()]
    ce, wce = imb.keys.index("ce"), imb.keys.index("wce")
    gap_wrong, gap_fair = float(acc_w[0] - acc_w[1]), float(abs(acc_f[0] - acc_f[1]))
    return {
        "hinge_regression": hinge_regression(),
        "log_loss": log_loss(),
        "log_cancels": log_cancels(),
        "convex": convex(),
        "ce_bumpier": {
            "bias": cm_defaults["cm_bias"],
            "steps": wrong.done,
            "acc_ce": float(acc_w[0]),
            "acc_mse": float(acc_w[1]),
            "verdict": _verdict("partly", gap_wrong > CLEAR),
        },
        "no_matter": {
            "acc_ce_fair": float(acc_f[0]),
            "acc_mse_fair": float(acc_f[1]),
            "acc_ce": float(acc_w[0]),
            "acc_mse": float(acc_w[1]),
            "acc_ce_adam": float(with_adam.test_acc[-1, 0]),
            "acc_mse_adam": float(with_adam.test_acc[-1, 1]),
            "verdict": _verdict("depends", gap_fair < TIE and gap_wrong > CLEAR),
        },
        "ce_always": ce_always(acc_w, acc_f, with_adam.test_acc[-1]),
        "noise": noise(),
        "kl_is_ce": kl_is_ce(),
        "mse_generalizes": {
            "share": float(fits.data.outlier.mean()),
            "err_mse": err.get("mse", float("nan")),
            "err_mae": err.get("mae", float("nan")),
            "err_huber": err.get("huber", float("nan")),
            "verdict": _verdict("false", err.get("mse", 0.0) > 2 * min(err.get("mae", 1e9), err.get("huber", 1e9))),
        },
        "imbalance": {
            "ratio": imb.ratio,
            "acc_ce": float(imb.accuracy()[ce]),
            "recall_ce": float(rec[ce, 1]),
            "recall_wce": float(rec[wce, 1]),
            "precision_ce": float(prec[ce]),
            "precision_wce": float(prec[wce]),
            "ap_ce": aps[ce],
            "ap_wce": aps[wce],
            "verdict": _verdict(
                "partly", rec[wce, 1] > rec[ce, 1] + 0.1 and prec[wce] < prec[ce] and abs(aps[ce] - aps[wce]) < 0.05
            ),
        },
    }


def summary(numbers: dict) -> dict:
    return numbers
