"""Losses page: slider on the curves section -> new chart, in a real browser, against the bare one-slider page.

    python bench/losses_latency.py [--presses 30]

Prints, on this machine:
  - server-side script time per rerun of the regression-curves section (st.fragment), from the timing log;
  - in headless Debian chromium: key press on the probe-residual slider -> the chart's probe (a layout shape)
    at the new value, median and p90, for /losses (opened once beforehand until idle, so the fits it trains
    on open and the claims are cached: the measured tab replays them) and for bench/bare_app.py, measured
    before and after the page in the same run;
  - the ratio losses / bare (target <= 1.5x).
"""

from __future__ import annotations

import argparse
import statistics

from common import ROOT, app_server, fmt, section_times, slider_presses, wait_bare

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, wait_idle
from tests.e2e.test_losses import wait_for_probe

URL = "/losses?r0=1.5"


def wait_probe(x0: float):
    return lambda page: wait_for_probe(page, x0, polling="raf")  # the measured page is visible: raf is exact


def warm(browser, url: str) -> None:
    """Open the page once until its first run is over (outlier and KL fits stored, claims computed)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    wait_idle(page, timeout=240_000)
    ctx.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with app_server() as (app, log), app_server(ROOT / "bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare_waits = (wait_bare(1.5), wait_bare(1.6))
        warm(browser, app + URL)
        results["bare page"] = slider_presses(browser, bare + "/?", "a", bare_waits, args.presses)
        probe_waits = (wait_probe(1.5), wait_probe(1.6))
        results["losses"] = slider_presses(browser, app + URL, "Probe residual r₀", probe_waits, args.presses)
        results["bare page, again"] = slider_presses(browser, bare + "/?", "a", bare_waits, args.presses)
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
