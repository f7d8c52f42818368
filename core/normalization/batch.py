"""Small batches: batch norm against layer norm, group norm and no normalization, at the same batch size.

Four 6-layer MLPs (width 64) start from the same weights and see the same mini-batches of B digits. In training
BN normalizes each feature with the mean and variance of the B examples in the batch — with B = 2 every
normalized value is ±1 (two numbers minus their mean, divided by their spread), whatever the digit:

    x̂_1 = (x_1 − x_2) / √((x_1 − x_2)² + 4ε) ≈ sign(x_1 − x_2),   x̂_2 = −x̂_1

and it keeps running averages of those noisy batch statistics for eval mode. LN and GN (8 groups of 8 features)
normalize each example over its own features: they do not depend on the batch at all, so they compute the same
in training and in eval mode (Ba et al. 2016; Wu & He 2018).

What the result holds: test accuracy in eval mode (BN with its running statistics, as a deployed model runs) and
in training mode on test batches of B (BN with batch statistics, as it trained); the distribution of BN's first
normalized values in both modes; and, per BN layer, how far the running statistics are from the statistics the
eval-mode network actually produces on the training set (the mean and std of x̂ in eval mode: 0 and 1 if the
running statistics were right).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core import budget, training
from core.experiment import Experiment, finished_run
from core.normalization import nets, runs
from core.params import Int, LogFloat, Notice, ParamSet

KINDS = ("none", "bn", "ln", "gn")
DEPTH, WIDTH, GROUPS = 6, 64, 8
BN = KINDS.index("bn")
TWO = (
    r"B = 2:\quad \hat x_1 = \frac{x_1 - x_2}{\sqrt{(x_1 - x_2)^2 + 4\varepsilon}} \approx \pm 1,"
    r"\qquad \hat x_2 = -\hat x_1"
)
BINS = np.linspace(-4.0, 4.0, 81, dtype=np.float32)  # histogram edges of normalized values (clipped to ±4)

# CPU seconds on one torch thread: FIXED + steps × (PER_STEP + PER_EXAMPLE·B) µs — four 6-layer width-64 models
# as one stack, a step's matmuls grow with the batch B. Calibrated with time.process_time() around
# drain(stream(v)) under torch.set_num_threads(1) for B = 2, 16, 64, 256 at 300 and 1,000 steps (1.0 … 7.5 s).
FIXED, PER_STEP, PER_EXAMPLE = 0.3, 3500.0, 17.0  # B = 256 × 2,000 steps: about 16 s


def cost(v: dict) -> float:
    """Estimated CPU seconds of one run."""
    return FIXED + v["b_steps"] * (PER_STEP + PER_EXAMPLE * v["bs"]) * 1e-6


def _budget(v: dict) -> list[Notice]:
    return budget.cut(v, cost, "b_steps", 100, 100)


PARAMS = ParamSet(
    (
        Int("bs", 4, lo=2, hi=256),
        Int("b_steps", 600, lo=100, hi=2000, step=100),
        LogFloat("b_lr", 0.05, lo=1e-3, hi=1.0),
        Int("b_seed", 0, lo=0, hi=999),
    ),
    rules=_budget,
)


@dataclass(frozen=True)
class BatchResult:
    batch: int
    total: int
    steps: np.ndarray  # (P,) window ends of the thinned loss curves
    loss: np.ndarray  # (P, 4) float32 training loss (as trained: BN with batch statistics)
    evals: np.ndarray  # (E,) steps of the accuracy snapshots
    acc_eval: np.ndarray  # (E, 4) test accuracy in eval mode (running statistics)
    acc_train: np.ndarray  # (E, 4) test accuracy in training mode, test batches of B (batch statistics)
    hist_train: np.ndarray  # (80,) float32 share of BN's first normalized values per bin, training mode
    hist_eval: np.ndarray  # (80,) the same in eval mode
    xhat_mean: np.ndarray  # (L−1,) per BN layer: mean of x̂ in eval mode over the training set (0 if matched)
    xhat_std: np.ndarray  # (L−1,) its std (1 if matched)
    diverged: np.ndarray  # (4,) first step with NaN/inf loss, −1 if never
    finite: bool
    disagree: np.ndarray  # (4,) share of test digits whose predicted class differs between the two modes

    @property
    def done(self) -> int:
        return int(self.evals[-1])

    @property
    def gap(self) -> np.ndarray:
        """(4,) final |train-mode − eval-mode| test accuracy: 0 for everything but BN."""
        return np.abs(self.acc_train[-1] - self.acc_eval[-1])


def _bn_first(stack: nets.Stack, x: torch.Tensor, stats: str | int) -> np.ndarray:
    """The BN model's first normalized values x̂ = (h − μ)/σ (before γ, β), for every example and unit, as a
    share per bin of BINS: the input the rest of the network learned from."""
    with torch.no_grad():
        h = stack.hidden(x, stats, keep=True)[0][0][BN]  # (B', w) the BN model's h_0 (B' ≥ B: whole groups)
        if stats == "running":
            xhat = (h - stack.running_mean[0, BN]) / torch.sqrt(stack.running_var[0, BN] + nets.EPS)
        else:
            g = h.reshape(-1, stats, h.shape[-1])
            xhat = (g - g.mean(1, keepdim=True)) / torch.sqrt(g.var(1, unbiased=False, keepdim=True) + nets.EPS)
    values = xhat.reshape(-1, h.shape[-1])[: len(x)].flatten().clamp(BINS[0], BINS[-1]).cpu().numpy()
    counts, _ = np.histogram(values, BINS)
    return (counts / max(1, counts.sum())).astype(np.float32)


def _eval_statistics(stack: nets.Stack, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per BN layer: mean and std over units of the eval-mode x̂'s mean and std on x."""
    with torch.no_grad():
        hs, _ = stack.hidden(x, "running", keep=True)  # h_0 … h_{L−2}, (M, N, w) each
        rm, rv = stack.running_mean[:, BN], stack.running_var[:, BN]  # (L−1, w)
        xhat = [(h[BN] - rm[i]) / torch.sqrt(rv[i] + nets.EPS) for i, h in enumerate(hs)]
        means = torch.stack([z.mean(0).abs().mean() for z in xhat])
        stds = torch.stack([z.std(0).mean() for z in xhat])
    return means.cpu().numpy().astype(np.float32), stds.cpu().numpy().astype(np.float32)


def disagreement(stack: nets.Stack, x: torch.Tensor, b: int) -> np.ndarray:
    """(M,) share of the examples x whose predicted class differs between eval mode (running statistics) and
    training mode on batches of b (batch statistics): 0 for every model without BN."""
    with torch.no_grad():
        differ = stack.forward(x, "running").argmax(-1) != stack.forward(x, b).argmax(-1)  # (M, N)
    return differ.float().mean(1).cpu().numpy().astype(np.float32)


def stream(v: dict) -> Iterator[tuple[float, BatchResult]]:
    spec = nets.Spec(KINDS, (False,) * len(KINDS), DEPTH, WIDTH, GROUPS)
    stack = nets.Stack(spec, v["b_seed"])  # a private generator: no global RNG
    b = v["bs"]
    lr = torch.full((len(KINDS),), float(v["b_lr"]))
    fit = runs.Fit((stack,), (lr,), b, v["b_steps"], v["b_seed"], modes=("running", b))
    d = fit.data

    def snapshot(stop: int, finite: bool) -> BatchResult:
        fit.record(stop)
        ends, loss = runs.thin(fit.loss[0])
        mean, std = _eval_statistics(stack, d.x_train)
        return BatchResult(
            batch=b,
            total=v["b_steps"],
            steps=ends,
            loss=loss,
            evals=np.array(fit.evals),
            acc_eval=fit.history("running")[:, 0, 1],  # test accuracy, (E, 4)
            acc_train=fit.history(b)[:, 0, 1],
            hist_train=_bn_first(stack, d.x_test, b),
            hist_eval=_bn_first(stack, d.x_test, "running"),
            xhat_mean=mean,
            xhat_std=std,
            diverged=fit.diverged[0].copy(),
            finite=finite,
            disagree=disagreement(stack, d.x_test, b),
        )

    yield from training.chunked(v["b_steps"], fit.chunk, snapshot)


def summary(r: BatchResult) -> dict:
    out = {
        "batch_size": r.batch,
        "steps": r.done,
        "test_accuracy_eval_mode": {k: round(float(r.acc_eval[-1, i]), 4) for i, k in enumerate(KINDS)},
        "test_accuracy_train_mode": {k: round(float(r.acc_train[-1, i]), 4) for i, k in enumerate(KINDS)},
        "test_predictions_differing_between_modes": {k: round(float(r.disagree[i]), 4) for i, k in enumerate(KINDS)},
        "bn_eval_xhat_std_per_layer": [round(float(s), 4) for s in r.xhat_std],
        "bn_eval_xhat_mean_per_layer": [round(float(m), 4) for m in r.xhat_mean],
        "final_loss": {k: runs.last(r.loss[:, i]) for i, k in enumerate(KINDS)},
    }
    out["diverged_at_step"] = {k: int(r.diverged[i]) for i, k in enumerate(KINDS) if r.diverged[i] >= 0}
    return out


trained = finished_run(stream, PARAMS.names)  # the CLI and the claims train a configuration once per process
BATCH = Experiment("batch", PARAMS, trained, summary, heavy=True, stream=stream, cost=cost)
