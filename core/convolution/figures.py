"""Convolution figures: the photo and its feature map, the per-channel sum, counts, learned kernels.

Built from plain dicts (core.style.figure); images go to Plotly as uint8 arrays, maps as
float32, both already downsampled by core.convolution.concept. Colour scales are explicit lists: figures skip
Plotly's Python-side validation, which is what would turn a scale's name into colours.
The step-through figure lives in core.convolution.steps_figures.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.style import PALETTE, figure, stacked_axes

BLUE_RED = [[0.0, "#2166ac"], [0.25, "#67a9cf"], [0.5, "#f7f7f7"], [0.75, "#ef8a62"], [1.0, "#b2182b"]]
GREYS = [[0.0, "#000000"], [1.0, "#ffffff"]]
INK = [[0.0, "#ffffff"], [1.0, "#000000"]]  # digits: white paper, black ink


def _title(text: str, axis: str) -> dict:
    """A panel title just above its (aspect-constrained) plot area."""
    return dict(
        text=f"<b>{text}</b>",
        x=0,
        y=1.0,
        xref=f"x{axis} domain",
        yref=f"y{axis} domain",
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
    )


def _image_axes(
    sfx: str,
    domain: list[float],
    rows: float,
    cols: float,
    ydomain=(0.0, 1.0),
    title: str | None = None,
    ticks: bool = True,
    yticks: bool | None = None,
) -> dict:
    """A pixel-unit axis pair (rows downwards, square pixels) over [−0.5, cols − 0.5] × [−0.5, rows − 0.5]."""
    x = dict(
        domain=domain,
        range=[-0.5, cols - 0.5],
        showgrid=False,
        zeroline=False,
        anchor=f"y{sfx}",
        constrain="domain",
        showticklabels=ticks,
    )
    if title:
        x["title"] = dict(text=title)
    y = dict(
        domain=list(ydomain),
        range=[rows - 0.5, -0.5],
        showgrid=False,
        zeroline=False,
        scaleanchor=f"x{sfx}",
        anchor=f"x{sfx}",
        constrain="domain",
        showticklabels=ticks if yticks is None else yticks,
    )
    return {f"xaxis{sfx}": x, f"yaxis{sfx}": y}


def _placed(shape_hw: tuple[int, int], real_hw: tuple[int, int]) -> dict:
    """x0/dx/y0/dy so that a downsampled array's pixels sit at their compute-size coordinates."""
    dy, dx = real_hw[0] / shape_hw[0], real_hw[1] / shape_hw[1]
    return dict(x0=(dx - 1) / 2, dx=dx, y0=(dy - 1) / 2, dy=dy)


def png_uri(img: np.ndarray) -> str:
    """(h, w, 3) uint8 -> a PNG data URI. plotly.js draws an image trace given as a 3-D `z` array pixel
    by pixel (about a second for 256×256 here); a `source` image is decoded by the browser itself."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    return _png(img.tobytes(), img.shape)


@lru_cache(maxsize=16)
def _png(data: bytes, shape: tuple[int, ...]) -> str:  # the photo stays the same while the kernel changes
    buf = io.BytesIO()
    Image.fromarray(np.frombuffer(data, dtype=np.uint8).reshape(shape)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _map_scale(signed: bool) -> list:
    return BLUE_RED if signed else GREYS


def filtered(res, labels: Mapping[str, str]) -> go.Figure:
    """Input image | feature map, side by side, both in their own compute-size pixel coordinates."""
    c, h, w = res.in_shape
    ho, wo = res.out_shape
    traces = [
        dict(
            type="image",
            source=png_uri(res.image),
            xaxis="x",
            yaxis="y",
            name=labels["input"],
            hovertemplate=labels["hover_px"] + "<extra></extra>",
            **_placed(res.image.shape[:2], (h, w)),
        ),
        dict(
            type="heatmap",
            z=res.fmap,
            xaxis="x2",
            yaxis="y2",
            name=labels["fmap"],
            colorscale=_map_scale(res.signed),
            zmin=res.zmin,
            zmax=res.zmax,
            colorbar=dict(title=dict(text=labels["response"]), len=0.9),
            hovertemplate=labels["hover_map"] + "<extra></extra>",
            **_placed(res.fmap.shape, (ho, wo)),
        ),
    ]
    layout = {
        **_image_axes("", [0.0, 0.45], h, w, title=labels["px"]),
        **_image_axes("2", [0.49, 0.92], ho, wo, title=labels["px"], yticks=False),
        "annotations": [
            _title(labels["in_title"].format(h=h, w=w, c=c), ""),
            _title(labels["out_title"].format(h=ho, w=wo), "2"),
        ],
        "hovermode": "closest",
        "margin": dict(l=45, r=10, t=30, b=45),
    }
    return figure(traces, layout, height=430, uirevision=f"{res.source}:{h}x{w}:{ho}x{wo}")


def channels(res, labels: Mapping[str, str]) -> go.Figure:
    """RGB input: each channel (top), its response w_c·K ⋆ x_c (bottom) and their sum, the feature map."""
    per, total = res.per_channel, res.fmap_small
    lim = float(np.percentile(np.abs(np.concatenate([per.ravel(), total.ravel()])), 99.5)) or 1.0
    width, gap = 0.2, 0.06
    traces, layout, notes = [], {"hovermode": "closest", "margin": dict(l=20, r=10, t=40, b=20)}, []
    names = (labels["red"], labels["green"], labels["blue"])
    rows, cols = per.shape[1:]
    for i in range(4):
        lo = i * (width + gap)
        top, bottom = str(i + 1), str(i + 5)
        if i < 3:
            layout.update(
                _image_axes(
                    "" if i == 0 else top, [lo, lo + width], *res.channels.shape[1:], ydomain=(0.56, 0.98), ticks=False
                )
            )
            tinted = np.zeros(res.channels.shape[1:] + (3,), dtype=np.uint8)  # this channel alone, in its colour
            tinted[..., i] = res.channels[i]
            traces.append(
                dict(
                    type="image",
                    source=png_uri(tinted),
                    xaxis="x" if i == 0 else f"x{top}",
                    yaxis="y" if i == 0 else f"y{top}",
                    hoverinfo="skip",
                )
            )
            notes.append(_title(labels["channel"].format(name=names[i]), "" if i == 0 else top))
            z, title = per[i], labels["response_c"].format(name=names[i], w=f"{res.weights[i]:g}")
        else:
            z, title = total, labels["sum"]
        layout.update(_image_axes(bottom, [lo, lo + width], rows, cols, ydomain=(0.0, 0.42), ticks=False))
        traces.append(
            dict(
                type="heatmap",
                z=z,
                colorscale=BLUE_RED,
                zmin=-lim,
                zmax=lim,
                showscale=i == 3,
                colorbar=dict(len=0.42, y=0.0, yanchor="bottom", title=dict(text=labels["response"])),
                xaxis=f"x{bottom}",
                yaxis=f"y{bottom}",
                hovertemplate="%{z:.3g}<extra></extra>",
            )
        )
        notes.append(_title(title, bottom))
        if i > 0:  # "+" between the responses, "=" before the sum
            notes.append(
                dict(
                    text=f"<b>{'=' if i == 3 else '+'}</b>",
                    x=lo - gap / 2,
                    y=0.21,
                    xref="paper",
                    yref="paper",
                    showarrow=False,
                    font=dict(size=28),
                )
            )
    layout["annotations"] = notes
    return figure(traces, layout, height=560)


# ---- counting --------------------------------------------------------------------------------------


def _short(n: int) -> str:
    for unit, size in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


def counts(res, labels: Mapping[str, str], names: Mapping[str, str], kinds: tuple[str, ...]) -> go.Figure:
    """Parameters and multiply-adds per layer kind, on a log scale."""
    x = [names[k] for k in kinds]
    traces = [
        dict(
            type="bar",
            x=x,
            y=np.array([float(res.params[k]) for k in kinds]),
            name=labels["params"],
            text=[_short(res.params[k]) for k in kinds],
            textposition="outside",
            marker_color=PALETTE[0],
            hovertemplate="%{y:,.0f}<extra></extra>",
        ),
        dict(
            type="bar",
            x=x,
            y=np.array([float(res.macs[k]) for k in kinds]),
            name=labels["macs"],
            text=[_short(res.macs[k]) for k in kinds],
            textposition="outside",
            marker_color=PALETTE[2],
            hovertemplate="%{y:,.0f}<extra></extra>",
        ),
    ]
    layout = {"barmode": "group", "yaxis": dict(type="log", title=dict(text=labels["count_y"])), "hovermode": "closest"}
    return figure(traces, layout, height=420, title=labels["count_title"])


# ---- learned filters -------------------------------------------------------------------------------


def mosaic(stack: np.ndarray, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, a, b) tiles -> one (rows·(a+1) − 1, cols·(b+1) − 1) float32 image with NaN gaps, and the
    tile index of every cell (−1 in the gaps) for hover text."""
    n, a, b = stack.shape
    rows = -(-n // cols)
    out = np.full((rows * (a + 1) - 1, cols * (b + 1) - 1), np.nan, dtype=np.float32)
    idx = np.full(out.shape, -1, dtype=np.int16)
    for t in range(n):
        r, c = divmod(t, cols)
        out[r * (a + 1) : r * (a + 1) + a, c * (b + 1) : c * (b + 1) + b] = stack[t]
        idx[r * (a + 1) : r * (a + 1) + a, c * (b + 1) : c * (b + 1) + b] = t + 1
    return out, idx


def curves(res, labels: Mapping[str, str]) -> go.Figure:
    """Training loss per chunk (top) and test accuracy per snapshot (bottom)."""
    loss = np.where(np.isfinite(res.loss), res.loss, np.nan).astype(np.float32)
    traces = [
        dict(
            type="scatter",
            x=res.steps[1:],
            y=loss[1:],
            mode="lines+markers",
            name=labels["loss"],
            line=dict(color=PALETTE[0], width=2.5),
            xaxis="x",
            yaxis="y",
            hovertemplate="%{y:.4f}",
        ),
        dict(
            type="scatter",
            x=res.steps,
            y=res.test_acc,
            mode="lines+markers",
            name=labels["acc"],
            line=dict(color=PALETTE[2], width=2.5),
            xaxis="x",
            yaxis="y2",
            hovertemplate="%{y:.1%}",
        ),
    ]
    panels = [(labels["loss"], labels["loss_title"]), (labels["acc"], labels["acc_title"])]
    layout = stacked_axes(labels["steps"], panels)
    layout["yaxis2"].update(range=[0, 1.02], tickformat=".0%")
    layout["xaxis"]["range"] = [0, float(res.total) * 1.02]
    if not res.finite:
        layout["annotations"].append(
            dict(
                text=labels["diverged"],
                x=0.5,
                y=0.75,
                xref="paper",
                yref="paper",
                showarrow=False,
                font=dict(color="#b2182b", size=16),
            )
        )
    return figure(traces, layout, height=420)


def kernels(res, labels: Mapping[str, str]) -> go.Figure:
    """The first-layer kernels as a mosaic; a slider (and ▶) replays them snapshot by snapshot, client-side."""
    cols = min(8, res.kernels.shape[1])
    tiles = [mosaic(k, cols) for k in res.kernels]
    idx = tiles[0][1]
    hover = labels["hover_kernel"] + "<extra></extra>"

    def trace(t: int) -> dict:
        lim = float(np.nanmax(np.abs(tiles[t][0]))) or 1.0
        return dict(
            type="heatmap",
            z=tiles[t][0],
            zmin=-lim,
            zmax=lim,
            colorscale=BLUE_RED,
            customdata=idx,
            hovertemplate=hover,
            colorbar=dict(title=dict(text=labels["weight"])),
            xgap=0,
            ygap=0,
        )

    last = len(tiles) - 1
    frames = [dict(name=str(int(s)), data=[trace(t)], traces=[0]) for t, s in enumerate(res.steps)]
    steps = [
        dict(
            method="animate",
            label=str(int(s)),
            args=[
                [str(int(s))],
                dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0)),
            ],
        )
        for s in res.steps
    ]
    rows, width = tiles[0][0].shape
    layout = {
        **_image_axes("", [0, 1], rows, width, ticks=False),
        "sliders": [
            dict(
                active=last,
                steps=steps,
                x=0.1,
                len=0.9,
                y=0,
                yanchor="top",
                pad=dict(t=10),
                currentvalue=dict(prefix=labels["snapshot"] + " "),
            )
        ],
        "updatemenus": [_play(labels, 600)],
        "margin": dict(l=20, r=20, t=40, b=90),
    }
    fig = figure([trace(last)], layout, height=170 + 36 * rows, title=labels["kernels_title"].format(k=res.k))
    fig.frames = frames
    return fig


def _play(labels: Mapping[str, str], ms: int) -> dict:
    return dict(
        type="buttons",
        direction="left",
        x=0.0,
        y=0,
        xanchor="left",
        yanchor="top",
        pad=dict(t=20, r=10),
        showactive=False,
        buttons=[
            dict(
                label="▶",
                method="animate",
                args=[None, dict(frame=dict(duration=ms, redraw=True), fromcurrent=True, transition=dict(duration=0))],
            ),
            dict(
                label="❚❚",
                method="animate",
                args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False))],
            ),
        ],
    )


def probe(res, labels: Mapping[str, str]) -> go.Figure:
    """The chosen test digit, the first layer's ReLU feature maps for it, and the predicted probabilities."""
    cols = min(4, res.maps.shape[0])
    tiles, idx = mosaic(res.maps, cols)
    rows, width = tiles.shape
    traces = [
        dict(
            type="heatmap",
            z=res.image,
            colorscale=INK,
            zmin=0,
            zmax=1,
            showscale=False,
            xaxis="x",
            yaxis="y",
            hovertemplate="%{z:.2f}<extra></extra>",
        ),
        dict(
            type="heatmap",
            z=tiles,
            customdata=idx,
            colorscale=INK,
            zmin=0,
            zmax=float(np.nanmax(tiles)) or 1.0,
            showscale=False,
            xaxis="x2",
            yaxis="y2",
            hovertemplate=labels["hover_map_k"] + "<extra></extra>",
        ),
        dict(
            type="bar",
            x=np.arange(10),
            y=res.probs,
            xaxis="x3",
            yaxis="y3",
            marker_color=[PALETTE[2] if i == res.pred else "#9e9e9e" for i in range(10)],
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        ),
    ]
    layout = {
        **_image_axes("", [0.0, 0.2], 8, 8, ticks=False),
        **_image_axes("2", [0.25, 0.62], rows, width, ticks=False),
        "xaxis3": dict(domain=[0.7, 1.0], dtick=1, title=dict(text=labels["class"]), anchor="y3"),
        "yaxis3": dict(range=[0, 1.05], tickformat=".0%", anchor="x3"),
        "annotations": [
            _title(labels["digit_title"].format(label=res.label), ""),
            _title(labels["maps_title"], "2"),
            _title(labels["probs_title"].format(pred=res.pred), "3"),
        ],
        "showlegend": False,
        "hovermode": "closest",
        "margin": dict(l=20, r=10, t=40, b=50),
    }
    return figure(traces, layout, height=360)
