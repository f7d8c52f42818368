"""Every page against the bare one-slider page, in a real browser: open a link, and move a slider.

    python bench/page_latency.py [--pages activations,optimizers] [--opens 3] [--presses 10] [--budget 900]

Headless Debian chromium at 1440×900, warm servers (every page opened once before measuring), the bare
page (bench/bare_app.py) measured in the same run right before each page, so both see the same load.
For every registered page (core.registry: pages added later are picked up), and the long-training link of
tests/e2e/test_live_sections.py (a 5,000-step training below the first section, a new seed each open):

  first figure   open a link in a fresh browser context (cold browser cache, as a student's first click)
                 -> the first chart of the page is drawn (not a skeleton);
  first screen   -> every element in the 1440×900 viewport is drawn (no skeleton, every chart in view drawn)
                 and stays so;
  slider         key press on one light slider -> a chart shows the change (median, p90 over N presses; the
                 presses walk the slider one way and turn at its ends, so they show values not drawn before);
                 also the bytes the websocket received and the charts redrawn per press, and the server's
                 time per section rerun (the app's timing log).

The goals of issue 17: first figure ≤ 1.3× the bare page's chart, first screen ≤ 1.6×, slider median
≤ 1.5× and p90 ≤ 2×. The run is bounded by --budget seconds (pages beyond it are listed as skipped) and
every wait by a timeout. The machine is shared: the load average is printed before and after; compare
ratios, not absolute times, and rerun when `uptime` shows < 1.5 if you can.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

from common import ROOT, app_server, pct, section_times

from core import registry
from core.params import Float, Int
from core.text import Text
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, IDLE

VIEWPORT = {"width": 1440, "height": 900}
GOALS = {"first": 1.3, "screen": 1.6, "median": 1.5, "p90": 2.0}
# One light slider per page, by parameter name; a page not listed uses the first Float/Int parameter of its
# first experiment that is active at the defaults.
SLIDERS = {"activations": "xmax", "optimizers": "x0", "gradients": "batch", "pooling": "k"}
# Pages whose first section has no light server-side slider: opened only, with the reason printed.
NO_LIGHT_SLIDER = {
    "gan": "every knob of its first section starts a new training",
    "hardware": "its first section's slider is the timing budget: each new value runs a new measurement of that many "
    "CPU-seconds (bench/hardware_latency.py times a stored one)",
}
# Links measured for "open a link" only: a page whose first section must not wait for a training below it.
LONG_LINKS = {
    "activations, training below": "/activations?x0=1.5&data=spiral2&steps=5000&n=2000&width=64&depth=6"
    "&batch=256&act=mish&d_steps=100&seed={i}",
}

# In the page from its first script on: a timeline of what the viewport shows, a websocket byte counter,
# and a chart-change detector for slider presses.
RECORDER = """(() => {
  const WS = window.WebSocket;
  window.__bytes = 0;
  window.WebSocket = function (...a) {
    const ws = new WS(...a);
    ws.addEventListener('message', e => { window.__bytes += e.data.byteLength || e.data.size || e.data.length || 0; });
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  const inView = el => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; };
  const drawn = gd => !!gd._fullLayout && !!gd.querySelector('.main-svg');
  const SKELETON = '[data-testid=stSkeleton],[data-testid=stSkeletonElement],[data-testid=stAppSkeleton]';
  window.__charts = () => Array.from(document.querySelectorAll('.js-plotly-plot'));
  window.__screen = () => {
    const charts = __charts().filter(inView);
    const main = __charts().filter(gd => !gd.closest('[data-testid=stSidebar]'));
    return {t: performance.now(), first: main.length > 0 && drawn(main[0]),
            n: Array.from(document.querySelectorAll('[data-testid=stElementContainer]')).filter(inView).length,
            sk: Array.from(document.querySelectorAll(SKELETON)).filter(inView).length,
            charts: charts.length, drawn: charts.filter(drawn).length,
            running: !!document.querySelector('[data-testid=stStatusWidget]')};
  };
  window.__timeline = [];  // opens only: a slider press stops it (its layout reads would weigh on the press)
  window.__timer = setInterval(() => { if (document.body) __timeline.push(__screen()); }, 100);
  const digest = gd => JSON.stringify((gd.data || []).map(t => [t.type, t.name, ...['x', 'y', 'z'].map(k => {
      const v = t[k]; if (!v) return null;
      if (v.bdata) return [v.bdata.length, v.bdata.slice(0, 64), v.bdata.slice(-64)];
      const n = v.length; return [n, v[0], v[n >> 1], v[n - 1]].map(x => Array.isArray(x) ? x.slice(0, 8) : x); })]))
    + JSON.stringify(gd.layout && gd.layout.title);
  window.__mark = () => { window.__before = new Map(__charts().map(gd => [gd, digest(gd)])); };
  window.__changed = () => __charts().filter(gd => drawn(gd) && (!__before.has(gd) || __before.get(gd) !== digest(gd)));
})();"""


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def slider_param(concept) -> str:
    if concept.key in SLIDERS:
        return SLIDERS[concept.key]
    first = concept.experiments[0]
    defaults = first.params.defaults()
    # a server-side slider: scrub knobs move in the browser (bench/losses_latency.py & co. time those)
    return next(p.name for p in first.params if isinstance(p, (Float, Int)) and p.active(defaults) and not p.scrub)


def label_of(concept, name: str) -> str:
    return Text(concept.key, "en").label(name)


def open_once(browser, url: str, cap_s: float = 60) -> tuple[float | None, float | None]:
    """Open `url` in a fresh context; seconds from navigation to the first chart drawn and to the whole first
    screen drawn for good (None if it never was within `cap_s`)."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(RECORDER)
    page = ctx.new_page()
    start = time.monotonic()
    page.goto(url, wait_until="commit")
    stable_since, last = None, None
    while time.monotonic() - start < cap_s:
        page.wait_for_timeout(250)
        now = page.evaluate("() => __screen()")
        sig = (now["n"], now["sk"], now["charts"], now["drawn"])
        if sig != last or now["sk"] or now["drawn"] < now["charts"] or not now["n"]:
            stable_since, last = (time.monotonic() if not now["sk"] and now["drawn"] == now["charts"] else None), sig
            continue
        quiet = time.monotonic() - (stable_since or time.monotonic())
        if stable_since and now["first"] and quiet >= (2.5 if not now["running"] else 6):
            break
    timeline = page.evaluate("() => __timeline")
    ctx.close()
    first = next((s["t"] / 1000 for s in timeline if s["first"]), None)
    final = timeline[-1] if timeline else None
    screen = None
    for s in reversed(timeline):  # the first snapshot from which the viewport stayed complete
        if (s["n"], s["charts"]) != (final["n"], final["charts"]) or s["sk"] or s["drawn"] < s["charts"]:
            break
        screen = s["t"] / 1000
    return first, screen


def presses(browser, url: str, label: str, n: int, log: Path | None, warmup: int = 2, timeout_ms: int = 20_000):
    """Key presses on the slider labelled `label`: ms to the first chart showing the change, websocket kB and
    charts redrawn per press, and the server's section times (ms) for those presses."""
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(RECORDER)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    page.evaluate("() => clearInterval(__timer)")
    idle(page)
    heading = page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile("^" + re.escape(label)))
    thumb = page.locator('[data-testid="stSlider"]').filter(has=heading).first.get_by_role("slider")
    value = lambda: float(thumb.evaluate("e => e.value"))  # an <input type=range> (min, max, value)
    lo, hi, now = float(thumb.get_attribute("min")), float(thumb.get_attribute("max")), value()
    # Walk: every press goes on in one direction (to the far end first) and turns at an end (or where the page holds
    # the value back), so a press shows a value not drawn before in this run until the slider has been swept; a
    # back-and-forth between two values would time cache hits only.
    turn = {"ArrowLeft": "ArrowRight", "ArrowRight": "ArrowLeft"}
    key = "ArrowLeft" if hi - now < now - lo else "ArrowRight"
    times, kbytes, redrawn, server, fresh, seen = [], [], [], [], [], {now}
    for i in range(warmup + n):
        page.evaluate("() => __mark()")
        bytes0, logged = page.evaluate("() => __bytes"), len(section_times(log)) if log else 0
        thumb.focus()
        if now in (lo, hi):
            key = "ArrowLeft" if now == hi else "ArrowRight"
        start = time.perf_counter()
        page.keyboard.press(key)
        try:
            page.wait_for_function("() => __changed().length > 0", timeout=timeout_ms, polling="raf")
        except Exception:
            times.append(float("nan"))
            key = turn[key]  # held back by the page (e.g. a kernel larger than the input): turn, and step back once
            thumb.focus()
            page.keyboard.press(key)
            idle(page)
            page.wait_for_timeout(300)
            now = value()
            continue
        took = (time.perf_counter() - start) * 1000
        idle(page)
        page.wait_for_timeout(300)
        now = value()
        if i >= warmup:
            times.append(took)
            kbytes.append((page.evaluate("() => __bytes") - bytes0) / 1024)
            redrawn.append(page.evaluate("() => __changed().length"))
            server += section_times(log)[logged:] if log else []
            fresh.append(now not in seen)
        seen.add(now)
    ctx.close()
    return times, kbytes, redrawn, server, fresh


def idle(page, timeout: float = 120_000) -> None:
    page.wait_for_function(IDLE, timeout=timeout, polling=100)


def med(xs):
    xs = [x for x in xs if x is not None and x == x]
    return statistics.median(xs) if xs else float("nan")


def measure_row(browser, base: str, path: str, bare: str, args, label: str | None, log: Path | None) -> dict:
    row = {}
    for side, url in (("bare", bare + "/"), ("page", base + path)):
        opens = [open_once(browser, url.format(i=1000 + k) if "{i}" in url else url) for k in range(args.opens)]
        row[side] = {"first": med([o[0] for o in opens]), "screen": med([o[1] for o in opens])}
        if label is not None:
            try:
                times, kb, redrawn, server, fresh = presses(
                    browser, url.format(i=0) if "{i}" in url else url, "a" if side == "bare" else label, args.presses,
                    None if side == "bare" else log,
                )  # fmt: skip
            except Exception as err:  # e.g. no slider with that label on the first screen: keep the open figures
                print(f"  {path}: slider '{label}' not measured ({type(err).__name__})", flush=True)
                times, kb, redrawn, server, fresh = [float("nan")] * args.presses, [], [], [], []
            ok = [t for t in times if t == t]
            row[side].update(
                median=med(ok),
                p90=pct(ok, 0.9) if ok else float("nan"),
                fails=len(times) - len(ok),
                kb=med(kb),
                redrawn=med(redrawn),
                server=med(server) if server else float("nan"),
                fresh=sum(fresh),
                n=len(ok),
            )
    return row


def ratio(row, key) -> str:
    r = row["page"][key] / row["bare"][key] if row["bare"].get(key) else float("nan")
    flag = "ok" if r <= GOALS[key] else "OVER"
    return f"{r:5.2f}× {flag:4s}" if r == r else "   —      "


def report(rows: dict) -> None:
    print("\nopen a link (median of opens, seconds from navigation; bare page measured just before each row)")
    print(
        f"{'page':34s} {'first fig':>9s} {'bare':>6s} {'ratio ≤1.3':>11s}  "
        f"{'1st screen':>10s} {'bare':>6s} {'ratio ≤1.6':>11s}"
    )
    for name, (row, _) in rows.items():
        p, b = row["page"], row["bare"]
        print(
            f"{name:34s} {p['first']:9.2f} {b['first']:6.2f} {ratio(row, 'first')}  "
            f"{p['screen']:10.2f} {b['screen']:6.2f} {ratio(row, 'screen')}"
        )
    print(
        "\nslider -> changed chart (ms; kB received and charts redrawn per press; server ms per section rerun;"
        "\n  new: presses to a value not drawn before in the run — the rest are cache hits)"
    )
    print(
        f"{'page (slider)':34s} {'median':>7s} {'bare':>5s} {'ratio ≤1.5':>11s}  {'p90':>6s} {'bare':>5s} "
        f"{'ratio ≤2':>11s}  {'kB':>6s} {'charts':>6s} {'server':>6s} {'new':>5s}"
    )
    for name, (row, label) in rows.items():
        if label is None:
            continue
        p, b = row["page"], row["bare"]
        fails = f"  ({p['fails']} presses never changed a chart)" if p["fails"] else ""
        print(
            f"{name + ' (' + label + ')':34s} {p['median']:7.0f} {b['median']:5.0f} {ratio(row, 'median')}  "
            f"{p['p90']:6.0f} {b['p90']:5.0f} {ratio(row, 'p90')}  {p['kb']:6.1f} {p['redrawn']:6.0f} "
            f"{p['server']:6.0f} {p['fresh']:2d}/{p['n']:<2d}{fails}"
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default="", help="comma-separated page keys (default: every registered page)")
    ap.add_argument("--opens", type=int, default=3)
    ap.add_argument("--presses", type=int, default=10)
    ap.add_argument("--budget", type=float, default=900, help="seconds; pages beyond it are skipped")
    ap.add_argument("--no-long", action="store_true", help="skip the long-training links")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    wanted = [k for k in args.pages.split(",") if k]
    concepts = [c for c in registry.CONCEPTS if not wanted or c.key in wanted]
    todo = [
        (c.key, f"/{c.key}", None if c.key in NO_LIGHT_SLIDER else label_of(c, slider_param(c)) + "|" + slider_param(c))
        for c in concepts
    ]
    if not args.no_long:
        longs = [(name, link) for name, link in LONG_LINKS.items() if not wanted or link.split("?")[0][1:] in wanted]
        todo += [(name, link, None) for name, link in longs]
    print(f"start: {load()}  ({os.cpu_count()} cores, shared machine)")
    began, rows, skipped = time.monotonic(), {}, []  # the budget counts the warm-up too
    with app_server() as (app, log), app_server(ROOT / "bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for url in [bare + "/"] + [f"{app}/{c.key}" for c in concepts]:  # warm: imports, caches, stored runs
            if time.monotonic() - began < args.budget / 3:
                open_once(browser, url, cap_s=60)
        for name, path, slider in todo:
            if time.monotonic() - began > args.budget:
                skipped.append(name)
                continue
            label, pname = slider.split("|") if slider else (None, None)
            try:
                rows[name] = (measure_row(browser, app, path, bare, args, label, log), pname)
            except Exception as err:  # e.g. a slider label not found: report it, measure the other pages
                skipped.append(f"{name} ({type(err).__name__}: {str(err).splitlines()[0][:100]})")
                continue
            print(f"  measured {name} at {time.monotonic() - began:.0f} s ({load()})", flush=True)
        browser.close()
    report(rows)
    for key, why in NO_LIGHT_SLIDER.items():
        if key in rows:
            print(f"{key}: no slider measured ({why})")
    print(f"\nend: {load()}; took {time.monotonic() - began:.0f} s")
    if skipped:
        print(f"skipped (over the {args.budget:.0f}-s budget, or failed): {', '.join(skipped)}")


if __name__ == "__main__":
    main()
