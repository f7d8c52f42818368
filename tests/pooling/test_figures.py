"""Pooling figures explain themselves, pass Plotly validation and carry arrays, not lists."""

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from core.pooling import concept as pl
from core.pooling import figures, heads
from core.pooling import pool as pp
from core.pooling import receptive_field as rfm
from core.pooling import shift as ps
from core.pooling import training as ptr
from core.text import Text

T = Text("pooling", "en")
FIG = T.section("fig")
OPS = {o: T(f"names.op.{o}") for o in pp.OPS}
V = pl.POOL_PARAMS.defaults()


def png_size(uri: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as im:
        return im.size


def test_png_round_trips_the_pixels():
    rgb = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    with Image.open(io.BytesIO(base64.b64decode(figures.png(rgb).split(",", 1)[1]))) as im:
        np.testing.assert_array_equal(np.asarray(im), rgb)


def valid(fig: go.Figure) -> go.Figure:
    go.Figure(fig.to_dict())  # raises on any invalid property
    return fig  # the original keeps its numpy arrays (to_dict() encodes them)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"op": "avg", "k": 3, "s": 2, "pad": 1, "ceil": True, "x": pp.random_grid(5, "a")},
        {"op": "lp", "pnorm": 1.5, "x": (-1.0, 2.0, 3.0, 4.0)},
        {"k": 1, "s": 3, "x": pp.random_grid(12, "b")},
    ],
)
def test_grid_figure_highlights_every_window_and_steps_through_them(values):
    res = pp.run_pool({**V, **values})
    fig = valid(figures.grid(res, FIG))
    steps = fig.layout.sliders[0].steps
    assert len(steps) == len(res.windows) + 1 and steps[0].label == "all"
    for step, w in zip(steps[1:], res.windows):  # each step shows one window and writes its computation
        shapes = step.args[0]["shapes"]
        assert {s["line"]["color"] for s in shapes} == {shapes[0]["line"]["color"]}
        assert step.args[0]["annotations"][-1]["text"] == w.formula
    heat = [t for t in fig.data if t.type == "heatmap" and t.name in (FIG["input"], FIG["output"])]
    assert all(isinstance(t.z, np.ndarray) for t in heat)
    assert fig.layout.xaxis.title.text == FIG["col"] and fig.layout.yaxis.title.text == FIG["row"]


def test_grid_figure_marks_each_max_and_the_output_cell_in_the_window_colour():
    res = pp.run_pool(V)
    fig = figures.grid(res, FIG)
    circles = [s for s in fig.layout.shapes if s.type == "circle"]
    assert [(round((c.y0 + c.y1) / 2), round((c.x0 + c.x1) / 2)) for c in circles] == [w.pick for w in res.windows]
    out_cells = [s for s in fig.layout.shapes if s.xref == "x2"]
    assert [c.line.color for c in out_cells] == [c.line.color for c in circles]


def test_padding_ring_is_drawn_only_when_there_is_padding():
    names = lambda fig: [t.name for t in fig.data]
    assert FIG["padding"] not in names(figures.grid(pp.run_pool(V), FIG))
    res = pp.run_pool({**V, "pad": 1})
    assert FIG["padding"] in names(figures.grid(res, FIG))


@pytest.mark.parametrize("op", pp.OPS)
def test_gradient_and_image_figures_validate(op):
    res = pp.run_pool({**V, "op": op, "side": 64})
    fig = valid(figures.gradients(res, FIG, tuple(res.grads), OPS))
    assert len(fig.data) == len(res.grads) and all(t.z.dtype == np.float32 for t in fig.data)
    img = valid(figures.image(res, FIG, OPS[op]))
    images = [t for t in img.data if t.type == "image"]
    assert len(images) == 3 and all(t.source.startswith("data:image/png;base64,") for t in images)
    assert [png_size(t.source) for t in images] == [(64, 64), (32, 32), (64, 64)]  # (w, h) as sent
    assert img.layout.xaxis.title.text == FIG["px"]


def test_shift_figure_has_one_curve_per_map_and_marks_the_window():
    res = ps.run_shift(pl.SHIFT_PARAMS.defaults())
    names = {c: T(f"names.curves.{c}") for c in ps.CURVES}
    fig = valid(figures.shift(res, FIG, names))
    lines = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in lines] == list(names.values())
    assert fig.layout.shapes[0].x0 == res.k
    assert fig.layout.xaxis.title.text == FIG["shift_x"] and fig.layout.yaxis.title.text == FIG["shift_y"]


@pytest.mark.parametrize("values", [{}, {"layers": "c11s4p0,m3s2,c5,m3s2,c3,c3,c3,m3s2", "rf_in": 227}, {"rf_in": 512}])
def test_receptive_field_figure_draws_a_box_per_layer_on_a_small_image(values):
    res = rfm.run_rf({**pl.RF_PARAMS.defaults(), **values})
    fig = valid(figures.receptive_field(res, FIG))
    boxes = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(boxes) == len(res.rows) + 1  # plus the image border
    assert max(png_size(fig.data[0].source)) <= 384
    legend = [t.name for t in fig.data[1:]]
    assert legend[0].startswith(f"1. {res.rows[0].layer.token()}:") and len(legend) == len(res.rows) + 1


def test_blend_keeps_a_single_pixel_visible_when_shrinking():
    gray = np.zeros((512, 512), np.uint8)
    weight = np.zeros((512, 512), np.float32)
    weight[100, 200] = 1.0
    rgb, step = figures._blend(gray, weight)
    assert step == 2 and rgb.shape == (256, 256, 3) and rgb[50, 100, 0] > 150


def test_heads_figure_is_log_scale_with_the_chosen_size_marked():
    res = heads.run_head(pl.HEAD_PARAMS.defaults())
    fig = valid(figures.heads(res, FIG, {h: T(f"names.heads.{h}") for h in heads.HEADS}))
    assert fig.layout.yaxis.type == "log" and fig.layout.shapes[0].x0 == res.size
    markers = [t for t in fig.data if t.mode == "markers"]
    assert sorted(m.y[0] for m in markers) == sorted(res.chosen.values())
    # one labelled tick per decade that says what it counts (not Plotly's bare "2" and "5" between decades)
    ticks, text = list(fig.layout.yaxis.tickvals), list(fig.layout.yaxis.ticktext)
    assert ticks[0] <= min(res.chosen.values()) and ticks[-1] >= max(res.chosen.values())
    assert all(b == 10 * a for a, b in zip(ticks, ticks[1:])) and "1M" in text and "100k" in text


def test_parameter_counts_read_as_counts():
    assert [figures.count_text(10.0**e) for e in (0, 2, 3, 5, 6, 8, 9)] == [
        "1",
        "100",
        "1k",
        "100k",
        "1M",
        "100M",
        "1G",
    ]
    assert figures.decades(np.array([np.nan, 513_000.0, 2.5e7])) == [1e5, 1e6, 1e7, 1e8]


def test_training_figure_has_bars_and_curves():
    res = list(ptr.train(seed=0, n_train=50, steps=100, shift=1))[-1][1]
    names = {m: T(f"names.models.{m}") for m in ptr.MODELS}
    fig = valid(figures.training(res, FIG, names))
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3 and list(bars[0].x) == list(names.values())
    assert bars[2].name == FIG["shifted"].format(shift=1)
