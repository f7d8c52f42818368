"""The training check behind the page's overfitting/shift statements: small, seeded, on the CPU."""

import numpy as np
import pytest
import torch

from core.pooling import concept as pl
from core.pooling import training as ptr


@pytest.fixture(scope="module")
def result():
    chunks = list(ptr.train(seed=0, n_train=300, steps=300, shift=2))
    return chunks


def test_stream_yields_one_result_per_chunk_ending_done(result):
    assert [round(f, 3) for f, _ in result] == [round(1 / 3, 3), round(2 / 3, 3), 1.0]
    assert [r.done for _, r in result] == [False, False, True]
    final = result[-1][1]
    assert final.steps.tolist() == [100, 200, 300] and final.test_acc.shape == (4, 3)
    assert final.test_acc.dtype == np.float32


def test_parameter_counts_are_the_real_modules(result):
    final = result[-1][1]
    assert final.params.tolist() == [sum(p.numel() for p in ptr.make(m).parameters()) for m in ptr.MODELS]
    assert final.params[0] > 8 * final.params[1]  # the flat head is the big one


def test_what_the_page_reads_from_the_run(result):
    v = ptr.verdict(result[-1][1])
    for m in ("flat", "max", "avg"):  # the local models fit the training digits and generalise
        assert v[f"test_{m}"] > 0.8
    # moved digits: everyone drops a lot; global pooling drops least (relative to its own centred accuracy)
    for m in ("flat", "max", "avg"):
        assert v[f"shift_{m}"] < v[f"test_{m}"] - 0.3
    assert v["test_gap"] - v["shift_gap"] < 0.15
    assert v["shift_gap"] > v["shift_flat"] + 0.15
    # with these settings the flat net does not overfit clearly more than the pooled ones
    assert v["gap_flat"] < min(v["gap_max"], v["gap_avg"]) + 0.05
    assert v["overfit_reduced"] == (min(v["gap_max"], v["gap_avg"]) < v["gap_flat"] - 0.03)


def test_training_is_deterministic_and_the_page_experiment_drains_the_same_stream():
    values = {**pl.TRAIN_PARAMS.defaults(), "seed": 3, "o_n": 50, "o_steps": 100, "o_shift": 1}
    a = pl.TRAIN.run(values)  # what the CLI and a finished page run see
    b = list(ptr.train(seed=3, n_train=50, steps=100, shift=1))[-1][1]
    np.testing.assert_array_equal(a.test_acc, b.test_acc)
    np.testing.assert_array_equal(a.loss, b.loss)
    summary = ptr.train_summary(a)
    assert set(summary["models"]) == set(ptr.MODELS) and summary["steps"] == 100


def test_place_puts_each_digit_at_its_offset():
    x = torch.arange(64, dtype=torch.float32).view(1, 1, 8, 8).repeat(2, 1, 1, 1)
    out = ptr.place(x, torch.tensor([0, 4]), torch.tensor([4, 1]))
    assert out.shape == (2, 1, 12, 12)
    assert torch.equal(out[0, 0, 0:8, 4:12], x[0, 0]) and out[0].sum() == x[0].sum()
    assert torch.equal(out[1, 0, 4:12, 1:9], x[1, 0])


def test_a_diverging_run_stops_after_its_first_non_finite_chunk(monkeypatch):
    """The shared skeleton (core.training.chunked) reads each chunk's losses once and ends the run at NaN/inf."""
    monkeypatch.setattr(ptr, "LR", 1e30)  # Adam steps of ~1e30: the logits overflow at once
    chunks = list(ptr.train(seed=0, n_train=50, steps=300, shift=1))
    assert len(chunks) == 1 and chunks[0][0] == 1.0
    r = chunks[0][1]
    assert r.done and r.steps.tolist() == [100] and not np.isfinite(r.loss).all()
