"""The step-through figure: a kernel window sliding over a small grid, its products and their sum.

Three panels: the (padded) input, the k×k products of the current step, the output. Every step is a
Plotly animation frame (slider and ▶ run client-side, no server round trip). The frames are passed
inline in the slider's and the button's arguments instead of as `figure.frames`: plotly.py validates
named frames trace by trace even with `_validate=False` (~4 ms a frame), inline ones it leaves alone.
Cell values are text templates over z; only the products panel carries its k² texts.
Window outlines are line traces in data units, so dilation gaps and stride jumps are drawn exactly
whatever the figure's pixel size.
Convolution reveals the output cell by cell by re-colouring one static "not yet" mask (a colour scale
per frame, not a new array); transposed convolution shows the canvas accumulating stamp by stamp.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from core.convolution.figures import BLUE_RED
from core.style import figure

CELLS = [[0.0, "#f7fbff"], [0.5, "#c6dbef"], [1.0, "#6baed6"]]
PAD_SHADE = [[0.0, "rgba(150,150,150,0.55)"], [1.0, "rgba(150,150,150,0.55)"]]
WINDOW, CURRENT = "#d62728", "#ff7f0e"
# the "not yet computed" mask over the output: a heatmap of each cell's step number, clear below the middle of
# its colour range and white above; each frame moves zmin/zmax so the middle sits just after its own step
REVEAL = [
    [0.0, "rgba(255,255,255,0)"],
    [0.5, "rgba(255,255,255,0)"],
    [0.5, "rgba(255,255,255,1)"],
    [1.0, "rgba(255,255,255,1)"],
]


VALUE = "%{z:.3~g}"
PRODUCT = "%{text}"  # heatmap text templates see x, y, z and text only


def _fmt(v: float) -> str:
    text = f"{v:.3g}"
    return "0" if text == "-0" else text


def _par(v: float) -> str:
    """A factor in a written-out sum: negative numbers in parentheses."""
    text = _fmt(v)
    return f"({text})" if text.startswith("-") else text


def _boxes(rows, cols, inset: float = 0.06) -> tuple[list, list]:
    """Closed outlines of the cells rows × cols as one line trace (None between boxes).

    Plain lists on purpose: these are a few dozen numbers per animation frame, and plotly.py's JSON path
    spends ~0.5 ms on every numpy array (a typed-array check), i.e. most of a 300-frame figure's build."""
    out_x, out_y = [], []
    for r in rows:
        for c in cols:
            a, b, t, u = c - 0.5 + inset, c + 0.5 - inset, r - 0.5 + inset, r + 0.5 - inset
            out_x += [a, b, b, a, a, None]
            out_y += [t, t, u, u, t, None]
    return [_num(v) for v in out_x], [_num(v) for v in out_y]


def _num(v):
    return None if v is None else round(float(v), 3)


def _small(a: np.ndarray) -> list:
    """A k×k frame payload (k ≤ 5) as nested lists, for the same reason as `_boxes`."""
    return np.asarray(a, dtype=np.float64).round(6).tolist()


def _axes(sfx: str, domain: list[float], lo: int, hi: int, ticks: bool = True) -> dict:
    """Square cells lo…hi−1 on both axes, rows downwards; tick labels are the row and column indices."""
    return {
        f"xaxis{sfx}": dict(
            domain=domain,
            range=[lo - 0.5, hi - 0.5],
            dtick=1,
            showgrid=False,
            zeroline=False,
            anchor=f"y{sfx}",
            constrain="domain",
            tickfont=dict(size=10),
            showticklabels=ticks,
            ticks="",
        ),
        f"yaxis{sfx}": dict(
            domain=list(PANELS),
            range=[hi - 0.5, lo - 0.5],
            dtick=1,
            showgrid=False,
            zeroline=False,
            scaleanchor=f"x{sfx}",
            anchor=f"x{sfx}",
            constrain="domain",
            tickfont=dict(size=10),
            showticklabels=ticks,
            ticks="",
        ),
    }


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


CAPTION_AXES = {  # a full-width strip under the panels, for the step's sentence
    "xaxis4": dict(domain=[0, 1], range=[0, 1], visible=False, anchor="y4"),
    "yaxis4": dict(domain=[0, 0.07], range=[0, 1], visible=False, anchor="x4"),
}
PANELS = (0.13, 1.0)  # the panels' vertical domain, above the caption strip


def _caption(text: list[str]) -> dict:
    """The step's sentence as a text trace (a frame can change a trace's text without resending the
    layout's annotations)."""
    return dict(
        type="scatter",
        mode="text",
        x=[0.5],
        y=[0.5],
        text=text,
        textposition="middle center",
        textfont=dict(size=15),
        cliponaxis=False,
        hoverinfo="skip",
        xaxis="x4",
        yaxis="y4",
        showlegend=False,
    )


def _font(cells: int) -> int:
    return 13 if cells <= 8 else 11 if cells <= 12 else 9


def _heat(z, template, scale, zmin, zmax, axis: str, name: str, cells: int, **extra) -> dict:
    trace = dict(
        type="heatmap",
        z=z,
        colorscale=scale,
        zmin=zmin,
        zmax=zmax,
        showscale=False,
        xgap=2,
        ygap=2,
        xaxis=f"x{axis}",
        yaxis=f"y{axis}",
        name=name,
        hovertemplate="%{z:.4g}<extra>" + name + "</extra>",
        **extra,
    )
    if template is not None and cells <= 16:  # larger grids: too small to read, hover instead
        trace.update(texttemplate=template, textfont=dict(size=_font(cells)))
    return trace


def _outline(x, y, color: str, axis: str, width: float = 3) -> dict:
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        line=dict(color=color, width=width),
        hoverinfo="skip",
        xaxis=f"x{axis}",
        yaxis=f"y{axis}",
        showlegend=False,
    )


def _factors(xs: np.ndarray, w: np.ndarray, prods: np.ndarray) -> list:
    """ "value×weight = product" for each cell of the k×k products panel (at most 25 short strings)."""
    return [[f"{_par(a)}×{_par(b)}<br>={_fmt(c)}" for a, b, c in zip(ra, rb, rc)] for ra, rb, rc in zip(xs, w, prods)]


def _sym(a: np.ndarray) -> float:
    return float(np.abs(a).max()) or 1.0


def _animate(frames: list[dict], prefix: str, names: list[str]) -> tuple[dict, dict]:
    """A slider with one step per frame and ▶ / ❚❚ buttons; the frames travel inline in their arguments."""
    steps = [
        dict(
            method="animate",
            label=name,
            args=[[frame], dict(mode="immediate", transition=dict(duration=0), frame=dict(duration=0, redraw=True))],
        )
        for frame, name in zip(frames, names)
    ]
    slider = dict(
        active=0,
        steps=steps,
        x=0.12,
        len=0.88,
        y=0,
        yanchor="top",
        pad=dict(t=10),
        currentvalue=dict(prefix=prefix + " "),
    )
    play = dict(
        type="buttons",
        direction="left",
        x=0.0,
        y=0,
        xanchor="left",
        yanchor="top",
        showactive=False,
        pad=dict(t=20, r=10),
        buttons=[
            dict(
                label="▶",
                method="animate",
                args=[
                    frames,
                    dict(mode="immediate", frame=dict(duration=700, redraw=True), transition=dict(duration=0)),
                ],
            ),
            dict(
                label="❚❚",
                method="animate",
                args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False))],
            ),
        ],
    )
    return slider, play


def steps(res, labels: Mapping[str, str]) -> go.Figure:
    return _conv(res, labels) if res.op == "conv" else _transposed(res, labels)


def _conv(res, labels: Mapping[str, str]) -> go.Figure:
    n, p, k = res.x.shape[0], res.p, res.w.shape[0]
    m = res.out.shape[0]
    total = len(res.cells)
    coords = np.arange(-p, n + p)
    inside = (coords[:, None] >= 0) & (coords[:, None] < n) & (coords[None, :] >= 0) & (coords[None, :] < n)
    traces = [
        _heat(
            res.grid.astype(np.float32),
            VALUE,
            CELLS,
            float(res.grid.min()),
            float(res.grid.max()) or 1.0,
            "",
            labels["input"],
            n + 2 * p,
            x=coords,
            y=coords,
        )
    ]
    if p:
        traces.append(
            dict(
                type="heatmap",
                x=coords,
                y=coords,
                z=np.where(inside, np.nan, 1.0).astype(np.float32),
                colorscale=PAD_SHADE,
                showscale=False,
                hoverinfo="skip",
                xgap=2,
                ygap=2,
            )
        )
    lim = _sym(res.prods)
    signed = bool(res.out.min() < 0 < res.out.max())
    lo_, hi_ = float(res.out.min()), float(res.out.max())
    out_scale, out_lo, out_hi = (BLUE_RED, -_sym(res.out), _sym(res.out)) if signed else (CELLS, lo_, max(hi_, lo_ + 1))
    order = np.arange(m * m, dtype=np.float32).reshape(m, m)  # the step that computes each output cell
    traces += [
        _heat(res.out.astype(np.float32), VALUE, out_scale, out_lo, out_hi, "3", labels["output"], m),
    ]
    dynamic = len(traces)  # the traces each frame replaces, from here on

    def frame_data(t: int) -> list[dict]:
        r, c = res.rows[t] - p, res.cols[t] - p  # window cells in input coordinates (negative: padding)
        i, j = res.cells[t]
        wx, wy = _boxes(r, c)
        ox, oy = _boxes([i], [j], inset=0.0)
        window = res.grid[np.ix_(res.rows[t], res.cols[t])]  # the values under the kernel (padding included)
        return [
            dict(x=wx, y=wy),
            dict(z=_small(res.prods[t]), text=_factors(window, res.w, res.prods[t])),
            dict(zmin=t + 0.5 - total, zmax=t + 0.5 + total),  # cells computed after step t stay white
            dict(x=ox, y=oy),
            dict(text=[line(t)]),
        ]

    def line(t: int) -> str:
        i, j = res.cells[t]
        window = res.grid[np.ix_(res.rows[t], res.cols[t])].ravel()
        terms = (
            " + ".join(f"{_par(a)}·{_par(b)}" for a, b in zip(window, res.w.ravel()))
            if k <= 3
            else labels["many_terms"].format(n=k * k)
        )
        return labels["sum_line"].format(i=i, j=j, terms=terms, value=_fmt(res.sums[t]))

    frames = [dict(data=frame_data(t), traces=list(range(dynamic, dynamic + 5))) for t in range(total)]
    first = frames[0]["data"]
    traces += [
        _outline(first[0]["x"], first[0]["y"], WINDOW, ""),
        _heat(
            res.prods[0].astype(np.float32),
            PRODUCT,
            BLUE_RED,
            -lim,
            lim,
            "2",
            labels["products"],
            k,
            text=first[1]["text"],
        ),
        dict(
            type="heatmap",
            z=order,
            colorscale=REVEAL,
            zmin=first[2]["zmin"],
            zmax=first[2]["zmax"],
            showscale=False,
            hoverinfo="skip",
            xaxis="x3",
            yaxis="y3",
        ),
        _outline(first[3]["x"], first[3]["y"], CURRENT, "3", width=4),
        _caption(first[4]["text"]),
    ]
    slider, play = _animate(frames, labels["position"], [f"({i},{j})" for i, j in res.cells])
    layout = {
        **_axes("", [0.0, 0.4], -p, n + p),
        **_axes("2", [0.45, 0.63], 0, k, ticks=False),
        **_axes("3", [0.68, 1.0], 0, m),
        **CAPTION_AXES,
        "shapes": [
            dict(
                type="rect",
                xref="x",
                yref="y",
                x0=-0.5,
                x1=n - 0.5,
                y0=-0.5,
                y1=n - 0.5,
                line=dict(color="#333333", width=2),
                fillcolor="rgba(0,0,0,0)",
                layer="above",
            )
        ],
        "annotations": _static_titles(res, labels),
        "sliders": [slider],
        "updatemenus": [play],
        "showlegend": False,
        "hovermode": "closest",
        "margin": dict(l=40, r=10, t=40, b=100),
    }
    return figure(traces, layout, height=390 + 14 * max(n + 2 * p, m))


def _static_titles(res, labels: Mapping[str, str]) -> list[dict]:
    n, k = res.x.shape[0], res.w.shape[0]
    m = res.out.shape[0]
    if res.op == "conv":
        return [
            _title(labels["s_in_title"].format(n=n, p=res.p, mode=labels[f"mode_{res.mode}"], s=res.s, d=res.d), ""),
            _title(labels["s_prod_title"].format(k=k), "2"),
            _title(labels["s_out_title"].format(m=m), "3"),
        ]
    side = res.partial.shape[1]
    return [
        _title(labels["t_in_title"].format(n=n), ""),
        _title(labels["stamp_title"].format(k=k), "2"),
        _title(labels["canvas_title"].format(f=side, p=res.p, m=m), "3"),
    ]


def _transposed(res, labels: Mapping[str, str]) -> go.Figure:
    n, p, k = res.x.shape[0], res.p, res.w.shape[0]
    m = res.out.shape[0]
    side = res.partial.shape[1]
    total = len(res.cells)
    lo, hi = float(min(0.0, res.partial.min())), float(max(res.partial.max(), 1e-9))
    lim = _sym(res.prods)
    ext = np.arange(side)
    kept = (ext[:, None] >= p) & (ext[:, None] < p + m) & (ext[None, :] >= p) & (ext[None, :] < p + m)
    traces = [
        _heat(
            res.x.astype(np.float32),
            VALUE,
            CELLS,
            float(res.x.min()),
            float(res.x.max()) or 1.0,
            "",
            labels["input"],
            n,
        )
    ]
    dynamic = len(traces)
    canvas_scale = BLUE_RED if lo < 0 else CELLS
    c_lo, c_hi = (-max(-lo, hi), max(-lo, hi)) if lo < 0 else (lo, hi)

    def frame_data(t: int) -> list[dict]:
        i, j = res.cells[t]
        ix, iy = _boxes([i], [j], inset=0.0)
        sx, sy = _boxes(res.rows[t], res.cols[t])
        xs = np.full_like(res.w, res.x[i, j])
        text = labels["stamp_line"].format(
            i=i, j=j, value=_fmt(res.x[i, j]), r=int(res.rows[t][0]), c=int(res.cols[t][0])
        )
        return [
            dict(x=ix, y=iy),
            dict(z=_small(res.prods[t]), text=_factors(xs, res.w, res.prods[t])),
            dict(z=res.partial[t]),
            dict(x=sx, y=sy),
            dict(text=[text]),
        ]

    frames = [dict(data=frame_data(t), traces=list(range(dynamic, dynamic + 5))) for t in range(total)]
    first = frames[0]["data"]
    traces += [
        _outline(first[0]["x"], first[0]["y"], CURRENT, "", width=4),
        _heat(
            res.prods[0].astype(np.float32),
            PRODUCT,
            BLUE_RED,
            -lim,
            lim,
            "2",
            labels["stamp"],
            k,
            text=first[1]["text"],
        ),
        _heat(first[2]["z"], VALUE, canvas_scale, c_lo, c_hi, "3", labels["canvas"], side),
        _outline(first[3]["x"], first[3]["y"], WINDOW, "3"),
        _caption(first[4]["text"]),
    ]
    if p:  # the border that padding cuts off, shaded above the canvas
        traces.append(
            dict(
                type="heatmap",
                z=np.where(kept, np.nan, 1.0).astype(np.float32),
                colorscale=PAD_SHADE,
                showscale=False,
                hoverinfo="skip",
                xgap=2,
                ygap=2,
                xaxis="x3",
                yaxis="y3",
            )
        )
    slider, play = _animate(frames, labels["t_position"], [f"({i},{j})" for i, j in res.cells])
    layout = {
        **_axes("", [0.0, 0.25], 0, n),
        **_axes("2", [0.3, 0.47], 0, k, ticks=False),
        **_axes("3", [0.52, 1.0], 0, side),
        **CAPTION_AXES,
        "shapes": [
            dict(
                type="rect",
                xref="x3",
                yref="y3",
                x0=p - 0.5,
                x1=p + m - 0.5,
                y0=p - 0.5,
                y1=p + m - 0.5,
                line=dict(color="#333333", width=2),
                fillcolor="rgba(0,0,0,0)",
                layer="above",
            )
        ],
        "annotations": _static_titles(res, labels),
        "sliders": [slider],
        "updatemenus": [play],
        "showlegend": False,
        "hovermode": "closest",
        "margin": dict(l=40, r=10, t=40, b=100),
    }
    return figure(traces, layout, height=390 + 12 * side)
