"""The digits split: stratified, fixed by the seed, disjoint, in [0, 1]."""

import torch

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
