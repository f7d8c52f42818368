"""The explorer figure explains itself and carries arrays, not lists."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.activations import concept as act
from core.activations import figures
from core.text import Text

T = Text("activations", "en")
NAMES = {k: T.choice("fns", k) for k in act.FUNCTIONS}


def build(**values):
    res = act.explore({**act.EXPLORER_PARAMS.defaults(), **values})
    return res, figures.explorer(res, T.section("fig"), NAMES, tuple(act.FUNCTIONS))


def test_one_legend_entry_per_function_plus_the_shading_key():
    res, fig = build(fns=("sigmoid", "relu", "gelu"))
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend[:3] == ["Sigmoid", "ReLU", "GELU (exact)"]
    assert "saturated" in legend[3]


def test_axes_are_titled_and_curves_are_float32_arrays():
    res, fig = build()
    assert fig.layout.xaxis.title.text == T("fig.x")
    assert fig.layout.yaxis.title.text and fig.layout.yaxis2.title.text
    curves = [t for t in fig.data if t.mode is None and t.x is not None and len(t.x) > 1]
    assert len(curves) == 2 * len(res.keys)
    assert all(isinstance(t.y, np.ndarray) and t.y.dtype == np.float32 for t in curves)


def test_each_saturated_interval_is_shaded_and_the_probe_is_marked():
    res, fig = build(fns=("sigmoid",), x0=2.0)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 * len(res.saturated[0])  # a strip and a faint shade per interval
    assert {(r.x0, r.x1) for r in rects} == set(res.saturated[0])
    markers = [t for t in fig.data if t.mode == "markers" and t.x[0] is not None]
    assert [m.x[0] for m in markers] == [2.0, 2.0]
    assert markers[0].y[0] == res.f0[0] and markers[1].y[0] == res.df0[0]


def test_colour_of_a_function_does_not_depend_on_what_else_is_shown():
    _, a = build(fns=("relu",))
    _, b = build(fns=("sigmoid", "tanh", "relu"))
    colour = lambda fig: next(t.line.color for t in fig.data if t.name == "ReLU")
    assert colour(a) == colour(b)


@pytest.mark.parametrize("fns", [("sigmoid",), tuple(act.FUNCTIONS)])
def test_the_figure_passes_plotly_validation(fns):
    _, fig = build(fns=fns)
    go.Figure(fig.to_dict())  # raises on any invalid property


@pytest.mark.parametrize("fns", [("sigmoid", "tanh", "relu"), tuple(act.FUNCTIONS)])
def test_the_saturation_strips_lie_under_every_curve(fns):
    """Issue 19: strips along the top of the f′ panel sat on ReLU′ = 1 and read as "ReLU′ = 1 for x < 0"; they
    now lie in room at the bottom of the panel that no curve reaches."""
    res, fig = build(fns=fns)
    lo, hi = fig.layout.yaxis2.range
    lowest = (float(np.nanmin(res.dy)) - lo) / (hi - lo)  # the lowest curve point, as a share of the panel
    strips = [s for s in fig.layout.shapes if s.type == "rect" and s.opacity > 0.5]
    assert strips and all(s.yref == "y2 domain" and 0 <= s.y0 < s.y1 < lowest for s in strips)
    assert lowest < 0.35  # the curves keep most of the panel
