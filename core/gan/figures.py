"""GAN figures: the 2-D lab (samples over D's output, G's gradient field, losses, coverage, replay) and
the digits GAN (a grid of samples from a fixed noise batch, scores, latent interpolation).

Colours follow GAN Lab: real samples green, generated samples purple, D's output from purple ("fake")
to green ("real"). A finished run carries Plotly frames (one per snapshot) and a slider, so the replay
runs in the browser without a server round trip. Arrays go to Plotly as float32 / uint8.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.style import figure

REAL = "#1b9e4b"
FAKE = "#7b3294"
ARROW = "#222222"
D_LINE, G_LINE = "#d95f02", "#7570b3"
HEAT = [[0.0, "#c2a5cf"], [0.5, "#f7f7f7"], [1.0, "#a6dba0"]]  # purple = "fake", green = "real"
MAX_LOSS_POINTS = 600


# ---- helpers (pure numpy) ---------------------------------------------------------------------


def block_means(y: np.ndarray, n: int = MAX_LOSS_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Per-iteration values (T,) -> at most n block means and their iteration numbers (1-based)."""
    t = len(y)
    if t == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    size = max(1, -(-t // n))
    m = t // size * size
    means = y[:m].reshape(-1, size).mean(1)
    steps = np.arange(len(means)) * size + (size + 1) / 2
    if m < t:
        means = np.append(means, y[m:].mean())
        steps = np.append(steps, (m + 1 + t) / 2)
    return steps.astype(np.float32), means.astype(np.float32)


def arrow_scale(arrows: np.ndarray, extent: float) -> float:
    """One length scale for all snapshots of a run: the 95th-percentile push is drawn 0.15·extent long,
    so shrinking arrows mean a really vanishing gradient (not a rescaled one)."""
    norms = np.linalg.norm(arrows.reshape(-1, 2), axis=1)
    norms = norms[np.isfinite(norms)]
    top = float(np.percentile(norms, 95)) if len(norms) else 0.0
    return 0.15 * extent / top if top > 0 else 0.0


def arrow_traces(at: np.ndarray, push: np.ndarray, scale: float, extent: float) -> tuple[dict, dict]:
    """Shafts (one line trace, NaN-separated) and heads (triangles turned along the push)."""
    vec = push * scale
    length = np.linalg.norm(vec, axis=1, keepdims=True)
    cap = 0.25 * extent
    vec = np.where(length > cap, vec * cap / np.maximum(length, 1e-12), vec)
    tip = at + vec
    n = len(at)
    xs, ys = np.full(3 * n, np.nan, np.float32), np.full(3 * n, np.nan, np.float32)
    xs[0::3], xs[1::3] = at[:, 0], tip[:, 0]
    ys[0::3], ys[1::3] = at[:, 1], tip[:, 1]
    angle = (90 - np.degrees(np.arctan2(vec[:, 1], vec[:, 0]))).astype(np.float32)  # clockwise from "up"
    return (
        dict(type="scatter", mode="lines", x=xs, y=ys),
        dict(
            type="scatter",
            mode="markers",
            x=tip[:, 0].astype(np.float32),
            y=tip[:, 1].astype(np.float32),
            marker=dict(symbol="triangle-up", size=7, angle=angle, color=ARROW),
        ),
    )


def heat_range(heat: np.ndarray, logistic: bool, loss: str) -> dict:
    """Colour range: [0, 1] for P(real); symmetric around the decision level for a critic's score."""
    if logistic:
        return dict(zmin=0.0, zmax=1.0)
    mid = 0.5 if loss == "lsgan" else 0.0
    finite = heat[np.isfinite(heat)]
    half = float(np.max(np.abs(finite - mid))) if len(finite) else 1.0
    half = half if half > 0 else 1.0
    return dict(zmin=mid - half, zmax=mid + half)


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "—"


# ---- the 2-D lab --------------------------------------------------------------------------------


def lab(r, labels: Mapping[str, str], done: bool) -> go.Figure:
    """r: gan2d.GanResult. Left: D's output as a heatmap, real (green) and generated (purple) samples,
    G's gradient field at some generated samples. Right: D and G losses, coverage, mean ‖∂ℓ_G/∂x‖."""
    t, cfg, e = r.target, r.config, r.target.extent
    last = len(r.snap_steps) - 1
    scale = arrow_scale(r.arrows, e)
    steps = r.snap_steps.astype(np.float32)
    heat_title = labels["heat_prob"] if r.logistic else labels["heat_score"]
    if cfg.pack > 1:  # a packed D judges m samples together: the map shows x packed with m − 1 real samples
        heat_title = f"{heat_title}{labels['heat_pack'].format(mates=cfg.pack - 1)}"
    published = r.covered_published

    def title(i: int) -> str:
        return labels["title_protocol" if t.is_protocol else "title"].format(
            step=int(r.snap_steps[i]),
            total=cfg.total,
            covered=int(r.covered[i]),
            published=int(published[i]),
            regions=t.regions,
            hq=_pct(float(r.hq[i])),
            unit=labels["unit_curve" if t.is_curve else "unit_mode"],
        )

    def frame_data(i: int) -> list[dict]:
        shafts, heads = arrow_traces(r.arrows_at[i], r.arrows[i], scale, e)
        return [
            dict(type="heatmap", z=r.heat[i], **heat_range(r.heat[i], r.logistic, cfg.loss)),
            dict(type="scatter", x=r.fake[i][:, 0], y=r.fake[i][:, 1]),
            shafts,
            heads,
            dict(type="scatter", x=[steps[i]], y=[float(r.covered[i])]),
            dict(type="scatter", x=[steps[i]], y=[float(r.grad_norm[i])]),
        ]

    first = frame_data(last)
    traces = [
        {
            **first[0],
            "x": r.axis,
            "y": r.axis,
            "colorscale": HEAT,
            "xaxis": "x",
            "yaxis": "y",
            "hoverinfo": "skip",
            "colorbar": dict(title=dict(text=heat_title, side="right"), x=0.5, len=0.9, thickness=10, xpad=4),
        },
        dict(
            type="scatter",
            mode="markers",
            x=r.real[:, 0],
            y=r.real[:, 1],
            name=labels["real"],
            xaxis="x",
            yaxis="y",
            marker=dict(color=REAL, size=4, opacity=0.7),
            hoverinfo="skip",
        ),
        {
            **first[1],
            "mode": "markers",
            "name": labels["fake"],
            "xaxis": "x",
            "yaxis": "y",
            "marker": dict(color=FAKE, size=4, opacity=0.8),
            "hoverinfo": "skip",
        },
        {
            **first[2],
            "name": labels["push"],
            "xaxis": "x",
            "yaxis": "y",
            "line": dict(color=ARROW, width=1.2),
            "hoverinfo": "skip",
        },
        {**first[3], "showlegend": False, "xaxis": "x", "yaxis": "y", "hoverinfo": "skip"},
    ]
    if t.is_curve:
        a = t.anchors[:: max(1, len(t.anchors) // 400)].astype(np.float32)
        traces.append(
            dict(
                type="scatter",
                mode="markers",
                x=a[:, 0],
                y=a[:, 1],
                name=labels["curve"],
                xaxis="x",
                yaxis="y",
                marker=dict(color=REAL, size=2, opacity=0.5),
                hoverinfo="skip",
            )
        )
    else:
        m = t.modes.astype(np.float32)
        traces.append(
            dict(
                type="scatter",
                mode="markers",
                x=m[:, 0],
                y=m[:, 1],
                name=labels["modes"],
                xaxis="x",
                yaxis="y",
                marker=dict(symbol="x-thin", size=9, line=dict(color="black", width=1.5)),
                hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>",
            )
        )
    ls, ld = block_means(r.d_loss)
    _, lg = block_means(r.g_loss)
    traces += [
        dict(
            type="scatter",
            mode="lines",
            x=ls,
            y=ld,
            name=labels["d_loss"],
            xaxis="x2",
            yaxis="y2",
            line=dict(color=D_LINE, width=1.5),
            hovertemplate="%{y:.3f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=ls,
            y=lg,
            name=labels["g_loss"],
            xaxis="x2",
            yaxis="y2",
            line=dict(color=G_LINE, width=1.5),
            hovertemplate="%{y:.3f}",
        ),
        dict(
            type="scatter",
            mode="lines+markers",
            x=steps,
            y=r.covered.astype(np.float32),
            name=labels["covered"],
            xaxis="x3",
            yaxis="y3",
            line=dict(color="black", width=2),
            marker=dict(size=4),
            hovertemplate="%{y:.0f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=steps,
            y=published.astype(np.float32),
            name=labels["covered_published"],
            xaxis="x3",
            yaxis="y3",
            line=dict(color="#888888", width=1.5, dash="dash"),
            hovertemplate="%{y:.0f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=steps,
            y=r.hq,
            name=labels["hq"],
            xaxis="x3",
            yaxis="y5",
            line=dict(color=REAL, width=2, dash="dot"),
            hovertemplate="%{y:.0%}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=steps,
            y=r.grad_norm,
            name=labels["grad_norm"],
            xaxis="x4",
            yaxis="y4",
            line=dict(color=ARROW, width=1.5),
            hovertemplate="%{y:.3g}",
        ),
    ]
    cursor = dict(color="black", size=12, symbol="line-ns-open", line=dict(width=3))
    traces += [
        {
            **first[4],
            "mode": "markers",
            "xaxis": "x3",
            "yaxis": "y3",
            "marker": cursor,
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            **first[5],
            "mode": "markers",
            "xaxis": "x4",
            "yaxis": "y4",
            "marker": cursor,
            "showlegend": False,
            "hoverinfo": "skip",
        },
    ]
    animated = [0, 2, 3, 4, len(traces) - 2, len(traces) - 1]

    shapes, notes = [], []
    for kind, a, b in r.phases:
        if kind == "both":
            continue
        for ax in ("x2", "x3", "x4"):
            shapes.append(
                dict(
                    type="rect",
                    xref=ax,
                    yref=f"{ax.replace('x', 'y')} domain",
                    x0=a - 0.5,
                    x1=b + 0.5,
                    y0=0,
                    y1=1,
                    fillcolor="#fdd49e" if kind == "d" else "#c6dbef",
                    opacity=0.5,
                    line_width=0,
                    layer="below",
                )
            )
        notes.append(
            dict(
                x=(a + b) / 2,
                y=1,
                xref="x2",
                yref="y2 domain",
                text=labels[f"phase_{kind}"],
                showarrow=False,
                yanchor="bottom",
                font=dict(size=11),
            )
        )
    if r.diverged_at is not None:
        notes.append(
            dict(
                x=0.5,
                y=0.5,
                xref="x domain",
                yref="y domain",
                showarrow=False,
                text=labels["diverged"].format(step=r.diverged_at),
                bgcolor="#fff3cd",
                font=dict(size=14, color="#8a6d3b"),
            )
        )
    n_covered_top = max(t.regions, 1)
    axis_off = dict(showgrid=False, zeroline=False)
    layout = dict(
        xaxis=dict(domain=[0, 0.48], range=[-e, e], title=dict(text="x₁"), **axis_off),
        yaxis=dict(
            domain=[0, 1], range=[-e, e], title=dict(text="x₂"), scaleanchor="x", constrain="domain", **axis_off
        ),
        xaxis2=dict(domain=[0.75, 0.93], anchor="y2", matches="x4", showticklabels=False),
        yaxis2=dict(domain=[0.72, 1], anchor="x2", title=dict(text=labels["loss"])),
        xaxis3=dict(domain=[0.75, 0.93], anchor="y3", matches="x4", showticklabels=False),
        yaxis3=dict(
            domain=[0.38, 0.64], anchor="x3", range=[-0.3, n_covered_top + 0.3], title=dict(text=labels["covered_axis"])
        ),
        yaxis5=dict(
            overlaying="y3",
            side="right",
            anchor="x3",
            range=[-0.03, 1.03],
            tickformat=".0%",
            title=dict(text=labels["hq_axis"]),
            showgrid=False,
        ),
        xaxis4=dict(domain=[0.75, 0.93], anchor="y4", title=dict(text=labels["step"]), range=[0, cfg.total]),
        yaxis4=dict(domain=[0, 0.3], anchor="x4", type="log", title=dict(text=labels["grad_axis"])),
        title=dict(text=title(last)),
        hovermode="closest",
        shapes=shapes,
        annotations=notes,
        legend=dict(
            orientation="h", yanchor="top", y=-0.1 if not done else -0.3, x=0, entrywidth=0.5, entrywidthmode="fraction"
        ),
        margin=dict(l=50, r=10, t=50, b=40),
    )
    fig = figure(traces, layout, height=520 if not done else 580, uirevision=f"{cfg.target}:{e}:{cfg.total}")
    if done and last > 0:
        fig.frames = [
            go.Frame(name=str(i), traces=animated, data=frame_data(i), layout=dict(title=dict(text=title(i))))
            for i in range(last + 1)
        ]
        _replay_controls(fig, [str(int(s)) for s in r.snap_steps], last, labels, x=0, length=0.48)
    return fig


def pair(runs: list, titles: list[str], labels: Mapping[str, str]) -> go.Figure:
    """Finished runs side by side: each one's real and generated samples and the mode centres (the default run's
    coverage next to the collapse preset's), titled with what each covered."""
    traces, layout = [], {}
    n = len(runs)
    for i, (r, title) in enumerate(zip(runs, titles)):
        x, y = ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")
        e = float(r.axis[-1])
        first = i == 0
        traces += [
            dict(
                type="scatter",
                mode="markers",
                x=xy[:, 0],
                y=xy[:, 1],
                name=labels[group],
                xaxis=x,
                yaxis=y,
                marker=dict(color=color, size=4, opacity=opacity),
                hoverinfo="skip",
                showlegend=first,
                legendgroup=group,
            )
            for xy, group, color, opacity in ((r.real, "real", REAL, 0.7), (r.fake[-1], "fake", FAKE, 0.8))
        ]
        if not r.target.is_curve:
            m = r.target.modes.astype(np.float32)
            traces.append(
                dict(
                    type="scatter",
                    mode="markers",
                    x=m[:, 0],
                    y=m[:, 1],
                    name=labels["modes"],
                    xaxis=x,
                    yaxis=y,
                    marker=dict(symbol="x-thin", size=9, line=dict(color="black", width=1.5)),
                    hoverinfo="skip",
                    showlegend=first,
                    legendgroup="modes",
                )
            )
        gap = 0.08
        width = (1 - gap * (n - 1)) / n
        axis = dict(range=[-e, e], showgrid=False, zeroline=False, showticklabels=False)
        layout[f"xaxis{'' if first else i + 1}"] = dict(
            domain=[i * (width + gap), i * (width + gap) + width], title=dict(text=title), side="top", **axis
        )
        layout[f"yaxis{'' if first else i + 1}"] = dict(
            domain=[0, 1], scaleanchor=x, constrain="domain", anchor=x, **axis
        )
    layout |= dict(
        hovermode=False,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
    )
    return figure(traces, layout, height=330)


def _replay_controls(
    fig: go.Figure, names: list[str], active: int, labels: Mapping[str, str], x: float, length: float
) -> None:
    go_to = lambda i: dict(
        method="animate",
        label=names[i],
        args=[
            [str(i)],
            dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0)),
        ],
    )
    fig.layout.sliders = [
        dict(
            active=active,
            steps=[go_to(i) for i in range(len(names))],
            x=x,
            len=length,
            y=-0.06,
            yanchor="top",
            pad=dict(t=30),
            font=dict(color="rgba(0,0,0,0)"),  # many steps: their labels would overlap
            currentvalue=dict(prefix=labels["replay"] + " ", font=dict(color="#444")),
        )
    ]
    fig.layout.updatemenus = [
        dict(
            type="buttons",
            showactive=False,
            x=x + length + 0.02,
            y=-0.08,
            xanchor="left",
            yanchor="top",
            buttons=[
                dict(
                    label=labels["play"],
                    method="animate",
                    args=[
                        None,
                        dict(
                            frame=dict(duration=150, redraw=True),
                            fromcurrent=False,
                            transition=dict(duration=0),
                            mode="immediate",
                        ),
                    ],
                )
            ],
        )
    ]


# ---- the target preview (click to add points) -------------------------------------------------------


def target_preview(t, real: np.ndarray, click_axis: np.ndarray, labels: Mapping[str, str]) -> go.Figure:
    """The target's points and, for "points", a faint grid of clickable positions (click → add a point)."""
    e = t.extent
    xx, yy = np.meshgrid(click_axis, click_axis)
    traces = [
        dict(
            type="scatter",
            mode="markers",
            x=xx.ravel().astype(np.float32),
            y=yy.ravel().astype(np.float32),
            marker=dict(size=9, color="rgba(0,0,0,0.04)"),
            name=labels["click_grid"],
            hovertemplate="(%{x:.2f}, %{y:.2f})<extra></extra>",
            showlegend=False,
        ),
        dict(
            type="scatter",
            mode="markers",
            x=real[:, 0],
            y=real[:, 1],
            name=labels["real"],
            marker=dict(color=REAL, size=4, opacity=0.6),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            mode="markers",
            x=t.modes[:, 0].astype(np.float32),
            y=t.modes[:, 1].astype(np.float32),
            name=labels["modes"],
            marker=dict(symbol="x-thin", size=10, line=dict(color="black", width=2)),
            hoverinfo="skip",
        ),
    ]
    layout = dict(
        xaxis=dict(range=[-e, e], title=dict(text="x₁"), showgrid=False, zeroline=False),
        yaxis=dict(range=[-e, e], title=dict(text="x₂"), scaleanchor="x", showgrid=False, zeroline=False),
        hovermode="closest",
        clickmode="event+select",
        dragmode=False,
        legend=dict(orientation="h", yanchor="top", y=-0.15, x=0),
        margin=dict(l=50, r=10, t=40, b=40),
    )
    return figure(traces, layout, height=380, title=labels["preview_title"])


# ---- digits ---------------------------------------------------------------------------------------


def tile(images: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """(N, h, w) uint8 -> one (rows·(h+gap)−gap, cols·(w+gap)−gap) uint8 mosaic (gaps mid-grey)."""
    n, h, w = images.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), 90, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i]
    return out


def _image(z: np.ndarray, xaxis: str, yaxis: str) -> dict:
    return dict(
        type="heatmap",
        z=z[::-1],
        colorscale="Greys",
        reversescale=True,
        zmin=0,
        zmax=255,
        showscale=False,
        xaxis=xaxis,
        yaxis=yaxis,
        hoverinfo="skip",
    )


def digits(r, labels: Mapping[str, str], done: bool) -> go.Figure:
    """r: gan_digits.DigitsResult. Left: 8×8 generated samples from a fixed noise batch (replayable);
    middle: real training digits; right: digit-likeness and losses over the iterations."""
    last = len(r.snap_steps) - 1
    steps = r.snap_steps.astype(np.float32)

    def title(i: int) -> str:
        return labels["d_title"].format(
            step=int(r.snap_steps[i]),
            total=r.config.total,
            mlp=_pct(float(r.mlp_confident[i])),
            conf=_pct(float(r.confident[i])),
            classes=int(r.classes[i]),
        )

    off = dict(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    traces = [_image(tile(r.samples[last], 8), "x", "y"), _image(tile(r.real, 8), "x2", "y2")]
    ls, ld = block_means(r.d_loss)
    _, lg = block_means(r.g_loss)
    traces += [
        dict(
            type="scatter",
            mode="lines+markers",
            x=steps,
            y=r.confident,
            name=labels["confident"],
            xaxis="x3",
            yaxis="y3",
            line=dict(color=FAKE, width=2),
            marker=dict(size=4),
            hovertemplate="%{y:.0%}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=steps,
            y=r.mlp_confident,
            name=labels["mlp_confident"],
            xaxis="x3",
            yaxis="y3",
            line=dict(color=G_LINE, width=1.5),
            hovertemplate="%{y:.0%}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=[0, r.config.total],
            y=[r.real_confident] * 2,
            name=labels["real_confident"].format(conf=_pct(r.real_confident)),
            xaxis="x3",
            yaxis="y3",
            line=dict(color=REAL, dash="dash", width=1.5),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            mode="lines+markers",
            x=steps,
            y=r.classes.astype(np.float32),
            name=labels["classes"],
            xaxis="x3",
            yaxis="y5",
            line=dict(color="black", width=1.5, dash="dot"),
            marker=dict(size=4),
            hovertemplate="%{y:.0f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=ls,
            y=ld,
            name=labels["d_loss"],
            xaxis="x4",
            yaxis="y4",
            line=dict(color=D_LINE, width=1.5),
            hovertemplate="%{y:.3f}",
        ),
        dict(
            type="scatter",
            mode="lines",
            x=ls,
            y=lg,
            name=labels["g_loss"],
            xaxis="x4",
            yaxis="y4",
            line=dict(color=G_LINE, width=1.5),
            hovertemplate="%{y:.3f}",
        ),
        dict(
            type="scatter",
            mode="markers",
            x=[steps[last]],
            y=[float(r.confident[last])],
            xaxis="x3",
            yaxis="y3",
            marker=dict(color="black", size=12, symbol="line-ns-open", line=dict(width=3)),
            showlegend=False,
            hoverinfo="skip",
        ),
    ]
    notes = [
        dict(
            text=f"<b>{labels['generated']}</b>",
            x=0.15,
            y=1.0,
            xref="paper",
            yref="paper",
            showarrow=False,
            yanchor="bottom",
        ),
        dict(
            text=f"<b>{labels['real_digits']}</b>",
            x=0.455,
            y=1.0,
            xref="paper",
            yref="paper",
            showarrow=False,
            yanchor="bottom",
        ),
    ]
    if r.diverged_at is not None:
        notes.append(
            dict(
                x=0.5,
                y=0.5,
                xref="x domain",
                yref="y domain",
                showarrow=False,
                bgcolor="#fff3cd",
                text=labels["diverged"].format(step=r.diverged_at),
                font=dict(size=13, color="#8a6d3b"),
            )
        )
    layout = dict(
        xaxis=dict(domain=[0, 0.30], **off),
        yaxis=dict(domain=[0, 1], scaleanchor="x", constrain="domain", **off),
        xaxis2=dict(domain=[0.33, 0.58], anchor="y2", **off),
        yaxis2=dict(domain=[0.1, 0.9], anchor="x2", scaleanchor="x2", constrain="domain", **off),
        xaxis3=dict(domain=[0.68, 0.94], anchor="y3", matches="x4", showticklabels=False),
        yaxis3=dict(
            domain=[0.52, 1],
            anchor="x3",
            range=[-0.02, 1.02],
            tickformat=".0%",
            title=dict(text=labels["confident_axis"]),
        ),
        yaxis5=dict(
            overlaying="y3",
            side="right",
            anchor="x3",
            range=[-0.2, 10.2],
            title=dict(text=labels["classes_axis"]),
            showgrid=False,
        ),
        xaxis4=dict(domain=[0.68, 0.94], anchor="y4", title=dict(text=labels["step"]), range=[0, r.config.total]),
        yaxis4=dict(domain=[0, 0.42], anchor="x4", title=dict(text=labels["loss"])),
        title=dict(text=title(last)),
        hovermode="closest",
        annotations=notes,
        legend=dict(orientation="h", yanchor="top", y=-0.14 if not done else -0.3, x=0),
        margin=dict(l=20, r=20, t=70, b=40),
    )
    fig = figure(traces, layout, height=430 if not done else 500, uirevision=f"digits:{r.config.total}")
    if done and last > 0:
        cursor = len(traces) - 1
        fig.frames = [
            go.Frame(
                name=str(i),
                traces=[0, cursor],
                layout=dict(title=dict(text=title(i))),
                data=[
                    dict(type="heatmap", z=tile(r.samples[i], 8)[::-1]),
                    dict(type="scatter", x=[steps[i]], y=[float(r.confident[i])]),
                ],
            )
            for i in range(last + 1)
        ]
        _replay_controls(fig, [str(int(s)) for s in r.snap_steps], last, labels, x=0, length=0.3)
    return fig


def real_digits(images: np.ndarray, labels: Mapping[str, str]) -> go.Figure:
    """The real training digits the GAN learns from (shown before a run)."""
    off = dict(showticklabels=False, showgrid=False, zeroline=False, ticks="")
    layout = dict(xaxis=off, yaxis=dict(scaleanchor="x", **off), margin=dict(l=10, r=10, t=50, b=10))
    return figure([_image(tile(images, 8), "x", "y")], layout, height=360, title=labels["real_digits"])


def interpolation(images: np.ndarray, probs: np.ndarray, labels: Mapping[str, str]) -> go.Figure:
    """A row of images along the latent path, each captioned with the classifier's verdict."""
    n = len(images)
    strip = tile(images, n)
    notes = []
    for i, p in enumerate(probs):
        k = int(np.argmax(p))
        verdict = labels["not_digit"] if k == 10 else str(k)
        notes.append(
            dict(
                x=i * 9 + 3.5,
                y=-1.2,
                xref="x",
                yref="y",
                showarrow=False,
                yanchor="top",
                text=f"{verdict}<br>{p[k]:.0%}",
                font=dict(size=12),
            )
        )
    layout = dict(
        xaxis=dict(visible=False, range=[-0.5, strip.shape[1] - 0.5]),
        yaxis=dict(visible=False, scaleanchor="x", range=[-4.5, strip.shape[0] - 0.5]),
        annotations=notes,
        margin=dict(l=10, r=10, t=50, b=10),
    )
    z = dict(
        type="heatmap",
        z=strip[::-1],
        colorscale="Greys",
        reversescale=True,
        zmin=0,
        zmax=255,
        showscale=False,
        hoverinfo="skip",
    )
    return figure([z], layout, height=230, title=labels["interp_title"])
