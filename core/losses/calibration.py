"""Calibration: does a confidence of 0.9 come true 90 % of the time? Reliability diagrams, ECE, temperature.

From test logits z (N, K) and labels y, with a temperature T: p = softmax(z / T), confidence c = max_k p_k,
prediction = argmax (T never changes it). Equal-width bins B_1 … B_10 of confidence (Guo et al. 2017):
    acc(B) = share of correct predictions in B,   conf(B) = mean confidence in B
    ECE = Σ_B |B|/N · |acc(B) − conf(B)|          (0 for a calibrated model)
    NLL = −mean log p_y
Temperature scaling: the T that minimises the NLL: T > 1 softens an over-confident model. The NLL is
convex in β = 1/T (a linear term plus a log-sum-exp of β·z), so a golden-section search on β finds it.
Label smoothing trains on the target (1 − ε)·onehot + ε/K instead of onehot (F.cross_entropy(label_smoothing=ε)),
so the loss no longer rewards logits that grow without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BINS = 10
T_RANGE = (0.05, 20.0)  # where the best temperature is searched


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


@dataclass(frozen=True)
class Reliability:
    temperature: float
    counts: np.ndarray  # (BINS,) int
    confidence: np.ndarray  # (BINS,) float64 mean confidence per bin (NaN where empty)
    accuracy: np.ndarray  # (BINS,) float64 accuracy per bin (NaN where empty)
    ece: float
    nll: float
    mean_confidence: float
    acc: float


def reliability(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0, bins: int = BINS) -> Reliability:
    logp = log_softmax(logits.astype(np.float64) / temperature)
    conf = np.exp(logp.max(-1))
    correct = (logp.argmax(-1) == labels).astype(np.float64)
    which = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)  # bin b holds (b/bins, (b+1)/bins]
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, conf, bins) / counts
        mean_acc = np.bincount(which, correct, bins) / counts
    filled = counts > 0
    ece = float(np.sum(counts[filled] / len(labels) * np.abs(mean_acc[filled] - mean_conf[filled])))
    return Reliability(
        temperature=float(temperature),
        counts=counts,
        confidence=mean_conf,
        accuracy=mean_acc,
        ece=ece,
        nll=float(-logp[np.arange(len(labels)), labels].mean()),
        mean_confidence=float(conf.mean()),
        acc=float(correct.mean()),
    )


def nll(logits: np.ndarray, labels: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    """(T,) the NLL at each temperature."""
    z = logits.astype(np.float64)[None] / temperatures[:, None, None]  # (T, N, K)
    logp = log_softmax(z)
    return -logp[:, np.arange(len(labels)), labels].mean(1)


def best_temperature(logits: np.ndarray, labels: np.ndarray, iters: int = 60) -> float:
    """The temperature in T_RANGE with the lowest NLL (temperature scaling, fitted on these digits):
    golden-section search on β = 1/T, where the NLL is convex."""
    f = lambda beta: float(nll(logits, labels, np.array([1.0 / beta]))[0])
    a, b = 1 / T_RANGE[1], 1 / T_RANGE[0]
    k = (np.sqrt(5) - 1) / 2
    c, d = b - k * (b - a), a + k * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - k * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + k * (b - a)
            fd = f(d)
    return float(2 / (a + b))
