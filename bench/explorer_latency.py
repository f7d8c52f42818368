"""Activation explorer speed, against a bare one-slider one-chart Streamlit page.

    python bench/explorer_latency.py [--presses 40]

Prints, on this machine:
  - server-side script time per rerun of the explorer page (median, p90) from the app's timing log;
  - gc.collect() time with everything imported, with and without gc.freeze();
  - in a real browser (Debian chromium, headless): key press on a slider -> chart showing the new
    value, median and p90, for the app with gc.freeze (default), without it, and the bare page;
  - the ratio app / bare (target <= 1.5x) and the median against the 150 ms target.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, free_port, slider_thumb, start_server, wait_for_probe  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def fmt(xs):
    return f"median {statistics.median(xs):6.1f} ms   p90 {pct(xs, 0.9):6.1f} ms   (n={len(xs)})"


def gc_cost() -> tuple[float, float]:
    import plotly.graph_objects  # noqa: F401
    import streamlit  # noqa: F401

    from core import registry  # noqa: F401

    def timed():
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            gc.collect()
            runs.append((time.perf_counter() - t) * 1000)
        return statistics.median(runs)

    before = timed()
    gc.freeze()
    after = timed()
    gc.unfreeze()
    return before, after


def press_loop(page, thumb_label, expect, presses):
    """Alternate ArrowRight/ArrowLeft; time each press until the chart shows the new value."""
    thumb = slider_thumb(page, thumb_label)
    times = []
    for i in range(presses):
        key, target = ("ArrowRight", expect[1]) if i % 2 == 0 else ("ArrowLeft", expect[0])
        thumb.focus()
        t = time.perf_counter()
        page.keyboard.press(key)
        expect[2](page, target)
        times.append((time.perf_counter() - t) * 1000)
        page.wait_for_timeout(600)  # let the rest of the page settle, as between human key presses
    return times


def wait_bare(page, a):
    page.wait_for_function("(a) => { const gd = document.querySelector('.js-plotly-plot');"
                           " return !!gd && gd.data && gd.data[0].name === 'a=' + a.toFixed(1); }", arg=a)


def measure(browser, url, label, expect, presses):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    expect[2](page, expect[0])
    press_loop(page, label, expect, 6)  # warm-up: first renders, caches, JIT
    times = press_loop(page, label, expect, presses)
    ctx.close()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=40)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    before, after = gc_cost()
    print(f"gc.collect() with torch+plotly+streamlit loaded: {before:.1f} ms; after gc.freeze(): {after:.1f} ms")

    log = Path(tempfile.mkstemp(suffix=".log")[1])
    explorer = (1.5, 1.6, lambda page, x0: wait_for_probe(page, x0, polling="raf"))  # the measured page is visible
    bare = (1.5, 1.6, wait_bare)
    results, procs = {}, []
    try:
        servers = {
            "app (gc.freeze)": (ROOT / "streamlit_app.py", {"DLP_TIMING_LOG": str(log)}),
            "app (no freeze)": (ROOT / "streamlit_app.py", {"DLP_GC_FREEZE": "0"}),
            "bare page": (ROOT / "bench/bare_app.py", {}),
        }
        urls = {}
        for name, (script, env) in servers.items():
            port = free_port()
            procs.append(start_server(script, port, env))
            urls[name] = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name in servers:
                if name == "bare page":
                    results[name] = measure(browser, urls[name] + "/?", "a", bare, args.presses)
                else:
                    results[name] = measure(browser, urls[name] + "/activations?x0=1.5", "Probe x", explorer,
                                            args.presses)
            browser.close()
    finally:
        for proc in procs:
            proc.terminate()
    rows = [line.split() for line in log.read_text().splitlines()]
    os.unlink(log)
    section_ms = [float(ms) for kind, ms in rows if kind == "section"][8:]  # skip first load and warm-up
    print(f"server time per slider rerun (explorer section, st.fragment): {fmt(section_ms)}")
    for name, xs in results.items():
        print(f"browser key press -> chart updated, {name:16s}: {fmt(xs)}")
    ratio = statistics.median(results["app (gc.freeze)"]) / statistics.median(results["bare page"])
    print(f"ratio app / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")
    print(f"app median vs 150 ms target: {'OK' if statistics.median(results['app (gc.freeze)']) <= 150 else 'OVER'}")


if __name__ == "__main__":
    main()
