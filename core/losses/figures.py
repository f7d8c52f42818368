"""Figures of the curves and outliers sections: Result -> plotly Figure (numpy and plotly only).

curves(c)     L above, dL/dx below, against the residual or the margin; under each gradient curve a wide
              translucent band where it vanishes (grey), vanishes on a wrong prediction (red) or is
              constant (blue); the probe as a dotted line with a marker per loss
fits(r)       the data (outliers in red), the clean truth, and every loss's line and MLP
residuals(r)  box plots of y − ŷ of each loss's line, with the mean (dashed) and median (solid)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.scrub import finite
from core.style import color_for, figure, stacked_axes

EVERY = 4  # plot every 4th grid point of a curve (201 of 801): the same shape at chart size, a quarter of the bytes
Y_RANGE = {"reg": ((-0.1, 5.0), (-4.2, 4.2)), "cls": ((-0.1, 5.0), (-2.2, 0.4))}
MARKS = {"vanish": "rgba(110,110,110,0.35)", "wrong": "rgba(214,39,40,0.45)", "constant": "rgba(31,119,180,0.35)"}


def _marks(c, labels: Mapping[str, str]) -> list[dict]:
    """Wide translucent bands under the gradient curves where they vanish / vanish while wrong / are constant.
    There the gradient is flat (≈ 0, or a constant), so each stretch is drawn as a two-point segment at its
    value: one small trace per kind for all losses (NaN between stretches), one legend entry each."""
    out = []
    for kind, per_loss in (("vanish", c.vanish), ("wrong", c.vanish_wrong), ("constant", c.constant)):
        xs, ys = [], []
        for i, spans in enumerate(per_loss):
            for a, b in spans:
                at = np.searchsorted(c.x, [a, b])  # grid indices of the stretch's ends
                g = c.grad[i, at[0] : at[1] + 1]
                level = float(np.median(g)) if len(g) else 0.0
                xs += [a, b, np.nan]
                ys += [level, level, np.nan]
        if xs:
            out.append(
                dict(
                    type="scatter",
                    x=np.asarray(xs, np.float32),
                    y=np.asarray(ys, np.float32),
                    mode="lines",
                    line=dict(color=MARKS[kind], width=11),
                    name=labels[f"mark_{kind}"],
                    legendgroup=f"mark_{kind}",
                    hoverinfo="skip",
                    yaxis="y2",
                )
            )
    return out


def curves(c, labels: Mapping[str, str], names: Mapping[str, str], order: tuple[str, ...]) -> go.Figure:
    """c: curves.Curves; labels: the page's `fig.*` texts; names: display names; order: every key of the
    family in declaration order (fixes each loss's colour)."""
    x = c.x[::EVERY]
    colors = [color_for(key, order) for key in c.keys]
    traces = []
    for i, key in enumerate(c.keys):
        line = dict(color=colors[i], width=2.5, shape="hv" if key == "zero_one" else "linear")
        common = dict(type="scatter", x=x, name=names[key], legendgroup=key, line=line, hovertemplate="%{y:.4g}")
        traces += [
            dict(common, y=c.loss[i, ::EVERY], yaxis="y"),
            dict(common, y=c.grad[i, ::EVERY], yaxis="y2", showlegend=False),
        ]
    dotted = dict(color="gray", dash="dot")
    probe = [dict(type="line", xref="x", yref="paper", x0=c.x0, x1=c.x0, y0=0, y1=1, line=dotted)]
    for axis, values in (("y", c.loss0), ("y2", c.grad0)):  # a dot per loss on each panel, a fixed size in pixels
        probe += [
            dict(
                type="circle",
                xref="x",
                yref=axis,
                xsizemode="pixel",
                ysizemode="pixel",
                xanchor=c.x0,
                yanchor=float(v),
                x0=-5,
                x1=5,
                y0=-5,
                y1=5,
                fillcolor=colors[i],
                line=dict(color="white", width=1.5),
            )
            for i, v in enumerate(values)
        ]
    x_title = labels["residual"] if c.family == "reg" else labels["margin"]
    layout = stacked_axes(x_title, [(labels["loss"], labels["loss_title"]), (labels["grad"], labels["grad_title"])])
    (lo_l, hi_l), (lo_g, hi_g) = Y_RANGE[c.family]
    layout["yaxis"]["range"] = [lo_l, hi_l]
    layout["yaxis2"]["range"] = [lo_g, hi_g]
    layout["shapes"] = probe
    # The curves do not depend on the probe: an unchanged datarevision tells Plotly.react to keep the data
    # arrays as they are, so moving the probe only redraws the shapes above (much cheaper than new traces).
    layout["datarevision"] = c.revision
    return figure(_marks(c, labels) + traces, layout, height=420, uirevision=c.family)


def probe_steps(xs, loss: np.ndarray, grad: np.ndarray, labels: list[str]) -> list[dict]:
    """The curves' scrub steps (core/scrub.py) for the probe at each of `xs`, with L and dL/dx there ((K, len(xs))
    each): what the probe moves in `curves` — the dotted line (shapes[0]) and one dot per loss on each panel
    (shapes[1..K] on L, shapes[K+1..2K] on dL/dx); the curves and axes stay as they are."""
    steps = []
    for p, (x, label) in enumerate(zip(xs, labels)):
        layout = {"shapes[0].x0": x, "shapes[0].x1": x}
        for j, v in enumerate([*loss[:, p], *grad[:, p]]):
            layout[f"shapes[{1 + j}].xanchor"] = x
            layout[f"shapes[{1 + j}].yanchor"] = finite(v)
        steps.append({"method": "update", "label": label, "value": label, "args": [{}, layout, []]})
    return steps


# ---- outliers ------------------------------------------------------------------------------------------


def _to_user(r, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fitting frame -> the data's own units (identity for the synthetic data)."""
    (cx, hx), (cy, sy) = r.data.x_scale, r.data.y_scale
    return (cx + hx * x).astype(np.float32), (cy + sy * y).astype(np.float32)


def fits(r, labels: Mapping[str, str], names: Mapping[str, str], order: tuple[str, ...]) -> go.Figure:
    """Two panels side by side: the line fits and the MLP fits, over the same data."""
    d = r.data
    xs, ys = _to_user(r, d.x, d.y)
    traces = []
    for axis, show in (("", True), ("2", False)):
        ax = dict(xaxis=f"x{axis}", yaxis=f"y{axis}")
        for mask, name, color in ((~d.outlier, labels["inliers"], "#888"), (d.outlier, labels["outliers"], "#d62728")):
            if mask.any():
                traces.append(
                    dict(
                        type="scatter",
                        x=xs[mask],
                        y=ys[mask],
                        mode="markers",
                        name=name,
                        legendgroup=name,
                        showlegend=show,
                        marker=dict(color=color, size=6, opacity=0.7),
                        **ax,
                    )
                )
        if d.truth is not None:
            gx, gy = _to_user(r, r.grid, d.truth)
            traces.append(
                dict(
                    type="scatter",
                    x=gx,
                    y=gy,
                    name=labels["truth"],
                    legendgroup="truth",
                    showlegend=show,
                    line=dict(color="black", dash="dot", width=2),
                    **ax,
                )
            )
        for i, key in enumerate(r.keys):
            gx, gy = _to_user(r, r.grid, (r.line_fit if axis == "" else r.mlp_fit)[i])
            traces.append(
                dict(
                    type="scatter",
                    x=gx,
                    y=gy,
                    name=names[key],
                    legendgroup=key,
                    showlegend=show,
                    line=dict(color=color_for(key, order), width=2.5),
                    hovertemplate="%{y:.3g}",
                    **ax,
                )
            )
    pad = 0.1 * float(np.ptp(ys) or 1.0)
    y_range = [float(ys.min() - pad), float(ys.max() + pad)]  # the data's range: an early wild fit goes off-chart
    layout = dict(
        xaxis=dict(domain=[0, 0.48], title=dict(text=labels["x"])),
        xaxis2=dict(domain=[0.52, 1], title=dict(text=labels["x"])),
        yaxis=dict(title=dict(text=labels["y"]), range=y_range),
        yaxis2=dict(anchor="x2", range=y_range, showticklabels=False),
        annotations=[
            dict(text=f"<b>{labels[k]}</b>", x=x0, y=1.0, xref="paper", yref="paper", showarrow=False, xanchor="left")
            for k, x0 in (("line_title", 0.0), ("mlp_title", 0.52))
        ],
        hovermode="closest",
    )
    title = labels["fits_title"].format(done=r.done, steps=r.steps)
    return figure(traces, layout, height=460, title=title, uirevision="fits")


def residuals(r, labels: Mapping[str, str], names: Mapping[str, str], order: tuple[str, ...]) -> go.Figure:
    """Per loss, a box of the line's residuals y − ŷ (fitting frame): mean dashed, median solid."""
    traces = [
        dict(
            type="box",
            y=r.residual[i, 1],
            name=names[key],
            boxmean=True,
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker=dict(color=color_for(key, order), size=4, opacity=0.6),
            line=dict(color=color_for(key, order)),
            hoverinfo="y",
        )
        for i, key in enumerate(r.keys)
    ]
    layout = dict(
        yaxis=dict(title=dict(text=labels["residual_y"]), zeroline=True, zerolinewidth=2),
        showlegend=False,
        hovermode="closest",
    )
    return figure(traces, layout, height=360, title=labels["residuals_title"], uirevision="residuals")
