"""Losses page: slider on the curves section -> new chart, in a real browser, against the bare one-slider page.

    python bench/losses_latency.py [--presses 30]

Prints, on this machine:
  - server-side script time per rerun of the regression-curves section (st.fragment), from the timing log;
  - in headless Debian chromium: a key press on the probe-residual scrub slider (a Plotly slider under the chart:
    the probe moves in the browser, core/scrub.py) -> the chart's probe (a layout shape) at the new value, median
    and p90, for /losses (opened once beforehand until idle, so the fits it trains
    on open and the claims are cached: the measured tab replays them) and for bench/bare_app.py, measured
    before and after the page in the same run;
  - the ratio losses / bare (target <= 1.5x).
"""

from __future__ import annotations

import argparse

from common import versus_bare

from tests.e2e.test_losses import wait_for_probe


def wait_probe(x0: float):
    return lambda page: wait_for_probe(page, x0, polling="raf")  # the measured page is visible: raf is exact


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    waits = (wait_probe(1.5), wait_probe(1.6))
    url, label = "/losses?r0=1.5", "Probe residual r₀"
    versus_bare(url, label, waits, args.presses, "losses", "regression curves section", scrub=True)


if __name__ == "__main__":
    main()
