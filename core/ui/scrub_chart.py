"""The browser side of a scrub knob (core/scrub.py): a Plotly chart whose own slider moves among precomputed views,
and a tiny custom component v2 (no HTML; its JavaScript runs in the page) that tells Streamlit the position when
the user lets go. That one rerun of the section writes the link and redraws the text beside the chart; the
presses before it never reach the server.

    view.scrub(experiment, "r0", lambda r0: figures.curves(run(r0), ...), chart="losses.reg")

The figures of every position are built once per set of the section's other values (and language) and kept in
a small process-wide LRU (`_FAMILIES`): a rerun for another reason re-sends them but does not rebuild them.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from core import scrub

PICK_JS = """
const bind = (chart, ctl) => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || meta.dlp_scrub !== chart || !gd.on || gd.__dlpScrub === ctl) continue;
    gd.__dlpScrub = ctl;  // a chart redrawn in a new node is bound again on the next tick
    gd.on('plotly_sliderend', (e) => {
      const i = e && e.step ? e.step._index : undefined;
      if (gd.__dlpScrub !== ctl || i === undefined || i === ctl.data.index) return;
      ctl.data = Object.assign({}, ctl.data, { index: i });  // until the rerun draws it
      ctl.pick('pick', i);
    });
  }
};
export default function ({ data, setTriggerValue }) {
  const ctl = { data, pick: setTriggerValue };
  bind(data.chart, ctl);
  const timer = setInterval(() => bind(data.chart, ctl), 300);
  return () => clearInterval(timer);
}
"""

_component = None
_FAMILIES: OrderedDict[tuple, tuple[list, list]] = OrderedDict()
_LOCK = threading.Lock()
KEEP = 48  # families kept (a family is a few hundred kB at most)


def _pick():
    global _component
    if _component is None:
        _component = st.components.v2.component("dlp_scrub", js=PICK_JS)
    return _component


def family(key: tuple, grid: tuple, labels: list[str], figure_at: Callable[[Any], go.Figure]) -> tuple[list, list]:
    """The figure at every position of `grid` (plain dicts) and the slider's steps among them, built once per `key`."""
    with _LOCK:
        hit = _FAMILIES.get(key)
        if hit is not None:
            _FAMILIES.move_to_end(key)
            return hit
    figs = [scrub.plain(figure_at(v)) for v in grid]
    built = (figs, scrub.steps(figs[0], figs, labels))  # diffs against one member cover every key that varies
    with _LOCK:
        _FAMILIES[key] = built
        while len(_FAMILIES) > KEEP:
            _FAMILIES.popitem(last=False)
    return built


def draw(
    page: str,
    param,
    grid: tuple,
    value: Any,
    others: dict[str, Any],
    lang: str,
    prefix: str,
    figure_at: Callable[[Any], go.Figure],
    chart: str,
    on_pick: Callable[[Any], None],
) -> None:
    """Draw the chart at `value` with its scrub slider over `grid`, and the component that reports where the user
    let go."""
    labels = scrub.labels_for(param, grid)
    key = (page, chart, lang, json.dumps(others, sort_keys=True, default=str), grid)
    figs, steps = family(key, grid, labels, figure_at)
    active = scrub.index_of(grid, value)
    if param.encode(grid[active]) == param.encode(value):
        base = figs[active]
    else:  # a link's value off the grid: its own figure, and steps that reset whatever it alone shows
        base = scrub.plain(figure_at(value))
        steps = scrub.steps(base, figs, labels)
    fig = scrub.with_slider(base, steps, active=active, chart=chart, prefix=prefix)
    st.plotly_chart(fig, key=f"_dlp.scrub.chart.{chart}")
    ckey = f"_dlp.scrub.{chart}"

    def picked():
        i = getattr(st.session_state.get(ckey), "pick", None)
        if isinstance(i, int) and 0 <= i < len(grid):
            on_pick(grid[i])

    _pick()(key=ckey, data={"chart": chart, "index": active}, on_pick_change=picked, height=0)


__all__ = ["draw", "family", "PICK_JS"]
