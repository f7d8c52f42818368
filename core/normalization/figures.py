"""Figures of the batch-norm step-through and of the normalization axes (plotly + numpy only).

Every builder takes a result and `labels` (the page's `fig.*` texts in the current language) and returns a
plotly Figure with numpy arrays; a missing label raises KeyError (the tests build every figure in both languages).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import PALETTE, figure, stacked_axes

STAGES = ("x", "centred", "xhat", "y", "y_eval")


def _feature_color(c: int) -> str:
    return PALETTE[c % len(PALETTE)]


def _discrete(colors: list[str]) -> dict:
    """Marker colour settings that map the integers 0 … len(colors) − 1 to `colors` (a numeric colour array is
    sent as a typed array; a list of colour strings would be one string per point)."""
    n = len(colors)
    scale = (
        [[i / n, col] for i, col in enumerate(colors) for i in (i, i + 1)]
        if n > 1
        else [[0, colors[0]], [1, colors[0]]]
    )
    return dict(colorscale=scale, cmin=-0.5, cmax=n - 0.5)


def steps(r, labels: Mapping[str, str]) -> go.Figure:
    """Every value of the batch at each stage (x, x − μ, x̂, γx̂ + β, eval-mode y), one colour per feature; a line
    follows each value through the stages, so one can see what each step does to it."""
    c, n = r.x.shape
    stages = np.stack([r.x, r.x - r.mean[:, None], r.xhat, r.y, r.y_eval], 1).astype(np.float32)  # (C, 5, n)
    traces = []
    for f in range(c):
        offset = (f - (c - 1) / 2) * 0.12
        xs = np.arange(len(STAGES), dtype=np.float32) + offset
        # one polyline per value, NaN-separated: (n, 5 + 1)
        px = np.concatenate([np.tile(xs, (n, 1)), np.full((n, 1), np.nan, np.float32)], 1).ravel()
        py = np.concatenate([stages[f].T, np.full((n, 1), np.nan, np.float32)], 1).ravel()
        traces.append(
            dict(
                type="scatter",
                x=px,
                y=py,
                mode="lines+markers",
                name=labels["feature"].format(c=f + 1),
                line=dict(color=_feature_color(f), width=0.7),
                marker=dict(size=6, color=_feature_color(f)),
                opacity=0.8,
                hovertemplate="%{y:.4f}<extra>" + labels["feature"].format(c=f + 1) + "</extra>",
            )
        )
    offsets = ((np.arange(c) - (c - 1) / 2) * 0.12).astype(np.float32)
    traces.append(  # the batch mean of the input (what is subtracted), one short bar per feature: one trace
        dict(
            type="scatter",
            x=offsets,
            y=r.mean.astype(np.float32),
            mode="markers",
            name=labels["mu"],
            marker=dict(symbol="line-ew", size=22, line=dict(width=4, color=[_feature_color(f) for f in range(c)])),
            hovertemplate=labels["mu"] + " = %{y:.4f}<extra></extra>",
        )
    )
    layout = dict(
        xaxis=dict(
            tickmode="array",
            tickvals=list(range(len(STAGES))),
            ticktext=[labels[f"stage_{s}"] for s in STAGES],
            range=[-0.5, len(STAGES) - 0.5],
        ),
        yaxis=dict(title=dict(text=labels["value"]), zeroline=True),
        hovermode="closest",
    )
    return figure(traces, layout, height=430, title=labels["steps_title"].format(n=n))


def running(r, labels: Mapping[str, str]) -> go.Figure:
    """Running mean (top) and running variance (bottom) after each batch, next to each batch's own mean and the
    value the batches are drawn around."""
    k, c = r.batch_means.shape
    after = np.arange(0, k + 1, dtype=np.float32)
    colors = [_feature_color(f) for f in range(c)]
    traces = []
    for f in range(c):
        name = labels["feature"].format(c=f + 1)
        for axis, series, what in (("y", r.run_mean, "running_mean"), ("y2", r.run_var, "running_var")):
            traces.append(
                dict(
                    type="scatter",
                    x=after,
                    y=series[:, f].astype(np.float32),
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=axis == "y",
                    line=dict(color=colors[f], width=2.5),
                    marker=dict(size=4),
                    yaxis=axis,
                    hovertemplate=labels[what] + " %{y:.4f}<extra>" + name + "</extra>",
                )
            )
    traces.append(  # every batch's own mean, all features in one trace (few traces: a light redraw)
        dict(
            type="scatter",
            x=np.tile(after[1:], c),
            y=r.batch_means.T.ravel().astype(np.float32),
            mode="markers",
            name=labels["batch_mean"],
            marker=dict(
                color=np.repeat(np.arange(c, dtype=np.uint8), k), size=6, symbol="circle-open", **_discrete(colors)
            ),
            yaxis="y",
            hovertemplate=labels["batch_mean"] + " %{y:.4f}<extra></extra>",
        )
    )
    gap = np.full((c, 1), np.nan, np.float32)
    xs = np.concatenate([np.tile(np.array([0, k], np.float32), (c, 1)), gap], 1).ravel()
    for axis, true in (("y", r.true_mean), ("y2", r.true_var)):  # the value the batches are drawn around
        ys = np.concatenate([np.repeat(true.astype(np.float32)[:, None], 2, 1), gap], 1).ravel()
        traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                name=labels["true"],
                legendgroup="true",
                showlegend=axis == "y",
                line=dict(color="#444", width=1, dash="dot"),
                yaxis=axis,
                hoverinfo="skip",
            )
        )
    layout = stacked_axes(
        labels["batches"],
        [(labels["running_mean"], labels["mean_title"]), (labels["running_var"], labels["var_title"])],
    )
    layout["legend"] = dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top")
    layout["margin"] = dict(l=60, r=20, t=60, b=50)
    return figure(traces, layout, height=470, title=labels["running_title"].format(m=f"{r.momentum:g}"))


GREY, BLUE, RED = "#f2f2f2", "#9ecae1", "#b2182b"  # 0: other values, 1: share the statistics, 2: the picked value
AXES_COLORS = [[0.0, GREY], [0.33, GREY], [0.34, BLUE], [0.66, BLUE], [0.67, RED], [1.0, RED]]


def axes(r, labels: Mapping[str, str], layers: tuple[str, ...]) -> go.Figure:
    """One small (examples × channels) grid per layer: the red cell's value is normalized with the mean and
    variance of every blue cell (each cell stands for all H×W positions of that example and channel)."""
    k = len(layers)
    gap = 0.03
    width = (1 - gap * (k - 1)) / k
    traces, layout = [], {"annotations": []}
    for i, layer in enumerate(layers):
        mask = r.masks[layer]  # (N, C)
        ax = "" if i == 0 else str(i + 1)
        traces.append(
            dict(
                type="heatmap",
                z=mask.astype(np.uint8),
                zmin=0,
                zmax=2,
                colorscale=AXES_COLORS,
                showscale=False,
                xgap=2,
                ygap=2,
                xaxis=f"x{ax}",
                yaxis=f"y{ax}",
                hovertemplate=labels["axes_hover"] + "<extra></extra>",
            )
        )
        left = i * (width + gap)
        layout[f"xaxis{ax}"] = dict(
            domain=[left, left + width], title=dict(text=labels["channel"]), showticklabels=False, anchor=f"y{ax}"
        )
        layout[f"yaxis{ax}"] = dict(
            title=dict(text=labels["example"] if i == 0 else ""),
            showticklabels=False,
            autorange="reversed",
            anchor=f"x{ax}",
            scaleanchor=f"x{ax}",
        )
        layout["annotations"].append(
            dict(
                text=f"<b>{labels['layer_' + layer]}</b>",
                x=left + width / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
            )
        )
    layout["hovermode"] = "closest"
    layout["margin"] = dict(l=40, r=10, t=50, b=40)
    return figure(traces, layout, height=230)
