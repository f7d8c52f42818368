"""The interview notes' convolution claims as the page states them: each number checked here against
an independent computation (torch layers, closed forms, the notes' own code run as written)."""

import numpy as np
import pytest
import torch.nn as nn

from core.convolution import claims


@pytest.fixture(scope="module")
def c():
    return claims.claims()


def test_the_notes_code_prints_a_3x3_array_of_which_only_one_cell_was_computed(c):
    printed = claims.seeds_loop()  # the notes' loop, as written
    np.testing.assert_array_equal(printed, [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert c["seeds_valid_shape"] == "1×1" and c["seeds_value"] == printed[0, 0] == 1.0
    assert c["seeds_same"] == "[[-2, 4, -2], [4, 1, 4], [-2, 4, -2]]"  # padding 1: a real 3×3 output


def test_cross_correlation_linearity_and_channels(c):
    assert c["flip_sum_gap"] < 1e-12 < 0.1 < c["flip_diff"]  # Sobel: corr = −conv, and they differ
    assert c["linear_gap"] < 1e-12 and c["relu_gap"] > 0.01  # convolution is linear, ReLU is not
    assert c["channel_sum_gap"] < 1e-12 and c["conv3d_gap"] < 1e-12
    assert (c["conv3d_depth"], c["conv3d_depth_k2"]) == (1, 2)  # a depth-filling kernel cannot slide in depth
    assert c["rgb_params"] == sum(p.numel() for p in nn.Conv2d(3, 1, 3).parameters()) == 28


def test_sizes_pointwise_and_counts(c):
    assert (c["size_same"], c["size_valid"], c["size_stride"]) == (512, 510, 256)
    assert c["pointwise_gap"] < 1e-12
    assert (c["sep_standard"], c["sep_separable"]) == (9 * 256 * 256, 9 * 256 + 256 * 256)
    assert c["sep_factor"] == pytest.approx(1 / (1 / 256 + 1 / 9))
    assert c["share_conv"] == sum(p.numel() for p in nn.Conv2d(64, 64, 3).parameters())
    assert c["share_dense"] == (56 * 56 * 64) ** 2 + 56 * 56 * 64  # weights + biases of the same map


# ---- the cards beside the sections: each verdict is what the numbers say ----------------------------------------


def test_the_cards_verdicts_are_what_the_numbers_say():
    from core.convolution import concept as cv

    n = claims.card_numbers()
    judged = {c.key: c.judged(n) for c in cv.CLAIMS}
    assert judged == {
        "channels": "partly",  # a C-deep kernel: the sum of C 2-D convolutions, a 3-D one only as deep as the input
        "size": "depends",
        "linear": "false",
        "seeds": "false",
        "flip": "partly",  # cross-correlation, not convolution, but a learned kernel absorbs the flip
        "separable": "true",
        "pointwise": "partly",  # linear, but across the channels
        "sharing": "true",
    }
    # the constant verdicts rest on these numbers
    assert n["conv3d_depth"] == 1 < n["conv3d_depth_k2"] and n["channel_sum_gap"] < 1e-12
    assert n["flip_diff"] > 0.1 and n["flip_sum_gap"] < 1e-12
    assert n["pointwise_gap"] < 1e-12 and (n["pointwise_reads"], n["depthwise_reads"]) == (8, 1)
    assert n["share_ratio"] == f"{n['share_dense'] / n['share_conv']:,.0f}"
    for claim in cv.CLAIMS:  # every evidence bar is a number
        assert all(isinstance(float(n[key]), float) for _, key in claim.evidence)


def test_a_computed_verdict_follows_its_numbers():
    v = claims.VERDICTS
    assert v["seeds"]({"seeds_windows": 9, "seeds_printed": 9}) == "true"
    assert v["linear"]({"linear_gap": 0.5, "relu_gap": 2.0}) == "true"
    assert v["size"]({"size_same": 512, "size_valid": 512}) == "true"
    assert v["separable"]({"sep_factor": 1.5}) == "partly"
    assert v["sharing"]({"share_dense": 10, "share_conv": 5}) == "partly"


def test_channels_read_counts_what_an_output_depends_on():
    import torch

    x = torch.randn(1, 4, 3, 3, dtype=torch.float64)
    w = torch.zeros(2, 4, 1, 1, dtype=torch.float64)
    w[0, 1] = w[0, 3] = 1.0  # output 0 reads input channels 1 and 3 only
    assert claims.channels_read(x, w, groups=1) == 2
