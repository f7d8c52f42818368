"""Figures for the 2-D classifier trainer: decision regions with a replay slider, loss/accuracy curves,
per-unit response maps, and the dead-unit share over the steps.

Decision regions are one float32 heatmap: z = (k + c) / K where k is the most likely class and
c = (p_max − 1/K) / (1 − 1/K) ∈ [0, 1] its confidence, on a colour scale with one band per class
(pale = unsure, strong = sure). A finished run carries Plotly frames (one per snapshot) and a slider,
so scrubbing through training happens in the browser without a server round trip.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import color_for, figure, stacked_axes

CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
GREY = "#7f7f7f"
LEFT, RIGHT = 0.42, 0.6  # the decision map's share of the width, and where the curves start: room between for
# the curves' axis labels in the narrow column beside the controls


def _mix(color: str, white: float) -> str:
    """`color` (#rrggbb) mixed with a share `white` of white."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "rgb({},{},{})".format(*(round(c + (255 - c) * white) for c in rgb))


def class_scale(k: int) -> list:
    """One band per class on [0, 1]: pale at the band's start (unsure), stronger at its end (sure)."""
    scale = []
    for i in range(k):
        scale += [[i / k, _mix(CLASS_COLORS[i], 0.92)], [(i + 1) / k, _mix(CLASS_COLORS[i], 0.35)]]
    return scale


def region_z(probs: np.ndarray) -> np.ndarray:
    """(G, G, K) probabilities -> (G, G) float32 heatmap values (NaN stays NaN)."""
    k = probs.shape[-1]
    conf = (probs.max(-1) - 1 / k) / (1 - 1 / k)
    return ((probs.argmax(-1) + np.clip(conf, 0, 0.999)) / k).astype(np.float32)


def _line_in_square(w: np.ndarray, b: float, e: float) -> tuple[list, list]:
    """End points of {x : w·x + b = 0} inside [-e, e]² (empty if it misses the square)."""
    pts = []
    for fixed in (-e, e):
        if abs(w[1]) > 1e-12:  # x₁ = fixed, solve for x₂
            x2 = -(w[0] * fixed + b) / w[1]
            if -e <= x2 <= e:
                pts.append((fixed, x2))
        if abs(w[0]) > 1e-12:  # x₂ = fixed, solve for x₁
            x1 = -(w[1] * fixed + b) / w[0]
            if -e <= x1 <= e:
                pts.append((x1, fixed))
    if len(pts) < 2:
        return [], []
    pts = sorted(set(pts))
    return [pts[0][0], pts[-1][0]], [pts[0][1], pts[-1][1]]


def _points(r, labels: Mapping[str, str], classes: tuple[str, ...]) -> list[dict]:
    """Train points (●, white rim) and test points (◆, black rim), one trace per class and split."""
    x_tr, y_tr, x_te, y_te = r.points
    out = []
    for i in range(r.classes):
        mark = dict(color=CLASS_COLORS[i], line=dict(color="white", width=1.2))
        for x, y, key, style in (
            (x_tr, y_tr, "train_points", dict(size=7)),
            (x_te, y_te, "test_points", dict(size=8, symbol="diamond", line=dict(color="black", width=1))),
        ):
            out.append(
                dict(
                    type="scatter",
                    mode="markers",
                    x=x[y == i, 0],
                    y=x[y == i, 1],
                    xaxis="x",
                    yaxis="y",
                    name=labels[key].format(cls=classes[i]),
                    marker={**mark, **style},
                    hovertemplate="(%{x:.2f}, %{y:.2f})",
                )
            )
    return out


def _curves(c, labels: Mapping[str, str]) -> list[dict]:
    """Loss (top right) and accuracy (bottom right) against the step, with the reference levels."""
    r, steps, out = c.run, c.run.eval_steps.astype(np.float32), []
    for key, y, panel, dash in (
        ("train_loss", r.train_loss, "2", "solid"),
        ("test_loss", r.test_loss, "2", "dash"),
        ("train_acc", r.train_acc, "3", "solid"),
        ("test_acc", r.test_acc, "3", "dash"),
    ):
        color = CLASS_COLORS[0] if key.startswith("train") else "#d62728"
        out.append(
            dict(
                type="scatter",
                mode="lines",
                x=steps,
                y=y,
                name=labels[key],
                xaxis="x" + panel,
                yaxis="y" + panel,
                line=dict(color=color, dash=dash, width=2),
                hovertemplate="%{y:.3f}",
            )
        )
    for key, value in (("chance", c.chance), ("linear", (c.linear or {}).get("test_acc"))):
        if value is not None:
            out.append(
                dict(
                    type="scatter",
                    mode="lines",
                    x=[0, r.config.steps],
                    y=[value, value],
                    xaxis="x3",
                    yaxis="y3",
                    name=labels[key].format(acc=f"{value:.0%}"),
                    line=dict(color=GREY if key == "chance" else "black", dash="dot", width=1.5),
                )
            )
    return out


def _replay(r, first: int, title, labels: Mapping[str, str]) -> tuple[list[dict], dict]:
    """Frames (regions + the two step markers, traces `first`, `first + 1`) and the slider and ▶ button."""
    rows = np.searchsorted(r.eval_steps, r.snap_steps)
    frames = [
        dict(
            name=str(i),
            traces=[0, first, first + 1],
            layout=dict(title=dict(text=title(i))),
            data=[
                dict(type="heatmap", z=region_z(r.probs[i])),
                dict(type="scatter", x=[float(s)], y=[float(r.test_loss[rows[i]])]),
                dict(type="scatter", x=[float(s)], y=[float(r.test_acc[rows[i]])]),
            ],
        )
        for i, s in enumerate(r.snap_steps)
    ]
    now = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    slider = dict(
        active=len(frames) - 1,
        x=0,
        len=LEFT,
        y=-0.06,
        yanchor="top",
        pad=dict(t=30),
        currentvalue=dict(prefix=labels["replay"] + " "),
        steps=[dict(method="animate", label=str(int(s)), args=[[str(i)], now]) for i, s in enumerate(r.snap_steps)],
    )
    play = dict(
        type="buttons",
        showactive=False,
        x=RIGHT,
        y=-0.08,
        xanchor="left",
        yanchor="top",
        buttons=[
            dict(
                label=labels["play"],
                method="animate",
                args=[None, dict(now, frame=dict(duration=120, redraw=True), fromcurrent=False)],
            )
        ],
    )
    return frames, dict(sliders=[slider], updatemenus=[play])


def training(c, labels: Mapping[str, str], classes: tuple[str, ...], done: bool) -> go.Figure:
    """c: nonlinearity.Classifier. Left: decision regions with train (●) and test (◆) points; right:
    loss and accuracy against the step. With `done`, frames + a slider replay every snapshot."""
    r = c.run
    k, e, last = r.classes, r.extent, len(r.snap_steps) - 1
    rows = np.searchsorted(r.eval_steps, r.snap_steps)  # eval row of each snapshot

    def title(i: int) -> str:
        return labels["title_step"].format(
            step=int(r.snap_steps[i]),
            steps=r.config.steps,
            train=f"{r.train_acc[rows[i]]:.0%}",
            test=f"{r.test_acc[rows[i]]:.0%}",
        )

    traces = [
        dict(
            type="heatmap",
            x=r.axis,
            y=r.axis,
            z=region_z(r.probs[last]),
            colorscale=class_scale(k),
            zmin=0,
            zmax=1,
            showscale=False,
            hoverinfo="skip",
            xaxis="x",
            yaxis="y",
        )
    ]
    traces += _points(r, labels, classes)
    if c.w_eff is not None and k == 2:  # identity net: its one straight boundary, from W_eff
        lx, ly = _line_in_square(c.w_eff[1] - c.w_eff[0], float(c.b_eff[1] - c.b_eff[0]), e)
        traces.append(
            dict(
                type="scatter",
                mode="lines",
                x=lx,
                y=ly,
                xaxis="x",
                yaxis="y",
                name=labels["linear_line"],
                line=dict(color="black", dash="dash", width=2),
                hoverinfo="skip",
            )
        )
    traces += _curves(c, labels)
    first_marker = len(traces)
    marker = dict(color="black", size=10, symbol="line-ns-open", line=dict(width=3))
    traces += [
        dict(
            type="scatter",
            mode="markers",
            x=[float(r.snap_steps[last])],
            y=[float(y[rows[last]])],
            xaxis=ax,
            yaxis=ay,
            marker=marker,
            showlegend=False,
            hoverinfo="skip",
        )
        for ax, ay, y in (("x2", "y2", r.test_loss), ("x3", "y3", r.test_acc))
    ]
    plain = dict(showgrid=False, zeroline=False)
    layout = dict(
        xaxis=dict(domain=[0, LEFT], range=[-e, e], title=dict(text=labels["x1"]), **plain),
        yaxis=dict(
            domain=[0, 1], range=[-e, e], title=dict(text=labels["x2"]), scaleanchor="x", constrain="domain", **plain
        ),
        xaxis2=dict(domain=[RIGHT, 1], anchor="y2", matches="x3", showticklabels=False),
        yaxis2=dict(domain=[0.56, 1], anchor="x2", title=dict(text=labels["loss"]), rangemode="tozero"),
        xaxis3=dict(domain=[RIGHT, 1], anchor="y3", title=dict(text=labels["step"])),
        yaxis3=dict(domain=[0, 0.44], anchor="x3", title=dict(text=labels["acc"]), range=[0, 1.02], tickformat=".0%"),
        title=dict(text=title(last)),
        hovermode="closest",
        margin=dict(l=60, r=20, t=60, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.12 if not done else -0.42, x=0),
    )
    frames = []
    if done and last > 0:
        frames, controls = _replay(r, first_marker, title, labels)
        layout |= controls
    fig = figure(traces, layout, height=470 if not done else 550, uirevision=f"{r.config.steps}:{k}:{e}")
    if frames:
        fig.frames = frames
    return fig


def units(r, layer: int, labels: Mapping[str, str]) -> go.Figure:
    """r: trainer.TrainResult. One small map per unit of hidden layer `layer` (1-based): the unit's output
    h(x) over the plane, on one colour range for the whole layer; dead units are named in grey."""
    maps = r.units[layer - 1]  # (H, U, U)
    h = len(maps)
    cols = min(h, 8)
    rows = -(-h // cols)
    finite = np.abs(maps[np.isfinite(maps)])  # a diverged run may hold inf/NaN: scale on what is finite
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    gap, vgap = 0.02, 0.3 / rows  # vgap leaves room for each map's title
    w, hh = (1 - gap * (cols - 1)) / cols, (1 - vgap * (rows - 1)) / rows
    span = lambda a, b: [round(max(0.0, a), 6), round(min(1.0, b), 6)]
    traces, layout, notes = [], {}, []
    for i in range(h):
        row, col = divmod(i, cols)
        x0, y1 = col * (w + gap), 1 - row * (hh + vgap)
        ax = "" if i == 0 else str(i + 1)
        traces.append(
            dict(
                type="heatmap",
                x=r.unit_axis,
                y=r.unit_axis,
                z=maps[i],
                zmin=-top,
                zmax=top,
                zmid=0,
                colorscale="RdBu",
                reversescale=True,
                showscale=i == 0,
                xaxis=f"x{ax}",
                yaxis=f"y{ax}",
                colorbar=dict(
                    title=dict(text=labels["unit_out"]), len=1, thickness=14, y=0.5, yanchor="middle", yref="paper"
                ),
                hovertemplate="%{z:.3f}",
            )
        )
        off = dict(showticklabels=False, showgrid=False, zeroline=False, ticks="")
        layout[f"xaxis{ax}"] = dict(domain=span(x0, x0 + w), anchor=f"y{ax}", **off)
        layout[f"yaxis{ax}"] = dict(
            domain=span(y1 - hh, y1), anchor=f"x{ax}", scaleanchor=f"x{ax}", constrain="domain", **off
        )
        dead = bool(r.dead_units[layer - 1, i])
        notes.append(
            dict(
                text=labels["unit_dead" if dead else "unit"].format(i=i + 1),
                x=x0 + w / 2,
                y=y1,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(color=GREY if dead else "black", size=11),
            )
        )
    layout["annotations"] = notes
    layout["hovermode"] = "closest"
    return figure(
        traces,
        layout,
        height=90 + rows * (130 if cols >= 6 else 190),
        title=labels["units_title"].format(layer=layer),
        uirevision=f"units:{layer}:{h}",
    )


def dead(res, labels: Mapping[str, str], names: Mapping[str, str], order: tuple[str, ...]) -> go.Figure:
    """res: dead_relu.DeadResult. Top: share of dead hidden units against the step (solid) and, for the
    functions that cannot die, the share with z ≤ 0 everywhere (dotted); bottom: test accuracy."""
    traces = []
    for key, act, lr, r in zip(res.keys, res.acts, res.lrs, res.runs):
        color = GREY if key == "relu_ref" else color_for(act, order)
        name = names[act] + " · " + labels["lr"].format(lr=f"{lr:g}")
        steps = r.eval_steps.astype(np.float32)
        line = dict(color=color, width=2.5, dash="dash" if key == "relu_ref" else "solid")
        traces += [
            dict(
                type="scatter",
                mode="lines",
                x=steps,
                y=r.dead.mean(1),
                name=name,
                legendgroup=key,
                line=line,
                hovertemplate="%{y:.0%}",
                xaxis="x",
                yaxis="y",
            ),
            dict(
                type="scatter",
                mode="lines",
                x=steps,
                y=r.test_acc,
                name=name,
                legendgroup=key,
                line=line,
                showlegend=False,
                hovertemplate="%{y:.0%}",
                xaxis="x",
                yaxis="y2",
            ),
        ]
        if act != "relu":
            traces.append(
                dict(
                    type="scatter",
                    mode="lines",
                    x=steps,
                    y=r.negative.mean(1),
                    legendgroup=key,
                    name=labels["negative"].format(name=names[act]),
                    xaxis="x",
                    yaxis="y",
                    line=dict(color=color, width=1.5, dash="dot"),
                    hovertemplate="%{y:.0%}",
                )
            )
        if r.diverged_at is not None:
            finite = np.isfinite(r.test_acc)
            y = float(r.test_acc[finite][-1]) if finite.any() else 0.5
            traces.append(
                dict(
                    type="scatter",
                    mode="markers+text",
                    x=[float(r.diverged_at)],
                    y=[y],
                    xaxis="x",
                    yaxis="y2",
                    legendgroup=key,
                    showlegend=False,
                    text=[labels["diverged"]],
                    textposition="top center",
                    marker=dict(symbol="x", size=14, color=color),
                    hoverinfo="skip",
                )
            )
    layout = stacked_axes(
        labels["step"], [(labels["dead_axis"], labels["dead_title"]), (labels["acc"], labels["acc_title"])]
    )
    layout["yaxis"] |= dict(range=[-0.02, 1.02], tickformat=".0%")
    layout["yaxis2"] |= dict(range=[0, 1.02], tickformat=".0%")
    layout["legend"] = dict(orientation="h", yanchor="top", y=-0.14, x=0)
    return figure(traces, layout, height=480, uirevision="dead")
