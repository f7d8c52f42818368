"""Normalization layers' learned numbers and buffers: formula against real (allocated) torch modules, the GroupNorm
divisor rule, the axes masks, and the bias that BN cancels."""

import pytest
import torch
import torch.nn as nn

from core.normalization import count


@pytest.mark.parametrize("c,hw,g", [(64, 8, 8), (3, 1, 3), (256, 14, 32), (1, 5, 1)])
def test_formulas_match_allocated_modules(c, hw, g):
    r = count.run({"c_ch": c, "c_hw": hw, "c_groups": g})
    real = {
        "bn": nn.BatchNorm2d(c),
        "ln_chw": nn.LayerNorm([c, hw, hw]),
        "ln_c": nn.LayerNorm(c),
        "gn": nn.GroupNorm(g, c),
        "in": nn.InstanceNorm2d(c, affine=True),
    }
    for k, m in real.items():
        assert r.params[k] == r.torch_params[k] == sum(p.numel() for p in m.parameters()), k
        assert r.torch_buffers[k] == sum(b.numel() for b in m.buffers()), k
    assert r.torch_buffers["bn"] == 2 * c + 1  # running mean, running var, num_batches_tracked
    assert r.conv == sum(p.numel() for p in nn.Conv2d(c, c, 3).parameters())


def test_groups_that_do_not_divide_the_channels_are_replaced_with_a_notice():
    v, notices = count.PARAMS.validate({"c_ch": 30, "c_groups": 8})
    assert v["c_groups"] == 6 and [n.info["why"] for n in notices] == ["groups"]
    v, notices = count.PARAMS.validate({"c_ch": 7, "c_groups": 64})
    assert v["c_groups"] == 7 and notices
    assert count.PARAMS.validate({"c_ch": 64, "c_groups": 16}) == ({"c_ch": 64, "c_hw": 8, "c_groups": 16}, [])


def test_masks_mark_the_values_that_share_the_statistics():
    m = count.run(count.PARAMS.defaults()).masks
    assert m["bn"][:, 5].tolist() == [1, 2, 1, 1] and m["bn"].sum() == 5  # a channel over the batch
    assert (m["ln_chw"][1] > 0).all() and m["ln_chw"].sum() == 9  # one example, every channel
    assert m["gn"][1].tolist() == [0, 0, 0, 0, 1, 2, 0, 0]  # its group of 2 channels
    assert m["in"].sum() == 2 and m["in"][1, 5] == 2


def test_normalization_statistics_really_run_over_those_axes():
    """What the masks claim, checked on the modules: changing a value outside the shared set leaves the picked
    value's output unchanged, changing one inside it does not."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 8, 3, 3, generator=g, dtype=torch.float64)
    mods = {
        "bn": nn.BatchNorm2d(8).double(),
        "ln_chw": nn.LayerNorm([8, 3, 3]).double(),
        "gn": nn.GroupNorm(4, 8).double(),
        "in": nn.InstanceNorm2d(8, affine=True).double(),
    }
    masks = count.run(count.PARAMS.defaults()).masks
    for k, mod in mods.items():
        base = mod(x)[1, 5]
        for i in range(4):
            for j in range(8):
                y = x.clone()
                y[i, j, 0, 0] += 3.0
                changed = not torch.allclose(mod(y)[1, 5], base)
                assert changed == (masks[k][i, j] > 0), (k, i, j)


def test_a_bias_in_front_of_bn_changes_nothing():
    assert count.bias_cancels() < 1e-10
