"""Pooling figures: the grid with every window highlighted (and a client-side step-through slider),
gradient maps, the real image, translation curves, receptive fields, head sizes, training results.

All built from plain dicts (see core.style.figure). Photos go to the browser as PNG data URIs
(Plotly image traces with `source`): a 256×256 RGB photo is ~60 kB as PNG against ~260 kB as a
base64 uint8 array, and the image figure is resent on every slider move.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.style import PALETTE, figure

# explicit colour scales: figures skip Plotly's validation (style.figure), which is what turns a
# name like "Oranges" into colours, and plotly.js itself knows only a few names
GRID_SCALE = [[0.0, "#f7fbff"], [0.5, "#c6dbef"], [1.0, "#6baed6"]]
GRAD_SCALE = [[0.0, "#ffffff"], [0.25, "#fdd0a2"], [1.0, "#e6550d"]]
GREYS = [[0.0, "#000000"], [1.0, "#ffffff"]]


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "NaN"
    text = f"{v:.3g}"
    return "0" if text == "-0" else text


def _cells_text(a: np.ndarray) -> np.ndarray:
    return np.array([[_fmt(v) for v in row] for row in a], dtype=object)


def _title(text: str, x: float, xanchor: str = "left") -> dict:
    return dict(
        text=f"<b>{text}</b>",
        x=x,
        y=1.0,
        xref="paper",
        yref="paper",
        xanchor=xanchor,
        yanchor="bottom",
        showarrow=False,
    )


def _grid_axes(n_rows: int, n_cols: int, lo: float, domain: list[float], suffix: str, title: str) -> dict:
    """A square-cell axis pair over cells lo…n−1 (rows downwards)."""
    x, y = f"xaxis{suffix}", f"yaxis{suffix}"
    anchor = f"x{suffix}"
    return {
        x: dict(
            domain=domain,
            range=[lo - 0.5, n_cols - 0.5],
            title=dict(text=title),
            dtick=1,
            zeroline=False,
            showgrid=False,
            anchor=f"y{suffix}",
            constrain="domain",
        ),
        y: dict(
            range=[n_rows - 0.5, lo - 0.5],
            dtick=1,
            zeroline=False,
            showgrid=False,
            scaleanchor=anchor,
            anchor=anchor,
            constrain="domain",
        ),
    }


def _rect(x0, x1, y0, y1, color, *, xref="x", yref="y", width=3, dash="solid", fill=None, inset=0.0) -> dict:
    return dict(
        type="rect",
        xref=xref,
        yref=yref,
        x0=x0 + inset,
        x1=x1 - inset,
        y0=y0 + inset,
        y1=y1 - inset,
        line=dict(color=color, width=width, dash=dash),
        fillcolor=fill or "rgba(0,0,0,0)",
        layer="above",
    )


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def grid(res, labels: Mapping[str, str]) -> go.Figure:
    """Input (with its padding ring) and output side by side; every window and its output cell share a
    colour. A Plotly slider under the figure steps through the windows one at a time (client-side)."""
    x, out = res.x, res.out
    n, (oh, ow) = x.shape[0], out.shape
    starts = [w.r[0] for w in res.windows] + [w.c[0] for w in res.windows] + [-res.p]
    stops = [w.r[1] for w in res.windows] + [w.c[1] for w in res.windows] + [n + res.p]
    lo, hi = min(starts), max(stops)  # drawn extent: padding and windows hanging past it (ceil_mode)
    zmin, zmax = float(np.nanmin(x)), float(np.nanmax(x))
    if zmax == zmin:
        zmax = zmin + 1.0
    heat = dict(
        type="heatmap",
        colorscale=GRID_SCALE,
        zmin=zmin,
        zmax=zmax,
        showscale=False,
        xgap=2,
        ygap=2,
        texttemplate="%{text}",
        textfont=dict(size=14),
    )
    ext = np.arange(lo, hi)
    pad = np.where((ext[:, None] >= 0) & (ext[:, None] < n) & (ext[None, :] >= 0) & (ext[None, :] < n), np.nan, 0.0)
    pad_word = labels["pad_max"] if res.op == "max" else labels["pad_zero"]
    pad_text = np.where(np.isnan(pad), "", pad_word).astype(object)
    show_pad = res.p > 0 or hi > n
    traces = []
    if show_pad:
        traces.append(
            dict(
                type="heatmap",
                x=ext,
                y=ext,
                z=pad.astype(np.float32),
                text=pad_text,
                texttemplate="%{text}",
                colorscale=[[0, "#e6e6e6"], [1, "#e6e6e6"]],
                showscale=False,
                xgap=2,
                ygap=2,
                hoverinfo="skip",
                xaxis="x",
                yaxis="y",
                name=labels["padding"],
            )
        )
    traces.append(
        {
            **heat,
            "z": x,
            "x": np.arange(n),
            "y": np.arange(n),
            "text": _cells_text(x),
            "xaxis": "x",
            "yaxis": "y",
            "name": labels["input"],
            "hovertemplate": labels["hover_in"] + "<extra></extra>",
        }
    )
    out_z = np.where(np.isfinite(out), out, np.nan).astype(np.float32)
    traces.append(
        {
            **heat,
            "z": out_z,
            "x": np.arange(ow),
            "y": np.arange(oh),
            "text": _cells_text(out),
            "xaxis": "x2",
            "yaxis": "y2",
            "name": labels["output"],
            "hovertemplate": labels["hover_out"] + "<extra></extra>",
        }
    )

    colors = [PALETTE[i % len(PALETTE)] for i in range(len(res.windows))]
    per_window = []
    for idx, w in enumerate(res.windows):
        i, j = divmod(idx, ow)
        color = colors[idx]
        inset = 0.04 * (idx % 3) if res.s < res.k else 0.0  # overlapping windows: stagger the outlines
        shapes = [
            _rect(w.c[0] - 0.5, w.c[1] - 0.5, w.r[0] - 0.5, w.r[1] - 0.5, color, dash="dot", inset=inset),  # nominal
            _rect(w.c[2] - 0.5, w.c[3] - 0.5, w.r[2] - 0.5, w.r[3] - 0.5, color, inset=inset),  # real cells
            _rect(j - 0.5, j + 0.5, i - 0.5, i + 0.5, color, xref="x2", yref="y2", width=4),
        ]
        if w.pick is not None:
            pi, pj = w.pick
            shapes.append(
                dict(
                    type="circle",
                    xref="x",
                    yref="y",
                    x0=pj - 0.32,
                    x1=pj + 0.32,
                    y0=pi - 0.32,
                    y1=pi + 0.32,
                    line=dict(color=color, width=3),
                    layer="above",
                )
            )
        per_window.append(shapes)

    titles = [_title(labels["in_title"].format(n=n, p=res.p), 0), _title(labels["out_title"].format(h=oh, w=ow), 0.62)]
    layout = {
        **_grid_axes(hi, hi, lo, [0, 0.55], "", labels["col"]),
        **_grid_axes(oh, ow, 0, [0.62, 1], "2", labels["col"]),
        "shapes": [s for shapes in per_window for s in shapes],
        "annotations": titles,
        "hovermode": "closest",
        "showlegend": False,
    }
    layout["yaxis"]["title"] = dict(text=labels["row"])
    steps = [dict(method="relayout", label=labels["all"], args=[{"shapes": layout["shapes"], "annotations": titles}])]
    for idx, w in enumerate(res.windows):
        note = dict(
            text=w.formula,
            x=0.5,
            y=-0.08,
            xref="paper",
            yref="paper",
            showarrow=False,
            font=dict(size=15, color=colors[idx]),
            yanchor="top",
        )
        steps.append(
            dict(
                method="relayout",
                label=f"{idx + 1}",
                args=[{"shapes": per_window[idx], "annotations": titles + [note]}],
            )
        )
    layout["sliders"] = [
        dict(
            active=0,
            steps=steps,
            x=0,
            len=1,
            y=-0.16,
            yanchor="top",
            currentvalue=dict(prefix=labels["step"] + " "),
            pad=dict(t=10),
        )
    ]
    layout["margin"] = dict(l=50, r=20, t=40, b=150)
    height = 320 + 26 * max(hi - lo, 4)
    return figure(traces, layout, height=height)


def gradients(res, labels: Mapping[str, str], ops: tuple[str, ...], names: Mapping[str, str]) -> go.Figure:
    """∂Σy/∂x per input cell, one panel per pooling kind, on one colour scale."""
    n = res.x.shape[0]
    maps = [res.grads[o] for o in ops]
    finite = [m[np.isfinite(m)] for m in maps]
    zmax = max([float(f.max()) for f in finite if f.size] + [1e-9])
    gap = 0.06
    width = (1 - gap * (len(ops) - 1)) / len(ops)
    traces, layout, notes = [], {"annotations": [], "hovermode": "closest"}, []
    for i, (o, m) in enumerate(zip(ops, maps)):
        sfx = "" if i == 0 else str(i + 1)
        lo = i * (width + gap)
        layout.update(_grid_axes(n, n, 0, [lo, lo + width], sfx, labels["col"]))
        traces.append(
            dict(
                type="heatmap",
                z=m,
                text=_cells_text(m),
                texttemplate="%{text}",
                colorscale=GRAD_SCALE,
                zmin=0,
                zmax=zmax,
                showscale=i == len(ops) - 1,
                xgap=2,
                ygap=2,
                colorbar=dict(title=dict(text=labels["grad_bar"])),
                xaxis=f"x{sfx}",
                yaxis=f"y{sfx}",
                hovertemplate=labels["hover_grad"] + "<extra></extra>",
            )
        )
        notes.append(_title(labels["grad_title"].format(name=names[o], total=_fmt(float(np.nansum(m)))), lo))
    layout["annotations"] = notes
    layout["yaxis"]["title"] = dict(text=labels["row"])
    return figure(traces, layout, height=300 + 22 * n)


def png(img: np.ndarray) -> str:
    """(h, w) or (h, w, 3) uint8 -> a PNG data URI (lossless: pooled blocks stay sharp)."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    return _png(img.tobytes(), img.shape)


@lru_cache(maxsize=32)
def _png(data: bytes, shape: tuple[int, ...]) -> str:  # the input photo stays the same while a slider moves
    buf = io.BytesIO()
    Image.fromarray(np.frombuffer(data, dtype=np.uint8).reshape(shape)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _image_trace(img: np.ndarray, real_shape: tuple[int, int], axis: str, name: str) -> dict:
    """A uint8 image (sent as PNG) whose axes count compute-size pixels (the display copy may be smaller)."""
    dy, dx = real_shape[0] / img.shape[0], real_shape[1] / img.shape[1]
    return dict(
        type="image",
        source=png(img),
        x0=(dx - 1) / 2,
        y0=(dy - 1) / 2,
        dx=dx,
        dy=dy,
        xaxis=f"x{axis}",
        yaxis=f"y{axis}",
        name=name,
        hovertemplate=name + ": x=%{x:.0f}, y=%{y:.0f}<extra></extra>",
    )


def image(res, labels: Mapping[str, str], op_name: str) -> go.Figure:
    """The real image, the pooled image and the gradient each input pixel gets back, in real pixel units."""
    h, w = res.img_shape
    oh, ow = res.img_out_shape
    traces = [
        _image_trace(res.img_in, (h, w), "", labels["img_in"]),
        _image_trace(res.img_out, (oh, ow), "2", labels["img_out"]),
    ]
    g = res.img_grad
    top = float(g.max()) if g.size and float(g.max()) > 0 else 1.0
    ink = (255 - np.clip(g / top, 0, 1) * 255).round().astype(np.uint8)  # black = the most gradient
    traces.append(_image_trace(ink, (h, w), "3", labels["img_grad"]))
    layout: dict = {"hovermode": "closest", "annotations": []}
    for i, (sfx, (rows, cols), title) in enumerate(
        (
            ("", (h, w), labels["img_in_title"].format(h=h, w=w)),
            ("2", (oh, ow), labels["img_out_title"].format(h=oh, w=ow, op=op_name)),
            ("3", (h, w), labels["img_grad_title"].format(share=f"{res.img_grad_share:.0%}")),
        )
    ):
        lo = i * 0.345
        layout[f"xaxis{sfx}"] = dict(
            domain=[lo, lo + 0.31],
            range=[-0.5, cols - 0.5],
            showgrid=False,
            zeroline=False,
            title=dict(text=labels["px"]),
            anchor=f"y{sfx}",
            constrain="domain",
        )
        layout[f"yaxis{sfx}"] = dict(
            range=[rows - 0.5, -0.5],
            showgrid=False,
            zeroline=False,
            scaleanchor=f"x{sfx}",
            anchor=f"x{sfx}",
            constrain="domain",
        )
        layout["annotations"].append(_title(title, lo))
    return figure(traces, layout, height=420)


def shift(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Change of each map against the unshifted one, per shift; the feature map itself on the right."""
    dashes = {"unpooled": "solid", "subsample": "dot", "max": "solid", "avg": "dash"}
    colors = {"unpooled": "#444444", "subsample": "#8c8c8c", "max": PALETTE[0], "avg": PALETTE[1]}
    traces = [
        dict(
            type="scatter",
            x=res.shifts,
            y=y,
            mode="lines+markers",
            name=names[key],
            line=dict(color=colors[key], dash=dashes[key], width=3 if key in ("max", "avg") else 2),
            hovertemplate="%{y:.3f}",
            xaxis="x",
            yaxis="y",
        )
        for key, y in res.curves.items()
    ]
    traces.append(
        dict(
            type="heatmap",
            z=res.feature,
            colorscale=GREYS,
            reversescale=True,
            showscale=False,
            xaxis="x2",
            yaxis="y2",
            hoverinfo="skip",
        )
    )
    h, w = res.feature.shape
    layout = {
        "xaxis": dict(domain=[0, 0.62], title=dict(text=labels["shift_x"]), dtick=1),
        "yaxis": dict(title=dict(text=labels["shift_y"]), rangemode="tozero"),
        "xaxis2": dict(domain=[0.7, 1], showticklabels=False, showgrid=False, zeroline=False, anchor="y2"),
        "yaxis2": dict(
            autorange="reversed", showticklabels=False, showgrid=False, zeroline=False, scaleanchor="x2", anchor="x2"
        ),
        "shapes": [
            dict(
                type="line",
                xref="x",
                yref="y domain",
                x0=res.k,
                x1=res.k,
                y0=0,
                y1=1,
                line=dict(color="gray", dash="dash", width=1.5),
            ),
            dict(
                type="line",
                xref="x domain",
                yref="y",
                x0=0,
                x1=1,
                y0=2**0.5,
                y1=2**0.5,
                line=dict(color="gray", dash="dot", width=1),
            ),
        ],
        "annotations": [
            dict(
                x=res.k,
                y=1,
                xref="x",
                yref="y domain",
                text=labels["shift_k"].format(k=res.k),
                showarrow=False,
                yanchor="bottom",
            ),
            dict(
                x=1,
                y=2**0.5,
                xref="x domain",
                yref="y",
                text=labels["unrelated"],
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font=dict(color="gray"),
            ),
            _title(labels["feature_title"].format(h=h, w=w), 0.7),
        ],
        "hovermode": "x unified",
        "legend": dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
        "margin": dict(l=60, r=20, t=40, b=100),
    }
    return figure(traces, layout, height=470)


RF_RED = np.array([214, 39, 40], dtype=np.float32)


def _blend(gray: np.ndarray, weight: np.ndarray, most: int = 384) -> tuple[np.ndarray, int]:
    """Gray uint8 photo tinted red by weight ∈ [0, 1] -> (h, w, 3) uint8, shrunk by an integer step to
    at most `most` pixels a side (max over each block, so single pixels stay visible)."""
    step = max(1, -(-gray.shape[0] // most))
    if step > 1:
        h, w = (gray.shape[0] // step) * step, (gray.shape[1] // step) * step
        gray = gray[:h:step, :w:step]
        weight = weight[:h, :w].reshape(h // step, step, w // step, step).max(axis=(1, 3))
    a = (0.9 * np.clip(weight, 0, 1))[..., None]  # (h, w, 1)
    rgb = (1 - a) * gray[..., None].astype(np.float32) + a * RF_RED
    return rgb.round().astype(np.uint8), step


def receptive_field(res, labels: Mapping[str, str]) -> go.Figure:
    """The input tinted red where the traced unit's gradient lands, and its receptive field per layer."""
    n = res.n_in
    rgb, step = _blend(res.image, np.sqrt(res.grad))  # √: the faint tails of the gradient stay visible
    traces = [
        dict(
            type="image",
            source=png(rgb),
            x0=(step - 1) / 2,
            y0=(step - 1) / 2,
            dx=step,
            dy=step,
            hovertemplate="x=%{x:.0f}, y=%{y:.0f}<extra></extra>",
            name=labels["rf_input"],
        )
    ]
    shapes, lo, hi = [], -0.5, n - 0.5
    for i, ((a, b), row) in enumerate(zip(res.boxes, res.rows)):
        color = PALETTE[i % len(PALETTE)]
        shapes.append(_rect(a - 0.5, b + 0.5, a - 0.5, b + 0.5, color, width=2 if i < len(res.rows) - 1 else 4))
        lo, hi = min(lo, a - 0.5), max(hi, b + 0.5)
        traces.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color=color, width=3),
                name=labels["rf_legend"].format(i=i + 1, layer=row.layer.token(), r=row.rf),
            )
        )
    traces.append(
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=labels["rf_grad"],
            marker=dict(symbol="square", size=14, color=_rgba("#d62728", 0.8)),
        )
    )
    shapes.append(_rect(-0.5, n - 0.5, -0.5, n - 0.5, "black", width=1))
    pad = 0.02 * (hi - lo)
    layout = {
        "xaxis": dict(
            range=[lo - pad, hi + pad],
            title=dict(text=labels["px"]),
            showgrid=False,
            zeroline=False,
            constrain="domain",
        ),
        "yaxis": dict(range=[hi + pad, lo - pad], showgrid=False, zeroline=False, scaleanchor="x", constrain="domain"),
        "shapes": shapes,
        "hovermode": "closest",
        "legend": dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top"),
        "margin": dict(l=50, r=20, t=30, b=50),
    }
    return figure(traces, layout, height=560)


SUFFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"))


def count_text(n: float) -> str:
    """A power of ten as a parameter count reads: 1, 10, 100, 1k, 10k, …, 1M, …, 1G."""
    for scale, suffix in SUFFIXES:
        if n >= scale:
            return f"{n / scale:g}{suffix}"
    return f"{n:g}"


def decades(values: np.ndarray) -> list[float]:
    """The powers of ten from just below the smallest finite value to just above the largest (log-axis ticks that
    say what they are, instead of Plotly's unlabelled 2 and 5 between decades)."""
    finite = values[np.isfinite(values) & (values > 0)]
    lo, hi = int(np.floor(np.log10(finite.min()))), int(np.ceil(np.log10(finite.max())))
    return [10.0**e for e in range(lo, max(hi, lo + 1) + 1)]


def heads(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Parameters of each head against the feature-map size (log scale, a labelled tick per decade: 10k, 1M, …),
    the chosen size marked."""
    traces = []
    for i, key in enumerate(res.counts):
        color = PALETTE[i]
        traces.append(
            dict(
                type="scatter",
                x=res.sizes,
                y=res.counts[key],
                mode="lines",
                name=names[key],
                line=dict(color=color, width=3),
                hovertemplate="%{y:,.0f}",
            )
        )
        if res.chosen[key] > 0:
            traces.append(
                dict(
                    type="scatter",
                    x=[res.size],
                    y=[res.chosen[key]],
                    mode="markers",
                    showlegend=False,
                    marker=dict(color=color, size=12, line=dict(color="white", width=1.5)),
                    hoverinfo="skip",
                )
            )
    ticks = decades(np.concatenate(list(res.counts.values())))
    layout = {
        "xaxis": dict(title=dict(text=labels["head_x"]), dtick=2),
        "yaxis": dict(
            title=dict(text=labels["head_y"]), type="log", tickvals=ticks, ticktext=list(map(count_text, ticks))
        ),
        "shapes": [
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=res.size,
                x1=res.size,
                y0=0,
                y1=1,
                line=dict(color="gray", dash="dot", width=1.5),
            )
        ],
    }
    return figure(traces, layout, height=420)


def training(res, labels: Mapping[str, str], names: Mapping[str, str]) -> go.Figure:
    """Final accuracies per model (bars) and held-out accuracy over training (lines, one point per chunk)."""
    models = [names[m] for m in res.models]
    metrics = (
        ("train", res.train_acc, "#7f7f7f"),
        ("test", res.test_acc, PALETTE[0]),
        ("shifted", res.shifted_acc, PALETTE[2]),
    )
    traces = [
        dict(
            type="bar",
            x=models,
            y=a[:, -1],
            name=labels[key].format(shift=res.shift),
            marker_color=c,
            texttemplate="%{y:.0%}",
            textposition="outside",
            xaxis="x",
            yaxis="y",
            legendgroup=key,
        )
        for key, a, c in metrics
    ]
    for i, m in enumerate(res.models):
        color = PALETTE[(i + 4) % len(PALETTE)]
        traces.append(
            dict(
                type="scatter",
                x=res.steps,
                y=res.test_acc[i],
                mode="lines+markers",
                name=names[m],
                line=dict(color=color),
                xaxis="x2",
                yaxis="y2",
                hovertemplate="%{y:.1%}",
                legendgroup=m,
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=res.steps,
                y=res.shifted_acc[i],
                mode="lines",
                name=names[m],
                line=dict(color=color, dash="dot"),
                xaxis="x2",
                yaxis="y2",
                showlegend=False,
                hovertemplate="%{y:.1%}",
                legendgroup=m,
            )
        )
    layout = {
        "barmode": "group",
        "xaxis": dict(domain=[0, 0.5]),
        "yaxis": dict(title=dict(text=labels["acc"]), range=[0, 1.12], tickformat=".0%"),
        "xaxis2": dict(domain=[0.6, 1], title=dict(text=labels["steps"]), anchor="y2"),
        "yaxis2": dict(range=[0, 1.02], tickformat=".0%", anchor="x2"),
        "annotations": [_title(labels["bars_title"], 0), _title(labels["curve_title"], 0.6)],
        "hovermode": "closest",
        "legend": dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0),
        "margin": dict(l=60, r=20, t=60, b=90),
    }
    return figure(traces, layout, height=460)
