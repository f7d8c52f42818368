"""Shared look: one colour per stable key (a function keeps its colour whatever else is shown)."""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

import plotly.graph_objects as go
from plotly.colors import get_colorscale, qualitative

PALETTE = qualitative.Dark24
_LOCAL = threading.local()  # per script thread (one session's run): whether figures skip the default template


def color_for(key: str, keys: tuple[str, ...]) -> str:
    """Colour of `key` by its position in the declared list `keys` (stable across selections)."""
    return PALETTE[keys.index(key) % len(PALETTE)]


def figure(
    data: list[dict], layout: dict, *, height: int, title: str | None = None, uirevision: str | None = None
) -> go.Figure:
    """A Figure from plain dicts, with the shared look.

    Built with `_validate=False`: st.plotly_chart validates every figure again before sending it,
    so validating here too would cost a second pass (~10 ms for a figure with a dozen traces and
    shapes). tests/figures validate every builder's output explicitly.
    Inside `templateless()` the figure carries no template (see there).
    """
    base = dict(
        height=height,
        title=dict(text=title) if title else None,
        margin=dict(l=60, r=20, t=70 if title else 40, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="x unified",
        uirevision=uirevision,
    )
    if getattr(_LOCAL, "templateless", False):
        base["template"] = {}
    return go.Figure(data=[_resolve_colorscales(t) for t in data], layout={**base, **layout}, _validate=False)


@contextmanager
def templateless():
    """Figures built inside (in this thread) get an empty template instead of a copy of Plotly's default one
    (Streamlit's theme, ~1.6 ms a figure): for figures that are only compared, never drawn — a scrub family's
    other positions, whose differences from the drawn one become its slider steps (the template is not one)."""
    before = getattr(_LOCAL, "templateless", False)
    _LOCAL.templateless = True
    try:
        yield
    finally:
        _LOCAL.templateless = before


def _resolve_colorscales(trace: dict) -> dict:
    """Named colour scales ("Oranges", "RdBu_r") are expanded by Plotly's Python validators, which
    `_validate=False` skips — and st.plotly_chart sends the unvalidated figure. plotly.js knows only a
    few names and silently falls back to its default for the rest, so expand every name here."""
    out = dict(trace)
    for key in ("colorscale",):
        if isinstance(out.get(key), str):
            out[key] = get_colorscale(out[key])
    marker = out.get("marker")
    if isinstance(marker, dict) and isinstance(marker.get("colorscale"), str):
        out["marker"] = {**marker, "colorscale": get_colorscale(marker["colorscale"])}
    return out


def stacked_axes(x_title: str, panels: list[tuple[str, str]], gap: float = 0.10) -> dict:
    """Layout for panels stacked vertically over one shared x-axis (drawn under the lowest panel).

    panels: (y-axis title, panel title) from top to bottom; traces use yaxis "y", "y2", ...
    """
    n = len(panels)
    height = (1 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    for i, (y_title, panel_title) in enumerate(panels):
        top = 1 - i * (height + gap)
        name = "yaxis" if i == 0 else f"yaxis{i + 1}"
        domain = [max(0.0, round(top - height, 6)), min(1.0, round(top, 6))]
        layout[name] = dict(domain=domain, title=dict(text=y_title), zeroline=True)
        layout["annotations"].append(
            dict(
                text=f"<b>{panel_title}</b>",
                x=0,
                y=top,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
            )
        )
    layout["xaxis"] = dict(anchor=f"y{n}" if n > 1 else "y", title=dict(text=x_title))
    return layout


LOG_LABELS = 5  # at most about this many labelled ticks on a log axis


def log_axis(*series) -> dict:
    """A log axis whose labels cannot crowd: over two decades or more, ticks only at powers of 10, every
    `dtick`-th one, so about LOG_LABELS labels whatever the span (Plotly's own choice labels 2 and 5 of each
    decade too, unreadable on a small panel); a narrower span keeps Plotly's ticks. Non-finite and non-positive
    values do not count."""
    flat = (v for s in series for v in (s.ravel() if hasattr(s, "ravel") else s))
    values = [float(v) for v in flat if v is not None and math.isfinite(float(v)) and float(v) > 0]
    axis = dict(type="log", exponentformat="power")
    if values:
        decades = math.log10(max(values)) - math.log10(min(values))
        if decades >= 2:
            axis["dtick"] = max(1, math.ceil(decades / LOG_LABELS))
    return axis


def evidence(labels: list[str], values: list[float], height: int = 170) -> go.Figure:
    """A claim card's small chart: one horizontal bar per measured number, on a log axis when they span more
    than two decades (a vanished gradient next to a healthy one), each labelled with its value."""
    finite = [abs(v) for v in values if v == v and abs(v) not in (0.0, float("inf"))]
    log = bool(finite) and max(finite) / min(finite) > 100 and all(v > 0 for v in values)
    bars = dict(
        type="bar",
        orientation="h",
        x=values,
        y=labels,
        text=[f"{v:.3g}" for v in values],
        textposition="auto",
        marker=dict(color=[PALETTE[i % len(PALETTE)] for i in range(len(values))]),
        hoverinfo="skip",
    )
    layout = dict(
        xaxis=dict(log_axis(values) if log else dict(type="linear"), showgrid=False),
        yaxis=dict(autorange="reversed", automargin=True),
        showlegend=False,
        margin=dict(l=10, r=10, t=10, b=25),
        hovermode=False,
    )
    return figure([bars], layout, height=max(height, 40 * len(values) + 50))
