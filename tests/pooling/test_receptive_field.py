"""Receptive field arithmetic against a brute force (the gradient of one output unit in a real torch
stack), the stack's URL grammar, and the rules that keep a stack valid."""

import numpy as np
import pytest
import torch

from core.params import ParamError
from core.pooling import concept as pl
from core.pooling import receptive_field as rfm

STACKS = [
    "c3,c3,m2,c3,c3,m2,c3,c3,m2",
    "c11s4p0,m3s2,c5,m3s2,c3,c3,c3,m3s2",  # AlexNet's geometry
    "c7s2,m3s2p1,c3,c3,c3s2,c3",  # ResNet stem
    "c3,c3d2,c3d4,c3d8",
    "a3s2p1,c5s3p0,m2s1",
    "c4,c2s2,m3s2p1,c6",
    "c1,m2,c5d3p1,a4s1",
]


def support(grad: torch.Tensor) -> tuple[int, int, int, int]:
    nz = (grad != 0).nonzero()
    return int(nz[:, 0].min()), int(nz[:, 0].max()), int(nz[:, 1].min()), int(nz[:, 1].max())


@pytest.mark.parametrize("text", STACKS)
@pytest.mark.parametrize("n", [61, 100, 227])
def test_receptive_field_matches_the_gradient_of_one_unit_in_a_real_stack(text, n):
    layers = rfm.parse_stack(text)
    rows = rfm.table(layers, n)
    layers = tuple(r.layer for r in rows)  # the part of the stack that fits this input
    grad = rfm.input_gradient(
        layers, torch.rand(n, n, dtype=torch.float64, generator=torch.Generator().manual_seed(n)), pool_as_avg=True
    )
    last = rows[-1]
    unit = (last.n - 1) // 2
    first, final = rfm.box(last, unit)
    # floor mode: at every layer, input pixels beyond what its last unit reads are never read by anyone
    covered = min(rfm.box(row, row.n - 1)[1] for row in rows)
    lo, hi = int(max(0, first)), int(min(n - 1, final, covered))
    assert support(grad) == (lo, hi, lo, hi), (text, n, last)
    if first >= 0 and final <= min(n - 1, covered):  # fully inside: the size is the receptive field itself
        assert hi - lo + 1 == last.rf


def test_output_sizes_match_torch_layer_by_layer():
    for text in STACKS:
        layers = rfm.parse_stack(text)
        x = torch.zeros(1, 1, 227, 227, dtype=torch.float64)
        for row, module in zip(rfm.table(layers, 227), rfm.build(layers)):
            x = module(x)
            assert x.shape[-1] == row.n, (text, row)


def test_max_pooling_routes_the_gradient_to_fewer_pixels_than_the_receptive_field():
    layers = rfm.parse_stack("c3,m2,c3,m2")
    img = torch.rand(64, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with_max = (rfm.input_gradient(layers, img) != 0).sum()
    with_avg = (rfm.input_gradient(layers, img, pool_as_avg=True) != 0).sum()
    row = rfm.table(layers, 64)[-1]
    assert with_avg == row.rf**2 and with_max < with_avg


def test_known_receptive_fields():
    assert rfm.table(rfm.parse_stack("c3,c3,c3"), 32)[-1].rf == 7  # three 3×3 convs see 7×7 (VGG's argument)
    alex = rfm.table(rfm.parse_stack("c11s4p0,m3s2,c5,m3s2,c3,c3,c3,m3s2"), 227)
    assert [r.n for r in alex] == [55, 27, 27, 13, 13, 13, 13, 6] and alex[-1].rf == 195
    dil = rfm.table(rfm.parse_stack("c3,c3d2,c3d4,c3d8"), 64)
    assert [r.rf for r in dil] == [3, 7, 15, 31]  # dilation doubles the reach per layer


@pytest.mark.parametrize(
    "raw,canonical",
    [
        ("c3", "c3"),
        ("C3S1P1", "c3"),
        ("c3p1s1d1", "c3"),
        ("m2s2p0", "m2"),
        ("m3s2p1", "m3s2p1"),
        ("c5d2", "c5d2"),
        ("c5d2p4", "c5d2"),
        ("c5d2p0", "c5p0d2"),
        (" c3 , m2 ", "c3,m2"),
        ("a3s1", "a3s1"),
    ],
)
def test_stack_tokens_are_normalised(raw, canonical):
    assert rfm.Stack("layers", "c3").parse(raw) == canonical


@pytest.mark.parametrize(
    "raw,code",
    [
        ("", "length"),
        (",".join(["c3"] * 13), "length"),
        ("x3", "type"),
        ("c0", "type"),
        ("c12", "type"),
        ("c3s5", "type"),
        ("m2d2", "type"),
        ("c3p9", "type"),
        ("c3;m2", "type"),
        ("3c", "type"),
    ],
)
def test_bad_stacks_are_refused_with_a_reason(raw, code):
    with pytest.raises(ParamError) as err:
        rfm.Stack("layers", "c3").parse(raw)
    assert err.value.code == code


def test_a_stack_too_deep_for_the_input_is_cut_with_a_message():
    values, notices = pl.RF_PARAMS.decode({"layers": "c3,m2,m2,m2,m2,m2,c3", "rf_in": "16"})
    assert values["layers"] == "c3,m2,m2,m2,m2"
    assert [(n.param, n.info["why"]) for n in notices] == [("layers", "stack_cut")]
    res = rfm.run_rf(values)
    assert res.rows[-1].n == 1


def test_pool_padding_above_half_the_kernel_is_fixed_with_a_message():
    values, notices = pl.RF_PARAMS.decode({"layers": "c3,m2p2"})
    assert values["layers"] == "c3,m2p1" and notices[0].info["why"] == "pool_pad"


def test_a_first_layer_larger_than_the_input_grows_the_input():
    values, notices = pl.RF_PARAMS.decode({"layers": "c11d8p0", "rf_in": "16"})
    assert values["rf_in"] == 81 and "rf_small" in {n.info["why"] for n in notices}
    assert rfm.run_rf(values).rows[-1].n == 1


def test_rf_experiment_traces_the_centre_unit_and_nests_the_boxes():
    res = rfm.run_rf(pl.RF_PARAMS.defaults())
    assert res.image.dtype == np.uint8 and res.image.shape == (128, 128)
    assert res.grad.dtype == np.float32 and res.grad.max() == pytest.approx(1.0)
    spans = [b - a for a, b in res.boxes]
    assert spans == sorted(spans) and spans[-1] + 1 == res.rows[-1].rf
    centres = [(a + b) / 2 for a, b in res.boxes]
    assert max(centres) - min(centres) <= res.rows[-1].jump  # each box holds the next one's centre region
    r0, r1, c0, c1 = res.support
    assert res.boxes[-1][0] <= r0 <= r1 <= res.boxes[-1][1] and 0 < res.support_share < 1
    assert rfm.rf_summary(res)["layers"][-1]["receptive_field"] == 36
