"""The convolution figures explain themselves, carry arrays (not lists), and their client-side steps
hold the numbers the experiment computed. Built in both languages (a missing label raises)."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.convolution import cnn as cn
from core.convolution import concept as cv
from core.convolution import count as cc
from core.convolution import figures
from core.convolution import steps as cs
from core.convolution import steps_figures as fs
from core.text import LANGS, Text


def labels(lang="en"):
    return Text("convolution", lang).section("fig")


def values(**kw):
    return cv.CONCEPT.params.validate({**cv.CONCEPT.params.defaults(), **kw})[0]


def sub(v, exp):
    return {k: v[k] for k in exp.params.names}


@pytest.mark.parametrize("lang", LANGS)
def test_photo_and_feature_map_side_by_side(lang):
    res = cv.run_filter(sub(values(img="astronaut", stride=2), cv.FILTER))
    fig = figures.filtered(res, labels(lang))
    go.Figure(fig.to_dict())  # valid Plotly
    image, heat = fig.data
    assert image.type == "image" and image.source.startswith("data:image/png;base64,")  # the browser decodes it
    assert heat.type == "heatmap" and heat.z.dtype == np.float32 and max(heat.z.shape) <= cv.DISPLAY_MAX
    assert heat.dx == pytest.approx(res.out_shape[1] / heat.z.shape[1])  # axes count compute-size pixels
    assert heat.zmin == -heat.zmax and heat.colorscale[0][1] == figures.BLUE_RED[0][1]  # signed: diverging
    titles = " ".join(a.text for a in fig.layout.annotations)
    assert f"{res.out_shape[0]}×{res.out_shape[1]}" in titles and "256" in titles


def test_unsigned_maps_are_grey_and_rgb_gets_the_channel_sum_figure():
    blur = cv.run_filter(sub(values(kernel="box"), cv.FILTER))
    assert figures.filtered(blur, labels()).data[1].colorscale[0][1] == figures.GREYS[0][1]
    rgb = cv.run_filter(sub(values(img="chelsea", w_g=-1.0), cv.FILTER))
    fig = figures.channels(rgb, labels("zh"))
    go.Figure(fig.to_dict())
    assert [t.type for t in fig.data] == ["image", "heatmap"] * 3 + ["heatmap"]  # R, w·K⋆R, G, …, their sum
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert all(h.z.dtype == np.float32 for h in heat)
    np.testing.assert_allclose(heat[0].z + heat[1].z + heat[2].z, heat[3].z, atol=1e-4)
    signs = [a.text for a in fig.layout.annotations if a.text in ("<b>+</b>", "<b>=</b>")]
    assert signs == ["<b>+</b>", "<b>+</b>", "<b>=</b>"]


def frames(fig):
    slider = fig.layout.sliders[0]
    return [step.args[0][0] for step in slider.steps]


@pytest.mark.parametrize("lang", LANGS)
def test_step_through_frames_hold_each_window_its_products_and_sum(lang):
    res = cs.run_steps(sub(values(t_in="ramp", t_n=5, t_s=2, t_p=1, t_d=2), cs.STEPS))
    fig = fs.steps(res, labels(lang))
    go.Figure(fig.to_dict())
    fr = frames(fig)
    assert len(fr) == len(res.cells) == res.out.size
    play = fig.layout.updatemenus[0].buttons[0]
    assert [f["data"][4]["text"] for f in play.args[0]] == [f["data"][4]["text"] for f in fr]  # ▶: the same frames
    for t in (0, len(fr) - 1):
        window, prods, mask, cell, caption = fr[t]["data"]
        np.testing.assert_allclose(prods["z"], res.prods[t], atol=1e-6)  # k×k lists: tiny per-frame payloads
        i, j = res.cells[t]
        assert caption["text"][0].endswith(f"= {fs._fmt(res.sums[t])}") and f"[{i}, {j}]" in caption["text"][0]
        wx, wy = (np.array(window[a], dtype=np.float64).reshape(-1, 6) for a in "xy")  # 5 points + a gap each
        assert np.isnan(wx[:, 5]).all() and np.isnan(wy[:, 5]).all()
        boxes_x, boxes_y = wx[:, :2].mean(1), wy[:, 1:3].mean(1)
        assert set(np.round(boxes_x, 3)) == set(res.cols[t] - res.p)  # input coordinates: padding is negative
        assert set(np.round(boxes_y, 3)) == set(res.rows[t] - res.p)
        assert mask["zmin"] < t < mask["zmax"]  # cells up to this step are revealed, later ones hidden
    grids = [t for t in fig.to_dict()["data"] if t["type"] == "heatmap"]  # what the browser gets: typed arrays
    assert len(grids) >= 3 and all(isinstance(t["z"], dict) and t["z"]["dtype"] == "f4" for t in grids)


def test_transposed_frames_show_the_canvas_filling_up():
    res = cs.run_steps(sub(values(t_op="transposed", t_in="ones", t_n=3, t_s=2, t_p=1), cs.STEPS))
    fig = fs.steps(res, labels())
    go.Figure(fig.to_dict())
    fr = frames(fig)
    assert len(fr) == 9
    np.testing.assert_array_equal(fr[-1]["data"][2]["z"], res.partial[-1])
    p, m = res.p, res.out.shape[0]
    np.testing.assert_array_equal(res.partial[-1][p : p + m, p : p + m], res.out)
    assert "input cell" in fig.layout.sliders[0].currentvalue.prefix


def test_counts_figure_is_log_scaled_with_one_bar_per_kind():
    res = cc.count(cc.COUNT_PARAMS.defaults())
    names = {k: k for k in cc.KINDS}
    fig = figures.counts(res, labels("zh"), names, cc.KINDS)
    go.Figure(fig.to_dict())
    assert fig.layout.yaxis.type == "log" and len(fig.data) == 2
    assert list(fig.data[0].y) == [float(res.params[k]) for k in cc.KINDS]


def test_learning_figures_replay_every_snapshot():
    run = cn.trained({**cn.LEARN_PARAMS.defaults(), "l_steps": 200, "l_ch": 4, "l_k": 3})
    for lang in LANGS:
        curves = figures.curves(run, labels(lang))
        go.Figure(curves.to_dict())
        kernels = figures.kernels(run, labels(lang))
        go.Figure(kernels.to_dict())
        assert [s.label for s in kernels.layout.sliders[0].steps] == [str(int(s)) for s in run.steps]
        probe = figures.probe(cn.feature_maps(run, 5), labels(lang))
        go.Figure(probe.to_dict())
    tiles, idx = figures.mosaic(run.kernels[-1], 4)
    assert tiles.shape == (3, 15) and np.isnan(tiles[:, 3]).all() and idx.max() == 4


def test_a_diverged_run_is_marked_on_the_curves():
    run = cn.LearnResult(
        steps=np.array([0, 100]),
        loss=np.array([np.nan, np.inf], np.float32),
        test_acc=np.array([0.1, 0.1], np.float32),
        kernels=np.zeros((2, 2, 3, 3), np.float32),
        state={},
        ch=2,
        k=3,
        total=300,
        finite=False,
    )
    fig = figures.curves(run, labels())
    go.Figure(fig.to_dict())
    assert any(labels()["diverged"] in a.text for a in fig.layout.annotations)
