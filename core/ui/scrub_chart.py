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
const KEYS = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10 };
const slider = (gd) => gd.layout && gd.layout.sliders && gd.layout.sliders[0];
const focusable = (gd, label) => {  // Plotly's slider takes no keys: the page makes it a keyboard slider
  const g = gd.querySelector('.slider-group'), s = slider(gd);
  if (!g || !s) return;
  g.setAttribute('tabindex', '0');
  g.setAttribute('role', 'slider');
  g.setAttribute('aria-label', label);
  g.setAttribute('aria-valuemin', '0');
  g.setAttribute('aria-valuemax', String(s.steps.length - 1));
  g.setAttribute('aria-valuenow', String(s.active || 0));
  g.setAttribute('aria-valuetext', s.steps[s.active || 0].label);
};
let keyed = { chart: null, at: -1e9 };  // the scrub slider that last took a key: a redraw of its chart within
const RETAIN_MS = 3000;                  // RETAIN_MS gives it the focus back (the rerun after the keys redraws it)
const refocus = (gd) => {
  const g = gd.querySelector('.slider-group'), a = document.activeElement;
  if (g && a !== g && (!a || a === document.body) && gd.layout.meta.dlp_scrub === keyed.chart
      && performance.now() - keyed.at < RETAIN_MS) g.focus();
};
const bind = (chart, ctl) => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || meta.dlp_scrub !== chart || !gd.on) continue;
    focusable(gd, ctl.data.label);
    refocus(gd);
    if (gd.__dlpScrub === ctl) continue;
    const fresh = !gd.__dlpScrub;
    gd.__dlpScrub = ctl;  // the newest component instance answers for this chart
    if (!fresh) continue;  // listeners below read gd.__dlpScrub, so they are added once per chart node
    const report = (i) => {  // after the user lets go (mouse) or stops pressing keys
      const c = gd.__dlpScrub;
      clearTimeout(c.timer);
      c.timer = setTimeout(() => {
        if (i === c.data.index) return;
        c.data = Object.assign({}, c.data, { index: i });  // until the rerun draws it
        c.pick('pick', i);
      }, c.wait);
    };
    gd.on('plotly_sliderend', (e) => { if (e && e.step) report(e.step._index); });
    gd.on('plotly_afterplot', () => { focusable(gd, gd.__dlpScrub.data.label); refocus(gd); });  // the rerun's redraw
    gd.addEventListener('keydown', (e) => {
      const s = slider(gd), move = KEYS[e.key];
      if (!s || !e.target.classList.contains('slider-group')) return;
      const last = s.steps.length - 1, now = s.active || 0;
      const i = e.key === 'Home' ? 0 : e.key === 'End' ? last : move ? Math.min(last, Math.max(0, now + move)) : null;
      if (i === null) return;
      e.preventDefault();
      keyed = { chart: gd.layout.meta.dlp_scrub, at: performance.now() };
      if (i === now) return;
      const [traces, layout, idx] = s.steps[i].args;
      window.Plotly.update(gd, traces, Object.assign({}, layout, { 'sliders[0].active': i }), idx);
      report(i);
    });
  }
};
export default function ({ data, setTriggerValue }) {
  const ctl = { data, pick: setTriggerValue, timer: null, wait: data.wait };
  bind(data.chart, ctl);
  const timer = setInterval(() => bind(data.chart, ctl), 300);
  return () => clearInterval(timer);
}
"""

_component = None
_FAMILIES: OrderedDict[tuple, tuple[dict, list]] = OrderedDict()
_LOCK = threading.Lock()
REPORT_MS = 350  # after the last key press (or a release) the position goes to the server: one rerun per pause
KEEP = 48  # families kept (a family is a few hundred kB at most)


def _pick():
    global _component
    if _component is None:
        _component = st.components.v2.component("dlp_scrub", js=PICK_JS)
    return _component


def family(key: tuple, grid: tuple, labels: list[str], figure_at: Callable[[Any], go.Figure]) -> tuple[dict, list]:
    """The figure at the first position of `grid` (plain dicts) and the slider's steps to every position, built once
    per `key` (the other positions' figures are not kept: `scrub.apply(first, steps[k])` is position k's)."""
    with _LOCK:
        hit = _FAMILIES.get(key)
        if hit is not None:
            _FAMILIES.move_to_end(key)
            return hit
    figs = [scrub.plain(figure_at(v)) for v in grid]
    built = (figs[0], scrub.steps(figs[0], figs, labels))  # diffs against one member cover every key that varies
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
    first, steps = family(key, grid, labels, figure_at)
    active = scrub.index_of(grid, value)
    if param.encode(grid[active]) == param.encode(value):
        base = scrub.apply(first, steps[active])
    else:  # a link's value off the grid: its own figure (what it shows differently varies with the knob, and
        base = scrub.plain(figure_at(value))  # every step sets all that varies)
    fig = scrub.with_slider(base, steps, active=active, chart=chart, prefix=prefix)
    st.plotly_chart(fig, key=f"_dlp.scrub.chart.{chart}")
    ckey = f"_dlp.scrub.{chart}"

    def picked():
        i = getattr(st.session_state.get(ckey), "pick", None)
        if isinstance(i, int) and 0 <= i < len(grid):
            on_pick(grid[i])

    data = {"chart": chart, "index": active, "label": prefix.rstrip(" =≈"), "wait": REPORT_MS}
    _pick()(key=ckey, data=data, on_pick_change=picked, height=0)


__all__ = ["draw", "family", "PICK_JS"]
