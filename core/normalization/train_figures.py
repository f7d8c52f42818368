"""Figures of the trainings: the learning-rate sweep, the small-batch comparison and plain vs residual depth.

Conventions: plain / no BN dashed, BN or residual solid; a model that diverged (NaN/inf loss) is marked ✕ with the
step it happened at. Curves are window means of the per-step loss (runs.thin), arrays float32.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import PALETTE, figure, stacked_axes

RED = "#b2182b"
KIND_COLORS = {"none": "#7f7f7f", "bn": PALETTE[0], "ln": PALETTE[2], "gn": PALETTE[4]}


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _finite(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, np.nan).astype(np.float32)


def _legend_below(layout: dict, height: int, rows: int) -> int:
    """Move the legend under the x-axis title (a half-width chart's legend would wrap over its title); returns
    the figure height grown by the legend's rows."""
    extra = 24 * rows
    layout["legend"] = dict(orientation="h", yanchor="top", y=-90 / (height - 120), x=0, xanchor="left")
    layout["margin"] = dict(l=60, r=20, t=60, b=70 + extra)
    return height + extra


# ---- learning-rate sweep ------------------------------------------------------------------------------


def sweep_accuracy(r, labels: Mapping[str, str]) -> go.Figure:
    """Final test accuracy against the learning rate, without and with BN; diverged runs as ✕ on the axis."""
    traces, marked = [], False
    for i, (key, dash) in enumerate((("plain", "dash"), ("bn", "solid"))):
        acc = _finite(r.test_acc[-1, i])
        color = "#7f7f7f" if key == "plain" else PALETTE[0]
        traces.append(
            dict(
                type="scatter",
                x=r.lrs.astype(np.float32),
                y=acc,
                mode="lines+markers",
                name=labels[f"net_{key}"],
                line=dict(color=color, width=3, dash=dash),
                marker=dict(size=9),
                hovertemplate="η = %{x:g}: %{y:.1%}<extra>" + labels[f"net_{key}"] + "</extra>",
            )
        )
        bad = r.diverged[i] >= 0
        if bad.any():
            traces.append(
                dict(
                    type="scatter",
                    x=r.lrs[bad].astype(np.float32),
                    y=np.zeros(int(bad.sum()), np.float32),
                    mode="markers+text",
                    name=labels["diverged"],
                    marker=dict(symbol="x", size=14, color=RED),
                    text=[labels["diverged_at"].format(step=int(s)) for s in r.diverged[i][bad]],
                    textposition="top left",
                    hovertemplate="η = %{x:g}: %{text}<extra>" + labels[f"net_{key}"] + "</extra>",
                    showlegend=not marked,
                )
            )
            marked = True
    layout = dict(
        xaxis=dict(type="log", title=dict(text=labels["lr"])),
        yaxis=dict(title=dict(text=labels["test_acc"]), range=[-0.05, 1.05], tickformat=".0%"),
        hovermode="closest",
    )
    height = _legend_below(layout, 400, 1)
    return figure(traces, layout, height=height, title=labels["sweep_title"].format(depth=r.depth, steps=r.done))


def sweep_curves(r, labels: Mapping[str, str]) -> go.Figure:
    """Training loss over the steps: one colour per learning rate, dashed without BN, solid with BN."""
    traces = []
    for j, lr in enumerate(r.lrs):
        for i, (key, dash) in enumerate((("plain", "dash"), ("bn", "solid"))):
            name = f"η = {lr:g}, {labels['net_' + key]}"
            traces.append(
                dict(
                    type="scatter",
                    x=r.steps,
                    y=_finite(r.loss[:, i, j]),
                    mode="lines",
                    name=name,
                    legendgroup=f"{lr:g}",
                    line=dict(color=_color(j), width=2, dash=dash),
                    hovertemplate="%{y:.3f}<extra>" + name + "</extra>",
                )
            )
    layout = dict(
        xaxis=dict(title=dict(text=labels["steps"]), range=[0, r.total * 1.02]),
        yaxis=dict(type="log", title=dict(text=labels["train_loss"])),
        hovermode="closest",
    )
    height = _legend_below(layout, 400, -(-len(r.lrs) // 2))
    return figure(traces, layout, height=height, title=labels["curves_title"])


# ---- small batches ----------------------------------------------------------------------------------


def batch_accuracy(r, labels: Mapping[str, str], kinds: tuple[str, ...]) -> go.Figure:
    """Final test accuracy of each normalization in eval mode (running statistics) and in training mode on test
    batches of B (batch statistics): only BN's two bars can differ."""
    names = [labels[f"kind_{k}"] for k in kinds]
    traces = [
        dict(
            type="bar",
            x=names,
            y=_finite(r.acc_eval[-1]),
            name=labels["mode_eval"],
            marker=dict(color=[KIND_COLORS[k] for k in kinds]),
            text=[f"{a:.1%}" if np.isfinite(a) else "—" for a in r.acc_eval[-1]],
            textposition="outside",
            hovertemplate="%{y:.1%}<extra>" + labels["mode_eval"] + "</extra>",
        ),
        dict(
            type="bar",
            x=names,
            y=_finite(r.acc_train[-1]),
            name=labels["mode_train"].format(b=r.batch),
            marker=dict(color=[KIND_COLORS[k] for k in kinds], pattern=dict(shape="/")),
            opacity=0.6,
            text=[f"{a:.1%}" if np.isfinite(a) else "—" for a in r.acc_train[-1]],
            textposition="outside",
            hovertemplate="%{y:.1%}<extra>" + labels["mode_train"].format(b=r.batch) + "</extra>",
        ),
    ]
    layout = dict(
        barmode="group",
        yaxis=dict(title=dict(text=labels["test_acc"]), range=[0, 1.12], tickformat=".0%"),
        hovermode="closest",
    )
    height = _legend_below(layout, 400, 2)
    return figure(traces, layout, height=height, title=labels["batch_title"].format(b=r.batch, steps=r.done))


def batch_curves(r, labels: Mapping[str, str], kinds: tuple[str, ...]) -> go.Figure:
    """Training loss (top) and eval-mode test accuracy (bottom) over the steps; BN's training-mode accuracy dashed."""
    bn = kinds.index("bn")
    traces = []
    for i, k in enumerate(kinds):
        name = labels[f"kind_{k}"]
        traces.append(
            dict(
                type="scatter",
                x=r.steps,
                y=_finite(r.loss[:, i]),
                mode="lines",
                name=name,
                legendgroup=k,
                line=dict(color=KIND_COLORS[k], width=2),
                yaxis="y",
                hovertemplate="%{y:.3f}<extra>" + name + "</extra>",
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=r.evals,
                y=_finite(r.acc_eval[:, i]),
                mode="lines+markers",
                name=name,
                legendgroup=k,
                showlegend=False,
                line=dict(color=KIND_COLORS[k], width=2.5),
                yaxis="y2",
                hovertemplate="%{y:.1%}<extra>" + name + " · " + labels["mode_eval"] + "</extra>",
            )
        )
    train_name = f"{labels['kind_bn']} · {labels['mode_train'].format(b=r.batch)}"
    traces.append(
        dict(
            type="scatter",
            x=r.evals,
            y=_finite(r.acc_train[:, bn]),
            mode="lines+markers",
            name=train_name,
            line=dict(color=KIND_COLORS["bn"], width=2, dash="dot"),
            marker=dict(symbol="circle-open"),
            yaxis="y2",
            hovertemplate="%{y:.1%}<extra>" + train_name + "</extra>",
        )
    )
    layout = stacked_axes(
        labels["steps"], [(labels["train_loss"], labels["loss_title"]), (labels["test_acc"], labels["acc_title"])]
    )
    layout["yaxis"]["type"] = "log"
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    layout["xaxis"]["range"] = [0, r.total * 1.02]
    return figure(traces, layout, height=_legend_below(layout, 480, 3))


def batch_mismatch(r, labels: Mapping[str, str], bins: np.ndarray) -> go.Figure:
    """Left: BN's first normalized values x̂ on the test digits in training mode (batches of B) and in eval mode.
    Right: per BN layer, the standard deviation of x̂ in eval mode on the training digits (1 if the running
    statistics matched what the network computes)."""
    centres = ((bins[:-1] + bins[1:]) / 2).astype(np.float32)
    layers = np.arange(1, len(r.xhat_std) + 1)
    traces = [
        dict(
            type="bar",
            x=centres,
            y=r.hist_train,
            name=labels["mode_train"].format(b=r.batch),
            marker=dict(color=PALETTE[0]),
            opacity=0.65,
            hovertemplate="x̂ ≈ %{x:.1f}: %{y:.1%}<extra></extra>",
        ),
        dict(
            type="bar",
            x=centres,
            y=r.hist_eval,
            name=labels["mode_eval"],
            marker=dict(color=PALETTE[1]),
            opacity=0.65,
            hovertemplate="x̂ ≈ %{x:.1f}: %{y:.1%}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=layers,
            y=r.xhat_std,
            mode="lines+markers",
            name=labels["eval_std"],
            line=dict(color=RED, width=3),
            marker=dict(size=9),
            xaxis="x2",
            yaxis="y2",
            hovertemplate=labels["bn_layer"] + " %{x}: %{y:.2f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=np.array([0.8, len(layers) + 0.2], np.float32),
            y=np.ones(2, np.float32),
            mode="lines",
            name=labels["matched"],
            line=dict(color="#444", width=1, dash="dot"),
            xaxis="x2",
            yaxis="y2",
            hoverinfo="skip",
        ),
    ]
    top = max(1.3, float(np.nanmax(r.xhat_std)) * 1.1) if np.isfinite(r.xhat_std).any() else 1.3
    layout = dict(
        barmode="overlay",
        bargap=0,
        xaxis=dict(domain=[0, 0.55], title=dict(text=labels["xhat"])),
        yaxis=dict(title=dict(text=labels["share"]), tickformat=".0%"),
        xaxis2=dict(domain=[0.68, 1], title=dict(text=labels["bn_layer"]), anchor="y2", dtick=1),
        yaxis2=dict(anchor="x2", title=dict(text=labels["eval_std"]), range=[0, top]),
        hovermode="closest",
    )
    return figure(traces, layout, height=380, title=labels["mismatch_title"])


# ---- plain vs residual --------------------------------------------------------------------------------


def depth_curves(r, labels: Mapping[str, str]) -> go.Figure:
    """He et al.'s Figure 1 in miniature: training loss (top) and training accuracy (bottom) over the steps,
    one colour per depth, plain dashed, residual solid."""
    traces = []
    for i, d in enumerate(r.depths):
        for j, (key, dash) in enumerate((("plain", "dash"), ("res", "solid"))):
            name = labels["depth_net"].format(depth=d, net=labels[f"depth_{key}"])
            traces += [
                dict(
                    type="scatter",
                    x=r.steps,
                    y=_finite(r.loss[:, i, j]),
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    line=dict(color=_color(i), width=2.5, dash=dash),
                    yaxis="y",
                    hovertemplate="%{y:.3f}<extra>" + name + "</extra>",
                ),
                dict(
                    type="scatter",
                    x=r.evals,
                    y=_finite(r.train_acc[:, i, j]),
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    line=dict(color=_color(i), width=2.5, dash=dash),
                    yaxis="y2",
                    hovertemplate="%{y:.1%}<extra>" + name + "</extra>",
                ),
            ]
    layout = stacked_axes(
        labels["steps"], [(labels["train_loss"], labels["loss_title"]), (labels["train_acc"], labels["train_acc"])]
    )
    layout["yaxis"]["type"] = "log"
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    layout["xaxis"]["range"] = [0, r.total * 1.02]
    return figure(traces, layout, height=520, title=labels["depth_title"].format(steps=r.done))


def depth_gradients(r, labels: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂W_0‖ over the steps (log scale): how much gradient reaches the first layer."""
    traces = []
    for i, d in enumerate(r.depths):
        for j, (key, dash) in enumerate((("plain", "dash"), ("res", "solid"))):
            name = labels["depth_net"].format(depth=d, net=labels[f"depth_{key}"])
            traces.append(
                dict(
                    type="scatter",
                    x=r.steps,
                    y=_finite(r.grad[:, i, j]),
                    mode="lines",
                    name=name,
                    line=dict(color=_color(i), width=2.5, dash=dash),
                    hovertemplate="%{y:.3g}<extra>" + name + "</extra>",
                )
            )
    layout = dict(
        xaxis=dict(title=dict(text=labels["steps"]), range=[0, r.total * 1.02]),
        yaxis=dict(type="log", title=dict(text=labels["grad_norm"]), exponentformat="power"),
        hovermode="closest",
    )
    return figure(traces, layout, height=380, title=labels["grad_title"])
