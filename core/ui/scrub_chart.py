"""The browser side of a scrub knob (core/scrub.py): a Plotly chart that carries its precomputed views as the steps
of an invisible Plotly slider, and a tiny custom component v2 (no HTML; its JavaScript runs in the page) that lays a
range input over the room under the chart, moves the chart among the views as the input moves, and tells Streamlit
the position when the user lets go. That one rerun of the section writes the link and redraws the text beside the
chart; the presses before it never reach the server.

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

PICK_JS = (
    """
// The scrub slider is the page's own range input laid over the room under the chart (the figure carries the
// positions as an invisible Plotly slider: layout.sliders[0] with its steps). Plotly's visible slider laid out
// every step's label, tick and current value on each draw: ~25 ms per draw of the chart and per scrub press.
const slider = (gd) => gd.layout && gd.layout.sliders && gd.layout.sliders[0];
const TRACK = 'linear-gradient(to right, #ff4b4b var(--dlp-p, 0%), ${GREY}66 var(--dlp-p, 0%))';
const CSS = `
.dlp-scrub { position: absolute; z-index: 1; display: flex; flex-direction: column; gap: 4px; }
.dlp-scrub span { font: 14px "Source Sans", sans-serif; color: ${GREY}; white-space: nowrap; }
.dlp-scrub input { -webkit-appearance: none; appearance: none; width: 100%; height: 18px; margin: 0;
  background: transparent; cursor: pointer; }
.dlp-scrub input::-webkit-slider-runnable-track { height: 4px; border-radius: 2px; background: ${TRACK}; }
.dlp-scrub input::-moz-range-track { height: 4px; border-radius: 2px; background: ${TRACK}; }
.dlp-scrub input::-webkit-slider-thumb { -webkit-appearance: none; width: ${THUMB}px; height: ${THUMB}px;
  margin-top: -6px; border-radius: 50%; background: #ff4b4b; border: 0; }
.dlp-scrub input::-moz-range-thumb { width: ${THUMB}px; height: ${THUMB}px; border-radius: 50%;
  background: #ff4b4b; border: 0; }
.dlp-scrub input:focus-visible { outline: 2px solid #ff4b4b80; outline-offset: 2px; border-radius: 4px; }
`;
if (!document.getElementById('dlp-scrub-css')) {
  const s = document.createElement('style');
  s.id = 'dlp-scrub-css';
  s.textContent = CSS;
  document.head.appendChild(s);
}
const chartOf = (gd) => gd.layout && gd.layout.meta && gd.layout.meta.dlp_scrub;
const inputOf = (gd) => gd.querySelector(':scope > .dlp-scrub input');
// The scrub slider that last took a key (shared by every copy of this module): the rerun after the keys may draw
// its chart in a new node, so the focus falls to the page; within RETAIN_MS the focus is given back, and a key that
// lands on the page meanwhile still moves it — unless the user clicked elsewhere since.
window.__dlpKeyed = window.__dlpKeyed || { chart: null, at: -1e9 };
const RETAIN_MS = 3000;
const retained = (chart) => window.__dlpKeyed.chart === chart && performance.now() - window.__dlpKeyed.at < RETAIN_MS;
const refocus = (gd) => {
  const input = inputOf(gd), a = document.activeElement;
  if (input && a !== input && (!a || a === document.body) && retained(chartOf(gd))) input.focus();
};
// One controller per chart, the newest mount's (Streamlit calls this module's function again on every rerun that
// changes its data, without always cleaning up the previous call first): listeners read it when they fire.
window.__dlpScrub = window.__dlpScrub || {};
window.__dlpPending = window.__dlpPending || {};  // chart -> the timer that reports a position
const ctlOf = (gd) => window.__dlpScrub[chartOf(gd)];
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
const report = (gd, i) => {  // after the user lets go (mouse) or stops pressing keys: to the newest mount then
  const chart = chartOf(gd), pending = window.__dlpPending;
  clearTimeout(pending[chart]);
  pending[chart] = setTimeout(() => {
    const c = window.__dlpScrub[chart];
    if (!c || i === c.data.index) return;
    window.__dlpPicked[chart] = { index: i, from: c.server, at: performance.now(), tries: 1 };
    c.data = Object.assign({}, c.data, { index: i });  // until the rerun draws it
    c.pick('pick', i);
  }, ctlOf(gd) ? ctlOf(gd).wait : 350);
};
const show = (gd, at) => {  // the input and its text at position `at` (default: where the figure's slider stands)
  const s = slider(gd), input = inputOf(gd), size = gd._fullLayout && gd._fullLayout._size;
  if (!s || !input || !size) return;
  const active = Math.min(at === undefined ? s.active || 0 : at, s.steps.length - 1);
  const box = input.parentNode, label = s.steps[active].label;
  const c = ctlOf(gd), text = ((s.currentvalue && s.currentvalue.prefix) || '') + label;
  const place = { left: size.l + 'px', width: size.w + 'px', top: gd._fullLayout.height - ${ROOM} + 12 + 'px' };
  // only what changed: the page's MutationObserver (below) hears every change, and a change each time would loop
  for (const [k, v] of Object.entries(place)) if (box.style[k] !== v) box.style[k] = v;
  if (input.max !== String(s.steps.length - 1)) input.max = String(s.steps.length - 1);
  if (+input.value !== active) input.value = String(active);
  const filled = (100 * active) / Math.max(1, s.steps.length - 1) + '%';  // the track is red up to the thumb
  if (input.style.getPropertyValue('--dlp-p') !== filled) input.style.setProperty('--dlp-p', filled);
  if (input.getAttribute('aria-valuetext') !== label) input.setAttribute('aria-valuetext', label);
  if (c && input.getAttribute('aria-label') !== c.data.label) input.setAttribute('aria-label', c.data.label);
  if (box.firstChild.textContent !== text) box.firstChild.textContent = text;
};
const move = (gd, i) => {  // the chart at position i (in the browser: the step's update) and, later, the server
  const s = slider(gd);
  if (!s || i === (s.active || 0)) return;
  const [traces, layout, idx] = s.steps[i].args;
  window.Plotly.update(gd, traces, Object.assign({}, layout, { 'sliders[0].active': i }), idx);
  show(gd, i);
};
const build = (gd) => {
  const box = document.createElement('div'), text = document.createElement('span');
  const input = document.createElement('input');
  box.className = 'dlp-scrub';
  input.type = 'range';
  input.min = '0';
  input.step = '1';
  box.append(text, input);
  if (getComputedStyle(gd).position === 'static') gd.style.position = 'relative';
  gd.appendChild(box);
  input.addEventListener('input', () => move(gd, +input.value));  // every position while dragging, every key
  input.addEventListener('change', () => report(gd, +input.value));  // a release, a key
  input.addEventListener('keydown', () => { window.__dlpKeyed = { chart: chartOf(gd), at: performance.now() }; });
  input.addEventListener('pointerdown', () => { window.__dlpKeyed = { chart: null, at: -1e9 }; });
};
const bind = (chart) => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (chartOf(gd) !== chart || !gd.on || !slider(gd)) continue;
    if (!inputOf(gd)) build(gd);
    show(gd);
    refocus(gd);
    if (gd.__dlpBound) continue;
    gd.__dlpBound = true;  // once per chart node: a rerun's redraw in the same node moves the input too
    gd.on('plotly_afterplot', () => { if (!inputOf(gd)) build(gd); show(gd); refocus(gd); });
  }
};
const KEYS = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10 };
// A rerun may draw the chart in a new node: give it its input at once.
if (!window.__dlpScrubObserver) {
  const ours = (r) => r.target.closest && r.target.closest('.dlp-scrub');  // our own input's changes: not a redraw
  window.__dlpScrubObserver = new MutationObserver((records) => {
    if (records.some((r) => !ours(r))) Object.keys(window.__dlpScrub).forEach(bind);
  });
  window.__dlpScrubObserver.observe(document.body, { childList: true, subtree: true });
}
if (!window.__dlpScrubKeys) {
  window.__dlpScrubKeys = true;
  document.addEventListener('keydown', (e) => {  // a key on the page while the chart of the keyed slider is redrawn
    const chart = window.__dlpKeyed.chart;
    if (e.target !== document.body || !retained(chart)) return;
    bind(chart);
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find((g) => chartOf(g) === chart && inputOf(g));
    const s = gd && slider(gd), step = KEYS[e.key];
    if (!s || (step === undefined && e.key !== 'Home' && e.key !== 'End')) return;
    e.preventDefault();
    const last = s.steps.length - 1, now = s.active || 0;
    const i = e.key === 'Home' ? 0 : e.key === 'End' ? last : Math.min(last, Math.max(0, now + step));
    window.__dlpKeyed = { chart, at: performance.now() };
    inputOf(gd).focus();
    if (i !== now) { move(gd, i); report(gd, i); }
  });
  document.addEventListener('mousedown', (e) => {  // a click elsewhere: the user has left the slider
    if (!(e.target.closest && e.target.closest('.dlp-scrub'))) window.__dlpKeyed = { chart: null, at: -1e9 };
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
""".replace("${GREY}", scrub.LABEL_GREY)
    .replace("${THUMB}", str(scrub.THUMB))
    .replace("${ROOM}", str(scrub.ROOM))
)

_FAMILIES: OrderedDict[tuple, tuple[dict, list]] = OrderedDict()
_LOCK = threading.Lock()
REPORT_MS = 350  # after the last key press (or a release) the position goes to the server: one rerun per pause
KEEP = 48  # families kept (a family is a few hundred kB at most)


class _Spec(go.Figure):
    """A figure spec that st.plotly_chart sends as it is. Given a go.Figure, st.plotly_chart deep-copies it
    (`to_dict`) before it writes the JSON; a scrub chart's spec is built for this one send and carries every step
    (the activations probe's 111 steps: ~20 ms of copying, and ~5 ms more to build the go.Figure)."""

    def __init__(self, spec: dict):  # not go.Figure's: st.plotly_chart reads nothing but to_dict()
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


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
        base = figure_at(value).to_plotly_json()  # as `plain` but not re-read: it is written once, with the steps
    else:
        first, steps = family(key, grid, labels, figure_at)
        # off the grid: its own figure (what it shows differently varies with the knob; every step sets all that varies)
        exactly = lambda: scrub.plain(figure_at(value))
        base = scrub.apply(first, steps[active]) if on_grid else _kept(key + (exact,), exactly)
    prefix = f"{label} = " if on_grid else f"{label} ({exact}) ≈ "
    fig = scrub.with_slider(base, steps, active=active, chart=chart, prefix=prefix)
    st.plotly_chart(_Spec(fig), key=f"_dlp.scrub.chart.{chart}")
    ckey = f"_dlp.scrub.{chart}"

    def picked():
        i = getattr(st.session_state.get(ckey), "pick", None)
        if isinstance(i, int) and 0 <= i < len(grid):
            on_pick(grid[i])

    data = {"chart": chart, "index": active, "label": label, "wait": REPORT_MS}
    js_component("dlp_scrub", PICK_JS)(key=ckey, data=data, on_pick_change=picked, height=0)


__all__ = ["draw", "family", "PICK_JS"]
