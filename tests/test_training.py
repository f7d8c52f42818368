"""The shared training skeleton: chunk sizes, the chunk loop, the finite check."""

import math

import numpy as np
import torch

from core import training


def test_chunk_size_stays_within_its_bounds_and_the_run():
    assert training.chunk_size(1000) == 100 and training.chunk_size(10_000) == 250
    assert training.chunk_size(50) == 50 and training.chunk_size(1500) == 150
    assert list(training.bounds(250, 100)) == [(0, 100), (100, 200), (200, 250)]


def test_chunked_yields_each_chunk_and_reads_its_metric_once():
    seen = []

    def train_chunk(start, stop):
        seen.append((start, stop))
        return torch.tensor([float(stop)])

    out = list(training.chunked(250, train_chunk, lambda stop, finite: (stop, finite), size=100))
    assert seen == [(0, 100), (100, 200), (200, 250)]
    assert out == [(0.4, (100, True)), (0.8, (200, True)), (1.0, (250, True))]


def test_a_non_finite_chunk_ends_the_run_and_says_so():
    metrics = iter([1.0, math.inf, 2.0])
    out = list(training.chunked(300, lambda a, b: next(metrics), lambda stop, finite: (stop, finite), size=100))
    assert out == [(1 / 3, (100, True)), (1.0, (200, False))]
    assert not training.is_finite(torch.tensor([1.0, float("nan")])) and training.is_finite(np.ones(3))
    assert training.first_nonfinite(np.array([1.0, 2.0, np.nan, np.inf])) == 2
    assert training.first_nonfinite(np.array([[1.0, 2.0], [3.0, np.nan]])) == 1
    assert training.first_nonfinite(np.ones(4)) is None
