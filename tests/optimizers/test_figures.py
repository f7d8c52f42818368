"""Optimizer figures explain themselves, carry float32 arrays, validate in Plotly, and mark what the page says."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.optimizers import concept as opt
from core.optimizers import figures, race
from core.optimizers.batched import KINDS, Spec
from core.text import Text

T = Text("optimizers", "en")
FIG = T.section("fig")
NAMES = {k: T.choice("opts", k) for k in KINDS}


def build(**over):
    values, _ = opt.PATHS_PARAMS.validate({**opt.PATHS_PARAMS.defaults(), **over})
    return opt.run_paths(values), opt.landscape_grid(values)


def arrays_are_float32(fig):
    for trace in fig.data:
        for name in ("x", "y", "z"):
            v = getattr(trace, name, None)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                assert v.dtype == np.float32, (trace.type, trace.name, name)


CASES = {
    "default": {},
    "too_large": opt.PRESETS["too_large"],
    "saddle": opt.PRESETS["adam_saddle"],
    "starts": opt.PRESETS["himmelblau_basins"],
    "rastrigin": opt.PRESETS["rastrigin_traps"],
    "all": opt.PRESETS["all_nine"],
    "few_steps": {"steps": 10},
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_figure_passes_plotly_validation_and_sends_float32(case):
    res, grid = build(**CASES[case])
    figs = [
        figures.landscape(res, grid, FIG, NAMES),
        figures.surface3d(res, grid, FIG, NAMES),
        figures.curves(res, FIG, NAMES),
    ]
    figs += [figures.internals(res, o, FIG, k in opt.BUFFERED, k in opt.ADAPTIVE) for o, k in enumerate(res.kinds)]
    for fig in figs:
        go.Figure(fig.to_dict())  # raises on any invalid property
        arrays_are_float32(fig)


def test_landscape_has_a_legend_entry_per_optimizer_the_minimum_and_the_start():
    res, grid = build()
    fig = figures.landscape(res, grid, FIG, NAMES)
    legend = [t.name for t in fig.data if t.showlegend is not False and t.type == "scatter"]
    assert legend == [FIG["point_global"], "SGD", "Momentum", "Adam", FIG["start"]]
    assert fig.layout.xaxis.range == (-2.0, 2.0) and fig.layout.yaxis.scaleanchor == "x"
    contour = fig.data[0]
    assert contour.type == "contour" and contour.colorbar.title.text == FIG["f_minus_fstar"]
    assert list(contour.colorbar.ticktext)[0].startswith("1e")  # a log colour scale, labelled in f − f*


def test_the_map_itself_takes_the_click_and_reads_out_f():
    res, grid = build()
    fig = figures.landscape(res, grid, FIG, NAMES)
    assert fig.layout.meta["dlp_click"] == figures.CLICK_CHART and fig.layout.clickmode == "event"
    assert not [t for t in fig.data if t.type == "scattergl"]  # no invisible click grid over the map
    contour = fig.data[0]
    assert "%{customdata" in contour.hovertemplate and FIG["click"] in contour.hovertemplate  # log colours: f itself
    i, j = int(np.flatnonzero(contour.y == 1.0)[0]), int(np.flatnonzero(contour.x == 1.0)[0])
    assert np.asarray(contour.customdata)[i][j] == pytest.approx(0.0, abs=1e-6)  # f at the minimum (1, 1)


def test_a_diverging_run_is_drawn_to_the_edge_and_marked_there():
    res, grid = build(**opt.PRESETS["too_large"])
    fig = figures.landscape(res, grid, FIG, NAMES)
    o = res.kinds.index("sgd")
    path = next(t for t in fig.data if t.name == "SGD" and t.showlegend)
    assert (path.x[-1], path.y[-1]) == pytest.approx(tuple(res.edge[o, 0]), abs=1e-5)
    x_lo, x_hi, y_lo, y_hi = res.box
    assert ((path.x >= x_lo - 1e-5) & (path.x <= x_hi + 1e-5) & (path.y >= y_lo - 1e-5) & (path.y <= y_hi + 1e-5)).all()
    mark = next(t for t in fig.data if t.type == "scatter" and t.marker.symbol == "x-thin-open")
    assert (mark.x[0], mark.y[0]) == pytest.approx(tuple(res.edge[o, 0]), abs=1e-5)
    assert mark.customdata[0] == res.left[o, 0]
    curves = figures.curves(res, FIG, NAMES)
    assert any(t.text == (FIG["diverged_short"],) for t in curves.data)


def test_animation_frames_walk_every_optimizer_to_its_last_step():
    res, grid = build(steps=200)
    fig = figures.landscape(res, grid, FIG, NAMES)
    frames = go.Figure(fig.to_dict()).frames  # validated by Plotly here (the page skips that: see AnimatedFigure)
    assert len(frames) == figures.FRAMES + 1 and frames[-1].name == "200"
    assert [s.label for s in fig.layout.sliders[0].steps][-1] == "200"
    head = fig.data[frames[0].traces[0]]
    assert list(head.marker.color) == [figures.COLORS[k] for k in res.kinds]
    for frame in (frames[0], frames[40], frames[-1]):
        k = int(frame.name)
        (data,) = frame.data
        np.testing.assert_allclose(np.c_[data.x, data.y], res.path[k, :, 0], atol=1e-5)


def test_a_diverged_run_stops_its_animation_at_its_last_finite_point():
    res, grid = build(**opt.PRESETS["too_large"])
    fig = figures.landscape(res, grid, FIG, NAMES)
    o = res.kinds.index("sgd")
    last = go.Figure(fig.to_dict()).frames[-1].data[0]
    np.testing.assert_allclose([last.x[o], last.y[o]], res.path[res.left[o, 0] - 1, o, 0], atol=1e-5)


def test_curves_use_log_axes_and_the_saddle_plots_f_itself():
    res, _ = build()
    fig = figures.curves(res, FIG, NAMES)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    saddle, _ = build(**opt.PRESETS["adam_saddle"])
    fig = figures.curves(saddle, FIG, NAMES)
    assert fig.layout.yaxis.type != "log" and fig.layout.yaxis.title.text == FIG["f"]


def test_on_the_quadratic_the_predicted_rates_are_drawn_under_the_distance_curves():
    res, _ = build(**opt.PRESETS["optimal_kappa100"])
    fig = figures.curves(res, FIG, NAMES)
    bands = [t for t in fig.data if t.name and "predicted" in t.name]
    assert {t.name.split(":")[0] for t in bands} == {"SGD", "Momentum"}
    assert all(t.yaxis == "y2" and t.opacity < 0.5 for t in bands)


def test_internals_show_the_buffer_only_for_optimizers_that_have_one():
    res, _ = build(opts=("sgd", "adam"))
    sgd = figures.internals(res, 0, FIG, False, False)
    adam = figures.internals(res, 1, FIG, True, True)
    assert not any(t.name.startswith("momentum buffer") for t in sgd.data)
    assert sum(t.name.startswith("momentum buffer") for t in adam.data) == 2
    assert adam.layout.yaxis2.type == "log" and adam.layout.yaxis3.type == "log"


def test_race_figure_live_and_finished_with_replay():
    stream = list(race.stream([Spec("sgd", 0.1), Spec("adam", 0.002)], 200, 16, 16, 0))
    live = figures.race(stream[0][1], FIG, NAMES, done=False)
    final = figures.race(stream[-1][1], FIG, NAMES, done=True)
    for fig in (live, final):
        go.Figure(fig.to_dict())
    assert not live.frames and len(final.frames) == 30
    assert final.frames[-1].layout.xaxis.range == (0, 200)  # the replay widens the step axis to the end
    assert len(final.data[0].x) == 200 and final.layout.yaxis2.tickformat == ".0%"


def test_smoothing_is_a_trailing_mean():
    y = np.array([1.0, 3.0, 5.0, 7.0])
    np.testing.assert_allclose(figures.smooth(y, 2), [1.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(figures.smooth(y, 1), y)
