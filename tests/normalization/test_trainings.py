"""The three trainings do what the page says they show (properties with margins, over seeds — never one run's exact
numbers), stream chunk by chunk, replay identically, mark divergence, and stay within the work budget."""

import numpy as np
import pytest
import torch

from core import budget, training
from core.experiment import drain
from core.normalization import batch, claims, depth, nets, runs, sweep
from core.normalization import concept as nc


def sweep_values(**kw):
    return sweep.PARAMS.validate({**sweep.PARAMS.defaults(), **kw})[0]


@pytest.fixture(scope="module")
def default_sweep():
    return sweep.trained(sweep.PARAMS.defaults())  # cached: the claims tests use the same run


@pytest.fixture(scope="module")
def default_depth():
    return depth.trained(depth.PARAMS.defaults())


# ---- learning-rate sweep ------------------------------------------------------------------------------


def test_bn_learns_at_learning_rates_where_the_plain_net_fails(default_sweep):
    r = default_sweep
    lrs = list(r.lrs)
    big = [lrs.index(1.0), lrs.index(2.0)]
    plain, bn = np.nan_to_num(r.test_acc[-1, 0, big]), r.test_acc[-1, 1, big]
    assert (plain < 0.5).all() and (bn > 0.9).all()
    assert (r.diverged[1] < 0).all()  # no BN net diverged
    small = lrs.index(0.1)
    assert r.test_acc[-1, 0, small] > 0.9 and r.test_acc[-1, 1, small] > 0.9  # both fine in the middle


@pytest.mark.parametrize("seed", [0, 1])
def test_at_a_small_learning_rate_bn_is_slower(seed):
    r = sweep.trained(sweep_values(lrs=("0.01", "1"), seed=seed))
    assert r.test_acc[-1, 1, 0] < r.test_acc[-1, 0, 0] - 0.01  # η = 0.01: BN behind (the page's claim)
    assert r.test_acc[-1, 1, 1] > 0.9 > np.nan_to_num(r.test_acc[-1, 0, 1])  # η = 1: BN ahead


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_at_the_issue_learning_rates_bn_wins_at_the_largest(seed):
    """The issue's prototype (76 % at η = 0.1, NaN at 0.5 without BN) does not reproduce here: at the `issue_lrs`
    preset the plain net reaches ~92/96/54 % and BN ~88/96/98 % (seed 0). What holds over seeds, with a margin:
    BN is ahead at η = 0.5, and both learn at 0.1."""
    r = sweep.trained(sweep_values(**nc.PRESETS["issue_lrs"], seed=seed))
    assert list(r.lrs) == [0.01, 0.1, 0.5]
    plain, bn = np.nan_to_num(r.test_acc[-1, 0]), r.test_acc[-1, 1]
    assert bn[2] > plain[2] + 0.1 and bn[2] > 0.9
    assert min(plain[1], bn[1]) > 0.9


def test_a_diverging_net_is_marked_and_the_others_train_on():
    r = drain(sweep.stream(sweep_values(lrs=("0.1", "5"), steps=200)))
    assert 0 < r.diverged[0, 1] <= 50  # plain at η = 5: NaN within a few steps
    assert np.isnan(r.test_acc[-1, 0, 1]) and np.isfinite(r.test_acc[-1, 0, 0])
    assert r.done == 200 and r.finite  # the others finished


def test_the_sweep_streams_chunks_and_replays_identically():
    v = sweep_values(lrs=("0.1",), steps=300)
    chunks = list(sweep.stream(v))
    assert [round(f, 3) for f, _ in chunks] == [round(s / 300, 3) for s in (100, 200, 300)]
    assert [c.done for _, c in chunks] == [100, 200, 300]
    again = drain(sweep.stream(v))
    np.testing.assert_array_equal(again.loss, chunks[-1][1].loss)
    np.testing.assert_array_equal(again.test_acc, chunks[-1][1].test_acc)


def test_the_work_budget_cuts_the_steps_with_a_notice():
    v, notices = sweep.PARAMS.validate({"lrs": sweep.LR_CHOICES[:8], "depth": 30, "steps": 2000})
    assert sweep.cost(v) <= budget.CPU_S < sweep.cost({**v, "steps": v["steps"] + 100}) and v["steps"] % 100 == 0
    assert [n.info["why"] for n in notices] == ["budget"] and notices[0].raw == "2000"
    assert notices[0].info["used"] == str(v["steps"])
    for params in (sweep.PARAMS, depth.PARAMS, batch.PARAMS):
        assert params.validate(params.defaults())[1] == []  # the defaults fit
    v, notices = depth.PARAMS.validate({"depths": ("30", "45", "60"), "r_steps": 1500})
    assert depth.cost(v) <= budget.CPU_S < depth.cost({**v, "r_steps": v["r_steps"] + 100})
    assert notices[0].info["why"] == "budget"


def test_every_heavy_experiment_declares_a_cost_that_grows_with_its_work():
    for exp in (sweep.SWEEP, batch.BATCH, depth.DEPTH, claims.CLAIMS):
        assert exp.heavy and exp.cost is not None, exp.key
    d = sweep.PARAMS.defaults()
    assert sweep.cost(d) < sweep.cost({**d, "steps": 1000}) < sweep.cost({**d, "steps": 1000, "depth": 20})
    assert sweep.pair_cost(d) < sweep.cost(d) / 3  # 2 models instead of 12
    b = batch.PARAMS.defaults()
    assert batch.cost(b) < batch.cost({**b, "bs": 256}) < batch.cost({**b, "bs": 256, "b_steps": 2000})
    r = depth.PARAMS.defaults()
    assert depth.cost({**r, "depths": ("10",)}) < depth.cost(r)
    assert claims.cost({}) == pytest.approx(sweep.cost(d) + len(claims.SEEDS) * sweep.pair_cost(d) + depth.cost(r))


def test_the_batch_budget_cuts_the_largest_batch_when_the_budget_is_smaller(monkeypatch):
    monkeypatch.setattr(batch, "PER_STEP", 100_000.0)  # a 40× slower machine: at 30 s every batch link fits here
    v, notices = batch.PARAMS.validate({**batch.PARAMS.defaults(), "bs": 256, "b_steps": 2000})
    assert batch.cost(v) <= budget.CPU_S < batch.cost({**v, "b_steps": v["b_steps"] + 100}) and v["b_steps"] >= 100
    assert [(n.param, n.raw, n.info["used"]) for n in notices] == [("b_steps", "2000", str(v["b_steps"]))]


# ---- small batches -------------------------------------------------------------------------------------


def batch_run(bs, seed, steps=300):
    return batch.trained({"bs": bs, "b_steps": steps, "b_lr": 0.05, "b_seed": seed})


@pytest.mark.parametrize("seed", [0, 1])
def test_at_batch_size_two_bn_fails_and_ln_gn_do_not(seed):
    r = batch_run(2, seed)
    acc = dict(zip(batch.KINDS, r.acc_eval[-1]))
    assert acc["bn"] < 0.4 and min(acc["ln"], acc["gn"]) > max(0.45, acc["bn"] + 0.2)  # chance is 0.1
    assert r.gap[[0, 2, 3]].tolist() == [0.0, 0.0, 0.0]  # no batch statistics: the same in both modes
    inside = (batch.BINS[:-1] >= -1.05) & (batch.BINS[1:] <= 1.05)
    assert r.hist_train[inside].sum() > 0.95  # training mode hands on ±1 only ...
    assert r.hist_eval[~inside].sum() > 0.2  # ... eval mode a spread of values
    assert r.xhat_std[-1] < 0.6  # running statistics far from what the eval-mode net computes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_at_batch_size_two_bn_answers_differently_in_its_two_modes(seed):
    """BN's own train/eval gap: both modes are near chance at B = 2, so their accuracies can be close, but they
    are wrong on different digits — most test predictions change with the mode (measured 54–78 % over seeds 0–3;
    about 4 % at B = 64). Nets without batch statistics never change."""
    small, large = batch_run(2, seed), batch_run(64, seed)
    bn = batch.KINDS.index("bn")
    assert small.disagree[bn] > 0.4 and small.disagree[bn] > 4 * large.disagree[bn]
    assert large.disagree[bn] < 0.15
    for r in (small, large):
        assert r.disagree[[0, 2, 3]].tolist() == [0.0, 0.0, 0.0]


def test_at_batch_size_64_bn_is_fine_and_its_statistics_match():
    r = batch_run(64, 0)
    assert r.acc_eval[-1, batch.KINDS.index("bn")] > 0.9
    assert np.abs(r.xhat_std - 1).max() < 0.1 and r.gap.max() < 0.05


# ---- plain vs residual ---------------------------------------------------------------------------------


def test_the_deep_plain_net_degrades_and_the_residual_one_does_not(default_depth):
    r = default_depth
    i10, i60 = r.depths.index(10), r.depths.index(60)
    loss = r.loss[-1]  # (D, 2) plain, residual
    assert loss[i60, 0] > 2.0 > 0.5 > loss[i10, 0]  # plain: 60 layers near chance, 10 layers learned
    assert loss[i60, 1] < 0.5 and loss[i10, 1] < 0.5
    assert abs(r.test_acc[-1, i60, 1] - r.test_acc[-1, i10, 1]) < 0.04  # residual: about as good at 60 as at 10
    assert (r.params[:, 0] == r.params[:, 1]).all()
    assert r.grad0[i60, 0] > 1000 * r.grad0[i60, 1]  # BN in a deep plain net: the first-layer gradient explodes
    assert 0.2 < r.grad0[i60, 1] < 10 and 0.2 < r.grad0[i10, 1] < 10


def test_residual_nets_without_normalization_diverge_and_are_reported():
    r = drain(depth.stream({"depths": ("6", "30"), "r_steps": 100, "r_lr": 0.05, "r_norm": "none", "r_seed": 0}))
    assert r.diverged[1, 1] > 0 and r.diverged[0, 1] < 0  # 30 layers blow up; 6 do not
    assert np.isnan(r.test_acc[-1, 1, 1]) and r.finite


def test_a_run_that_diverges_everywhere_stops_early():
    spec = nets.Spec(("none", "none"), (False, False), depth=4, width=8)
    fit = runs.Fit((nets.Stack(spec, 0),), (torch.tensor([1e4, 1e5]),), batch=16, steps=500, seed=0)
    chunks = list(training.chunked(500, fit.chunk, lambda stop, finite: (stop, finite), size=100))
    assert chunks == [(1.0, (100, False))]  # one chunk, then the run ends: nothing left alive
    assert (fit.diverged[0] > 0).all() and fit.done == 100
    assert np.isnan(fit.accuracy()[0]).all()


def test_thin_averages_windows_and_keeps_the_last_partial_one():
    from core.normalization.runs import thin

    ends, means = thin(np.arange(10, dtype=np.float32)[:, None], points=3)
    assert ends.tolist() == [4, 8, 10] and means[:, 0].tolist() == [1.5, 5.5, 8.5]
    assert training.chunk_size(300) == 100  # the chunk the page redraws after (core.training)
