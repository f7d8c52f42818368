"""Normalization page: a key press on the batch-norm step-through's batch-size slider until its chart shows the new
batch, against the bare one-slider page (bench/bare_app.py), in the same run.

    python bench/normalization_latency.py [--presses 30]

Prints, on this machine (headless Debian chromium):
  - server time per rerun of the step-through section (st.fragment), from the app's timing log;
  - key press -> chart updated, median and p90, for the page and for the bare page, and their ratio
    (target: within 1.5× of the bare page).
"""

from __future__ import annotations

import argparse
import statistics

from common import ROOT, app_server, fmt, section_times, slider_presses, wait_bare

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS

TITLE = """(n) => [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.layout && gd.layout.title
              && String(gd.layout.title.text).includes('(' + n + ' values per feature'))"""


def wait_steps(n: int):
    return lambda page: page.wait_for_function(TITLE, arg=n, polling="raf", timeout=60_000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with (
        app_server() as (app, log),
        app_server(ROOT / "bench/bare_app.py") as (bare, _),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results["normalization step-through"] = slider_presses(
            browser, app + "/normalization", "Batch size n", (wait_steps(8), wait_steps(9)), args.presses
        )
        results["bare page"] = slider_presses(browser, bare + "/?", "a", (wait_bare(1.5), wait_bare(1.6)), args.presses)
        browser.close()
        section_ms = section_times(log)[-args.presses :]
    print(f"server time per step-through rerun (st.fragment): {fmt(section_ms)}")
    for name, xs in results.items():
        print(f"browser key press -> chart updated, {name:28s}: {fmt(xs)}")
    ratio = statistics.median(results["normalization step-through"]) / statistics.median(results["bare page"])
    print(f"ratio page / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main()
