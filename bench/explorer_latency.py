"""Activation explorer speed, against a bare one-slider one-chart Streamlit page.

    python bench/explorer_latency.py [--presses 40]

Prints, on this machine:
  - server-side script time per rerun of the explorer section, from the app's timing log;
  - gc.collect() time with everything imported, with and without gc.freeze();
  - in a real browser (Debian chromium, headless): key press on a slider -> chart showing the new
    value, median and p90: the explorer's "x to" slider (a server round trip) for the app with gc.freeze
    (default) and without it, the probe x₀ (a scrub slider: moves in the browser), and the bare page;
  - the ratio app / bare (target <= 1.5x) and the median against the 150 ms target.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from common import ROOT, app_server, fmt, scrub_presses, section_times, slider_presses, verdict, wait_bare

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, wait_for_probe, wait_for_xmax


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


def wait_probe(x0, timeout=30_000):
    return lambda page: wait_for_probe(page, x0, timeout, polling="raf")  # the measured page is visible: raf is exact


def wait_xmax(xmax, timeout=30_000):
    return lambda page: wait_for_xmax(page, xmax, timeout, polling="raf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=40)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    before, after = gc_cost()
    print(f"gc.collect() with torch+plotly+streamlit loaded: {before:.1f} ms; after gc.freeze(): {after:.1f} ms")
    results = {}
    with (
        app_server() as (app, log),
        app_server(env={"DLP_GC_FREEZE": "0"}) as (nofreeze, _),
        app_server(ROOT / "bench/bare_app.py") as (bare, _),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        x_to = (wait_xmax(6.0), wait_xmax(6.5))
        results["app (gc.freeze)"] = slider_presses(browser, app + "/activations?x0=1.5", "x to", x_to, args.presses)
        section_ms = section_times(log)[-args.presses :]
        results["app (no freeze)"] = slider_presses(
            browser, nofreeze + "/activations?x0=1.5", "x to", x_to, args.presses
        )
        results["probe x₀ (scrub)"] = scrub_presses(
            browser, app + "/activations?x0=1.5", "Probe x₀", (wait_probe(1.5), wait_probe(1.6)), args.presses
        )
        results["bare page"] = slider_presses(browser, bare + "/?", "a", (wait_bare(1.5), wait_bare(1.6)), args.presses)
        browser.close()
    print(f"server time per 'x to' rerun (explorer section, st.fragment): {fmt(section_ms)}")
    for name, xs in results.items():
        print(f"browser key press -> chart updated, {name:16s}: {fmt(xs)}")
    ratio = statistics.median(results["app (gc.freeze)"]) / statistics.median(results["bare page"])
    print(f"ratio app / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")
    print(verdict(results["app (gc.freeze)"], 150))


if __name__ == "__main__":
    main()
