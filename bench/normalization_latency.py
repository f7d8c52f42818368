"""Normalization page: a key press on the batch-norm step-through's batch-size scrub slider until its chart shows
the new batch, against the bare one-slider page (bench/bare_app.py), in the same run.

    python bench/normalization_latency.py [--presses 30]

Prints, on this machine (headless Debian chromium):
  - server time per rerun of the step-through section (st.fragment) — with a scrub knob it reruns once after each
    pick, when the user lets go, to write the link and the table — from the app's timing log;
  - key press -> chart updated (the batch size n is a Plotly slider under the chart: every batch size's figure was
    sent once, core/scrub.py), median and p90, for the page, and key press -> chart for the bare page (before and
    after the page), and their ratio (target: within 1.5× of the bare page).
"""

from __future__ import annotations

import argparse

from common import versus_bare

TITLE = """(n) => [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.layout && gd.layout.title
              && String(gd.layout.title.text).includes('(' + n + ' values per feature'))"""


def wait_steps(n: int):
    return lambda page: page.wait_for_function(TITLE, arg=n, polling="raf", timeout=60_000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    waits = (wait_steps(8), wait_steps(9))
    versus_bare("/normalization", "Batch size n", waits, args.presses, "normalization", "step-through", scrub=True)


if __name__ == "__main__":
    main()
