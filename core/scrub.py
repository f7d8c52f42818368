"""Scrub sliders: a knob that only selects among views already computed moves in the browser, not on the server.

A probe point on fixed curves, a polynomial degree among fits the page computes anyway, a batch size of a
step-through: every position of such a knob is cheap to compute, so the page computes the figure at every
position once, and a slider under the chart swaps between them in the browser with no rerun (a press is a
redraw, ~1 frame, instead of a round trip and a redraw of the section). The figure carries the positions as the
steps of an invisible Plotly slider; the slider the user moves is the page's own (core/ui/scrub_chart.py).
Streamlit learns the position only when the user lets go, so the link and the text beside the chart follow then.

    family = [plain(figure_at(v)) for v in positions(param)]
    fig = with_slider(family[i], steps(family[0], family, labels), active=i, chart="losses.r0", prefix="r₀ = ")

`family[k]` is the figure at slider position k (as plain JSON dicts); the figure drawn is the one at the current
value. Each position's step carries only what differs from `base` — the traces and the top-level layout entries
that changed (usually a few shapes or one trace) — as a Plotly "update". Arrays travel as Plotly's typed-array specs
(base64), which plotly.js decodes in an update as in a new plot.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec
from plotly.io.json import to_json_plotly

from core.params import Float, Int, LogFloat, Param

LABEL_GREY = "#7f8797"  # readable on the light and the dark theme
ROOM = 70  # pixels added under the plot for the slider
THUMB = 16  # the slider's thumb, px: its centre runs from THUMB / 2 to width - THUMB / 2 (where the tests click)
MAX_POSITIONS = 256  # a family's size: every position's changed traces travel with the chart
_LAYOUT_FIXED = {"sliders", "meta", "template", "height", "width", "uirevision", "datarevision"}


def positions(param: Param) -> tuple[Any, ...]:
    """Every value the knob's slider can show, in order (built from integers: a float grid by repeated addition
    drifts off the values the codec writes)."""
    if isinstance(param, LogFloat):
        return param.grid()
    if isinstance(param, Int):
        return tuple(range(param.lo, param.hi + 1, param.step))
    if isinstance(param, Float):
        n = int(round((param.hi - param.lo) / param.step))
        return tuple(param.nearest(param.lo + k * param.step) for k in range(n + 1))
    raise TypeError(f"{param.name}: a scrub knob is a numeric slider")


def positions_within(param: Float, lo: float, hi: float) -> tuple[float, ...]:
    """The knob's positions in [lo, hi] — a probe whose range other knobs set: on the knob's own step, or on a
    whole multiple of it when there would be more than MAX_POSITIONS (every position is a multiple of the
    spacing, so 0 is one whenever it is in range)."""
    first, last = math.ceil(round(lo / param.step, 6)), math.floor(round(hi / param.step, 6))
    every = max(1, math.ceil((last - first + 1) / MAX_POSITIONS))
    first = math.ceil(first / every) * every
    return tuple(param.nearest(m * param.step) for m in range(first, last + 1, every))


def finite(value: float) -> float | None:
    """A number for a figure's JSON: inf and NaN become None (a gap), as Plotly draws them."""
    return float(value) if math.isfinite(value) else None


def typed(array) -> dict:
    """A numpy array as `plain` writes it in a figure (Plotly's typed-array spec): for steps built directly."""
    return to_typed_array_spec(array)


def scrubbable(param: Param) -> bool:
    try:
        return len(positions(param)) <= MAX_POSITIONS
    except TypeError:
        return False


def index_of(grid: Sequence[Any], value: Any) -> int:
    """The slider position nearest to `value`."""
    return min(range(len(grid)), key=lambda k: abs(float(grid[k]) - float(value)))


def plain(fig: go.Figure) -> dict:
    """The figure as JSON-ready dicts (numpy arrays as typed-array specs)."""
    return json.loads(to_json_plotly(fig.to_plotly_json()))


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _themed(key: str, value: Any) -> Any:
    """A layout entry as Streamlit's chart theme draws it: the browser side bolds a chart's title when it draws the
    figure, so a step that sets a new title bolds it too (else a scrubbed title would lose its weight)."""
    if key == "title" and isinstance(value, dict) and isinstance(value.get("text"), str):
        return {**value, "text": f"<b>{value['text']}</b>"}
    return value


def steps(base: dict, variants: Sequence[dict], labels: Sequence[str]) -> list[dict]:
    """One Plotly slider step per variant: an "update" that sets what differs from `base` (every variant must
    have as many traces as `base`: a scrub swaps values, it does not add or remove traces)."""
    n_traces = len(base["data"])
    if any(len(v["data"]) != n_traces for v in variants):
        raise ValueError("every position of a scrub figure needs the same traces")
    changed: dict[int, set[str]] = {}
    layout_keys: set[str] = set()
    for v in variants:
        for i, (a, b) in enumerate(zip(base["data"], v["data"])):
            keys = {k for k in set(a) | set(b) if not _same(a.get(k), b.get(k))}
            if keys:
                changed.setdefault(i, set()).update(keys)
        la, lb = base["layout"], v["layout"]
        layout_keys |= {k for k in set(la) | set(lb) if k not in _LAYOUT_FIXED and not _same(la.get(k), lb.get(k))}
    idx = sorted(changed)
    keys = sorted(set().union(*changed.values())) if changed else []
    out = []
    for v, label in zip(variants, labels):
        trace_update = {k: [v["data"][i].get(k) for i in idx] for k in keys}
        layout_update = {k: _themed(k, v["layout"].get(k)) for k in sorted(layout_keys)}
        out.append({"method": "update", "label": label, "value": label, "args": [trace_update, layout_update, idx]})
    return out


def apply(fig: dict, step: dict) -> dict:
    """What plotly.js does with an "update" step (Plotly.update: restyle the listed traces, relayout the layout):
    the figure of that step's position from any member of its family (a new dict; `fig` is left as it is)."""
    traces, layout, idx = step["args"]
    data = list(fig["data"])
    for i in idx:
        data[i] = dict(data[i])
    for k, values in traces.items():
        for i, v in zip(idx, values):
            if v is None:
                data[i].pop(k, None)
            else:
                data[i][k] = v
    out_layout = {k: v for k, v in fig["layout"].items() if layout.get(k, v) is not None}
    out_layout.update({k: v for k, v in layout.items() if v is not None})
    return {"data": data, "layout": out_layout}


def with_slider(base: dict, steps: list[dict], *, active: int, chart: str, prefix: str) -> dict:
    """The spec (plain dicts) of `base` (a plain figure, see `plain`, or a figure's to_plotly_json()) carrying
    `steps` (see `steps`) to the other positions as an invisible Plotly slider, and room under the plot for the
    page's own slider (core/ui/scrub_chart.py draws it there: a range input and the current value, `prefix` + the
    step's label); `chart` names the figure for the browser side (layout.meta.dlp_scrub). Plotly does not draw the
    slider: a visible one lays out every step's label, tick and current value on each draw of the chart and on
    each press (~25 ms of a ~45 ms draw, 81 steps). `base` is not changed."""
    slider = dict(visible=False, active=active, steps=steps, currentvalue=dict(prefix=prefix))
    layout = dict(base["layout"])
    margin = dict(layout.get("margin") or {})
    margin["b"] = margin.get("b", 50) + ROOM  # the slider sits under the x axis title
    layout.update(sliders=[slider], meta={"dlp_scrub": chart}, margin=margin, height=layout.get("height", 450) + ROOM)
    return {"data": base["data"], "layout": layout}


def labels_for(param: Param, grid: Sequence[Any]) -> list[str]:
    return [param.encode(v) for v in grid]


__all__ = [
    "apply",
    "plain",
    "positions",
    "positions_within",
    "finite",
    "typed",
    "scrubbable",
    "index_of",
    "steps",
    "with_slider",
    "labels_for",
    "MAX_POSITIONS",
]
