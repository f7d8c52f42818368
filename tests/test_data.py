"""The digits split: stratified, fixed by the seed, disjoint, in [0, 1]; flat standardized digits; batch plans."""

import torch

from core import data
from core.data import digits


def test_digits_split_is_stratified_disjoint_and_seeded():
    xtr, ytr, xte, yte = digits(seed=0)
    assert xtr.shape[1:] == (1, 8, 8) and xtr.dtype == torch.float32
    assert len(xtr) + len(xte) == 1797 and abs(len(xte) / 1797 - 0.25) < 0.01
    assert 0.0 <= float(xtr.min()) and float(xtr.max()) <= 1.0
    share = torch.bincount(yte, minlength=10) / torch.bincount(torch.cat([ytr, yte]), minlength=10)
    assert (share - 0.25).abs().max() < 0.02
    again = digits(seed=0)
    assert torch.equal(again[2], xte)
    other = digits(seed=1)
    assert not torch.equal(other[2], xte)
    train_rows = {tuple(r.flatten().tolist()) for r in xtr}
    overlap = sum(tuple(r.flatten().tolist()) in train_rows for r in xte)
    assert overlap < 10  # only true duplicate images in the data set can appear on both sides


def test_flat_digits_are_standardized_with_the_training_statistics_only():
    x_tr, y_tr, x_te, y_te = data.digits_flat(0)
    raw = data.digits(0)
    assert x_tr.shape == (len(raw[1]), 64) and x_te.shape == (len(raw[3]), 64)
    torch.testing.assert_close(y_tr, raw[1])
    varying = raw[0].flatten(1).std(0) > 0.1
    torch.testing.assert_close(x_tr.mean(0), torch.zeros(64), atol=1e-5, rtol=0)
    torch.testing.assert_close(x_tr.std(0)[varying], torch.ones(int(varying.sum())), atol=1e-5, rtol=0)
    assert abs(float(x_te.mean())) > 1e-4  # the test set is scaled by the training statistics, not its own


def test_a_batch_plan_shows_every_example_once_per_epoch():
    plan = data.batch_plan(10, 3, 7, seed=5)
    assert plan.shape == (7, 3) and plan.dtype == torch.int64
    for epoch in (plan[:3], plan[3:6]):  # 10 // 3 = 3 batches an epoch, the 10th example left out
        assert len(set(epoch.flatten().tolist())) == 9
    assert torch.equal(plan, data.batch_plan(10, 3, 7, seed=5)) and not torch.equal(plan, data.batch_plan(10, 3, 7, 6))
