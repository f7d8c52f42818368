"""Axis and legend layout for the hardware figures: plain dicts, no plotly (figures.py puts them into figures).

log_axis(title, values)     a log axis labelled only where a label reads as its value: the measured sizes
                            (matrix n, batch B) or 1-2-5 steps within two decades, the decades beyond. Plotly's
                            own minor labels ("2 3 4 5 … 9" with no decade beside them) read as values.
titled(title, names)        the title at the top of the figure and the horizontal legend's rows under it, the
                            top margin grown by one row per line of entries: in the page's narrow figure
                            column a long legend otherwise wraps upwards over the title.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LEGEND_ROW_PX = 540  # the plot width of a section's figure column at 1280×720 (the legend's line length)


def _label(v: float) -> str:
    return f"{v:,.0f}" if v >= 1 else f"{v:g}"


def log_axis(title: str, values: Iterable[float] = (), at: Iterable[float] | None = None) -> dict:
    """A log axis: labelled at `at` (the sizes measured) when given, else at 1-2-5 steps over the data's decades
    when they are at most two, else at the decades."""
    at = [float(v) for v in at] if at is not None else []
    if at:
        ticks = sorted(set(at))
    else:
        finite = [float(v) for v in values if v == v and 0 < v < math.inf]
        if not finite:
            return dict(type="log", title=dict(text=title))
        lo, hi = math.floor(math.log10(min(finite))), math.ceil(math.log10(max(finite)))
        steps = (1, 2, 5) if hi - lo <= 2 else (1,)
        ticks = [m * 10.0**e for e in range(lo, hi + 1) for m in steps if m * 10.0**e <= 10.0**hi]
    return dict(type="log", title=dict(text=title), tickvals=ticks, ticktext=[_label(v) for v in ticks])


def rows(names: Iterable[str], width_px: int = LEGEND_ROW_PX) -> int:
    """How many lines a horizontal legend of these entries takes. Plotly lays a wrapping legend out as a grid whose
    column is as wide as the widest entry (≈ 6.5 px a character, 40 px for the symbol)."""
    names = list(names)
    if not names:
        return 0
    widest = max(40 + 6.5 * len(n) for n in names)
    per_row = max(1, int(width_px // widest))
    return math.ceil(len(names) / per_row)


TITLE_PX, ROW_PX = 50, 22  # the title's band at the top; one legend line


def titled(title: str, data: list[dict], height: int) -> dict:
    """Layout keys for a figure whose legend lists `data`'s traces: title on top, legend rows below it, the figure
    `height` px tall for a one-line legend and one line taller for each further line (the plot keeps its size)."""
    names = [d.get("name") or "" for d in data if d.get("showlegend", True) is not False]
    n = rows(names)
    top = TITLE_PX + ROW_PX * n
    return dict(
        height=height + ROW_PX * max(0, n - 1),
        title=dict(text=title, y=1.0, yref="container", yanchor="top", pad=dict(t=10)),
        margin=dict(l=60, r=20, t=top, b=50),
    )
