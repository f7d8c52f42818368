"""The gradient page's figures validate, explain themselves, carry float32 arrays, and turn what a log
axis cannot show (0, inf, NaN) into gaps rather than errors."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core import style
from core.gradients import concept as gr
from core.gradients import figures, net, rnn
from core.text import Text

T = Text("gradients", "zh")
FIG = T.section("fig")
NAMES = {"a": "A", "b": "B"}
SMALL = {**gr.NET_PARAMS.defaults(), "depth": 8, "width": 32, "batch": 64}


def valid(fig):
    go.Figure(fig.to_dict())  # raises on any invalid property
    return fig


def arrays(fig):
    return [t.y for t in fig.data if t.y is not None and len(t.y) > 1]


def test_norms_has_both_panels_on_log_axes_and_theory_only_for_plain_nets():
    res = gr.run_net({**SMALL, "norm_b": "batch"})
    fig = valid(figures.norms(res, FIG, NAMES))
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert fig.layout.xaxis.title.text == FIG["layer"]
    theory = [t for t in fig.data if t.line.dash == "dot"]
    assert [t.legendgroup for t in theory] == ["a"]  # B has batch norm: no mean-field line
    bound = [t for t in fig.data if t.line.dash == "dash"]  # A is a plain sigmoid net: its ¼ ceiling
    assert [t.legendgroup for t in bound] == ["a"] and "0.144" in bound[0].name
    assert np.all(bound[0].y[:-1] >= res.a.act_grad[:-1])  # the measured norms stay under the ceiling
    assert all(isinstance(y, np.ndarray) and y.dtype == np.float32 for y in arrays(fig))


def test_exploded_and_underflowed_values_become_gaps():
    res = gr.run_net(
        {
            **SMALL,
            "init_a": "normal",
            "act_a": "relu",
            "sigma_a": 10.0,
            "depth": 40,
            "act_b": "sigmoid",
            "init_b": "default",
        }
    )
    fig = valid(figures.norms(res, FIG, NAMES))
    for y in arrays(fig):
        assert np.all(np.isnan(y) | (y > 0))
    assert np.isnan(fig.data[0].y).any()  # A blew up
    layer = net.diagnose(res.a)["first_nonfinite_layer"]
    assert [s.x0 for s in fig.layout.shapes] == [layer]  # marked where it blew up; B did not
    assert FIG["blowup_at"].format(name="A", layer=layer) in [a.text for a in fig.layout.annotations]
    valid(figures.forward_stats(res, FIG, NAMES))
    valid(figures.ridge(res.a, FIG, "A", figures.COLORS["a"]))


def test_ridge_draws_at_most_the_ridge_count_and_starts_at_layer_one():
    res = gr.run_net({**SMALL, "depth": 60})
    fig = valid(figures.ridge(res.b, FIG, "B", figures.COLORS["b"]))
    bases = [y for y in fig.data[0].y[1::52]]  # each ridge: start, 48 bins, end, gap
    assert len(fig.data) == 1 and fig.data[0].fill == "toself"
    assert 1.0 in fig.data[0].y and np.isnan(fig.data[0].y).sum() <= figures.RIDGES
    assert len(bases) <= figures.RIDGES


def small_training(**kw):
    return gr.TRAIN.run({**gr.TRAIN_PARAMS.defaults(), "depth": 4, "width": 16, "steps": 450, **kw})


def test_training_marks_nan_and_the_clipping_threshold():
    res = small_training(act_a="relu", init_a="normal", sigma_a=10.0, depth=8, width=32, steps=100)
    fig = valid(figures.training(res, FIG, NAMES))
    assert res.nan_step[0] is not None
    assert any(s.type == "line" and s.x0 == res.nan_step[0] for s in fig.layout.shapes)
    assert any(FIG["nan_at"].format(name="A", step=res.nan_step[0]) == a.text for a in fig.layout.annotations)
    assert fig.layout.yaxis3.type == "log"
    clipped = valid(figures.training(small_training(clip="norm", clip_at=0.5, steps=100), FIG, NAMES))
    assert any(s.y0 == 0.5 and s.yref == "y3" for s in clipped.layout.shapes)
    assert len(clipped.data) == len(fig.data) + 2  # the norm each step really used, per net


def test_heatmap_is_capped_in_columns_and_shares_a_colour_range():
    res = small_training()
    zr = figures.heat_range(res)
    fig = valid(figures.heatmap(res, "a", FIG, "A", zr))
    z = fig.data[0].z
    assert z.dtype == np.float32 and z.shape[0] == 4 and z.shape[1] <= figures.HEAT_COLUMNS
    assert (fig.data[0].zmin, fig.data[0].zmax) == zr and zr[1] - zr[0] <= 12


def test_replay_has_frames_and_a_slider_that_plays_in_the_browser():
    res = small_training()
    fig = valid(figures.replay(res, FIG, NAMES))
    assert 2 <= len(fig.frames) <= figures.FRAMES
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert fig.frames[-1].name == str(res.done)


def test_through_time_is_relative_to_the_last_step_and_has_the_cell_state():
    res = rnn.through_time({**gr.RNN_PARAMS.defaults(), "seq_len": 30})
    names = {k: k for k in rnn.CELLS}
    fig = valid(figures.through_time(res, FIG, names, rnn.CELLS))
    assert [t.name for t in fig.data] == [*rnn.CELLS, FIG["cell_state"]]
    assert all(t.y[-1] == pytest.approx(1.0) for t in fig.data)
    assert fig.layout.yaxis.type == "log"


def test_log_axes_spanning_decades_are_labelled_at_a_few_powers_of_ten_only():
    """Issue 19: the std chart's log axis crowded its labels; over two decades or more the ticks are powers of 10,
    every dtick-th one, about five labels whatever the span."""
    res = gr.run_net({**SMALL, "depth": 30, "act_a": "relu", "init_a": "normal"})  # the std grows ~1e13
    axis = figures.forward_stats(res, FIG, NAMES).layout.yaxis2
    std = np.concatenate([res.a.std, res.b.std])
    decades = np.log10(std.max()) - np.log10(std.min())
    assert axis.type == "log" and decades > 10 and isinstance(axis.dtick, int)
    assert decades / axis.dtick <= style.LOG_LABELS + 1
    norms = figures.norms(res, FIG, NAMES).layout
    assert isinstance(norms.yaxis.dtick, int) and isinstance(norms.yaxis2.dtick, int)
    assert style.log_axis([0.5, 1.5]) == {"type": "log", "exponentformat": "power"}  # a narrow span: Plotly's
    assert style.log_axis([1e-3, 1, np.nan, 0.0, np.inf])["dtick"] == 1  # gaps do not count
