"""The hand-written step-through against torch.nn.functional, and its size rules."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.convolution import concept as cv
from core.convolution import ops
from core.convolution import steps as cs


def steps(**kw):
    values, notices = cs.STEPS_PARAMS.validate({**cs.STEPS_PARAMS.defaults(), **kw})
    return cs.run_steps(values), values, notices


@pytest.mark.parametrize("s,p,d,mode", itertools.product((1, 2, 3), (0, 1, 2, 3), (1, 2, 3), ops.MODES))
def test_hand_written_convolution_matches_torch(s, p, d, mode):
    rng = np.random.default_rng(s + 10 * p + 100 * d)
    x = rng.integers(-5, 10, size=(9, 9)).astype(np.float64)
    w = rng.normal(size=(3, 3))
    if ops.problem(9, 3, p, d, mode):
        pytest.skip("a combination torch refuses (covered by the rules test)")
    _, cells, rows, cols, prods, sums, out = cs.conv_by_hand(x, w, s, p, mode, d)
    ref = ops.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None], s, p, mode, d)[0, 0]
    np.testing.assert_allclose(out, ref.numpy(), rtol=0, atol=1e-12)
    m = ops.out_size(9, 3, s, p, d)
    assert out.shape == (m, m) and len(cells) == m * m
    assert np.all(np.diff(rows, axis=1) == d) and np.all(rows[:, 0] == cells[:, 0] * s)  # dilation and stride
    np.testing.assert_allclose(prods.sum(axis=(1, 2)), sums)


@pytest.mark.parametrize(
    "k,s,p,d,opad",
    [
        (k, s, p, d, o)
        for k, s, p, d, o in itertools.product((1, 2, 3, 4, 5), (1, 2, 3), (0, 1, 2, 3), (1, 2, 3), (0, 1, 2))
        if o < max(s, d)
    ],
)
def test_hand_written_transposed_convolution_and_its_size_match_torch(k, s, p, d, opad):
    n = 4
    rng = np.random.default_rng(k + 7 * s + 31 * p + 101 * d + 401 * opad)
    x, w = rng.normal(size=(n, n)), rng.normal(size=(k, k))
    size = ops.t_out_size(n, k, s, p, d, opad)
    xt, wt = torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None]
    if size < 1:
        assert ops.t_problem(n, k, s, p, d, opad) == "empty"
        with pytest.raises(RuntimeError):
            F.conv_transpose2d(xt, wt, stride=s, padding=p, output_padding=opad, dilation=d)
        return
    ref = ops.conv_transpose2d(xt, wt, s, p, d, opad)[0, 0].numpy()
    assert ref.shape == (size, size)
    *_, partial, out = cs.transposed_by_hand(x, w, s, p, d, opad)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    assert partial.shape[0] == n * n  # one canvas per stamp, the last one is the full canvas
    assert ops.t_problem(n, k, s, p, d, opad) is None


def test_output_padding_that_torch_refuses_is_named():
    assert ops.t_problem(4, 3, 2, 0, 1, 2) == "opad"
    with pytest.raises(RuntimeError):
        F.conv_transpose2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), stride=2, output_padding=2)


def test_transposed_convolution_is_the_adjoint_of_convolution():
    """⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩: transposed convolution is the gradient of convolution w.r.t. its input."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(7, 7)), rng.normal(size=(3, 3))
    *_, y_conv = cs.conv_by_hand(x, w, 2, 1, "zeros", 1)
    y = rng.normal(size=y_conv.shape)
    *_, back = cs.transposed_by_hand(y, w, 2, 1, 1, 0)
    assert back.shape == x.shape
    assert float((y_conv * y).sum()) == pytest.approx(float((x * back).sum()), rel=1e-12)


def test_every_step_records_its_window_products_and_sum():
    res, _, _ = steps(t_in="digit", t_s=2, t_p=1, t_d=2)
    assert res.max_err == 0.0
    t = 4
    window = res.grid[np.ix_(res.rows[t], res.cols[t])]
    np.testing.assert_array_equal(res.prods[t], window * res.w)
    assert res.sums[t] == res.out[tuple(res.cells[t])]


def test_the_notes_example_gives_one_output_value():
    res, _, _ = steps(t_in="seeds", t_p=0)
    assert res.out.tolist() == [[1.0]] and len(res.cells) == 1
    res, _, _ = steps(t_in="seeds", t_p=1)
    assert res.out.shape == (3, 3)


def test_an_impulse_shows_the_kernel_mirrored_and_transposed_shows_it_upright():
    w = tuple(float(v) for v in range(1, 10))
    conv, _, _ = steps(t_in="impulse", t_n=5, t_p=0, t_w=w)
    np.testing.assert_array_equal(conv.out, np.arange(9, 0, -1.0).reshape(3, 3))  # cross-correlation flips
    up, _, _ = steps(t_op="transposed", t_in="impulse", t_n=3, t_p=1, t_w=w)
    np.testing.assert_array_equal(up.out, np.arange(1, 10.0).reshape(3, 3))


def test_stride_two_three_by_three_transposed_overlaps_unevenly():
    res, _, _ = steps(t_op="transposed", t_in="ones", t_n=4, t_s=2, t_p=1, t_w=(1.0,) * 9)
    assert set(np.unique(res.out)) == {1.0, 2.0, 4.0}  # the checkerboard pattern
    even, _, _ = steps(t_op="transposed", t_in="ones", t_n=4, t_s=2, t_p=1, t_w=(1.0,) * 16)
    inner = even.out[1:-1, 1:-1]
    assert np.all(inner == inner[0, 0])  # 4×4 at stride 2: every inner cell gets the same number of stamps


def test_rules_fix_what_torch_would_refuse():
    _, v, notes = steps(t_in="seeds", t_d=3, t_p=0)
    assert [(n.param, n.info["why"]) for n in notes] == [("t_d", "dil_fit")] and v["t_d"] == 1
    _, v, notes = steps(t_in="seeds", t_pm="reflect", t_p=3)
    assert [(n.param, n.info["why"]) for n in notes] == [("t_p", "reflect_pad")] and v["t_p"] == 2
    _, v, notes = steps(t_in="seeds", t_w=(1.0,) * 25, t_p=0)
    assert [n.info["why"] for n in notes] == ["pad_fit"] and v["t_p"] == 1
    _, v, notes = steps(t_op="transposed", t_in="ramp", t_n=10, t_s=1, t_d=1, t_opad=2)
    assert [(n.param, n.info["why"]) for n in notes] == [("t_n", "t_cap"), ("t_opad", "opad")]
    assert v["t_n"] == cs.T_MAX and v["t_opad"] == 0
    _, v, notes = steps(t_op="transposed", t_in="seeds", t_w=(1.0,), t_p=3)
    assert [n.info["why"] for n in notes] == ["t_empty"] and ops.t_out_size(3, 1, 1, v["t_p"], 1, 0) >= 1


def test_every_slider_combination_runs_after_the_rules():
    p_ = cs.STEPS_PARAMS
    for op, inp, side, s, p, mode, d in itertools.product(
        cs.OPS, ("seeds", "ramp"), (1, 2, 5), (1, 3), (0, 3), ops.MODES, (1, 3)
    ):
        values, _ = p_.validate(
            {
                **p_.defaults(),
                "t_op": op,
                "t_in": inp,
                "t_n": 3,
                "t_w": (1.0,) * side**2,
                "t_s": s,
                "t_p": p,
                "t_pm": mode,
                "t_d": d,
                "t_opad": 2,
            }
        )
        res = cs.run_steps(values)
        assert res.max_err < 1e-9 and res.out.size >= 1


def test_digit_is_cropped_for_transposed_and_summary_is_jsonable():
    res, _, _ = steps(t_op="transposed")
    assert res.cropped and res.x.shape == (cs.T_MAX, cs.T_MAX)
    summary = cs.steps_summary(res)
    assert summary["output_shape"] == list(res.out.shape) and summary["max_abs_diff_vs_torch"] == 0.0
    assert cv.CONCEPT.experiment("steps") is cs.STEPS


def _torch_side(op: str, v: dict, n: int, k: int) -> int:
    x, w = torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k)
    if op == "conv":
        return ops.conv2d(x, w, v["t_s"], v["t_p"], v["t_pm"], v["t_d"]).shape[-1]
    return ops.conv_transpose2d(x, w, v["t_s"], v["t_p"], v["t_d"], v["t_opad"]).shape[-1]


def _check(op: str, n: int, k: int, s: int, p: int, d: int, mode: str = "zeros", opad: int = 0) -> None:
    p_ = cs.STEPS_PARAMS
    v, notes = p_.validate(
        {
            **p_.defaults(),
            "t_op": op,
            "t_in": "ramp",
            "t_n": n,
            "t_w": (1.0,) * k * k,
            "t_s": s,
            "t_p": p,
            "t_d": d,
            "t_pm": mode,
            "t_opad": opad,
        }
    )
    side = cs.input_side(v)
    if op == "conv":
        refused = ops.problem(n, k, p, d, mode) is not None
        want = ops.out_size(side, k, s, v["t_p"], v["t_d"])
        latex = ops.size_latex(side, k, s, v["t_p"], v["t_d"])
    else:
        refused = n > cs.T_MAX or ops.t_problem(n, k, s, p, d, opad) is not None
        want = ops.t_out_size(side, k, s, v["t_p"], v["t_d"], v["t_opad"])
        latex = ops.t_size_latex(side, k, s, v["t_p"], v["t_d"], v["t_opad"])
    case = (op, n, k, s, p, d, mode, opad)
    assert bool(notes) == refused, case  # a message exactly when torch would refuse the raw values
    assert want >= 1 and _torch_side(op, v, side, k) == want, case  # the fixed values run, at the formula's size
    assert latex.endswith(f"= {want} \\end{{aligned}}"), case


def test_output_size_formula_matches_torch_for_every_step_through_slider_combination():
    """Every input size, kernel side, stride, padding and dilation the sliders allow (the padding mode only
    decides whether torch accepts, not the size; output padding changes a transposed size)."""
    p_ = cs.STEPS_PARAMS
    rng = lambda name: range(p_[name].lo, p_[name].hi + 1)
    sizes, pads, dils = rng("t_n"), rng("t_p"), rng("t_d")
    for n, k, s, p, d in itertools.product(sizes, cs.KERNEL_SIDES, rng("t_s"), pads, dils):
        _check("conv", n, k, s, p, d)
    for n, k, p, d, mode in itertools.product(sizes, cs.KERNEL_SIDES, pads, dils, ops.MODES[1:]):
        _check("conv", n, k, 1, p, d, mode=mode)
    for n, k, s, p, d, opad in itertools.product(
        range(3, cs.T_MAX + 2), cs.KERNEL_SIDES, rng("t_s"), pads, dils, rng("t_opad")
    ):  # t_n above T_MAX: capped, with a message
        _check("transposed", n, k, s, p, d, opad=opad)
