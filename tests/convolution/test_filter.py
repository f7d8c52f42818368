"""The convolution page's numbers against torch: the photo filter, output sizes for every slider
combination, the fixes for combinations torch refuses, the kernel presets."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.convolution import concept as cv
from core.convolution import kernels as ck
from core.convolution import ops

GRID = list(itertools.product((1, 2, 3), (0, 1, 2, 3), (1, 2, 3), ops.MODES))  # stride, padding, dilation, mode


def filter_values(**kw):
    values, notices = cv.FILTER_PARAMS.validate({**cv.FILTER_PARAMS.defaults(), **kw})
    return values, notices


@pytest.mark.parametrize("s,p,d,mode", GRID)
def test_conv2d_matches_nn_conv2d_with_its_padding_mode(s, p, d, mode):
    g = torch.Generator().manual_seed(s * 100 + p * 10 + d)
    x = torch.randn(2, 3, 11, 9, generator=g, dtype=torch.float64)
    layer = nn.Conv2d(3, 4, 3, stride=s, padding=p, dilation=d, padding_mode=mode, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.randn(layer.weight.shape, generator=g, dtype=torch.float64))
        want = layer(x)
    got = ops.conv2d(x, layer.weight.detach(), s, p, mode, d)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("s,p,d,mode", GRID[::5])
def test_the_photo_filter_is_one_c_deep_convolution_and_its_channels_add_up(s, p, d, mode):
    values, _ = filter_values(
        img="astronaut", side=64, kernel="sobel_y", stride=s, pad=p, dil=d, pmode=mode, w_r=0.5, w_g=-1.0, w_b=2.0
    )
    res = cv.run_filter(values)
    x = cv._image("astronaut", 64, False)[None]  # (1, 3, H, W)
    k = torch.from_numpy(ck.make("sobel_y", 3)).float()
    w = torch.stack([0.5 * k, -1.0 * k, 2.0 * k])[None]  # (1, 3, 3, 3): one kernel, three slices
    layer = nn.Conv2d(3, 1, 3, stride=s, padding=p, dilation=d, padding_mode=mode, bias=False)
    with torch.no_grad():
        layer.weight.copy_(w)
        want = layer(x)[0, 0]
    assert res.out_shape == tuple(want.shape)
    assert res.stats["min"] == pytest.approx(float(want.min()), abs=1e-5)
    assert res.stats["max"] == pytest.approx(float(want.max()), abs=1e-5)
    assert res.stats["mean"] == pytest.approx(float(want.mean()), abs=1e-5)
    assert res.per_channel.shape[0] == 3 and res.channels.dtype == np.uint8
    # the three per-channel panels sum to the feature-map panel (both downsampled the same way)
    np.testing.assert_allclose(res.per_channel.sum(0), res.fmap_small, atol=1e-4)


def test_gray_input_uses_one_slice_and_display_arrays_are_small_and_typed():
    values, _ = filter_values(img="camera", side=512, kernel="gauss", ksize=7, sigma=2.0, pad=3)
    res = cv.run_filter(values)
    assert res.in_shape == (1, 512, 512) and res.out_shape == (512, 512)
    assert res.weights == (1.0,) and res.per_channel is None
    assert res.image.dtype == np.uint8 and res.image.shape == (256, 256, 3)
    assert res.fmap.dtype == np.float32 and max(res.fmap.shape) <= cv.DISPLAY_MAX
    assert not res.signed and res.zmin >= 0  # a blur of a [0, 1] image stays in [0, 1]
    assert res.macs == 512 * 512 * 49


def test_signed_maps_get_a_symmetric_colour_range():
    values, _ = filter_values(kernel="laplacian")
    res = cv.run_filter(values)
    assert res.signed and res.zmax > 0 and res.zmin == -res.zmax
    assert res.stats["min"] < 0 < res.stats["max"]


@pytest.mark.parametrize("n", (8, 9, 32, 33, 202))
def test_output_size_formula_matches_torch_for_every_slider_combination(n):
    x = torch.zeros(1, 1, n, n)
    p_ = cv.FILTER_PARAMS
    for k, s, p, d in itertools.product(
        range(p_["ksize"].lo, p_["ksize"].hi + 1, 2),
        range(p_["stride"].lo, p_["stride"].hi + 1),
        range(p_["pad"].lo, p_["pad"].hi + 1),
        range(p_["dil"].lo, p_["dil"].hi + 1),
    ):
        if ops.span(k, d) > n + 2 * p:
            assert ops.out_size(n, k, s, p, d) == 0
            with pytest.raises(RuntimeError):
                F.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
            continue
        got = F.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
        assert ops.out_size(n, k, s, p, d) == got, (n, k, s, p, d)
        assert ops.size_latex(n, k, s, p, d).endswith(f"= {got} \\end{{aligned}}")


def test_fit_conv_leaves_no_combination_torch_refuses():
    """Every slider combination on the smallest image (the 8×8 digit): after the fix, torch runs it."""
    for k, p, d, mode in itertools.product((3, 5, 7), range(0, 10), (1, 2, 3), ops.MODES):
        v = {"pad": p, "dil": d, "pmode": mode}
        notes = cv.ops.fit_conv(v, 8, k, cv._NAMES)
        assert bool(notes) == (ops.problem(8, k, p, d, mode) is not None)
        assert ops.problem(8, k, v["pad"], v["dil"], mode) is None
        ops.conv2d(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, k, k), 1, v["pad"], mode, v["dil"])  # no exception


def test_an_impossible_link_gives_conflict_notices_not_an_exception():
    values, notices = cv.CONCEPT.params.decode(
        {"img": "digit", "ksize": "7", "dil": "3", "pad": "9", "pmode": "reflect"}
    )
    assert [n.info["why"] for n in notices] == ["reflect_pad"]
    assert values["pad"] == 7 and values["dil"] == 3  # reflect: p < 8; then 7×7 at d=3 spans 19 ≤ 8 + 14
    res = cv.run_filter({k: values[k] for k in cv.FILTER_PARAMS.names})
    assert res.out_shape == (ops.out_size(8, 7, 1, 7, 3),) * 2
    values, notices = cv.CONCEPT.params.decode({"img": "digit", "ksize": "7", "dil": "3", "pad": "0"})
    assert [(n.param, n.info["why"], n.info["used"]) for n in notices] == [("dil", "dil_fit", "1")]
    assert cv.run_filter({k: values[k] for k in cv.FILTER_PARAMS.names}).out_shape == (2, 2)


def test_an_upload_too_small_for_the_kernel_is_fixed_with_notices():
    values, _ = filter_values(ksize=7, dil=3, pad=0)
    res = cv.run_filter(values, image=torch.rand(1, 10, 12))
    assert [n.info["why"] for n in res.notices] == ["dil_fit"]
    assert res.out_shape[0] >= 1 and res.d == 1


def test_a_typed_kernel_brings_its_size():
    cells = tuple(float(i) for i in range(25))
    values, notices = cv.CONCEPT.params.decode({"kernel": "custom", "k": ",".join(str(int(c)) for c in cells)})
    assert values["ksize"] == 5 and [n.info["why"] for n in notices] == ["ksize_custom"]
    np.testing.assert_array_equal(cv.kernel_of(values), np.arange(25.0).reshape(5, 5))
    assert not cv.CONCEPT.params.decode({"kernel": "sobel_x", "k": ",".join(["1"] * 25)})[1]  # unused cells: fine


def test_kernel_presets():
    assert ck.cells("sharpen", 3) == ck.SEEDS_SHARPEN == (0, -1, 0, -1, 5, -1, 0, -1, 0)
    np.testing.assert_array_equal(ck.make("sobel_x", 3), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(ck.make("sobel_y", 5), ck.make("sobel_x", 5).T)
    np.testing.assert_array_equal(ck.make("sobel_x", 5)[2], [-6, -12, 0, 12, 6])  # [1,4,6,4,1]ᵀ[−1,−2,0,2,1]
    np.testing.assert_array_equal(ck.make("prewitt_x", 3), [[-1, 0, 1]] * 3)
    for size in ck.SIZES:
        for name in ("box", "gauss"):
            assert ck.make(name, size, 1.3).sum() == pytest.approx(1.0)
        for name in ("sobel_x", "prewitt_y", "laplacian", "outline"):
            assert ck.make(name, size).sum() == pytest.approx(0.0)  # derivatives: flat areas give 0
        assert ck.make("sharpen", size).sum() == pytest.approx(1.0)
        g = ck.make("gauss", size, 0.8)
        assert g[size // 2, size // 2] == g.max() and np.allclose(g, g.T) and np.allclose(g, g[::-1])
    np.testing.assert_array_equal(ck.make("laplacian", 5)[1:4, 1:4], ck.make("laplacian", 3))
    k_param = cv.FILTER_PARAMS["k"]
    for name, size, sigma in itertools.product(ck.PRESETS, ck.SIZES, (0.3, 3.0)):  # "edit these cells" fits k
        assert k_param.parse(k_param.encode(ck.cells(name, size, sigma))) == ck.cells(name, size, sigma)
    with pytest.raises(ValueError):
        ck.make("box", 4)


def test_resize_keeps_the_centre():
    k3 = ck.SEEDS_SHARPEN
    k5 = ck.resize(k3, 5)
    assert ck.as_grid(k5)[1:4, 1:4].ravel().tolist() == list(k3) and sum(map(abs, k5)) == sum(map(abs, k3))
    assert ck.resize(k5, 3) == k3
    assert ck.resize(k3, 1) == (5.0,)
    with pytest.raises(ValueError):
        ck.as_grid((1.0, 2.0))


def test_identity_kernel_returns_the_image_and_the_summary_reports_the_formula():
    values, _ = filter_values(img="coins", side=64, kernel="identity", pad=1)
    res = cv.run_filter(values)
    img = cv._image("coins", 64, False)[0]
    assert res.stats["mean"] == pytest.approx(float(img.mean()), abs=1e-6)
    summary = cv.filter_summary(res)
    c, h, w = summary["input_shape"]
    assert summary["output_shape"] == [1, h, w] and summary["formula"]["H_out"] == h
    assert summary["kernel"] == [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]


@pytest.mark.parametrize("side,s,p,d", [(512, 3, 0, 2), (96, 4, 9, 3), (64, 2, 5, 1)])
def test_a_non_square_photo_gets_both_formulas_with_torch_sizes(side, s, p, d):
    values, _ = filter_values(img="chelsea", side=side, kernel="outline", ksize=5, stride=s, pad=p, dil=d)
    res = cv.run_filter(values)
    c, h, w = res.in_shape
    assert h != w
    want = F.conv2d(torch.zeros(1, 1, h, w), torch.zeros(1, 1, 5, 5), stride=s, padding=p, dilation=d).shape[-2:]
    assert res.out_shape == tuple(want)
    for latex, n, got in zip(res.size_latex, (h, w), want):
        assert latex.endswith(f"= {got} \\end{{aligned}}") and f"\\frac{{{n} + 2\\cdot{p}" in latex
    summary = cv.filter_summary(res)["formula"]
    assert (summary["H"], summary["W"], summary["H_out"], summary["W_out"]) == (h, w, *want)
