"""Sections below the first one (and the first one's part below the screen) wait until the browser has drawn the
first screen.

Status: ON by default; `DLP_LAZY=0` turns it off. bench/page_latency.py, open a link → first figure, against the
bare page in the same run, with it on: /activations 1.24–1.33× (2.55× without it), /gradients 1.42×, /optimizers
1.60×. The marker's rerun request carries its page, and Streamlit folds a pending request into the newer one, so a
marker firing right after a click on another page's link would cancel the navigation (seen now and then in the
sidebar round trip of tests/e2e/test_navigation.py). So the marker waits until the app has been idle for 300 ms and
nobody clicked or typed for 600 ms, and never fires once a link to another page was followed (from 10 s before it
was drawn) or the browser has left the page.

    view = PageView(concept)     # on a fresh visit in a browser: the share box slot holds the marker
    @view.section                # only the page's first section runs; the others return at once
    def explorer():
        ...                      # controls and figure
        view.fold()              # the first run of a fresh visit ends this section here
        ...                      # tables, formulas, claim cards

Why: on a fresh visit the browser must load a code chunk per element kind and draw every chart; while it
does, the elements of the first screen show grey skeletons. When the sections below arrive in the same
burst, their charts are drawn before the first screen is painted (Plotly draws all charts of one React
commit before the next paint), and a training below that redraws several times a second starves React's
retries of the suspended elements above (React 18 never expires a Suspense retry and cancels a throttled
reveal on every new update), so the first section stayed grey until the training ended (measured: the
explorer of /activations at 18 s with a 12-s training in its second section; a minimal two-fragment app
does not show it: its first chart came at ~2 s).

How: on the first run of a page visit the page draws its first section (up to its `view.fold()`) and, in the
sidebar's share box slot, a tiny custom component v2 (no HTML; its JavaScript runs in the page). It waits until
the viewport has no skeleton and every chart in view is drawn (or 5 s passed), and then until the app is idle
(no running script, or 10 s passed) and no click or key press came for 600 ms; then it sets its trigger, which
reruns the page: that run is no longer a fresh visit, so it draws every section and the share box, after the first
screen. The first run's notices (a bad link, its conflicts) are held for that run (`hold`/`release`).
Later runs (a slider, a preset, the language) draw every section at once, as before.

A client without JavaScript (AppTest, a websocket load generator) never triggers: sections are drawn at
once when the session has no browser's User-Agent (AppTest, websockets), and `DLP_LAZY=0` turns waiting off everywhere
(the browser test tests/e2e/test_first_screen.py fails with it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.ui.components import js_component

READY_JS = """
const SKELETON = '[data-testid=stSkeleton],[data-testid=stSkeletonElement],[data-testid=stAppSkeleton]';
const MAX_WAIT_MS = 5000;
const QUIET_MS = 600;  // no click or key press for this long before the marker's rerun
const inView = (el) => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; };
const drawn = () => !Array.from(document.querySelectorAll(SKELETON)).some(inView)
  && Array.from(document.querySelectorAll('.js-plotly-plot')).filter(inView)
       .every((gd) => gd._fullLayout && gd.querySelector('.main-svg'));
// The student's own input wins: a rerun request carries its page, and Streamlit folds a pending request into
// the newer one, so a marker rerun sent right after a click on another page's link would cancel the
// navigation. Wait until the app is idle and nobody clicked or typed for QUIET_MS.
const input = (window.__dlpLastInput = window.__dlpLastInput || { t: 0, to: null, navAt: -1e9 });
if (!window.__dlpInputHooked) {
  window.__dlpInputHooked = true;
  const seen = (e) => {
    input.t = performance.now();
    const a = e.target && e.target.closest && e.target.closest('[data-testid=stSidebarNav] a, a[href]');
    if (a && a.href) { input.to = new URL(a.href, location.href).pathname; input.navAt = input.t; }
  };
  for (const kind of ['pointerdown', 'keydown', 'click']) document.addEventListener(kind, seen, true);
}
// a link to another page was followed shortly before this marker was drawn, or after: the student is leaving
const leaving = (path, start) => input.to !== null && input.to !== path && input.navAt > start - 10000;
const BUSY_MAX_MS = 10000;  // an app that stays busy this long (a live training) does not hold the page back
const running = () => !!document.querySelector('[data-testid=stStatusWidget]');
const idle = (start) => (!running() || (performance.now() - start > BUSY_MAX_MS && input.t < start))
  && performance.now() - input.t > QUIET_MS;
function firstScreen(visit) {  // one promise per page visit, shared by every waiting section
  const all = (window.__dlpFirstScreen = window.__dlpFirstScreen || {});
  if (!all[visit]) all[visit] = new Promise((resolve) => {
    const start = performance.now();
    const tick = () => (drawn() || performance.now() - start > MAX_WAIT_MS)
      ? setTimeout(resolve, 30) : setTimeout(tick, 50);
    tick();
  });
  return all[visit];
}
export default function ({ data, setTriggerValue }) {
  let alive = true;
  const path = location.pathname, start = performance.now();
  let quiet = 0;  // consecutive idle ticks: a flicker of the status between two runs is not idle
  const fire = () => {
    if (!alive || location.pathname !== path || leaving(path, start)) return;  // gone, or going elsewhere
    quiet = idle(start) ? quiet + 1 : 0;
    if (quiet < 6) return setTimeout(fire, 50);
    setTriggerValue('ready', true);
  };
  firstScreen(data.visit).then(fire);
  return () => { alive = false; };
}
"""


def enabled() -> bool:
    """Whether sections may wait for the browser: a browser session (every browser's User-Agent starts with
    "Mozilla/"; AppTest sends no headers, a Python websocket client names itself)."""
    if os.environ.get("DLP_LAZY", "1") == "0":  # on by default: see "Status" in the module docstring
        return False
    try:
        return (st.context.headers.get("User-Agent") or "").startswith("Mozilla/")
    except Exception:
        return False


_HELD = "_dlp.lazy.held"


@dataclass
class Held:
    """What a visit's first run decided, for the marker's rerun: the link's values and notices (a bad link, its
    conflicts), and the parameters whose widgets that run drew (the others were seeded but never drawn, and
    Streamlit may hand back a previous visit's value for such a key)."""

    page: str
    visit: int
    values: dict[str, Any]
    notices: list
    drawn: set[str] = field(default_factory=set)


def hold(page: str, visit: int, values: dict[str, Any], notices: list) -> None:
    st.session_state[_HELD] = Held(page, visit, dict(values), list(notices))


def drawn(page: str, names: list[str]) -> None:
    """Record widgets drawn by the first run (or a section rerun before the marker fired)."""
    held = st.session_state.get(_HELD)
    if held is not None and held.page == page:
        held.drawn.update(names)


def release(page: str, visit: int) -> Held | None:
    """What was held for this visit (once; None for another page or visit)."""
    held = st.session_state.pop(_HELD, None)
    return held if held is not None and (held.page, held.visit) == (page, visit) else None


def wait(page: str, visit: int) -> None:
    """Draw the page's marker (outside any section, once per run): once the browser has drawn the first screen
    its trigger reruns the page, and that run (no longer a fresh visit) draws every section."""
    marker = js_component("dlp_first_screen", READY_JS)
    marker(key=f"_dlp.ready.{page}", data={"visit": f"{page}:{visit}"}, on_ready_change=lambda: None)
