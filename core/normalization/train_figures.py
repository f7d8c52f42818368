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
PAIR = (("dash", "#7f7f7f"), ("solid", PALETTE[0]))  # (dash, colour) of the plain and the BN net of a sweep


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _finite(a: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(a), a, np.nan).astype(np.float32)


def _line(x, y, name: str, color: str, *, dash: str = "solid", axis: str = "y", fmt: str = ".3f", **extra) -> dict:
    """One curve: NaN/inf shown as gaps, the value and the curve's name on hover."""
    return dict(
        type="scatter",
        x=x,
        y=_finite(y),
        mode=extra.pop("mode", "lines"),
        name=name,
        line=dict(color=color, width=extra.pop("width", 2.5), dash=dash),
        yaxis=axis,
        hovertemplate=f"%{{y:{fmt}}}<extra>{name}</extra>",
        **extra,
    )


def _legend_below(layout: dict, height: int, rows: int) -> int:
    """Move the legend under the x-axis title (a half-width chart's legend would wrap over its title); returns
    the figure height grown by the legend's rows."""
    extra = 24 * rows
    layout["legend"] = dict(orientation="h", yanchor="top", y=-90 / (height - 120), x=0, xanchor="left")
    layout["margin"] = dict(l=60, r=20, t=60, b=70 + extra)
    return height + extra


def _loss_and_accuracy(labels: Mapping[str, str], acc: tuple[str, str], total: int) -> dict:
    """Two stacked panels over the steps: training loss (log scale) above, an accuracy below."""
    layout = stacked_axes(labels["steps"], [(labels["train_loss"], labels["loss_title"]), acc])
    layout["yaxis"]["type"] = "log"
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    layout["xaxis"]["range"] = [0, total * 1.02]
    return layout


# ---- learning-rate sweep ------------------------------------------------------------------------------


def sweep_accuracy(r, labels: Mapping[str, str]) -> go.Figure:
    """Final test accuracy against the learning rate, without and with BN; diverged runs as ✕ on the axis."""
    traces, marked = [], False
    lrs = r.lrs.astype(np.float32)
    for i, (key, (dash, color)) in enumerate(zip(("plain", "bn"), PAIR)):
        name = labels[f"net_{key}"]
        traces.append(_line(lrs, r.test_acc[-1, i], name, color, dash=dash, fmt=".1%", mode="lines+markers", width=3))
        bad = r.diverged[i] >= 0
        if bad.any():
            traces.append(
                dict(
                    type="scatter",
                    x=lrs[bad],
                    y=np.zeros(int(bad.sum()), np.float32),
                    mode="markers+text",
                    name=labels["diverged"],
                    marker=dict(symbol="x", size=14, color=RED),
                    text=[labels["diverged_at"].format(step=int(s)) for s in r.diverged[i][bad]],
                    textposition="top left",
                    hovertemplate="η = %{x:g}: %{text}<extra>" + name + "</extra>",
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
    traces = [
        _line(r.steps, r.loss[:, i, j], f"η = {lr:g}, {labels['net_' + key]}", _color(j), dash=dash, width=2)
        for j, lr in enumerate(r.lrs)
        for i, (key, (dash, _)) in enumerate(zip(("plain", "bn"), PAIR))
    ]
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
    colors = [KIND_COLORS[k] for k in kinds]
    traces = []
    for acc, mode, extra in (
        (r.acc_eval[-1], labels["mode_eval"], {}),
        (r.acc_train[-1], labels["mode_train"].format(b=r.batch), {"opacity": 0.6}),
    ):
        traces.append(
            dict(
                type="bar",
                x=names,
                y=_finite(acc),
                name=mode,
                marker=dict(color=colors, pattern=dict(shape="/" if extra else "")),
                text=[f"{a:.1%}" if np.isfinite(a) else "—" for a in acc],
                textposition="outside",
                hovertemplate="%{y:.1%}<extra>" + mode + "</extra>",
                **extra,
            )
        )
    layout = dict(
        barmode="group",
        yaxis=dict(title=dict(text=labels["test_acc"]), range=[0, 1.12], tickformat=".0%"),
        hovermode="closest",
    )
    height = _legend_below(layout, 400, 2)
    return figure(traces, layout, height=height, title=labels["batch_title"].format(b=r.batch, steps=r.done))


def batch_curves(r, labels: Mapping[str, str], kinds: tuple[str, ...]) -> go.Figure:
    """Training loss (top) and eval-mode test accuracy (bottom) over the steps; BN's training-mode accuracy dotted."""
    traces = []
    for i, k in enumerate(kinds):
        name, color = labels[f"kind_{k}"], KIND_COLORS[k]
        traces.append(_line(r.steps, r.loss[:, i], name, color, legendgroup=k, width=2))
        acc = _line(r.evals, r.acc_eval[:, i], name, color, axis="y2", fmt=".1%", mode="lines+markers")
        traces.append({**acc, "legendgroup": k, "showlegend": False})
    name = f"{labels['kind_bn']} · {labels['mode_train'].format(b=r.batch)}"
    bn = r.acc_train[:, kinds.index("bn")]
    traces.append(_line(r.evals, bn, name, KIND_COLORS["bn"], dash="dot", axis="y2", fmt=".1%", mode="lines+markers"))
    layout = _loss_and_accuracy(labels, (labels["test_acc"], labels["acc_title"]), r.total)
    return figure(traces, layout, height=_legend_below(layout, 480, 3))


def batch_mismatch(r, labels: Mapping[str, str], bins: np.ndarray) -> go.Figure:
    """Left: BN's first normalized values x̂ on the test digits in training mode (batches of B) and in eval mode.
    Right: per BN layer, the standard deviation of x̂ in eval mode on the training digits (1 if the running
    statistics matched what the network computes)."""
    centres = ((bins[:-1] + bins[1:]) / 2).astype(np.float32)
    layers = np.arange(1, len(r.xhat_std) + 1)
    bars = [
        dict(
            type="bar",
            x=centres,
            y=share,
            name=name,
            marker=dict(color=color),
            opacity=0.65,
            hovertemplate="x̂ ≈ %{x:.1f}: %{y:.1%}<extra></extra>",
        )
        for share, name, color in (
            (r.hist_train, labels["mode_train"].format(b=r.batch), PALETTE[0]),
            (r.hist_eval, labels["mode_eval"], PALETTE[1]),
        )
    ]
    std = _line(layers, r.xhat_std, labels["eval_std"], RED, axis="y2", fmt=".2f", mode="lines+markers", width=3)
    ideal = _line(np.array([0.8, len(layers) + 0.2]), np.ones(2), labels["matched"], "#444", dash="dot", axis="y2")
    traces = bars + [
        {**std, "xaxis": "x2"},
        {**ideal, "xaxis": "x2", "hoverinfo": "skip", "line": {**ideal["line"], "width": 1}},
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


def _depth_names(r, labels: Mapping[str, str]):
    """(depth index, net index, name, colour, dash) of every model: one colour per depth, plain dashed."""
    for i, d in enumerate(r.depths):
        for j, (key, dash) in enumerate((("plain", "dash"), ("res", "solid"))):
            yield i, j, labels["depth_net"].format(depth=d, net=labels[f"depth_{key}"]), _color(i), dash


def depth_curves(r, labels: Mapping[str, str]) -> go.Figure:
    """He et al.'s Figure 1 in miniature: training loss (top) and training accuracy (bottom) over the steps,
    one colour per depth, plain dashed, residual solid."""
    traces = []
    for i, j, name, color, dash in _depth_names(r, labels):
        traces.append(_line(r.steps, r.loss[:, i, j], name, color, dash=dash, legendgroup=name))
        acc = _line(r.evals, r.train_acc[:, i, j], name, color, dash=dash, axis="y2", fmt=".1%", mode="lines+markers")
        traces.append({**acc, "legendgroup": name, "showlegend": False})
    layout = _loss_and_accuracy(labels, (labels["train_acc"], labels["train_acc"]), r.total)
    return figure(traces, layout, height=460, title=labels["depth_title"].format(steps=r.done))


def depth_gradients(r, labels: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂W_0‖ over the steps (log scale): how much gradient reaches the first layer."""
    traces = [
        _line(r.steps, r.grad[:, i, j], name, color, dash=dash, fmt=".3g")
        for i, j, name, color, dash in _depth_names(r, labels)
    ]
    layout = dict(
        xaxis=dict(title=dict(text=labels["steps"]), range=[0, r.total * 1.02]),
        yaxis=dict(type="log", title=dict(text=labels["grad_norm"]), exponentformat="power"),
        hovermode="closest",
    )
    return figure(traces, layout, height=380, title=labels["grad_title"])
