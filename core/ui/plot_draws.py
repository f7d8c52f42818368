"""Each chart drawn once per change, in one pass: two wrappers around plotly.js's `react` and `newPlot`.

Profiled in headless Chromium (a server-side slider on /losses): a changed figure was drawn four passes deep.

1. Margins remembered. Plotly's automargin measures tick labels, axis titles, a legend or a slider after a first
   pass and, when they need more room than `layout.margin`, draws the whole chart again. Nearly every chart of the
   app needs it, so every draw was two passes: a new /losses curve figure took 96–153 ms, 45–56 ms with the margins
   it ended with given upfront. Now a chart's margins after a draw (`_fullLayout._size`) are remembered under its
   identity (its `meta`, its title, axis titles and trace names with the digits dropped, its categories), and its
   next draw starts with at least those. Automargin stays on: labels that need more room still get it (one extra
   pass, remembered). The plot area keeps its place while a slider moves (margins only grow, within a tab).
2. The same figure not drawn twice. Streamlit mounts a new chart for a changed figure and, right after drawing it,
   hands plotly.js a themed copy of the same figure, which plotly.js redraws in full (its `react` compares data by
   reference). A call whose figure equals, as JSON, the one this chart node last drew — and the chart was not
   restyled, relaid out or zoomed since — returns at once.

The script is a custom component v2 without HTML, mounted once per page run in the sidebar (invisible). It finds
plotly.js when Streamlit sets `window.Plotly` (a property trap catches the moment it loads, so a first visit's charts
benefit too); without it (another Streamlit build) nothing changes. bench/page_latency.py measures the effect (the
note of issue 17 has the figures).
"""

from __future__ import annotations

import streamlit as st

from core.ui.components import js_component

DRAWS_JS = """
const MAX_CHARTS = 400;
const SIDES = ['l', 'r', 't', 'b'];
const CHANGED = ['plotly_restyle', 'plotly_relayout', 'plotly_update', 'plotly_animated', 'plotly_redraw'];
const plain = (v) => String(v === undefined || v === null ? '' : (v.text !== undefined ? v.text : v))
  .replace(/[0-9.]+/g, '#');
const categories = (a) => Array.isArray(a) && a.length && typeof a[0] === 'string' ? a.slice(0, 40).join('|') : '';
function identity(layout, data) {  // what a chart's margins depend on, numbers aside
  const axes = Object.keys(layout).filter((k) => /^[xy]axis[0-9]*$/.test(k)).sort()
    .map((k) => k + ':' + plain(layout[k] && layout[k].title));
  const traces = (data || []).map((t) => [t.type, plain(t.name), t.orientation, t.showlegend,
    categories(t.x), categories(t.y)].join(','));
  return JSON.stringify([layout.meta || null, plain(layout.title), layout.showlegend, axes, traces,
    (layout.sliders || []).length]);
}
const internal = (k, v) => (k && k[0] === '_' ? undefined : v);  // plotly.js adds _inputArray & co. in place
// Streamlit's theme wraps titles in <b> again on every copy: <b><b>t</b></b> looks the same as <b>t</b>
const figureOf = (layout, data, frames) => JSON.stringify([data,
  Object.assign({}, layout, { margin: null, width: null, height: null }), frames && frames.length ? frames : null],
  internal).replace(/(<b>)+/g, '<b>').replace(/(<\\/b>)+/g, '</b>');
const sized = (gd, layout) => ['width', 'height'].every((k) => layout[k] === undefined || layout[k] === null
  || Math.abs(layout[k] - gd._fullLayout[k]) < 1);  // the size it was drawn at (autosized or given)
const remember = (margins, key, size) => {
  const m = {};
  for (const s of SIDES) m[s] = Math.ceil(size[s]);
  margins.delete(key);
  margins.set(key, m);
  if (margins.size > MAX_CHARTS) margins.delete(margins.keys().next().value);
};
const watch = (gd) => {  // a change made in the browser (restyle, relayout, zoom, frames) means: draw next time
  const moved = gd.__dlpMoved || (gd.__dlpMoved = () => { gd.__dlpDrawn = null; });
  for (const ev of CHANGED) { gd.removeListener(ev, moved); gd.on(ev, moved); }
};
function patch(P) {
  if (!P || P.__dlpDraws) return;
  const margins = (P.__dlpDraws = new Map());
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {  // drawn before this script ran: as if by it
    if (!gd._fullLayout || !gd.layout) continue;
    try {
      if (!gd.on) continue;
      gd.__dlpDrawn = figureOf(gd.layout, gd.data, null);
      watch(gd);
      remember(margins, identity(gd.layout, gd.data), gd._fullLayout._size);
    } catch (err) { gd.__dlpDrawn = null; }
  }
  for (const name of ['react', 'newPlot']) {
    const draw = P[name];
    if (typeof draw !== 'function') continue;
    P[name] = function (gd, a, b, c) {
      let key = null, drawn = null, frames = null;
      try {
        const fig = a && !Array.isArray(a) && (a.layout || a.data) ? a : null;
        const layout = fig ? fig.layout : b, data = fig ? fig.data : a;
        frames = fig ? fig.frames : null;
        if (layout && typeof layout === 'object' && gd && gd.nodeType === 1) {
          drawn = figureOf(layout, data, frames);
          if (name === 'react' && gd.__dlpDrawn === drawn && gd._fullLayout && sized(gd, layout)) {
            gd.data = data || [];  // what plotly.js's react keeps before it finds nothing to redraw: a caller that
            gd.layout = layout;  // hands back gd.layout (Streamlit's onUpdate) then sees the figure it passed
            return Promise.resolve(gd);
          }
          key = identity(layout, data);
          const m = margins.get(key);
          if (m) {
            const own = layout.margin || {};
            layout.margin = Object.assign({}, own);
            for (const s of SIDES) layout.margin[s] = Math.max(Number(own[s]) || 0, m[s]);
          }
        }
      } catch (err) { key = null; drawn = null; }
      if (gd && gd.nodeType === 1) gd.__dlpDrawn = null;
      const out = draw.apply(this, arguments);
      Promise.resolve(out).then(() => {
        if (!gd || !gd._fullLayout || !gd.on) return;
        // as drawn: plotly.js writes what it computed (axis types, autoranges) into the figure it was given, and
        // Streamlit's copy is made after that
        gd.__dlpDrawn = drawn && figureOf(gd.layout, gd.data, frames);
        watch(gd);
        if (key && gd._fullLayout._size) remember(margins, key, gd._fullLayout._size);
      }, () => {});
      return out;
    };
  }
}
if (window.Plotly) patch(window.Plotly);
else if (!Object.getOwnPropertyDescriptor(window, 'Plotly')) {
  Object.defineProperty(window, 'Plotly', { configurable: true, enumerable: true,
    get() { return undefined; },
    set(v) {
      Object.defineProperty(window, 'Plotly', { value: v, writable: true, configurable: true, enumerable: true });
      patch(v);
    } });
}
export default function () {}
"""


def install() -> None:
    """Mount the wrappers (an invisible component in the sidebar; its script patches plotly.js once per tab)."""
    with st.sidebar:
        js_component("dlp_plot_draws", DRAWS_JS)(key="_dlp.draws")
