"""Activation explorer figure: f(x) above, autograd f′(x) below, saturation shaded, probe marked.

Built from plain dicts in one go (no add_vrect/add_vline: Plotly's per-shape helpers cost ~10 ms
each); see core.style.figure for validation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.scrub import finite
from core.style import color_for, figure, stacked_axes

STRIP = 0.04  # height of one function's saturation strip, as a share of the f′ panel
HEIGHT = 480  # px: with the controls beside it, the figure fits one 1280×720 screen under its heading


def strip_height(n_strips: int) -> float:
    """One strip's height (share of the panel): the strips together take at most a quarter of it."""
    return min(STRIP, 0.25 / max(n_strips, 1))


def strip_room(dy, n_strips: int) -> list[float]:
    """The f′ axis range that keeps the bottom `n_strips`·STRIP (+ a gap) of the panel free of curves: the
    saturation strips live there, under every curve, so none can be read as a value of f′ (at the top they sat on
    ReLU′ = 1 and read as "ReLU′ = 1 for x < 0")."""
    finite = dy[np.isfinite(dy)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.06 * max(hi - lo, 1e-6)
    lo, hi = lo - pad, hi + pad
    room = n_strips * strip_height(n_strips) + 0.03
    return [(lo - room * hi) / (1 - room), hi]


def explorer(res, labels: Mapping[str, str], names: Mapping[str, str], order: tuple[str, ...]) -> go.Figure:
    """res: activations.ExplorerResult; labels: the page's `fig.*` texts; names: display name per key;
    order: every function key in declaration order (fixes each function's colour)."""
    traces = []
    shapes = [  # first: probe_steps moves shapes[0]
        dict(
            type="line",
            xref="x",
            yref="paper",
            x0=res.x0,
            x1=res.x0,
            y0=0,
            y1=1,
            line=dict(color="gray", dash="dot", width=1.5),
        )
    ]
    for i, key in enumerate(res.keys):
        color = color_for(key, order)
        line = dict(color=color, width=2.5)
        marker = dict(color=color, size=11, line=dict(color="white", width=1.5))
        traces += [
            dict(
                type="scatter",
                x=res.x,
                y=res.y[i],
                name=names[key],
                legendgroup=key,
                line=line,
                hovertemplate="%{y:.4g}",
                xaxis="x",
                yaxis="y",
            ),
            dict(
                type="scatter",
                x=res.x,
                y=res.dy[i],
                name=names[key],
                legendgroup=key,
                line=line,
                showlegend=False,
                hovertemplate="%{y:.4g}",
                xaxis="x",
                yaxis="y2",
            ),
        ]
        traces += [  # traces 4i+2 and 4i+3: probe_steps moves them
            dict(
                type="scatter",
                x=[res.x0],
                y=[val],
                mode="markers",
                marker=marker,
                legendgroup=key,
                showlegend=False,
                hoverinfo="skip",
                xaxis="x",
                yaxis=axis,
            )
            for axis, val in (("y", res.f0[i]), ("y2", res.df0[i]))
        ]
        # where |f′| < threshold a unit passes almost no gradient back: a strip per function along the
        # bottom of the f′ panel (in room kept free of curves), and a faint shade over the whole panel height
        strip = strip_height(len(res.keys))
        top = (len(res.keys) - i) * strip
        for a, b in res.saturated[i]:
            shapes += [
                dict(
                    type="rect",
                    xref="x",
                    yref="y2 domain",
                    x0=a,
                    x1=b,
                    y0=top - strip,
                    y1=top,
                    fillcolor=color,
                    opacity=0.7,
                    line=dict(width=0),
                    layer="above",
                ),
                dict(
                    type="rect",
                    xref="x",
                    yref="y2 domain",
                    x0=a,
                    x1=b,
                    y0=0,
                    y1=1,
                    fillcolor=color,
                    opacity=0.05,
                    line=dict(width=0),
                    layer="below",
                ),
            ]
    shapes += [
        dict(
            type="line",
            xref="x domain",
            yref="y2",
            x0=0,
            x1=1,
            y0=s * res.thresh,
            y1=s * res.thresh,
            line=dict(color="gray", dash="dash", width=1),
        )
        for s in (1, -1)
    ]
    traces.append(
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="markers",
            xaxis="x",
            yaxis="y2",
            name=labels["saturated"].format(thresh=f"{res.thresh:g}"),
            marker=dict(symbol="square", size=14, color="rgba(120,120,120,0.25)"),
        )
    )
    layout = stacked_axes(labels["x"], [(labels["f"], labels["f_title"]), (labels["df"], labels["df_title"])])
    layout["shapes"] = shapes
    layout["yaxis2"]["range"] = strip_room(res.dy, len(res.keys))
    layout["annotations"].insert(  # first: probe_steps moves annotations[0]
        0, dict(x=res.x0, y=1.0, xref="x", yref="paper", text=labels["probe"], showarrow=False, yanchor="bottom")
    )
    return figure(traces, layout, height=HEIGHT, uirevision=f"{res.x[0]:.2f}:{res.x[-1]:.2f}")


def probe_steps(n_fns: int, xs, f: np.ndarray, df: np.ndarray, labels: list[str]) -> list[dict]:
    """The explorer's scrub steps (core/scrub.py) for the probe at each of `xs`, with f and f′ there ((n_fns, len(xs))
    each): what the probe moves in `explorer` — two markers per function (traces 4i+2 and 4i+3), the dotted line
    (shapes[0]) and its label (annotations[0]); the curves, strips and axes stay as they are."""
    idx = [j for i in range(n_fns) for j in (4 * i + 2, 4 * i + 3)]
    steps = []
    for p, (x, label) in enumerate(zip(xs, labels)):
        ys = [[finite(v[i, p])] for i in range(n_fns) for v in (f, df)]
        layout = {"shapes[0].x0": x, "shapes[0].x1": x, "annotations[0].x": x}
        args = [{"x": [[x]] * len(idx), "y": ys}, layout, idx]
        steps.append({"method": "update", "label": label, "value": label, "args": args})
    return steps
