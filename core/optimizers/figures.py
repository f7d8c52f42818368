"""Optimizer figures: paths on the landscape (with a client-side animation; a click on the map starts there),
an optional 3-D view, loss and distance curves, one optimizer's internals, and the network race.

Built from plain dicts (core.style.figure); arrays are float32 numpy. The landscape's colour is
log₁₀(f − f* + δ) so that valleys many decades deep keep their shape; its colour bar is labelled in f − f*.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import figure, stacked_axes

COLORS = {
    "sgd": "#e41a1c",
    "momentum": "#ff7f00",
    "nesterov": "#a65628",
    "adagrad": "#984ea3",
    "rmsprop": "#f781bf",
    "adam": "#1b9e77",
    "adamw": "#000000",
    "nadam": "#377eb8",
    "adadelta": "#7a7a7a",
}
LANDSCAPE = [[0.0, "#fff9e0"], [0.35, "#cfe3c8"], [0.7, "#8fb3cf"], [1.0, "#3d5a80"]]
COORD = ("#0072b2", "#d55e00")  # x and y coordinate in the internals figure
POINT_STYLE = {  # critical point kind -> marker
    "global": dict(symbol="star", size=16, color="#ffd700", line=dict(color="black", width=1)),
    "local": dict(symbol="circle", size=6, color="white", line=dict(color="black", width=1)),
    "saddle": dict(symbol="x", size=11, color="black"),
    "max": dict(symbol="triangle-up", size=11, color="white", line=dict(color="black", width=1)),
}
CLICK_CHART = "opt.landscape"  # the map's name for core/ui/click_chart.py: a click on it sets the start point
FRAMES = 60  # animation frames
MAX_POINTS = 1500  # points per drawn path (main start); other starts get a third of that
FLOOR = 1e-30  # f − f* below this is drawn at this value on log axes (0 cannot be shown on a log axis)


def colour_values(f: np.ndarray, fstar: float | None, log: bool) -> tuple[np.ndarray, dict]:
    """Landscape colour: log10(f − f* + δ), δ a millionth of the median height, or f itself; plus
    the colour bar's ticks (labelled in f − f*)."""
    if not log or fstar is None:
        return f.astype(np.float32), {}
    h = np.maximum(f - fstar, 0.0)
    delta = max(1e-12, 1e-6 * float(np.median(h)))
    z = np.log10(h + delta)
    lo, hi = int(np.floor(z.min())), int(np.ceil(z.max()))
    step = max(1, (hi - lo) // 8)
    ticks = list(range(lo, hi + 1, step))
    return z.astype(np.float32), dict(
        tickvals=ticks, ticktext=[f"1e{k}" if k not in (0, 1) else str(10**k) for k in ticks]
    )


def _thin(n: int, limit: int) -> np.ndarray:
    """Indices 0..n−1 thinned to at most `limit`, always keeping the last."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, limit).round().astype(int), n - 1])


def _finite_path(path: np.ndarray) -> np.ndarray:
    """The part of a (T+1, 2) path before it diverged (NaN from there on)."""
    ok = np.isfinite(path).all(-1)
    n = len(path) if ok.all() else int(np.argmin(ok))
    return path[:n]


def _last_inside(path: np.ndarray, box) -> int:
    inside = (path[:, 0] >= box[0]) & (path[:, 0] <= box[1]) & (path[:, 1] >= box[2]) & (path[:, 1] <= box[3])
    return int(np.flatnonzero(inside)[-1]) if inside.any() else 0


def landscape(
    res, grid: tuple[np.ndarray, np.ndarray, np.ndarray], labels: Mapping[str, str], names: Mapping[str, str]
) -> go.Figure:
    """Paths over the surface. grid: (xs, ys, f[i, j] = f(xs[j], ys[i])) over the plot box; hovering the map reads
    out f at the grid's nodes, and a click on it sets the start point (core/ui/click_chart.py)."""
    xs, ys, f = grid
    z, ticks = colour_values(f, res.fstar, res.log_colors)
    bar_title = labels["f_minus_fstar"] if ticks else labels["f"]
    traces = [
        dict(
            type="contour",
            x=xs.astype(np.float32),
            y=ys.astype(np.float32),
            z=z,
            colorscale=LANDSCAPE,
            ncontours=28,
            line=dict(width=0.5, color="rgba(60,60,60,0.35)"),
            # hovering reads out f; a click anywhere on the map starts there (core/ui/click_chart.py)
            customdata=f.astype(np.float32) if ticks else None,
            hovertemplate="x = %{x:.2f}, y = %{y:.2f}<br>f = %{"
            + ("customdata" if ticks else "z")
            + ":.4g}"
            + f"<extra>{labels['click']}</extra>",
            colorbar=dict(title=dict(text=bar_title, side="right"), len=0.8, thickness=14, **ticks),
            showlegend=False,
            name=labels["surface"],
        )
    ]
    for kind in POINT_STYLE:
        pts = [p for p in res.points if p.kind == kind]
        if pts:
            traces.append(
                dict(
                    type="scatter",
                    x=np.array([p.x for p in pts], np.float32),
                    y=np.array([p.y for p in pts], np.float32),
                    mode="markers",
                    marker=POINT_STYLE[kind],
                    name=labels[f"point_{kind}"],
                    hovertemplate=labels[f"point_{kind}"] + " (%{x:.4f}, %{y:.4f})<extra></extra>",
                )
            )
    n_start = len(res.starts)
    for o, kind in enumerate(res.kinds):
        color, group = COLORS[kind], kind
        for s in range(n_start):
            path = _finite_path(res.path[:, o, s])
            if np.isfinite(res.edge[o, s]).all():  # diverged: draw up to where it last left the plot, then the edge
                path = np.vstack([path[: _last_inside(path, res.box) + 1], res.edge[o, s][None].astype(np.float32)])
            keep = _thin(len(path), MAX_POINTS if s == 0 else MAX_POINTS // 3)
            pts = path[keep]
            few = s == 0 and len(path) <= 150
            traces.append(
                dict(
                    type="scatter",
                    x=pts[:, 0],
                    y=pts[:, 1],
                    mode="lines+markers" if few else "lines",
                    name=names[kind],
                    legendgroup=group,
                    showlegend=s == 0,
                    line=dict(color=color, width=2.5 if s == 0 else 1.2),
                    marker=dict(size=4, color=color),
                    opacity=1.0 if s == 0 else 0.7,
                    unselected=dict(marker=dict(opacity=1)),
                    customdata=keep.astype(np.float32),
                    hovertemplate=names[kind] + " · " + labels["step"] + " %{customdata:.0f}: "
                    "(%{x:.3f}, %{y:.3f})<extra></extra>",
                )
            )
        ends = np.array([res.end[o, s] for s in range(n_start) if res.left[o, s] < 0], np.float32).reshape(-1, 2)
        traces.append(
            dict(
                type="scatter",
                x=ends[:, 0],
                y=ends[:, 1],
                mode="markers",
                legendgroup=group,
                showlegend=False,
                marker=dict(size=8, color=color, line=dict(color="white", width=1)),
                hovertemplate=names[kind] + " · " + labels["end"] + " (%{x:.4f}, %{y:.4f})<extra></extra>",
            )
        )
        gone = [s for s in range(n_start) if res.left[o, s] >= 0 and np.isfinite(res.edge[o, s]).all()]
        if gone:
            edge = np.array([res.edge[o, s] for s in gone], np.float32)
            traces.append(
                dict(
                    type="scatter",
                    x=edge[:, 0],
                    y=edge[:, 1],
                    mode="markers",
                    legendgroup=group,
                    showlegend=False,
                    customdata=np.array([res.left[o, s] for s in gone], np.float32),
                    marker=dict(symbol="x-thin-open", size=16, color=color, line=dict(width=3)),
                    hovertemplate=names[kind] + " · " + labels["diverged_hover"] + "<extra></extra>",
                )
            )
    heads = len(traces)  # the animation moves these markers, one per optimizer (main start)
    first = _heads([res.path[:1, o, 0] for o in range(len(res.kinds))], 0)
    traces.append(
        dict(
            type="scatter",
            x=first[0],
            y=first[1],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            name=labels["play"],
            marker=dict(size=12, color=[COLORS[k] for k in res.kinds], line=dict(color="white", width=2)),
        )
    )
    starts = res.starts.astype(np.float32)
    traces.append(
        dict(
            type="scatter",
            x=starts[:, 0],
            y=starts[:, 1],
            mode="markers",
            name=labels["start"],
            hovertemplate=labels["start"] + " (%{x:.2f}, %{y:.2f})<extra></extra>",
            marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=2)),
        )
    )
    frames, steps = _frames(res, heads)
    x_lo, x_hi, y_lo, y_hi = res.box
    layout = dict(
        xaxis=dict(range=[x_lo, x_hi], title=dict(text="x"), constrain="domain"),
        yaxis=dict(range=[y_lo, y_hi], title=dict(text="y"), scaleanchor="x", scaleratio=1, constrain="domain"),
        hovermode="closest",
        legend=_titled_legend(labels["map_title_log" if ticks else "map_title"]),
        margin=dict(l=50, r=20, t=60, b=130),
        clickmode="event",
        meta=dict(dlp_click=CLICK_CHART),
        dragmode="pan",
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0.0,
                y=-0.21,
                xanchor="left",
                yanchor="top",
                showactive=False,
                pad=dict(t=0, r=8),
                buttons=[
                    dict(
                        label="▶ " + labels["play"],
                        method="animate",
                        args=[
                            None,
                            dict(
                                frame=dict(duration=60, redraw=False),
                                fromcurrent=True,
                                transition=dict(duration=0),
                                mode="immediate",
                            ),
                        ],
                    ),
                    dict(
                        label="⏸ " + labels["pause"],
                        method="animate",
                        args=[
                            [None],
                            dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0)),
                        ],
                    ),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.33,
                y=-0.18,
                len=0.67,
                xanchor="left",
                yanchor="top",
                pad=dict(t=0),
                currentvalue=dict(prefix=labels["step"] + " ", font=dict(size=12)),
                steps=[
                    dict(
                        label=str(k),
                        method="animate",
                        args=[
                            [str(k)],
                            dict(mode="immediate", frame=dict(duration=0, redraw=False), transition=dict(duration=0)),
                        ],
                    )
                    for k in steps
                ],
            )
        ],
    )
    return _with_frames(figure(traces, layout, height=560, uirevision=f"{res.surface}:{res.box}"), frames)


def _titled_legend(title: str) -> dict:
    """The top legend with the figure's title above its entries: Plotly widens the top margin to fit the
    legend however many rows it wraps to, so a title there never collides with it (a layout title would)."""
    return dict(
        orientation="h",
        yanchor="bottom",
        y=1.02,
        xanchor="left",
        x=0,
        title=dict(text=f"<b>{title}</b>", side="top", font=dict(size=14)),
    )


class AnimatedFigure(go.Figure):
    """A Figure whose animation frames are kept as plain dicts and added when it is serialised.

    Assigning frames to a go.Figure builds and validates a go.Frame per frame (~1 ms each, on every slider
    move); st.plotly_chart only needs `to_dict()`. tests/figures validate the full dict, frames included."""

    _raw_frames: list[dict] = []

    def to_dict(self):
        out = super().to_dict()
        out["frames"] = self._raw_frames
        return out


def _with_frames(fig: go.Figure, frames: list[dict]) -> AnimatedFigure:
    fig.__class__ = AnimatedFigure  # the same object, built by the shared `figure`, now serialising its frames
    fig._raw_frames = frames
    return fig


def _heads(paths: list[np.ndarray], step: int) -> tuple[list, list]:
    """Each optimizer's position at `step`, or its last one before it diverged (rounded: short JSON)."""
    at = [p[min(step, len(p) - 1)] for p in paths]
    return [round(float(q[0]), 5) for q in at], [round(float(q[1]), 5) for q in at]


def _frames(res, heads: int) -> tuple[list[dict], list[int]]:
    """Animation: frame k moves the heads trace to step s_k. One short trace per frame, as plain lists:
    Plotly encodes every numpy array separately (~0.3 ms each), so a frame holding one 2 × O list costs a
    fraction of one holding arrays per optimizer."""
    n = res.steps
    steps = sorted(set(np.linspace(0, n, min(FRAMES, n) + 1).round().astype(int).tolist()))
    paths = [_finite_path(res.path[:, o, 0]) for o in range(len(res.kinds))]
    frames = []
    for k in steps:
        x, y = _heads(paths, k)
        frames.append(dict(name=str(k), data=[dict(type="scatter", x=x, y=y)], traces=[heads]))
    return frames, steps


def surface3d(res, grid, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """The same landscape as a 3-D surface (height: the colour value) with the main paths on it."""
    xs, ys, f = grid
    log = res.log_colors and res.fstar is not None
    z, _ = colour_values(f, res.fstar, res.log_colors)
    lift = lambda pts: _height(pts, xs, ys, z)
    traces = [
        dict(
            type="surface",
            x=xs.astype(np.float32),
            y=ys.astype(np.float32),
            z=z,
            colorscale=LANDSCAPE,
            opacity=0.9,
            showscale=False,
            hoverinfo="skip",
            name=labels["surface"],
        )
    ]
    for o, kind in enumerate(res.kinds):
        path = _finite_path(res.path[:, o, 0])
        path = path[(path[:, 0] >= xs[0]) & (path[:, 0] <= xs[-1]) & (path[:, 1] >= ys[0]) & (path[:, 1] <= ys[-1])]
        pts = path[_thin(len(path), MAX_POINTS)]
        traces.append(
            dict(
                type="scatter3d",
                x=pts[:, 0],
                y=pts[:, 1],
                z=lift(pts),
                mode="lines",
                name=names[kind],
                line=dict(color=COLORS[kind], width=6),
            )
        )
    z_title = labels["log_height"] if log else labels["f"]
    layout = dict(
        scene=dict(
            xaxis=dict(title=dict(text="x")),
            yaxis=dict(title=dict(text="y")),
            zaxis=dict(title=dict(text=z_title)),
            aspectmode="manual",
            aspectratio=dict(x=1, y=1, z=0.6),
        ),
        legend=_titled_legend(labels["surface_title_log" if log else "surface_title"]),
        margin=dict(l=0, r=0, t=40, b=0),
        hovermode="closest",
    )
    layout["scene"]["camera"] = dict(eye=dict(x=-1.3, y=-1.7, z=1.2))
    return figure(traces, layout, height=560, uirevision=f"3d:{res.surface}")


def _height(pts: np.ndarray, xs: np.ndarray, ys: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of the grid's colour value at the path points, lifted a hair above."""
    if len(pts) == 0:
        return np.zeros(0, np.float32)
    fx = np.clip((pts[:, 0] - xs[0]) / (xs[-1] - xs[0]) * (len(xs) - 1), 0, len(xs) - 1.001)
    fy = np.clip((pts[:, 1] - ys[0]) / (ys[-1] - ys[0]) * (len(ys) - 1), 0, len(ys) - 1.001)
    i, j = fy.astype(int), fx.astype(int)
    wy, wx = fy - i, fx - j
    h = (
        z[i, j] * (1 - wx) * (1 - wy)
        + z[i, j + 1] * wx * (1 - wy)
        + z[i + 1, j] * (1 - wx) * wy
        + z[i + 1, j + 1] * wx * wy
    )
    return (h + 0.01 * (float(z.max()) - float(z.min()))).astype(np.float32)


def curves(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """f − f* (or f) and the distance to the nearest minimum against the step, main start; on the
    quadratic, each linear method's predicted decay ρᵏ as a wide pale band under its measured curve."""
    steps = np.arange(res.steps + 1, dtype=np.float32)
    has_min = res.fstar is not None
    traces = []
    for o, kind in enumerate(res.kinds):
        color = COLORS[kind]
        loss = res.loss[:, o, 0]
        dist = res.dist[:, o, 0].astype(np.float64)
        shown = np.maximum(loss, FLOOR) if has_min else loss
        keep = _thin(len(loss), 2 * MAX_POINTS)
        traces += [
            dict(
                type="scatter",
                x=steps[keep],
                y=shown[keep].astype(np.float32),
                name=names[kind],
                legendgroup=kind,
                line=dict(color=color, width=2),
                xaxis="x",
                yaxis="y",
                hovertemplate="%{y:.3g}",
            ),
            dict(
                type="scatter",
                x=steps[keep],
                y=np.maximum(dist, FLOOR)[keep].astype(np.float32),
                name=names[kind],
                legendgroup=kind,
                showlegend=False,
                line=dict(color=color, width=2),
                xaxis="x",
                yaxis="y2",
                hovertemplate="%{y:.3g}",
            ),
        ]
        if res.left[o, 0] >= 0:
            k = max(0, int(res.left[o, 0]) - 1)
            traces.append(
                dict(
                    type="scatter",
                    x=[float(k)],
                    y=[float(shown[k])],
                    mode="markers+text",
                    text=[labels["diverged_short"]],
                    textposition="top center",
                    legendgroup=kind,
                    showlegend=False,
                    marker=dict(symbol="x", size=12, color=color),
                    xaxis="x",
                    yaxis="y",
                    hoverinfo="skip",
                )
            )
    predicted = []
    if res.theory is not None:  # a wide pale band under each measured curve: where it lies on it, theory holds
        for row in res.theory.rows:
            o = res.kinds.index(row.kind)
            dist = res.dist[:, o, 0].astype(np.float64)
            mid = res.steps // 2
            if row.predicted is None or not 0 < row.predicted < 1 or not np.isfinite(dist).all() or not dist[mid] > 0:
                continue
            line = dist[mid] * row.predicted ** (steps.astype(np.float64) - mid)
            ok = (line > 1e-20) & (line < 10 * dist.max())
            predicted.append(
                dict(
                    type="scatter",
                    x=steps[ok],
                    y=line[ok].astype(np.float32),
                    mode="lines",
                    name=labels["predicted"].format(name=names[row.kind], rate=f"{row.predicted:.4f}"),
                    line=dict(color=COLORS[row.kind], width=9),
                    opacity=0.25,
                    xaxis="x",
                    yaxis="y2",
                    hoverinfo="skip",
                )
            )
    traces = predicted + traces
    top = labels["loss_axis"] if has_min else labels["f"]
    layout = stacked_axes(
        labels["step"], [(top, labels["loss_title"]), (labels["dist_axis"], labels["dist_title"])], gap=0.14
    )
    if has_min:
        layout["yaxis"].update(type="log", exponentformat="power")
        layout["shapes"] = [
            dict(
                type="line",
                xref="x domain",
                yref="y",
                x0=0,
                x1=1,
                y0=res.tol,
                y1=res.tol,
                line=dict(color="gray", dash="dot", width=1),
            )
        ]
        layout["annotations"].append(
            dict(
                xref="x domain",
                yref="y",
                x=1,
                y=float(np.log10(res.tol)),
                text=labels["tol_line"].format(tol=f"{res.tol:g}"),
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font=dict(size=11, color="gray"),
            )
        )
    layout["yaxis2"].update(type="log", exponentformat="power")
    return figure(traces, layout, height=560, uirevision=f"curves:{res.surface}")


def internals(res, o: int, labels: Mapping[str, str], buffered: bool, adaptive: bool) -> go.Figure:
    """One optimizer's state over time (main start): gradient and momentum buffer, effective step size
    per coordinate (with the scheduled rate), and the step actually taken."""
    n = len(res.grad)
    steps = np.arange(1, n + 1, dtype=np.float32)
    keep = _thin(n, 2 * MAX_POINTS)
    cut = int(res.left[o, 0]) if res.left[o, 0] >= 0 else n
    keep = keep[keep < cut]
    traces, x = [], steps[keep]
    line = lambda y, name, axis, **style: dict(
        type="scatter",
        x=x,
        y=y,
        name=name,
        line=style,
        xaxis="x",
        yaxis=axis,
        hovertemplate="%{y:.3g}",
    )
    for c, axis_name in enumerate(("x", "y")):
        col = COORD[c]
        traces.append(line(res.grad[keep, o, c], labels["grad_c"].format(c=axis_name), "y", color=col, width=1.5))
        if buffered:
            traces.append(
                line(res.buf[keep, o, c], labels["buf_c"].format(c=axis_name), "y", color=col, width=2.5, dash="dot")
            )
        traces.append(
            {
                **line(res.eta[keep, o, c], labels["eta_c"].format(c=axis_name), "y2", color=col, width=2),
                "showlegend": adaptive,
            }
        )
        traces.append(
            line(
                np.maximum(res.step_len[keep, o, c], FLOOR),
                labels["step_c"].format(c=axis_name),
                "y3",
                color=col,
                width=1.5,
            )
        )
    traces.append(line(res.lr[keep, o], labels["lr_line"], "y2", color="gray", width=1.5, dash="dash"))
    layout = stacked_axes(
        labels["step"],
        [
            (labels["grad_axis"], labels["grad_title"] if not buffered else labels["grad_buf_title"]),
            (labels["eta_axis"], labels["eta_title"]),
            (labels["step_axis"], labels["step_title"]),
        ],
        gap=0.11,
    )
    layout["yaxis"]["range"] = robust_range(
        np.concatenate([res.grad[keep, o].ravel()] + ([res.buf[keep, o].ravel()] if buffered else []))
    )
    layout["yaxis2"].update(type="log", exponentformat="power")
    layout["yaxis3"].update(type="log", exponentformat="power")
    layout["margin"] = dict(l=60, r=20, t=90, b=50)
    return figure(traces, layout, height=720, uirevision=f"internals:{res.surface}:{res.kinds[o]}")


def robust_range(y: np.ndarray) -> list[float] | None:
    """A y-range holding the bulk of the values (2nd to 98th percentile, padded): one huge first step
    would otherwise flatten everything else. Double-click the plot for the full range."""
    y = y[np.isfinite(y)]
    if len(y) == 0:
        return None
    lo, hi = np.percentile(y, [2, 98])
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    pad = 0.1 * (hi - lo) or 1.0
    return [float(lo - pad), float(hi + pad)]


def smooth(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average (NaN where the window holds a non-finite value)."""
    if window <= 1 or len(y) < 2:
        return y
    c = np.cumsum(np.r_[0.0, y.astype(np.float64)])
    out = np.empty(len(y))
    k = np.arange(1, len(y) + 1)
    lo = np.maximum(0, k - window)
    out[:] = (c[k] - c[lo]) / (k - lo)
    return out


def race(res, labels: Mapping[str, str], names: Mapping[str, str], done: bool) -> go.Figure:
    """Training loss (per step, smoothed) and test accuracy against the step; when finished, with a
    client-side replay of the race."""
    window = max(1, res.steps // 100)
    steps = np.arange(1, res.done + 1, dtype=np.float32)
    traces = []
    for o, kind in enumerate(res.kinds):
        loss = smooth(res.loss[:, o], window).astype(np.float32)
        traces += [
            dict(
                type="scatter",
                x=steps,
                y=loss,
                name=names[kind],
                legendgroup=kind,
                xaxis="x",
                yaxis="y",
                line=dict(color=COLORS[kind], width=2),
                hovertemplate="%{y:.4f}",
            ),
            dict(
                type="scatter",
                x=res.eval_steps.astype(np.float32),
                y=res.test_acc[:, o],
                name=names[kind],
                legendgroup=kind,
                showlegend=False,
                xaxis="x",
                yaxis="y2",
                line=dict(color=COLORS[kind], width=2),
                hovertemplate="%{y:.1%}",
            ),
        ]
    layout = stacked_axes(
        labels["step"],
        [(labels["train_loss"], labels["train_title"].format(w=window)), (labels["test_acc"], labels["test_title"])],
        gap=0.14,
    )
    layout["yaxis"].update(type="log", exponentformat="power")
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    layout["xaxis"]["range"] = [0, float(res.steps) * 1.02]
    fig = figure(traces, layout, height=520, uirevision="race")
    if done:
        _race_replay(fig, res, labels)
    return fig


def _race_replay(fig: go.Figure, res, labels) -> None:
    """Replay in the browser: frames that widen the step axis from the start to the end, so the curves
    grow as they did during training (layout-only frames: no data is sent twice)."""
    ends = np.linspace(0, res.done, 31).round().astype(int)[1:]
    fig.frames = [dict(name=str(k), layout=dict(xaxis=dict(range=[0, float(max(k, 1))]))) for k in ends]
    fig.layout.updatemenus = [
        dict(
            type="buttons",
            x=0.0,
            y=-0.1,
            xanchor="left",
            yanchor="top",
            showactive=False,
            buttons=[
                dict(
                    label="▶ " + labels["replay"],
                    method="animate",
                    args=[
                        None,
                        dict(frame=dict(duration=80, redraw=True), fromcurrent=False, transition=dict(duration=0)),
                    ],
                )
            ],
        )
    ]
