"""Parameter and multiply-add counts against real torch layers (parameters counted, MACs by forward hooks)."""

import itertools

import pytest
import torch
import torch.nn as nn

from core.convolution import count as cc


def macs_by_hooks(module: nn.Module, x: torch.Tensor) -> int:
    """Run the layer once and count multiply-adds from the real output shapes."""
    total = []

    def conv_hook(m, inp, out):
        total.append(out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])

    def linear_hook(m, inp, out):
        total.append(out.numel() * m.in_features)

    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(linear_hook)
    with torch.no_grad():
        module(x)
    return sum(total)


@pytest.mark.parametrize(
    "c_in,c_out,k,hw,bias", itertools.product((1, 3, 8), (1, 5, 16), (1, 3, 5), (1, 4), (True, False))
)
def test_counts_match_real_layers(c_in, c_out, k, hw, bias):
    values = {"c_in": c_in, "c_out": c_out, "c_k": k, "c_hw": hw, "c_bias": bias}
    res = cc.count(values)
    x = torch.zeros(1, c_in, hw, hw)
    for kind, module in cc.modules(values).items():
        assert res.params[kind] == sum(p.numel() for p in module.parameters()), kind
        assert res.macs[kind] == macs_by_hooks(module, x), kind
        out = module(x)
        assert out.numel() == c_out * hw * hw, kind  # same output map for every kind (same padding, stride 1)
    assert "dense" in cc.modules(values)


def test_separable_ratio_is_one_over_c_out_plus_one_over_k_squared():
    res = cc.count({"c_in": 256, "c_out": 256, "c_k": 3, "c_hw": 14, "c_bias": False})
    assert res.ratio == pytest.approx(1 / 256 + 1 / 9)
    assert res.macs["separable"] / res.macs["standard"] == pytest.approx(res.ratio)
    assert r"\frac{1}{256} + \frac{1}{9}" in res.latex
    summary = cc.count_summary(res)
    assert summary["standard_over_separable"] == pytest.approx(1 / res.ratio, rel=1e-4)


def test_the_largest_counts_stay_exact_integers():
    p = cc.COUNT_PARAMS
    res = cc.count(
        {"c_in": p["c_in"].hi, "c_out": p["c_out"].hi, "c_k": p["c_k"].hi, "c_hw": p["c_hw"].hi, "c_bias": True}
    )
    assert res.weights["dense"] == (224 * 224 * 2048) ** 2  # Python ints: no overflow, no float rounding
    assert "dense" not in cc.modules({"c_in": 64, "c_out": 64, "c_k": 3, "c_hw": 56, "c_bias": True})
