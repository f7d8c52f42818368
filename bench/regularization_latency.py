"""Regularization page: degree slider -> new polynomial fit, in a real browser, against the bare one-slider page.

    python bench/regularization_latency.py [--presses 30]

Prints, on this machine:
  - server-side script time per rerun of the overfitting section (st.fragment), from the timing log;
  - in headless Debian chromium: a key press on the degree's scrub slider (a Plotly slider under the fit chart: the fits
    of every degree were sent once, core/scrub.py) -> the fit chart draws the new degree, median
    and p90, for /regularization (opened once beforehand until idle, so the light claims are cached) and for
    bench/bare_app.py, measured before and after the page in the same run;
  - the ratio regularization / bare (target <= 1.5x).
"""

from __future__ import annotations

import argparse

from common import versus_bare

from tests.e2e.test_regularization import wait_for_degree


def wait_degree(d: int):
    return lambda page: wait_for_degree(page, d, polling="raf")  # the measured page is visible: raf is exact


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    waits = (wait_degree(8), wait_degree(9))
    url, label = "/regularization?degree=8", "Polynomial degree d"
    versus_bare(url, label, waits, args.presses, "regularization", "overfitting section", scrub=True)


if __name__ == "__main__":
    main()
