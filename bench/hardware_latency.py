"""Hardware page: a key press on the parallelism size slider -> that section's chart redrawn, in a real browser,
against the bare one-slider page (issue 17: a light slider within 1.5× the bare page).

    python bench/hardware_latency.py [--presses 20]

Every knob of this page is a measurement, stored for every session (core/hardware/cache.py): the bench opens
both values (n = 128 and 192) in a warm-up run first, so the presses time what a student meets once a value has been
measured — the section's rerun (st.fragment: its controls, chart, texts and its one claim card) and the chart's
redraw — not a measurement. Prints, on this machine, the median and p90 of press -> chart title shows the new n,
for /hardware and for bench/bare_app.py (before and after), and the ratio.
"""

from __future__ import annotations

import argparse
import statistics

from common import ROOT, app_server, fmt, slider_presses, wait_bare

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_hardware import QUICK

LABEL = "Size n (n×n data)"


def wait_n(n: int):
    """Until the parallelism chart's title names this n."""
    return lambda page: page.wait_for_function(
        """(want) => [...document.querySelectorAll('.js-plotly-plot')].some(
               gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes(want))""",
        arg=f"n = {n}",
        polling="raf",
        timeout=120_000,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=20)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    url = f"/hardware?{QUICK}"
    results = {}
    with app_server() as (app, _), app_server(ROOT / "bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        waits = (wait_n(128), wait_n(192))
        slider_presses(browser, app + url, LABEL, waits, 2)  # warm-up: both sizes measured and stored, claims too
        bare_waits = (wait_bare(1.5), wait_bare(1.6))
        results["bare page"] = slider_presses(browser, bare + "/?", "a", bare_waits, args.presses)
        results["hardware"] = slider_presses(browser, app + url, LABEL, waits, args.presses)
        results["bare page, again"] = slider_presses(browser, bare + "/?", "a", bare_waits, args.presses)
        browser.close()
    for name, xs in results.items():
        print(f"browser key press -> chart updated, {name:17s}: {fmt(xs)}")
    bare_ms = statistics.median(results["bare page"] + results["bare page, again"])
    ratio = statistics.median(results["hardware"]) / bare_ms
    print(f"ratio hardware / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main()
