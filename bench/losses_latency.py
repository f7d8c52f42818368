"""Losses page: slider on the curves section -> new chart, in a real browser, against the bare one-slider page.

    python bench/losses_latency.py [--presses 30]

Prints, on this machine:
  - server-side script time per rerun of the regression-curves section (st.fragment), from the timing log;
  - in headless Debian chromium: key press on the probe-residual slider -> the chart's probe marker at the new
    value, median and p90, for /losses (its training sections idle: the KL and outlier fits finished, the
    others waiting for their buttons) and for bench/bare_app.py in the same run;
  - the ratio losses / bare (target <= 1.5x).
"""

from __future__ import annotations

import argparse
import statistics

from common import ROOT, app_server, fmt, press_times, section_times
from explorer_latency import wait_bare

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, slider_thumb, wait_idle
from tests.e2e.test_losses import wait_for_probe


def wait_probe(x0: float):
    return lambda page: wait_for_probe(page, x0, polling="raf")  # the measured page is visible: raf is exact


def measure(browser, url: str, label: str, waits, presses: int, idle: bool) -> list[float]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a cold server imports torch first
    if idle:
        wait_idle(page, timeout=240_000)  # the page's own first run (fits, claims) is over
    waits[0](page)
    steps = [("ArrowRight", waits[1]), ("ArrowLeft", waits[0])]
    times = press_times(page, slider_thumb(page, label), steps, presses, pause_ms=600)
    ctx.close()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with app_server() as (app, log), app_server(ROOT / "bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        probe = (wait_probe(1.5), wait_probe(1.6))
        results["bare page"] = measure(browser, bare + "/?", "a", (wait_bare(1.5), wait_bare(1.6)), args.presses, False)
        results["losses"] = measure(browser, app + "/losses?r0=1.5", "Probe residual r₀", probe, args.presses, True)
        results["bare page, again"] = measure(
            browser, bare + "/?", "a", (wait_bare(1.5), wait_bare(1.6)), args.presses, False
        )
        browser.close()
        section_ms = section_times(log)[-args.presses :]
    print(f"server time per slider rerun (regression curves section, st.fragment): {fmt(section_ms)}")
    for name, xs in results.items():
        print(f"browser key press -> chart updated, {name:17s}: {fmt(xs)}")
    bare_ms = statistics.median(results["bare page"] + results["bare page, again"])
    ratio = statistics.median(results["losses"]) / bare_ms
    print(f"ratio losses / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main()
