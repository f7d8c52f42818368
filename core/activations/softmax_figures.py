"""Softmax figures: class probabilities at temperature T (with T = 1 and the notes' "SigmoidSoftmax"
for comparison) above the cross-entropy gradient, and the two-class softmax against the sigmoid."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import figure, stacked_axes

BLUE, PALE, ORANGE, RED = "#1f77b4", "rgba(31,119,180,0.30)", "#ff7f0e", "#d62728"


def bars(r, labels: Mapping[str, str]) -> go.Figure:
    """r: softmax.SoftmaxResult. The true class's bar is outlined in black."""
    k = len(r.logits)
    names = [labels["class"].format(i=i + 1) for i in range(k)]
    outline = dict(color=["black" if i == r.target else "rgba(0,0,0,0)" for i in range(k)], width=3)
    traces = [
        dict(
            type="bar",
            x=names,
            y=r.probs.astype(np.float32),
            name=labels["p_temp"].format(t=f"{r.temp:g}"),
            marker=dict(color=BLUE, line=outline),
            texttemplate="%{y:.3f}",
            textposition="outside",
            xaxis="x",
            yaxis="y",
            hovertemplate="%{y:.4f}",
        ),
        dict(
            type="bar",
            x=names,
            y=r.probs_t1.astype(np.float32),
            name=labels["p_t1"],
            marker=dict(color=PALE),
            xaxis="x",
            yaxis="y",
            hovertemplate="%{y:.4f}",
        ),
        dict(
            type="bar",
            x=names,
            y=r.sig_norm.astype(np.float32),
            name=labels["p_signorm"],
            marker=dict(color=ORANGE, pattern=dict(shape="/")),
            xaxis="x",
            yaxis="y",
            hovertemplate="%{y:.4f}",
        ),
        dict(
            type="bar",
            x=names,
            y=r.grad.astype(np.float32),
            name=labels["grad"],
            marker=dict(color=RED),
            xaxis="x",
            yaxis="y2",
            hovertemplate="%{y:.4f}",
            showlegend=True,
        ),
    ]
    layout = stacked_axes(
        labels["classes"],
        [
            (labels["prob"], labels["prob_title"].format(cls=r.target + 1, ce=f"{r.ce:.3f}")),
            (labels["grad_axis"], labels["grad_title"]),
        ],
        gap=0.14,
    )
    layout["yaxis"] |= dict(range=[0, 1.15])
    layout["yaxis"]["domain"] = [0.40, 1.0]
    layout["yaxis2"]["domain"] = [0.0, 0.26]
    layout["annotations"][1]["y"] = 0.26
    layout |= dict(barmode="group", hovermode="x unified", legend=dict(orientation="h", yanchor="top", y=-0.16, x=0))
    return figure(traces, layout, height=480)


def two_class(r, labels: Mapping[str, str]) -> go.Figure:
    """softmax(d, 0)₁ and σ(d) over the logit difference d: the same curve; the current (z₁ − z₂)/T marked."""
    d = float((r.logits[0] - r.logits[1]) / r.temp)
    traces = [
        dict(
            type="scatter",
            mode="lines",
            x=r.curve_d,
            y=r.curve_softmax,
            name=labels["two_softmax"],
            line=dict(color=BLUE, width=6),
            opacity=0.45,
        ),
        dict(
            type="scatter",
            mode="lines",
            x=r.curve_d,
            y=r.curve_sigmoid,
            name=labels["two_sigmoid"],
            line=dict(color="black", width=2, dash="dash"),
        ),
        dict(
            type="scatter",
            mode="markers",
            x=[float(np.clip(d, -10, 10))],
            y=[r.p2],
            name=labels["two_here"],
            marker=dict(color=RED, size=12, line=dict(color="white", width=1.5)),
        ),
    ]
    layout = dict(
        xaxis=dict(title=dict(text=labels["two_x"]), range=[-10, 10]),
        yaxis=dict(title=dict(text=labels["two_y"]), range=[-0.02, 1.02]),
    )
    return figure(traces, layout, height=360, title=labels["two_title"])
