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

from core import scrub, style
from core.ui.components import js_component

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
// The scrub slider that last took a key (shared by every copy of this module): the rerun after the keys redraws
// its chart and replaces the slider's node, so the focus falls to the page; within RETAIN_MS the focus is given
// back, and a key that lands on the page meanwhile still moves it — unless the user clicked elsewhere since.
window.__dlpKeyed = window.__dlpKeyed || { chart: null, at: -1e9 };
const RETAIN_MS = 3000;
const retained = (chart) => window.__dlpKeyed.chart === chart && performance.now() - window.__dlpKeyed.at < RETAIN_MS;
const refocus = (gd) => {
  const g = gd.querySelector('.slider-group'), a = document.activeElement;
  if (g && a !== g && (!a || a === document.body) && retained(gd.layout.meta.dlp_scrub)) g.focus();
};
// One controller per chart, the newest mount's (Streamlit calls this module's function again on every rerun that
// changes its data, without always cleaning up the previous call first): listeners read it when they fire.
window.__dlpScrub = window.__dlpScrub || {};
window.__dlpPending = window.__dlpPending || {};  // chart -> the timer that reports a position
const ctlOf = (gd) => window.__dlpScrub[gd.layout.meta.dlp_scrub];
// A reported position until a rerun draws it. A report can be lost: sent by a mount that a full rerun (the page's
// first-screen marker, core/ui/lazy.py) replaced at that moment, the server never ran it, and the chart kept the
// user's position while the link kept the old one. So while the newest mount still shows the position from
// before the report, the page is idle and 1.5 s have passed, the newest mount sends it again (3 tries at most).
// A rerun that drew any other position (a preset, a link) wins: the report is dropped.
window.__dlpPicked = window.__dlpPicked || {};
const confirmPick = (chart) => {
  const p = window.__dlpPicked[chart], c = window.__dlpScrub[chart];
  if (!p || !c) return;
  if (c.server !== p.from || p.tries >= 3) { delete window.__dlpPicked[chart]; return; }
  const busy = document.querySelector('[data-testid="stStatusWidget"]');
  if (busy || performance.now() - p.at < 1500) return;
  p.tries += 1;
  p.at = performance.now();
  c.data = Object.assign({}, c.data, { index: p.index });
  c.pick('pick', p.index);
};
const bind = (chart) => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const meta = gd.layout && gd.layout.meta;
    if (!meta || meta.dlp_scrub !== chart || !gd.on) continue;
    focusable(gd, ctlOf(gd).data.label);
    refocus(gd);
    if (gd.__dlpBound) continue;
    gd.__dlpBound = true;  // listeners once per chart node (a redraw in a new node is bound on the next tick)
    gd.__dlpReport = (i) => {  // after the user lets go (mouse) or stops pressing keys: to the newest mount then
      const pending = window.__dlpPending;
      clearTimeout(pending[chart]);
      pending[chart] = setTimeout(() => {
        const c = window.__dlpScrub[chart];
        if (i === c.data.index) return;
        window.__dlpPicked[chart] = { index: i, from: c.server, at: performance.now(), tries: 1 };
        c.data = Object.assign({}, c.data, { index: i });  // until the rerun draws it
        c.pick('pick', i);
      }, ctlOf(gd).wait);
    };
    gd.on('plotly_sliderend', (e) => { if (e && e.step) gd.__dlpReport(e.step._index); });
    gd.on('plotly_afterplot', () => { focusable(gd, ctlOf(gd).data.label); refocus(gd); });  // the rerun's redraw
    gd.addEventListener('keydown', (e) => {
      if (e.target.classList.contains('slider-group') && press(gd, e.key)) e.preventDefault();
    });
  }
};
const press = (gd, key) => {  // move the scrub slider of chart `gd` by a key; false: not a slider key
  const s = slider(gd), move = KEYS[key];
  if (!s) return false;
  const last = s.steps.length - 1, now = s.active || 0;
  const i = key === 'Home' ? 0 : key === 'End' ? last : move ? Math.min(last, Math.max(0, now + move)) : null;
  if (i === null) return false;
  window.__dlpKeyed = { chart: gd.layout.meta.dlp_scrub, at: performance.now() };
  if (i !== now) {
    const [traces, layout, idx] = s.steps[i].args;
    window.Plotly.update(gd, traces, Object.assign({}, layout, { 'sliders[0].active': i }), idx);
    gd.__dlpReport(i);
  }
  return true;
};
// A rerun may draw the chart in a new node: bind it at once (a click before the next tick would move the chart
// without a report — its listeners were not there yet).
if (!window.__dlpScrubObserver) {
  window.__dlpScrubObserver = new MutationObserver(() => Object.keys(window.__dlpScrub).forEach(bind));
  window.__dlpScrubObserver.observe(document.body, { childList: true, subtree: true });
}
if (!window.__dlpScrubKeys) {
  window.__dlpScrubKeys = true;
  document.addEventListener('keydown', (e) => {
    const chart = window.__dlpKeyed.chart;
    if (e.target !== document.body || !retained(chart)) return;
    bind(chart);  // the redrawn chart may not be bound yet (the tick comes every 300 ms)
    const gd = [...document.querySelectorAll('.js-plotly-plot')]
      .find((g) => g.layout && g.layout.meta && g.layout.meta.dlp_scrub === chart && g.__dlpReport);
    if (gd && press(gd, e.key)) { e.preventDefault(); refocus(gd); }
  });
  document.addEventListener('mousedown', (e) => {  // a click elsewhere: the user has left the slider
    if (!(e.target.closest && e.target.closest('.slider-group'))) window.__dlpKeyed = { chart: null, at: -1e9 };
  }, true);
}
export default function ({ data, setTriggerValue }) {
  const chart = data.chart, old = window.__dlpScrub[chart];
  if (old) clearInterval(old.tick);
  const ctl = { data, server: data.index, pick: setTriggerValue, wait: data.wait };
  window.__dlpScrub[chart] = ctl;
  bind(chart);
  ctl.tick = setInterval(() => { bind(chart); confirmPick(chart); }, 300);
  return () => { if (window.__dlpScrub[chart] === ctl) clearInterval(ctl.tick); };
}
"""

_FAMILIES: OrderedDict[tuple, tuple[dict, list]] = OrderedDict()
_LOCK = threading.Lock()
REPORT_MS = 350  # after the last key press (or a release) the position goes to the server: one rerun per pause
KEEP = 48  # families kept (a family is a few hundred kB at most)


def _kept(key: tuple, build: Callable[[], Any]) -> Any:
    """`build()` once per `key`, kept in the process-wide LRU of families (and off-grid figures)."""
    with _LOCK:
        hit = _FAMILIES.get(key)
        if hit is not None:
            _FAMILIES.move_to_end(key)
            return hit
    built = build()
    with _LOCK:
        _FAMILIES[key] = built
        while len(_FAMILIES) > KEEP:
            _FAMILIES.popitem(last=False)
    return built


def family(key: tuple, grid: tuple, labels: list[str], figure_at: Callable[[Any], go.Figure]) -> tuple[dict, list]:
    """The figure at the first position of `grid` (plain dicts) and the slider's steps to every position, built once
    per `key` (the other positions' figures are not kept: `scrub.apply(first, steps[k])` is position k's). The
    other positions' figures are built without a template (style.templateless: a third of the time; the template
    is the same at every position, so it is never part of a step)."""

    def build() -> tuple[dict, list]:
        first = scrub.plain(figure_at(grid[0]))
        with style.templateless():
            rest = [scrub.plain(figure_at(v)) for v in grid[1:]]
        return first, scrub.steps(first, [first, *rest], labels)  # diffs against one member cover what varies

    return _kept(key, build)


def draw(
    page: str,
    param,
    grid: tuple,
    value: Any,
    others: dict[str, Any],
    lang: str,
    label: str,
    figure_at: Callable[[Any], go.Figure],
    chart: str,
    on_pick: Callable[[Any], None],
    steps_at: Callable[[tuple, list[str]], list[dict]] | None = None,
) -> None:
    """Draw the chart at `value` with its scrub slider over `grid` (titled `label`), and the component that reports
    where the user let go. A value off the grid (from a link) is drawn exactly, the slider at the nearest position,
    and the slider's title says both ("r₀ (1.55) ≈ 1.5"). `steps_at(grid, labels)`: the slider's steps built by
    the caller (when a position changes a few values, known without drawing the figure at every position); the
    chart is then `figure_at(value)`."""
    labels = scrub.labels_for(param, grid)
    key = (page, chart, lang, json.dumps(others, sort_keys=True, default=str), grid)
    active = scrub.index_of(grid, value)
    exact = param.encode(value)
    on_grid = param.encode(grid[active]) == exact
    if steps_at is not None:
        steps = _kept(key + ("steps",), lambda: steps_at(grid, labels))
        base = scrub.plain(figure_at(value))
    else:
        first, steps = family(key, grid, labels, figure_at)
        # off the grid: its own figure (what it shows differently varies with the knob; every step sets all that varies)
        exactly = lambda: scrub.plain(figure_at(value))
        base = scrub.apply(first, steps[active]) if on_grid else _kept(key + (exact,), exactly)
    prefix = f"{label} = " if on_grid else f"{label} ({exact}) ≈ "
    fig = scrub.with_slider(base, steps, active=active, chart=chart, prefix=prefix)
    st.plotly_chart(fig, key=f"_dlp.scrub.chart.{chart}")
    ckey = f"_dlp.scrub.{chart}"

    def picked():
        i = getattr(st.session_state.get(ckey), "pick", None)
        if isinstance(i, int) and 0 <= i < len(grid):
            on_pick(grid[i])

    data = {"chart": chart, "index": active, "label": label, "wait": REPORT_MS}
    js_component("dlp_scrub", PICK_JS)(key=ckey, data=data, on_pick_change=picked, height=0)


__all__ = ["draw", "family", "PICK_JS"]
