"""Click a chart to set values: a tiny custom component v2 (no HTML; its JavaScript runs in the page) that listens
to Plotly's own click event on the chart whose `layout.meta.dlp_click` names it, and tells Streamlit where.

    st.plotly_chart(fig, key="opt_landscape")   # fig.layout.meta = {"dlp_click": "opt.landscape"}
    click_chart.listen("opt.landscape", lambda x, y: view.set({"x0": round(x, 2), "y0": round(y, 2)}))

Why not `st.plotly_chart(on_select=...)`: a selection needs a selectable trace under the pointer, and a map that
can be clicked anywhere needed an invisible grid of 1,681 markers over it. As WebGL markers they cost headless
Chromium ~250 ms per draw of the optimizers' map (plotly.js, newPlot of the same figure: 330 ms with the grid,
100 ms without); as SVG markers ~0.2 ms each. A click on any hoverable trace (a contour, a heat map, a path)
fires `plotly_click` with the point under the pointer, so no grid is needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from core.ui.components import js_component

CLICK_JS = """
window.__dlpClick = window.__dlpClick || {};  // chart -> the newest mount's trigger (listeners read it when they fire)
const bind = (chart) => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || meta.dlp_click !== chart || !gd.on || gd.__dlpClickBound) continue;
    gd.__dlpClickBound = true;  // once per chart node (a redraw in a new node is bound on the next tick)
    gd.on('plotly_click', (e) => {
      const p = e && e.points && e.points[0], ctl = window.__dlpClick[chart];
      if (!p || !ctl || typeof p.x !== 'number' || typeof p.y !== 'number') return;
      ctl.n += 1;
      ctl.pick('click', { x: p.x, y: p.y, n: ctl.n });  // n: the same point clicked twice is still a click
    });
  }
};
export default function ({ data, setTriggerValue }) {
  const chart = data.chart, old = window.__dlpClick[chart];
  if (old) clearInterval(old.tick);
  const ctl = { pick: setTriggerValue, n: old ? old.n : 0 };
  window.__dlpClick[chart] = ctl;
  bind(chart);
  ctl.tick = setInterval(() => bind(chart), 300);
  return () => { if (window.__dlpClick[chart] === ctl) clearInterval(ctl.tick); };
}
"""


def point(value) -> tuple[float, float] | None:
    """The clicked (x, y) from the browser's trigger value, or None when it is not two finite numbers."""
    try:
        x, y = float(value["x"]), float(value["y"])
    except (TypeError, KeyError, ValueError):
        return None
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def listen(chart: str, on_click: Callable[[float, float], None]) -> None:
    """Draw the listener for the chart named `chart` (its layout.meta.dlp_click); `on_click(x, y)` runs before the
    rerun that a click starts."""
    ckey = f"_dlp.click.{chart}"

    def clicked():
        xy = point(getattr(st.session_state.get(ckey), "click", None))
        if xy is not None:
            on_click(*xy)

    js_component("dlp_click", CLICK_JS)(key=ckey, data={"chart": chart}, on_click_change=clicked, height=0)


__all__ = ["listen", "point", "CLICK_JS"]
