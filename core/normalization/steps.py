"""What a batch-norm layer computes, one step at a time, next to nn.BatchNorm1d / nn.BatchNorm2d.

For each feature (channel) c, over the N examples of the batch (and the H×W positions, for BatchNorm2d):

    μ_B = mean(x)                         σ²_B = mean((x − μ_B)²)        (biased: divided by n = N·H·W)
    x̂ = (x − μ_B) / √(σ²_B + ε)           divided by the standard deviation, not by the variance
    y = γ · x̂ + β                         γ, β: 2 learned numbers per feature
    running_μ ← (1 − m)·running_μ + m·μ_B      running_σ² ← (1 − m)·running_σ² + m·σ²_B·n/(n − 1)
    eval mode:  y = γ · (x − running_μ) / √(running_σ² + ε) + β      (no batch statistics at all)

(Ioffe & Szegedy 2015, Algorithm 1 and 2; the momentum convention is PyTorch's: m = 0.1 by default, the weight
of the NEW batch.) This module computes every step in float64 by hand and runs the same batches through the real
torch module, so the page can show each intermediate and the largest difference from PyTorch.

It also checks two statements about normalization: the normalized batch has mean 0 and standard deviation 1 but
keeps the *shape* of its distribution (skewness unchanged: it is not made Gaussian); and the interview notes' code
`(x − x.mean(0)) / x.std(0)` is not batch norm: torch's `std` is the unbiased one (÷ (n − 1)), BN's is biased.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from core.experiment import Experiment
from core.params import Choice, Float, Int, LogFloat, ParamSet

DISTS = ("normal", "skewed", "bimodal")
SPATIAL = 2  # BatchNorm2d view: H = W = 2

PARAMS = ParamSet(
    (
        Int("n", 8, lo=2, hi=32, scrub=True),
        Int("feat", 3, lo=1, hi=4),
        Choice("layout", "1d", choices=("1d", "2d")),
        Choice("dist", "skewed", choices=DISTS),
        Float("x_mean", 3.0, lo=-5.0, hi=5.0, step=0.5),
        Float("x_std", 2.0, lo=0.1, hi=10.0, step=0.1),
        Float("gamma", 1.5, lo=-3.0, hi=3.0, step=0.1),
        Float("beta", -0.5, lo=-3.0, hi=3.0, step=0.1),
        Float("momentum", 0.1, lo=0.0, hi=1.0, step=0.01),
        LogFloat("eps", 1e-5, lo=1e-8, hi=1.0),
        Int("batches", 20, lo=1, hi=200),
        Int("s_seed", 0, lo=0, hi=999),
    )
)


FORMULAS = {
    "stats": r"\mu_B = \frac{1}{n}\sum_{i=1}^{n} x_i \qquad \sigma_B^2 = \frac{1}{n}\sum_{i=1}^{n} (x_i - \mu_B)^2",
    "normalize": r"\hat x_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \varepsilon}} \qquad "
    r"y_i = \gamma\,\hat x_i + \beta",
    "running": r"\hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu_B \qquad "
    r"\hat\sigma^2 \leftarrow (1 - m)\,\hat\sigma^2 + m\,\frac{n}{n - 1}\,\sigma_B^2",
    "eval": r"y = \gamma\,\frac{x - \hat\mu}{\sqrt{\hat\sigma^2 + \varepsilon}} + \beta",
}


def draw(dist: str, shape: tuple[int, ...], mean: float, std: float, gen: torch.Generator) -> torch.Tensor:
    """Samples with the given mean and standard deviation (float64): normal, skewed (exponential, skewness 2) or
    bimodal (±1 with noise). Feature c is shifted by c so the features differ."""
    if dist == "normal":
        z = torch.randn(shape, generator=gen, dtype=torch.float64)
    elif dist == "skewed":
        z = torch.empty(shape, dtype=torch.float64).exponential_(1.0, generator=gen) - 1.0  # mean 0, std 1
    else:
        sign = torch.randint(0, 2, shape, generator=gen, dtype=torch.float64) * 2 - 1
        z = (sign + 0.3 * torch.randn(shape, generator=gen, dtype=torch.float64)) / np.sqrt(1.09)
    shift = torch.arange(shape[1], dtype=torch.float64).view(1, -1, *([1] * (len(shape) - 2)))
    return mean + shift + std * z


def skewness(v: torch.Tensor) -> float:
    c = v - v.mean()
    return float((c**3).mean() / (c**2).mean().clamp_min(1e-300) ** 1.5)


@dataclass(frozen=True)
class StepsResult:
    layout: str
    shape: tuple[int, ...]  # of one batch: (N, C) or (N, C, 2, 2)
    x: np.ndarray  # (C, n) the first batch's values per feature (n = N or N·H·W), float64
    mean: np.ndarray  # (C,) μ_B
    var: np.ndarray  # (C,) σ²_B (biased)
    var_unbiased: np.ndarray  # (C,)
    std: np.ndarray  # (C,) √(σ²_B + ε)
    xhat: np.ndarray  # (C, n)
    y: np.ndarray  # (C, n) γ x̂ + β
    y_eval: np.ndarray  # (C, n) the same batch through eval mode, after all `batches` batches
    gamma: float
    beta: float
    eps: float
    momentum: float
    run_mean: np.ndarray  # (K + 1, C) running mean before and after each of the K batches
    run_var: np.ndarray  # (K + 1, C)
    batch_means: np.ndarray  # (K, C) μ_B of each batch
    true_mean: np.ndarray  # (C,) the mean the batches are drawn around
    true_var: np.ndarray  # (C,)
    err_train: float  # max |hand − torch| of the training-mode output (first batch)
    err_running: float  # max |hand − torch| of the running statistics, all K batches
    err_eval: float  # max |hand − torch| of the eval-mode output
    seeds_gap: float  # max |(x − μ)/x.std(0) − x̂|: the notes' code (unbiased std) vs BN
    seeds_ratio: float  # √(n/(n − 1)): their ratio when ε is negligible
    var_std: np.ndarray  # (C,) std of (x − μ)/σ²: dividing by the variance instead
    skew_in: np.ndarray  # (C,) skewness of x
    skew_out: np.ndarray  # (C,) skewness of x̂
    out_mean: np.ndarray  # (C,) mean of x̂ (0)
    out_std: np.ndarray  # (C,) biased std of x̂ (√(σ²/(σ² + ε)) ≈ 1)


def _per_feature(t: torch.Tensor) -> torch.Tensor:
    """(N, C[, H, W]) -> (C, n): every value of each feature in one row."""
    return t.transpose(0, 1).reshape(t.shape[1], -1)


def run(v: dict) -> StepsResult:
    gen = torch.Generator().manual_seed(v["s_seed"])
    c, eps, m = v["feat"], float(v["eps"]), float(v["momentum"])
    shape = (v["n"], c) + ((SPATIAL, SPATIAL) if v["layout"] == "2d" else ())
    batches = [draw(v["dist"], shape, v["x_mean"], v["x_std"], gen) for _ in range(v["batches"])]
    module = (nn.BatchNorm2d if v["layout"] == "2d" else nn.BatchNorm1d)(c, eps=eps, momentum=m).double()
    with torch.no_grad():
        module.weight.fill_(v["gamma"])
        module.bias.fill_(v["beta"])

    # by hand, float64, per feature
    rows = [_per_feature(b) for b in batches]  # K × (C, n)
    n = rows[0].shape[1]
    run_mean, run_var = [torch.zeros(c, dtype=torch.float64)], [torch.ones(c, dtype=torch.float64)]
    for r in rows:
        mu, var = r.mean(1), r.var(1, unbiased=False)
        run_mean.append((1 - m) * run_mean[-1] + m * mu)  # the momentum weights the new batch
        run_var.append((1 - m) * run_var[-1] + m * var * n / (n - 1))  # running variance: unbiased
    x = rows[0]
    mu, var = x.mean(1, keepdim=True), x.var(1, unbiased=False, keepdim=True)
    std = torch.sqrt(var + eps)
    xhat = (x - mu) / std
    y = v["gamma"] * xhat + v["beta"]
    y_eval = v["gamma"] * (x - run_mean[-1][:, None]) / torch.sqrt(run_var[-1][:, None] + eps) + v["beta"]

    # the real module: training mode on every batch (the first one's output kept), then eval mode
    module.train()
    with torch.no_grad():
        outs = [_per_feature(module(b)) for b in batches]
        rm, rv = module.running_mean.clone(), module.running_var.clone()
        module.eval()
        out_eval = _per_feature(module(batches[0]))
    seeds = (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True)  # the notes' code: torch's std is unbiased
    true_var = torch.full((c,), v["x_std"] ** 2, dtype=torch.float64)
    return StepsResult(
        layout=v["layout"],
        shape=shape,
        x=x.numpy(),
        mean=mu[:, 0].numpy(),
        var=var[:, 0].numpy(),
        var_unbiased=x.var(1).numpy(),
        std=std[:, 0].numpy(),
        xhat=xhat.numpy(),
        y=y.numpy(),
        y_eval=y_eval.numpy(),
        gamma=float(v["gamma"]),
        beta=float(v["beta"]),
        eps=eps,
        momentum=m,
        run_mean=torch.stack(run_mean).numpy(),
        run_var=torch.stack(run_var).numpy(),
        batch_means=torch.stack([r.mean(1) for r in rows]).numpy(),
        true_mean=(v["x_mean"] + torch.arange(c, dtype=torch.float64)).numpy(),
        true_var=true_var.numpy(),
        err_train=float((outs[0] - y).abs().max()),
        err_running=float(max((rm - run_mean[-1]).abs().max(), (rv - run_var[-1]).abs().max())),
        err_eval=float((out_eval - y_eval).abs().max()),
        seeds_gap=float((seeds - xhat).abs().max()),
        seeds_ratio=float(np.sqrt(n / (n - 1))),
        var_std=((x - mu) / var).std(1, unbiased=False).numpy(),
        skew_in=np.array([skewness(r) for r in x]),
        skew_out=np.array([skewness(r) for r in xhat]),
        out_mean=xhat.mean(1).numpy(),
        out_std=xhat.std(1, unbiased=False).numpy(),
    )


def summary(r: StepsResult) -> dict:
    rnd = lambda a: [round(float(x), 6) + 0.0 for x in a]  # + 0.0: no −0.0
    return {
        "batch_shape": list(r.shape),
        "values_per_feature": int(r.x.shape[1]),
        "batch_mean": rnd(r.mean),
        "batch_var_biased": rnd(r.var),
        "batch_std_with_eps": rnd(r.std),
        "running_mean": rnd(r.run_mean[-1]),
        "running_var": rnd(r.run_var[-1]),
        "normalized_mean": rnd(r.out_mean),
        "normalized_std": rnd(r.out_std),
        "max_abs_diff_vs_torch": {"train": r.err_train, "running_stats": r.err_running, "eval": r.err_eval},
        "skewness_before_after": [[round(float(a), 4), round(float(b), 4)] for a, b in zip(r.skew_in, r.skew_out)],
        "notes_code_unbiased_std_gap": r.seeds_gap,
        "std_if_divided_by_variance": rnd(r.var_std),
    }


STEPS = Experiment("steps", PARAMS, run, summary)
