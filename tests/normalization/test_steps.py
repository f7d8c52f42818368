"""Batch norm by hand against nn.BatchNorm1d / nn.BatchNorm2d in training and eval mode, and the statements the
step-through makes: standard deviation (biased) not variance, running variance unbiased, shape kept."""

import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from core.normalization import steps


def values(**kw):
    v, notices = steps.PARAMS.validate({**steps.PARAMS.defaults(), **kw})
    assert notices == []
    return v


CASES = [
    {},
    {"layout": "2d", "feat": 2, "n": 3},
    {"n": 2, "dist": "normal", "momentum": 1.0},
    {"momentum": 0.0, "batches": 3},
    {"eps": 1.0, "x_std": 0.3, "dist": "bimodal"},
    {"n": 32, "feat": 4, "batches": 200, "gamma": -2.0, "beta": 3.0, "s_seed": 7},
]


@pytest.mark.parametrize("kw", CASES)
def test_every_step_equals_the_torch_module_in_both_modes(kw):
    r = steps.run(values(**kw))
    assert r.err_train < 1e-12 and r.err_running < 1e-12 and r.err_eval < 1e-12


def test_the_hand_computation_is_checked_against_an_independent_module_run():
    """Rebuild the first batch from the result and run a fresh nn.BatchNorm2d: its output is the result's y."""
    v = values(layout="2d", feat=2, n=3, gamma=0.7, beta=-1.2)
    r = steps.run(v)
    x = torch.from_numpy(r.x).view(2, 3, 2, 2).transpose(0, 1)  # (C, n) -> (N, C, H, W)
    bn = nn.BatchNorm2d(2).double()
    with torch.no_grad():
        bn.weight.fill_(0.7)
        bn.bias.fill_(-1.2)
        y = bn(x).transpose(0, 1).reshape(2, -1)
    np.testing.assert_allclose(r.y, y.numpy(), atol=1e-12)
    assert r.x.shape == (2, 12)  # BatchNorm2d: N·H·W values per channel


def test_it_divides_by_the_biased_standard_deviation_not_the_variance():
    r = steps.run(values())
    np.testing.assert_allclose(r.std, np.sqrt(r.var + r.eps))
    np.testing.assert_allclose(r.var * r.x.shape[1] / (r.x.shape[1] - 1), r.var_unbiased)
    np.testing.assert_allclose(r.out_mean, 0, atol=1e-12)
    np.testing.assert_allclose(r.out_std, np.sqrt(r.var / (r.var + r.eps)))
    np.testing.assert_allclose(r.var_std, 1 / np.sqrt(r.var))  # dividing by σ² leaves a spread of 1/σ
    assert abs(r.var_std[0] - 1) > 0.3


def test_the_notes_code_is_off_by_the_bessel_factor():
    r = steps.run(values(eps=1e-8))
    n = r.x.shape[1]
    assert r.seeds_ratio == pytest.approx(math.sqrt(n / (n - 1)))
    worst = np.abs(r.xhat).max()
    assert r.seeds_gap == pytest.approx(worst * (1 - 1 / r.seeds_ratio), rel=1e-6)


def test_normalizing_keeps_the_shape_of_the_distribution():
    r = steps.run(values(dist="skewed", n=32))
    np.testing.assert_allclose(r.skew_out, r.skew_in, atol=1e-9)
    assert (r.skew_in > 0.5).all()  # exponential samples stay skewed after normalization


def test_two_examples_normalize_to_plus_and_minus_one():
    r = steps.run(values(n=2, eps=1e-8))
    np.testing.assert_allclose(np.abs(r.xhat), 1, atol=1e-6)
    np.testing.assert_allclose(r.xhat[:, 0], -r.xhat[:, 1])


def test_running_statistics_follow_the_momentum_convention():
    last = steps.run(values(momentum=1.0, batches=4))  # momentum 1: the last batch's mean, unbiased variance
    assert not np.allclose(last.run_mean[-1], last.mean)  # the shown batch is the first, not the last
    np.testing.assert_allclose(last.run_mean[-1], last.batch_means[-1])
    frozen = steps.run(values(momentum=0.0))
    np.testing.assert_allclose(frozen.run_mean[-1], 0)
    np.testing.assert_allclose(frozen.run_var[-1], 1)
    many = steps.run(values(batches=200, n=32, dist="normal"))  # the running mean settles near the true one
    np.testing.assert_allclose(many.run_mean[-1], many.true_mean, atol=0.5)


def test_summary_is_plain_json_numbers():
    s = steps.summary(steps.run(values(layout="2d")))
    assert s["batch_shape"] == [8, 3, 2, 2] and s["values_per_feature"] == 32
    assert max(s["max_abs_diff_vs_torch"].values()) < 1e-12
    assert all(isinstance(x, float) for x in s["batch_mean"])
