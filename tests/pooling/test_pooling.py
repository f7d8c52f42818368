"""Pooling numbers against torch.nn.functional and autograd: the hand-written windows, the output-size
formula for every slider combination, the notes' example, gradient routing, real images, translation,
head parameter counts and the claims."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.pooling import claims as pclaims
from core.pooling import concept as pl
from core.pooling import heads
from core.pooling import pool as pp
from core.pooling import shift as ps
from core.pooling import windows as pw

V = pl.POOL_PARAMS.defaults()
SIDES = pl.GRID_SIDES
KS = range(pl.POOL_PARAMS["k"].lo, pl.POOL_PARAMS["k"].hi + 1)
SS = range(pl.POOL_PARAMS["s"].lo, pl.POOL_PARAMS["s"].hi + 1)
PS = range(pl.POOL_PARAMS["pad"].lo, pl.POOL_PARAMS["pad"].hi + 1)


def torch_pool(x: np.ndarray, op, k, s, p, ceil, cip=True, norm=2.0) -> torch.Tensor:
    t = torch.tensor(x, dtype=torch.float64).view(1, 1, *x.shape)
    if op == "max":
        return F.max_pool2d(t, k, s, p, ceil_mode=ceil)[0, 0]
    if op == "avg":
        return F.avg_pool2d(t, k, s, p, ceil_mode=ceil, count_include_pad=cip)[0, 0]
    return F.lp_pool2d(t, norm, k, s, ceil_mode=ceil)[0, 0]


def test_the_notes_example_gives_exactly_6_8_3_4():
    res = pp.run_pool(V)
    assert res.out.tolist() == [[6.0, 8.0], [3.0, 4.0]]
    assert res.by_hand.tolist() == [[6.0, 8.0], [3.0, 4.0]]
    assert [w.pick for w in res.windows] == [(1, 1), (1, 3), (2, 0), (3, 3)]
    assert res.windows[0].formula == "max(1, 1, 5, 6) = 6"
    assert pp.pool_summary(res)["pooled"] == [[6.0, 8.0], [3.0, 4.0]]


def test_output_size_formula_matches_torch_for_every_slider_combination():
    """Every (grid side, k, s, p, ceil_mode) the widgets allow: valid ones give torch's shape, invalid ones
    are exactly those torch refuses (and the page's rules turn them into a message and a valid view)."""
    x_cache = {n: torch.zeros(1, 1, n, n) for n in SIDES}
    checked = refused = 0
    for n, k, s, p, ceil in itertools.product(SIDES, KS, SS, PS, (False, True)):
        why = pw.problem(n, k, s, p, ceil)
        try:
            shape = F.max_pool2d(x_cache[n], k, s, p, ceil_mode=ceil).shape[-1]
        except RuntimeError:
            assert why is not None, (n, k, s, p, ceil)
            refused += 1
            continue
        assert why is None, (n, k, s, p, ceil)
        assert pw.out_size(n, k, s, p, ceil) == shape, (n, k, s, p, ceil)
        assert F.avg_pool2d(x_cache[n], k, s, p, ceil_mode=ceil).shape[-1] == shape
        checked += 1
    assert checked + refused == len(SIDES) * len(KS) * len(SS) * len(PS) * 2
    assert checked > 1000 and refused > 1000  # the loop really covered both kinds


@pytest.mark.parametrize("n,k,s,p", [(4, 2, 2, 2), (3, 3, 1, 2), (2, 5, 1, 1), (2, 6, 1, 0)])
def test_an_invalid_combination_becomes_a_message_and_a_view_torch_accepts(n, k, s, p):
    cells = pl.POOL_PARAMS["x"].encode(tuple(range(n * n)))
    values, notices = pl.POOL_PARAMS.decode({"x": cells, "k": str(k), "s": str(s), "pad": str(p)})
    assert notices and all(nt.code == "conflict" for nt in notices)
    assert {nt.info["why"] for nt in notices} <= {"pad_half", "kernel_big"}
    assert pw.problem(n, values["k"], values["s"], values["pad"], False) is None
    res = pp.run_pool(values)  # no exception
    assert res.out.shape == (pw.out_size(n, values["k"], values["s"], values["pad"], False),) * 2


def test_lp_pooling_drops_padding_with_a_message():
    values, notices = pl.POOL_PARAMS.decode({"op": "lp", "pad": "1"})
    assert values["pad"] == 0 and [nt.info["why"] for nt in notices] == ["lp_no_pad"]


GRID = [
    (n, k, s, p, ceil, cip)
    for n in (2, 3, 4, 5, 7)
    for k in (1, 2, 3, 4)
    for s in (1, 2, 3)
    for p in (0, 1, 2)
    for ceil in (False, True)
    for cip in (False, True)
    if pw.problem(n, k, s, p, ceil) is None
]


@pytest.mark.parametrize("op", ["max", "avg"])
def test_hand_written_windows_match_torch_across_the_grid(op):
    rng = np.random.default_rng(1)
    for n, k, s, p, ceil, cip in GRID:
        x = rng.normal(size=(n, n))
        mine = pw.pool_by_hand(x, op, k, s, p, ceil, cip)
        ref = torch_pool(x, op, k, s, p, ceil, cip).numpy()
        assert mine.shape == ref.shape, (n, k, s, p, ceil)
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-12, err_msg=str((op, n, k, s, p, ceil, cip)))


@pytest.mark.parametrize("norm", [1.0, 2.0, 3.0, 4.5])
def test_hand_written_lp_windows_match_torch_including_its_ceil_mode_scaling(norm):
    rng = np.random.default_rng(2)
    for n, k, s, ceil in sorted(
        {(n, k, s, ceil) for n, k, s, _, ceil, _ in GRID if pw.problem(n, k, s, 0, ceil) is None}
    ):
        x = np.abs(rng.normal(size=(n, n))) + 0.1
        np.testing.assert_allclose(
            pw.pool_by_hand(x, "lp", k, s, 0, ceil, norm=norm),
            torch_pool(x, "lp", k, s, 0, ceil, norm=norm).numpy(),
            rtol=1e-10,
            atol=1e-12,
        )


def test_lp_with_ceil_mode_scales_partial_windows_by_k2_over_count():
    x = np.arange(25, dtype=np.float64).reshape(5, 5)
    out = torch_pool(x, "lp", 2, 2, 0, True, norm=1.0).numpy()
    assert out[0, 2] == pytest.approx((4 + 9) * 4 / 2)  # torch: the 2-cell edge window counts double
    res = pp.run_pool({**V, "x": tuple(x.ravel()), "op": "lp", "pnorm": 1.0, "ceil": True})
    scaled = {(i, j): tb for i, j, tb in res.lp_scaled}
    assert scaled[(0, 2)] == pytest.approx(13.0)  # the plain L_1 norm of those cells
    assert len(scaled) == 5  # right column, bottom row and the corner


def test_lp_with_negative_inputs_is_nan_where_torch_says_so():
    x = np.array([[-1.0, 2.0], [3.0, 4.0]])
    for norm, nan in ((2.0, False), (1.5, True), (3.0, False)):
        ref = torch_pool(x, "lp", 2, 2, 0, False, norm=norm).numpy()
        mine = pw.pool_by_hand(x, "lp", 2, 2, 0, False, norm=norm)
        assert np.isnan(ref[0, 0]) == nan == np.isnan(mine[0, 0])
        np.testing.assert_allclose(mine, ref, rtol=1e-12, equal_nan=True)
    res = pp.run_pool({**V, "x": (-1.0, 2.0, 3.0, 4.0), "op": "lp", "pnorm": 1.5})
    assert res.nan_cells == 1
    assert pp.pool_summary(res)["pooled"] == [["nan"]]


def test_ceil_mode_lets_a_kernel_larger_than_the_input_give_one_output():
    assert pw.problem(2, 3, 2, 0, True) is None and pw.problem(2, 3, 2, 0, False) == "kernel_big"
    res = pp.run_pool({**V, "x": (1.0, 7.0, 3.0, 2.0), "k": 3, "s": 2, "ceil": True})
    assert res.out.tolist() == [[7.0]] and res.windows[0].r == (0, 3, 0, 2)
    values, notices = pl.POOL_PARAMS.decode({"x": "1,7,3,2", "k": "3", "s": "2"})
    assert values["k"] == 2 and [n.info["why"] for n in notices] == ["kernel_big"]


def test_ceil_mode_window_that_would_start_in_the_padding_is_dropped():
    # n=5, k=2, s=2, p=1: ⌈(5+2−2)/2⌉+1 = 4, but window 3 would start at 3·2−1 = 5 = n: in the right padding
    assert pw.out_size(5, 2, 2, 1, True) == 3
    res = pp.run_pool({**V, "x": tuple(float(i) for i in range(25)), "k": 2, "s": 2, "pad": 1, "ceil": True})
    assert res.size == {"n": 5, "span": 5, "out_raw": 4, "out": 3}
    assert res.out.shape == (3, 3) and r"\to\; 3" in res.size_latex
    # while n=4 with the same settings keeps its ceil window that starts inside the input
    assert pw.out_size(4, 3, 2, 1, True) == 3 and pw.spans(4, 3, 2, 1, True)[-1].start == 3


def test_average_at_padded_corners_counts_padding_only_when_asked():
    x = np.full((3, 3), 6.0)
    with_pad = pw.pool_by_hand(x, "avg", 2, 2, 1, False, cip=True)
    without = pw.pool_by_hand(x, "avg", 2, 2, 1, False, cip=False)
    assert with_pad[0, 0] == pytest.approx(6.0 / 4)  # one real cell, three padding zeros
    assert without[0, 0] == pytest.approx(6.0)
    np.testing.assert_allclose(with_pad, torch_pool(x, "avg", 2, 2, 1, False, True).numpy())
    np.testing.assert_allclose(without, torch_pool(x, "avg", 2, 2, 1, False, False).numpy())
    # a ceil_mode window hanging past the padding: even count_include_pad does not count those cells
    win = pw.windows(np.ones((4, 4)), "avg", 3, 2, 1, True, cip=True)[-1][-1]
    assert (win.row.start, win.row.stop, win.row.padded) == (3, 6, 2) and win.divisor == 4
    assert torch_pool(np.ones((4, 4)), "avg", 3, 2, 1, True, True).numpy()[-1, -1] == pytest.approx(1 / 4)


def test_the_page_result_is_torchs_and_the_highlights_agree_with_it():
    rng = np.random.default_rng(3)
    for op, k, s, p, ceil, cip in [
        ("max", 3, 2, 1, True, True),
        ("avg", 3, 1, 1, True, False),
        ("avg", 2, 3, 1, False, True),
        ("lp", 2, 1, 0, True, True),
    ]:
        x = tuple(float(v) for v in rng.integers(0, 10, size=36))
        res = pp.run_pool({**V, "x": x, "op": op, "k": k, "s": s, "pad": p, "ceil": ceil, "cip": cip, "pnorm": 3.0})
        ref = torch_pool(np.array(x).reshape(6, 6), op, k, s, p, ceil, cip, 3.0).numpy()
        np.testing.assert_array_equal(res.out, ref)
        np.testing.assert_allclose(res.by_hand, ref, rtol=1e-12)
        assert len(res.windows) == ref.size


def test_max_gradient_goes_to_each_windows_argmax_and_average_spreads_it():
    rng = np.random.default_rng(4)
    for k, s, p in [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 3, 0)]:
        x = tuple(float(v) for v in rng.normal(size=49))  # no ties: the argmax is unique
        res = pp.run_pool({**V, "x": x, "k": k, "s": s, "pad": p})
        expect = np.zeros((7, 7))
        for w in res.windows:
            expect[w.pick] += 1.0  # one unit of gradient per window, to its maximum only
        np.testing.assert_array_equal(res.grads["max"], expect)
        avg = np.zeros((7, 7))
        for line in pw.windows(np.array(x).reshape(7, 7), "avg", k, s, p, False, True):
            for w in line:
                for cell in w.cells:
                    avg[cell] += 1.0 / w.divisor
        np.testing.assert_allclose(res.grads["avg"], avg, rtol=1e-6)


def test_gradients_are_autograds_of_the_pooling_itself():
    x = torch.randn(1, 1, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    x.requires_grad_(True)
    y = F.lp_pool2d(x.abs() + 0.1, 2.0, 3, 1)
    (g,) = torch.autograd.grad(y.sum(), x)
    mine = pp.routed_gradient(x.detach().abs() + 0.1, "lp", 3, 1, 0, False, True, 2.0)
    torch.testing.assert_close(mine, g * torch.sign(x.detach()))


def test_random_and_resized_grids_are_deterministic_and_valid():
    a, b = pp.random_grid(6, "x"), pp.random_grid(6, "x")
    assert a == b and len(a) == 36 and pp.random_grid(6, "y") != a
    assert pl.POOL_PARAMS["x"].check(a) == a
    grown = pp.resize_grid(pp.SEEDS_EXAMPLE, 5)
    assert len(grown) == 25 and grown[:4] == pp.SEEDS_EXAMPLE[:4] and grown[4] == 0.0
    assert pp.resize_grid(pp.SEEDS_EXAMPLE, 2) == (1.0, 1.0, 5.0, 6.0)


@pytest.mark.parametrize("op", pp.OPS)
def test_the_photo_is_pooled_by_torch_with_the_same_settings(op):
    res = pp.run_pool({**V, "op": op, "k": 3, "s": 2, "img": "astronaut", "side": 96})
    from core import images

    img = images.builtin("astronaut", max_side=96)
    ref = pp.pool(img.unsqueeze(0), op, 3, 2, 0, False, True, 2.0)[0]
    assert res.img_shape == tuple(img.shape[-2:]) and res.img_out_shape == tuple(ref.shape[-2:])
    assert res.img_in.dtype == np.uint8 and res.img_out.dtype == np.uint8 and res.img_out.shape[2] == 3
    shown = res.img_out.astype(np.float64) / 255 * res.img_out_scale
    np.testing.assert_allclose(shown, ref.permute(1, 2, 0).numpy(), atol=res.img_out_scale / 255 + 1e-6)
    if op == "max":  # at most one winning pixel per window gets gradient
        assert 0 < res.img_grad_share <= ref.shape[-1] * ref.shape[-2] / (96 * 96) + 1e-9


def test_max_pooling_gradient_reaches_one_pixel_in_four_for_2x2_windows():
    res = pp.run_pool({**V, "side": 64})
    assert res.img_grad_share == pytest.approx(0.25)


# ---- translation ----------------------------------------------------------------------------------


def test_shift_curves_start_at_zero_and_match_a_direct_computation():
    v = {**pl.SHIFT_PARAMS.defaults(), "t_max": 4}
    res = ps.run_shift(v)
    assert res.shifts.tolist() == [0, 1, 2, 3, 4]
    assert all(c[0] == 0 for c in res.curves.values())
    from core import images

    f = ps.feature_map(images.builtin("camera", max_side=ps.SHIFT_SIDE, gray=True).unsqueeze(0), "edges")
    h, w = f.shape[-2] - 4, f.shape[-1] - 4
    a, b = F.max_pool2d(f[..., :h, :w], 2), F.max_pool2d(f[..., :h, 3 : 3 + w], 2)
    direct = float(((b - a) ** 2).mean().sqrt() / a.std())
    assert res.curves["max"][3] == pytest.approx(direct, rel=1e-5)


def test_pooling_damps_a_one_pixel_shift_but_not_a_window_sized_one():
    """What the page says: pooled edge maps change clearly less than the unpooled map at a 1-pixel shift
    (subsampling alone does not help), but far from invariant, and at a shift of one window they change
    almost as much as the unpooled map."""
    for img in ("camera", "coins", "brick"):
        c = ps.run_shift({**pl.SHIFT_PARAMS.defaults(), "t_img": img}).curves
        assert c["max"][1] < 0.8 * c["unpooled"][1] and c["avg"][1] < 0.8 * c["unpooled"][1], img
        assert c["subsample"][1] > 0.85 * c["unpooled"][1], img
        assert c["max"][1] > 0.2, img  # a 1-pixel shift still changes the pooled map a lot
        assert c["max"][8] > 0.85 * c["unpooled"][8], img


def test_nrmsd_is_zero_for_equal_maps_and_about_root_two_for_independent_ones():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(1, 1, 200, 200, generator=g)
    b = torch.cat([a, torch.randn(1, 1, 200, 200, generator=g)])
    d = ps.nrmsd(a, b)
    assert d[0] == 0 and d[1] == pytest.approx(2**0.5, rel=0.02)


# ---- heads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", heads.HEADS)
def test_head_parameter_counts_match_a_real_module(kind):
    for c, size, cls, hid, depth in [(512, 7, 1000, 4096, 2), (2048, 32, 1000, 4096, 2), (3, 2, 2, 16, 0)]:
        meta = heads.head(kind, c, size, cls, hid, depth)  # no memory: parameters live on the meta device
        assert heads.count(meta) == heads.head_params(kind, c, size, cls, hid, depth)
    for c, size, cls, hid, depth in [(3, 2, 2, 16, 0), (64, 13, 10, 256, 1), (1, 32, 7, 32, 2)]:
        real = heads.head(kind, c, size, cls, hid, depth).to_empty(device="cpu")
        assert (
            heads.count(real)
            == sum(p.numel() for p in real.parameters())
            == heads.head_params(kind, c, size, cls, hid, depth)
        )
        assert real(torch.zeros(2, c, size, size)).shape == (2, cls)


def test_vgg16_head_has_its_published_size_and_gap_is_tiny():
    res = heads.run_head({**pl.HEAD_PARAMS.defaults(), "h_depth": 2})
    assert res.chosen["flatten"] == 123_642_856  # VGG-16's three FC layers
    assert res.features_in == {"flatten": 25088, "pool_flatten": 4608, "gap": 512}
    assert res.counts["flatten"][6] == res.chosen["flatten"]  # the curve passes through the table's number
    assert np.isnan(res.counts["pool_flatten"][0])
    gap = heads.run_head({**pl.HEAD_PARAMS.defaults(), "h_size": 32})
    assert gap.chosen["gap"] == 513_000 and np.all(gap.counts["gap"] == 513_000)


# ---- claims ---------------------------------------------------------------------------------------


def test_claims_are_computed_and_say_what_the_page_says():
    c = pclaims.claims()
    assert c["seeds_match"] and c["seeds_pooled"] == "[[6, 8], [3, 4]]"
    assert c["loop"] == "[[5, 6, 0], [8, 9, 0], [0, 0, 0]]" and c["torch_nine"] == "[[5, 6], [8, 9]]"
    assert c["pool_layer_params"] == 0
    assert c["flat14"] == 512 * 14 * 14 * 1000 + 1000 and c["gap14"] == 513_000
    assert c["kept_max"] == 1.0 and c["kept_avg"] < 0.9 and c["kept_sub"] < 0.9
    assert c["shift1_max"] < c["shift1_unpooled"] and c["shiftk_max"] > 0.6 * c["shiftk_unpooled"]
    assert c["linear_gap"] < 1e-12
    assert c["macs56"] == 4 * c["macs28"]


def test_the_cards_verdicts_are_what_the_numbers_say():
    n = pclaims.card_numbers()
    judged = {c.key: c.judged(n) for c in pl.CLAIMS if c.key != "overfit"}  # overfit: the training's own run
    assert judged == {
        "seeds": "true",
        "loop": "false",
        "keeps": "partly",  # max pooling keeps the strong responses, average and subsampling lose many
        "invariance": "partly",  # damped below the window, not invariant at one window
        "depth": "partly",  # average pooling adds nothing linear; max pooling is non-linear but learns nothing
        "params": "partly",  # no parameters of its own; it shrinks the head after it
        "fc_params": "false",
        "compute": "true",
    }
    # the constant verdicts rest on these numbers
    assert n["kept_max"] > max(n["kept_avg"], n["kept_sub"]) and n["kept_avg"] < 0.9
    assert n["shift1_max"] < n["shift1_unpooled"] and n["shiftk_max"] > 0.6 * n["shiftk_unpooled"]
    assert n["linear_gap"] < 1e-12 < 0.1 < n["max_gap"]
    assert n["pool_layer_params"] == 0 and n["flat14"] > n["pool14"] > n["gap14"]
    for claim in pl.CLAIMS:  # every evidence bar is a number (the overfitting card's come from its run)
        assert all(isinstance(float(n[key]), float) for _, key in claim.evidence if claim.key != "overfit")


def test_fully_connected_layers_hold_most_of_vgg16s_parameters():
    n = pclaims.card_numbers()
    vgg_convs = sum(
        9 * a * b + b
        for a, b in zip(
            (3, 64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512),
            (64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512),
        )
    )
    assert n["vgg_conv"] == vgg_convs == 14_714_688  # the 13 convolutions (torchvision's vgg16 features)
    assert n["vgg_fc"] == heads.run_head({**pl.HEAD_PARAMS.defaults(), "h_depth": 2}).chosen["flatten"]
    assert n["vgg_fc"] == 123_642_856 and n["fc_pct"] == "89%"  # the figure's VGG preset: the same head
    assert n["gap7"] == 513_000


def test_a_computed_verdict_follows_its_numbers():
    v = pclaims.VERDICTS
    assert v["seeds"]({"seeds_match": False}) == "false"
    assert v["loop"]({"loop_windows": 9, "loop_cells": 9}) == "true"
    assert v["compute"]({"macs28": 2, "macs56": 1}) == "false"
    assert v["fc_params"]({"vgg_fc": 1, "vgg_conv": 2, "gap7": 0}) == "partly"
    assert v["overfit"]({"overfit_reduced": True}) == "true" and v["overfit"]({"overfit_reduced": False}) == "depends"


def test_formula_fills_in_p_for_lp_only():
    assert "3" in pp.formula("lp", 3.0) and "{p}" not in pp.formula("lp", 2.0)
    assert pp.formula("max", 3.0) == pp.FORMULAS["max"]


def test_cells_in_no_window_are_counted():
    assert pp.run_pool(V).uncovered == 0
    res = pp.run_pool({**V, "k": 3, "s": 2})  # 4×4, one 3×3 window: the last row and column are never read
    assert res.uncovered == 7 and res.grads["avg"][3].sum() == 0 and res.grads["avg"][:, 3].sum() == 0
    assert pp.run_pool({**V, "k": 3, "s": 2, "ceil": True}).uncovered == 0
