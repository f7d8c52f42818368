"""Figures of the page's sections that need no network: polynomial fits and the capacity sweep, the trained
1-D MLP, the L1/L2 geometry, k-fold cross-validation and input scaling. Result -> plotly Figure (numpy float32
arrays; no torch, no streamlit). `labels` are the page's `fig.*` texts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core import scrub
from core.style import PALETTE, figure, stacked_axes

TRAIN, TEST, TRUTH, FIT = PALETTE[0], PALETTE[1], "#888888", PALETTE[2]
L1, L2 = PALETTE[8], PALETTE[10]  # orange, teal
Y_CLIP = 3.0  # the fit plot's y-range: a wild polynomial leaves it rather than squash the data


def f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def line(x, y, name: str, color: str, width: float = 2, dash: str | None = None, **more) -> dict:
    """A line trace (float32 arrays)."""
    return dict(type="scatter", x=f32(x), y=f32(y), name=name, line=dict(color=color, width=width, dash=dash), **more)


def marker(x, y, name: str, color: str, symbol: str = "circle", size: int = 12, **more) -> dict:
    """Markers at the points (x, y): a highlighted value."""
    return dict(
        type="scatter",
        x=f32(np.atleast_1d(x)),
        y=f32(np.atleast_1d(y)),
        mode="markers",
        name=name,
        marker=dict(color=color, size=size, symbol=symbol, line=dict(width=2, color=color)),
        **more,
    )


def hline(y: float, color: str = "black", dash: str = "dot") -> dict:
    return dict(type="line", x0=0, x1=1, xref="paper", y0=y, y1=y, line=dict(color=color, dash=dash))


def vline(x: float, color: str = "black", dash: str = "dot") -> dict:
    return dict(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=dict(color=color, dash=dash))


def note(text: str, x: float, y: float, **more) -> dict:
    return dict(text=text, x=x, y=y, showarrow=False, **more)


def stacked(x_title: str, panels: list[tuple[str, str]], gap: float = 0.10) -> dict:
    """core.style.stacked_axes with the legend under the shared x-axis (clear of the panels' titles)."""
    layout = stacked_axes(x_title, panels, gap)
    layout["legend"] = dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0)
    layout["margin"] = dict(l=60, r=20, t=70, b=90)
    return layout


def _points(x, y, name: str, **more) -> dict:
    return marker(x, y, name, "black", size=8, **more)


def fit(r, labels: Mapping[str, str], degree: int | None = None, curve: np.ndarray | None = None) -> go.Figure:
    """The training points, the true function and the fitted polynomial (the run's, or `curve` of `degree` on the
    same points: poly.curves, for the degree scrub)."""
    degree, curve = (r.degree, r.curve) if curve is None else (degree, curve)
    traces = [
        line(r.grid, r.truth, labels["truth"], TRUTH, dash="dash"),
        line(r.grid, *_fitted(labels, degree, curve), FIT, width=3),
        _points(r.x_train, r.y_train, labels["train_points"].format(n=r.n)),
    ]
    layout = dict(
        xaxis=dict(title=dict(text="x"), range=[-1.02, 1.02]),
        yaxis=dict(title=dict(text="y"), range=[-Y_CLIP, Y_CLIP]),
        hovermode="closest",
    )
    return figure(traces, layout, height=380, title=labels["fit_title"], uirevision="fit")


def fit_steps(labels: Mapping[str, str], degrees, curves: np.ndarray, slider_labels: list[str]) -> list[dict]:
    """The degree scrub's steps (core/scrub.py) over `degrees`, computed, not diffed: a degree changes only the
    fitted curve of `fit` (trace 1: its values, `curves[d]`, and its name)."""
    steps = []
    for d, label in zip(degrees, slider_labels):
        y, name = _fitted(labels, d, curves[d])
        change = {"name": [name], "y": [scrub.typed(f32(y))]}
        steps.append({"method": "update", "label": label, "value": label, "args": [change, {}, [1]]})
    return steps


def _fitted(labels: Mapping[str, str], degree: int, curve: np.ndarray) -> tuple[np.ndarray, str]:
    """The fitted polynomial's values as drawn (clipped to the plot) and its trace name."""
    return np.clip(curve, -50, 50), labels["fitted"].format(d=degree)


def sweep(r, dd, labels: Mapping[str, str]) -> go.Figure:
    """Training and test MSE against the degree (log y), the interpolation threshold, the chosen degree."""
    floor = 1e-12  # training error reaches 0 past the threshold: drawn at this floor on the log axis
    traces = [
        line(r.degrees, np.maximum(r.sweep_train, floor), labels["train_mse"], TRAIN),
        line(r.degrees, r.sweep_test, labels["test_mse"], TEST, width=3),
        marker(r.degree, r.test_mse, labels["chosen"], FIT, "diamond", 13),
        marker(*dd.best_below, labels["u_min"], TEST, "star"),
    ]
    if dd.appears:
        traces.append(marker(*dd.best_beyond, labels["second_min"], TEST, "star-open"))
    shapes = [vline(r.threshold)]
    notes = [note(labels["threshold"], r.threshold, 1, yref="paper", xanchor="left", yanchor="top")]
    if r.noise > 0:
        shapes.append(hline(r.noise**2, TRUTH, "dash"))
        notes.append(
            note(labels["noise_floor"], 1, np.log10(r.noise**2), xref="paper", xanchor="right", yanchor="bottom")
        )
    log_x = r.degrees[-1] > 60
    layout = dict(
        xaxis=dict(title=dict(text=labels["degree"]), type="log" if log_x else "linear"),
        yaxis=dict(title=dict(text=labels["mse"]), type="log", exponentformat="power"),
        shapes=shapes,
        annotations=notes,
    )
    if log_x:  # degree 0 cannot sit on a log axis: the axis starts at degree 1
        layout["xaxis"]["range"] = [0, float(np.log10(r.degrees[-1] * 1.05))]
    return figure(traces, layout, height=420, title=labels["sweep_title"], uirevision="sweep")


def mlp(r, labels: Mapping[str, str], done: bool) -> go.Figure:
    """Left: training and test MSE against the step (log). Right: the fitted function; when finished a slider
    replays it snapshot by snapshot (client side)."""
    b = r.best
    on_right = dict(xaxis="x2", yaxis="y2")
    traces = [
        line(r.steps, r.train_mse, labels["train_mse"], TRAIN),
        line(r.steps, r.test_mse, labels["test_mse"], TEST, width=3),
        marker(r.steps[b], r.test_mse[b], labels["best_test"], TEST, "star", 13),
        line(r.grid, r.truth, labels["truth"], TRUTH, dash="dash", **on_right),
        line(
            r.grid,
            np.clip(r.curves[-1], -50, 50),
            labels["mlp_fit"].format(s=int(r.snap_steps[-1])),
            FIT,
            3,
            **on_right,
        ),
        _points(r.x_train, r.y_train, labels["train_points"].format(n=len(r.x_train)), **on_right),
    ]
    layout = dict(
        xaxis=dict(domain=[0, 0.46], title=dict(text=labels["step"])),
        yaxis=dict(type="log", exponentformat="power", title=dict(text=labels["mse"])),
        xaxis2=dict(domain=[0.56, 1], anchor="y2", title=dict(text="x"), range=[-1.02, 1.02]),
        yaxis2=dict(anchor="x2", range=[-Y_CLIP, Y_CLIP], title=dict(text="y")),
        hovermode="closest",
    )
    fig = figure(traces, layout, height=420, title=labels["mlp_title"], uirevision="mlp")
    if done and len(r.snap_steps) > 2:
        replay(fig, r.snap_steps, [dict(type="scatter", y=f32(np.clip(c, -50, 50))) for c in r.curves], [4], labels)
    return fig


def replay(fig: go.Figure, steps, data: list[dict], traces: list[int], labels: Mapping[str, str]) -> None:
    """Attach client-side frames (one per snapshot, replacing `traces`) and a slider to scrub them."""
    fig.frames = [go.Frame(name=str(int(s)), data=[d], traces=traces) for s, d in zip(steps, data, strict=True)]
    instant = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    fig.update_layout(
        sliders=[
            dict(
                active=len(fig.frames) - 1,
                currentvalue=dict(prefix=labels["replay_prefix"]),
                pad=dict(t=50),
                steps=[dict(label=f.name, method="animate", args=[[f.name], instant]) for f in fig.frames],
            )
        ]
    )


def _level(g, w: np.ndarray, colour: str) -> dict:
    """The loss contour through w (dotted, in the penalty's colour)."""
    lv = float(0.5 * (w - g.w_star) @ g.a @ (w - g.w_star))
    return dict(
        type="contour",
        x=g.grid,
        y=g.grid,
        z=g.z,
        showscale=False,
        contours=dict(coloring="none", start=lv, end=lv, size=1),
        line=dict(color=colour, width=2, dash="dot"),
        hoverinfo="skip",
        showlegend=False,
    )


def geometry(g, labels: Mapping[str, str]) -> go.Figure:
    """Loss contours, the L2 circle and the L1 diamond through each penalized solution, both paths over λ."""
    th = np.linspace(0, 2 * np.pi, 241)
    r2, r1 = float(np.linalg.norm(g.l2)), float(np.abs(g.l1).sum())
    diamond = np.array([[r1, 0], [0, r1], [-r1, 0], [0, -r1], [r1, 0]])
    top = float(g.z.max())
    traces = [
        dict(
            type="contour",
            x=g.grid,
            y=g.grid,
            z=g.z,
            showscale=False,
            colorscale="Greys",
            reversescale=True,
            contours=dict(coloring="lines", start=0, end=top, size=top / 18),
            hoverinfo="skip",
            name=labels["loss"],
        ),
        *[_level(g, w, c) for w, c in ((g.l2, L2), (g.l1, L1)) if np.any(w != g.w_star)],
        line(r2 * np.cos(th), r2 * np.sin(th), labels["l2_ball"], L2, hoverinfo="skip"),
        line(diamond[:, 0], diamond[:, 1], labels["l1_ball"], L1, hoverinfo="skip"),
        line(g.path_l2[:, 0], g.path_l2[:, 1], labels["l2_path"], L2, 1, "dash"),
        line(g.path_l1[:, 0], g.path_l1[:, 1], labels["l1_path"], L1, 1, "dash"),
        marker(g.w_star[0], g.w_star[1], labels["w_star"], "black", "x", 11),
        marker(g.l2[0], g.l2[1], labels["l2_solution"], L2, size=13),
        marker(g.l1[0], g.l1[1], labels["l1_solution"], L1, "diamond", 13),
    ]
    e = g.extent
    axis = dict(range=[-e, e], zeroline=True, zerolinecolor="#444")
    layout = dict(
        xaxis=dict(**axis, title=dict(text="w₁")),
        yaxis=dict(**axis, title=dict(text="w₂"), scaleanchor="x"),
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"),
        hovermode="closest",
    )
    return figure(traces, layout, height=460, title=labels["geo_title"].format(lam=g.lam), uirevision="geometry")


def folds(r, labels: Mapping[str, str]) -> go.Figure:
    """Which points each fold validates on (k rows), and the one split (last row); points sorted by x."""
    order = np.argsort(r.x)
    k = r.k
    z = np.zeros((k + 1, len(order)), dtype=np.float32)
    for j in range(k):
        z[j] = r.fold[order] == j
    z[k] = r.held_out[order] * 2
    rows = [labels["fold_row"].format(j=j + 1) for j in range(k)] + [labels["split_row"]]
    trace = dict(
        type="heatmap",
        z=z,
        y=rows,
        colorscale=[[0, "#dde6f0"], [0.5, TEST], [1, L1]],
        zmin=0,
        zmax=2,
        showscale=False,
        xgap=1,
        ygap=2,
        customdata=np.broadcast_to(f32(r.x[order]), z.shape),
        hovertemplate="x = %{customdata:.2f}<extra>%{y}</extra>",
    )
    layout = dict(
        xaxis=dict(title=dict(text=labels["fold_x"]), showticklabels=False),
        yaxis=dict(autorange="reversed"),
        hovermode="closest",
    )
    return figure([trace], layout, height=120 + 26 * (k + 1), title=labels["folds_title"], uirevision="folds")


def cv_curves(r, labels: Mapping[str, str]) -> go.Figure:
    """Validation MSE against the degree: every fold (thin), their mean (CV), one split, and the truth."""
    d = np.arange(r.per_fold.shape[1])
    folds_ = dict(opacity=0.35, legendgroup="folds")
    traces = [line(d, r.per_fold[j], labels["per_fold"], TEST, 1, showlegend=j == 0, **folds_) for j in range(r.k)]
    traces += [
        line(d, r.cv, labels["cv_mean"], TEST, 3),
        line(d, r.one_split, labels["one_split"], L1),
        line(d, r.truth, labels["truth_mse"], "black", dash="dash"),
        marker(r.degree, r.cv[r.degree], labels["chosen"], FIT, "diamond"),
    ]
    layout = dict(
        xaxis=dict(title=dict(text=labels["degree"]), dtick=1),
        yaxis=dict(title=dict(text=labels["mse"]), type="log", exponentformat="power"),
    )
    return figure(traces, layout, height=420, title=labels["cv_title"], uirevision="cv")


def spread(r, labels: Mapping[str, str]) -> go.Figure:
    """The estimate at the chosen degree over reshuffles: k-fold CV vs one split, against the true test MSE."""
    box = dict(type="box", boxpoints="all", jitter=0.4, pointpos=0)
    traces = [
        dict(**box, x=f32(r.cv_repeats), name=labels["cv_mean"], marker=dict(color=TEST)),
        dict(**box, x=f32(r.split_repeats), name=labels["one_split"], marker=dict(color=L1)),
    ]
    truth = float(r.truth[r.degree])
    layout = dict(
        xaxis=dict(title=dict(text=labels["estimate"].format(d=r.degree)), type="log", exponentformat="power"),
        shapes=[vline(truth, dash="dash")],
        annotations=[note(labels["truth_mse"], np.log10(truth), 1, yref="paper", yanchor="bottom")],
        showlegend=False,
        hovermode="closest",
    )
    return figure(traces, layout, height=300, title=labels["spread_title"], uirevision="spread")


def scaling_curves(r, labels: Mapping[str, str]) -> go.Figure:
    """Relative loss gap of gradient descent (α = 1/λ_max) against the step, raw vs standardized (log–log)."""
    t = np.maximum(r.t, 0.5)  # step 0 drawn at ½ on the log axis
    floor = 1e-16
    traces = [
        line(t, np.maximum(r.gap_raw, floor), labels["raw"], L1, 3),
        line(t, np.maximum(r.gap_std, floor), labels["standardized"], L2, 3),
    ]
    layout = dict(
        xaxis=dict(title=dict(text=labels["step"]), type="log", exponentformat="power"),
        yaxis=dict(title=dict(text=labels["gap"]), type="log", exponentformat="power", range=[-12, 0.3]),
        shapes=[hline(r.tol)],
    )
    return figure(traces, layout, height=380, title=labels["scaling_title"], uirevision="scaling")


def scaling_contours(r, labels: Mapping[str, str]) -> go.Figure:
    """Loss contours around the best fit in (w₁, w₂), raw and standardized, each on its own scale."""
    panels = ((r.contours_raw, r.span_raw, "raw", ""), (r.contours_std, r.span_std, "standardized", "2"))
    traces = [
        dict(
            type="contour",
            x=f32(r.grid * span),
            y=f32(r.grid * span),
            z=z,
            showscale=False,
            colorscale="Blues",
            contours=dict(start=0, end=float(z.max()), size=float(z.max()) / 12),
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            name=labels[key],
            hoverinfo="skip",
        )
        for z, span, key, axis in panels
    ]
    title = lambda key, x: note(
        f"<b>{labels[key]}</b>", x, 1.02, xref="paper", yref="paper", xanchor="left", yanchor="bottom"
    )
    layout = dict(
        xaxis=dict(domain=[0, 0.45], title=dict(text=labels["w1_offset"])),
        yaxis=dict(title=dict(text=labels["w2_offset"]), scaleanchor="x"),
        xaxis2=dict(domain=[0.55, 1], anchor="y2", title=dict(text=labels["w1_offset"])),
        yaxis2=dict(anchor="x2", scaleanchor="x2"),
        annotations=[title("raw", 0), title("standardized", 0.55)],
        hovermode="closest",
        showlegend=False,
    )
    return figure(traces, layout, height=380, uirevision="contours")
