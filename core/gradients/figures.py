"""Figures of the gradient page: per-layer norms (log), forward statistics, ridge histograms across
depth, training curves with NaN marks, a layer × step heatmap, a replay of the per-layer profile
(Plotly frames), and gradients through time for RNN / LSTM / GRU.

All built from plain dicts (see core.style.figure); values that a log axis cannot show
(0 after an underflow, inf, NaN) become gaps, and the page says in words where they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.style import PALETTE, figure, log_axis, stacked_axes

COLORS = {"a": PALETTE[0], "b": PALETTE[1]}
CELL_COLORS = {"rnn": PALETTE[2], "lstm": PALETTE[4], "gru": PALETTE[5]}
RIDGES = 24  # most histograms drawn in one ridge plot
HEAT_COLUMNS = 200  # most steps drawn in a heatmap
FRAMES = 20  # snapshots in the replay
NORMS_HEIGHT, TRAIN_HEIGHT = 520, 540  # px: beside the controls, each fits one 1280×720 screen under its heading
ABOVE = dict(
    legend=dict(orientation="h", yanchor="bottom", y=1.06, xanchor="left", x=0), margin=dict(l=60, r=20, t=120, b=50)
)  # a legend of several rows above the first panel's title


def _two_panels(x, top, bottom, name: str, group: str, line: dict, hover: tuple[str, str]) -> list[dict]:
    """One configuration's line in the upper panel (y) and the lower one (y2), one legend entry for both."""
    common = dict(type="scatter", x=x, name=name, legendgroup=group, mode="lines+markers", line=line)
    return [
        dict(common, y=top, marker=dict(size=5), hovertemplate=hover[0], xaxis="x", yaxis="y"),
        dict(common, y=bottom, showlegend=False, marker=dict(size=5), hovertemplate=hover[1], xaxis="x", yaxis="y2"),
    ]


def positive(v: np.ndarray) -> np.ndarray:
    """float32 copy where values a log axis cannot show (≤ 0, inf, NaN) are NaN (a gap)."""
    v = np.asarray(v, dtype=np.float32)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan).astype(np.float32)


def _layers(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int32)


def sigmoid_bound(p) -> np.ndarray:
    """The ceiling σ′ ≤ 1/4 puts on the mean-field factor, from the top layer down:
    ‖∂L/∂h_L‖ · (¼ · √(n·Var W))^(L − l)."""
    L = len(p.act_grad)
    with np.errstate(under="ignore", over="ignore"):
        return float(p.act_grad[-1]) * (p.max_slope * p.gain) ** np.arange(L - 1, -1, -1, dtype=np.float64)


def first_nonfinite_layer(p) -> int | None:
    """The first layer (1-based) whose activations hold inf/NaN: where the forward pass blew up."""
    bad = np.flatnonzero(~(np.isfinite(p.mean) & np.isfinite(p.std)))
    return int(bad[0]) + 1 if len(bad) else None


def norms(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂h_l‖ (top) and ‖∂L/∂W_l‖ (bottom) against the layer, both configurations, log scale;
    the mean-field prediction dotted on top where the net is plain. res: gradients.NetResult."""
    traces = []
    for k, p in (("a", res.a), ("b", res.b)):
        x, line = _layers(len(p.act_grad)), dict(color=COLORS[k], width=2.5)
        traces += _two_panels(x, positive(p.act_grad), positive(p.weight_grad), names[k], k, line, ("%{y:.3e}",) * 2)
        if np.isfinite(p.theory).any():
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=positive(p.theory),
                    legendgroup=k,
                    name=labels["theory"].format(name=names[k]),
                    mode="lines",
                    line=dict(color=COLORS[k], width=2, dash="dot"),
                    hovertemplate="%{y:.3e}",
                    xaxis="x",
                    yaxis="y",
                )
            )
        if p.net.act == "sigmoid" and p.net.plain and np.isfinite(p.act_grad[-1]):
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=positive(sigmoid_bound(p)),
                    legendgroup=k,
                    mode="lines",
                    name=labels["bound"].format(name=names[k], factor=f"{p.max_slope * p.gain:.3g}"),
                    line=dict(color=COLORS[k], width=1.5, dash="dash"),
                    hovertemplate="%{y:.3e}",
                    xaxis="x",
                    yaxis="y",
                )
            )
    layout = stacked_axes(
        labels["layer"],
        [(labels["act_grad"], labels["act_grad_title"]), (labels["weight_grad"], labels["weight_grad_title"])],
        gap=0.14,
    )
    layout["yaxis"].update(log_axis(*(t["y"] for t in traces if t["yaxis"] == "y")))
    layout["yaxis2"].update(log_axis(*(t["y"] for t in traces if t["yaxis"] == "y2")))
    layout["xaxis"].update(range=[0.5, len(res.a.act_grad) + 0.5])
    shapes = []
    for i, (k, p) in enumerate((("a", res.a), ("b", res.b))):
        layer = first_nonfinite_layer(p)
        if layer is None:
            continue
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=layer,
                x1=layer,
                y0=0,
                y1=1,
                line=dict(color=COLORS[k], dash="dash", width=2),
            )
        )
        layout["annotations"].append(
            dict(
                x=layer,
                y=0.98 - 0.05 * i,
                xref="x",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                font=dict(color=COLORS[k]),
                bgcolor="rgba(255,255,255,0.8)",
                text=labels["blowup_at"].format(name=names[k], layer=layer),
            )
        )
    layout["shapes"] = shapes
    layout.update(ABOVE)  # up to six legend entries: keep them clear of the top panel's title
    return figure(traces, layout, height=NORMS_HEIGHT, uirevision="norms")


def forward_stats(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Mean (top, linear) and standard deviation (bottom, log) of each layer's activations h_l."""
    traces = []
    for k, p in (("a", res.a), ("b", res.b)):
        x, line = _layers(len(p.mean)), dict(color=COLORS[k], width=2.5)
        mean = np.where(np.isfinite(p.mean), p.mean, np.nan).astype(np.float32)
        traces += _two_panels(x, mean, positive(p.std), names[k], k, line, ("%{y:.3g}", "%{y:.3e}"))
    layout = stacked_axes(
        labels["layer"], [(labels["mean"], labels["mean_title"]), (labels["std"], labels["std_title"])], gap=0.14
    )
    layout["yaxis2"].update(log_axis(res.a.std, res.b.std))
    layout.update(ABOVE)  # long configuration names wrap the legend: keep it clear of the top panel's title
    return figure(traces, layout, height=560, uirevision="forward")


def ridge(p, labels: Mapping[str, str], name: str, color: str) -> go.Figure:
    """Histograms of h_l for up to RIDGES layers, one ridge per layer (layer 1 at the bottom). p: grad_net.Probe."""
    L = len(p.hist)
    shown = np.unique(np.linspace(0, L - 1, min(L, RIDGES)).round().astype(int))
    centers = ((p.edges[:-1] + p.edges[1:]) / 2).astype(np.float32)
    share = np.sqrt(p.hist[shown])  # √share: a spike (ReLU's zeros) does not flatten every other bin
    peak = float(share.max()) or 1.0
    height = 1.6 * (shown[1] - shown[0] if len(shown) > 1 else 1)  # ridges overlap their neighbours a little
    base = (shown + 1).astype(np.float32)[:, None]  # (R, 1)
    n, nan = len(shown), np.full((len(shown), 1), np.nan, dtype=np.float32)
    # one closed polygon per ridge: (first edge, base) → the curve → (last edge, base), then a gap
    xs = np.hstack([np.full((n, 1), centers[0]), np.tile(centers, (n, 1)), np.full((n, 1), centers[-1]), nan])
    ys = np.hstack([base, base + height * share / peak, base, nan])
    fill = dict(
        type="scatter",
        x=xs.ravel().astype(np.float32),
        y=ys.ravel().astype(np.float32),
        mode="lines",
        fill="toself",
        line=dict(color=color, width=1),
        opacity=0.75,
        name=name,
        hoverinfo="skip",
        showlegend=False,
    )
    layout = dict(
        xaxis=dict(title=dict(text=labels["value"])),
        yaxis=dict(title=dict(text=labels["layer"]), zeroline=False),
        hovermode=False,
        margin=dict(l=60, r=20, t=50, b=50),
    )
    return figure([fill], layout, height=520, title=labels["ridge_title"].format(name=name), uirevision="ridge")


# ---- training ---------------------------------------------------------------------------------------------


def _nan_marks(res, names: Mapping[str, str], labels: Mapping[str, str], yref: str = "paper"):
    shapes, notes = [], []
    for i, (k, step) in enumerate(zip("ab", res.nan_step)):
        if step is None:
            continue
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref=yref,
                x0=step,
                x1=step,
                y0=0,
                y1=1,
                line=dict(color=COLORS[k], dash="dash", width=2),
            )
        )
        notes.append(
            dict(
                x=step,
                y=1 - 0.06 * i,
                xref="x",
                yref=yref,
                showarrow=False,
                xanchor="left",
                text=labels["nan_at"].format(name=names[k], step=step),
                font=dict(color=COLORS[k]),
                bgcolor="rgba(255,255,255,0.8)",
            )
        )
    return shapes, notes


def training(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Loss per step, test accuracy per chunk, and the total gradient norm per step (before and after
    clipping) for both nets; a dashed vertical line where a net produced inf/NaN. res: TrainResult."""
    steps = np.arange(1, res.steps + 1, dtype=np.int32)
    traces = []
    for i, k in enumerate("ab"):
        line = dict(color=COLORS[k], width=2)
        loss = np.where(np.isfinite(res.loss[:, i]), res.loss[:, i], np.nan).astype(np.float32)
        traces += [
            dict(
                type="scatter",
                x=steps,
                y=loss,
                name=names[k],
                legendgroup=k,
                line=line,
                hovertemplate="%{y:.4g}",
                xaxis="x",
                yaxis="y",
            ),
            dict(
                type="scatter",
                x=res.eval_steps,
                y=res.test_acc[:, i],
                name=names[k],
                legendgroup=k,
                showlegend=False,
                mode="lines+markers",
                line=line,
                hovertemplate="%{y:.1%}",
                xaxis="x",
                yaxis="y2",
            ),
            dict(
                type="scatter",
                x=steps,
                y=positive(res.grad_norm[:, i]),
                name=names[k],
                legendgroup=k,
                showlegend=False,
                line=line,
                hovertemplate="%{y:.3e}",
                xaxis="x",
                yaxis="y3",
            ),
        ]
        if res.clip != "none":
            traces.append(
                dict(
                    type="scatter",
                    x=steps,
                    y=positive(res.applied_norm[:, i]),
                    legendgroup=k,
                    name=labels["applied"].format(name=names[k]),
                    line=dict(color=COLORS[k], dash="dot"),
                    hovertemplate="%{y:.3e}",
                    xaxis="x",
                    yaxis="y3",
                )
            )
    layout = stacked_axes(
        labels["step"],
        [
            (labels["loss"], labels["loss_title"]),
            (labels["accuracy"], labels["accuracy_title"]),
            (labels["grad_norm"], labels["grad_norm_title"]),
        ],
        gap=0.09,
    )
    layout["yaxis2"].update(range=[0, 1], tickformat=".0%")
    layout["yaxis3"].update(log_axis(*(t["y"] for t in traces if t["yaxis"] == "y3")))
    layout["xaxis"].update(range=[0, res.steps + 1])
    shapes, notes = _nan_marks(res, names, labels)
    if res.clip == "norm":  # the threshold every step's applied norm stays under
        shapes.append(
            dict(
                type="line",
                xref="x domain",
                yref="y3",
                x0=0,
                x1=1,
                y0=res.clip_at,
                y1=res.clip_at,
                line=dict(color="gray", dash="dash", width=1.5),
            )
        )
    layout["shapes"] = shapes
    layout["annotations"] += notes
    layout.update(ABOVE)
    return figure(traces, layout, height=TRAIN_HEIGHT, uirevision="training")


def heat_range(res) -> tuple[float, float]:
    """A colour range shared by both heatmaps: log₁₀ of the finite positive norms, at most 12 decades."""
    logs = np.log10(positive(res.layer_grad))
    finite = logs[np.isfinite(logs)]
    if finite.size == 0:
        return -1.0, 1.0
    hi = float(finite.max())
    return max(float(finite.min()), hi - 12.0), hi


def heatmap(res, k: str, labels: Mapping[str, str], name: str, zrange: tuple[float, float]) -> go.Figure:
    """log₁₀ ‖∂L/∂W_l‖ per layer (rows, layer 1 at the bottom) and step (columns, at most HEAT_COLUMNS)."""
    i = "ab".index(k)
    stride = max(1, int(np.ceil(res.steps / HEAT_COLUMNS)))
    cols = np.arange(0, res.steps, stride)
    z = np.log10(positive(res.layer_grad[i, cols])).T.astype(np.float32)  # (L, columns)
    trace = dict(
        type="heatmap",
        x=(cols + 1).astype(np.int32),
        y=_layers(z.shape[0]),
        z=z,
        zmin=zrange[0],
        zmax=zrange[1],
        colorscale="Viridis",
        colorbar=dict(title=dict(text=labels["heat_color"])),
        hovertemplate=labels["heat_hover"],
    )
    layout = dict(
        xaxis=dict(title=dict(text=labels["step"]), range=[0.5, res.steps + 0.5]),
        yaxis=dict(title=dict(text=labels["layer"])),
        hovermode="closest",
    )
    step = res.nan_step[i]
    if step is not None:
        layout["shapes"] = [
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=step,
                x1=step,
                y0=0,
                y1=1,
                line=dict(color="red", dash="dash", width=2),
            )
        ]
        layout["annotations"] = [
            dict(
                x=step,
                y=1,
                xref="x",
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=labels["nan_at"].format(name=name, step=step),
                font=dict(color="red"),
            )
        ]
    return figure([trace], layout, height=420, title=labels["heat_title"].format(name=name), uirevision="heat")


def replay(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """‖∂L/∂W_l‖ against the layer at FRAMES snapshots of the finished run, played client-side."""
    L = res.layer_grad.shape[2]
    snaps = np.unique(np.linspace(0, res.done - 1, min(FRAMES, res.done)).round().astype(int))
    x = _layers(L)

    def data(s):
        return [
            dict(
                type="scatter",
                x=x,
                y=positive(res.layer_grad[i, s]),
                name=names[k],
                mode="lines+markers",
                line=dict(color=COLORS[k], width=2.5),
                hovertemplate="%{y:.3e}",
            )
            for i, k in enumerate("ab")
        ]

    frames = [dict(name=str(s + 1), data=data(s)) for s in snaps]
    logs = np.log10(positive(res.layer_grad[:, snaps]))
    finite = logs[np.isfinite(logs)]
    yr = [float(finite.min()) - 0.3, float(finite.max()) + 0.3] if finite.size else [-1, 1]
    slider = dict(
        active=len(snaps) - 1,
        currentvalue=dict(prefix=labels["replay_step"]),
        x=0.12,
        len=0.88,
        y=0,
        yanchor="top",
        pad=dict(t=60),
        steps=[
            dict(
                label=str(s + 1),
                method="animate",
                args=[
                    [str(s + 1)],
                    dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0)),
                ],
            )
            for s in snaps
        ],
    )
    play = dict(
        type="buttons",
        showactive=False,
        x=0.1,
        y=0,
        xanchor="right",
        yanchor="top",
        pad=dict(t=75, r=10),
        buttons=[
            dict(
                label=labels["play"],
                method="animate",
                args=[None, dict(frame=dict(duration=250, redraw=True), fromcurrent=True, transition=dict(duration=0))],
            )
        ],
    )
    layout = dict(
        xaxis=dict(title=dict(text=labels["layer"])),
        yaxis=dict(title=dict(text=labels["weight_grad"]), type="log", range=yr, exponentformat="power"),
        sliders=[slider],
        updatemenus=[play],
        margin=dict(l=60, r=20, t=60, b=140),
    )
    fig = figure(data(snaps[-1]), layout, height=480, title=labels["replay_title"], uirevision="replay")
    fig.frames = frames  # plain dicts: validated when the figure is serialised
    return fig


# ---- through time -------------------------------------------------------------------------------------


def through_time(res, labels: Mapping[str, str], names: Mapping[str, str], cells: Sequence[str]) -> go.Figure:
    """‖∂L_T/∂h_t‖ / ‖∂L_T/∂h_T‖ against t for each cell (log), the LSTM's cell state dashed. res: ThroughTime."""
    t = np.arange(1, res.seq_len + 1, dtype=np.int32)
    traces = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, k in enumerate(cells):
            traces.append(
                dict(
                    type="scatter",
                    x=t,
                    y=positive(res.h[i] / res.h[i][-1]),
                    name=names[k],
                    line=dict(color=CELL_COLORS[k], width=2.5),
                    hovertemplate="%{y:.3e}",
                )
            )
        traces.append(
            dict(
                type="scatter",
                x=t,
                y=positive(res.c / res.c[-1]),
                name=labels["cell_state"],
                line=dict(color=CELL_COLORS["lstm"], width=2, dash="dash"),
                hovertemplate="%{y:.3e}",
            )
        )
    layout = dict(
        xaxis=dict(title=dict(text=labels["time"])),
        yaxis=dict(title=dict(text=labels["rel_grad"]), **log_axis(*(t["y"] for t in traces), [1e-6])),
        shapes=[
            dict(
                type="line",
                xref="x domain",
                yref="y",
                x0=0,
                x1=1,
                y0=1e-6,
                y1=1e-6,
                line=dict(color="gray", dash="dot", width=1.5),
            )
        ],
        annotations=[
            dict(
                x=0,
                y=-6,
                xref="x domain",
                yref="y",
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                text=labels["drop_line"],
            )
        ],
    )
    return figure(traces, layout, height=480, uirevision="rnn")
