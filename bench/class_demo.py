"""A class demo: many students open the teacher's training link at the same moment.

    python bench/class_demo.py [--students 1,8] [--link '/activations?steps=2000&d_steps=100']

For each class size, opens that many browser tabs (one Streamlit session each) on the same link at
once, and prints the wall time until every tab shows the finished training (the chart title reaches
"step N of N"), next to the time for one tab. A run in progress is shared (core/ui/live.py): the chunks
are computed once for the whole class and every tab draws them, so the class should finish close to
one student's time instead of `students` times it. Also prints the server time of the trainer
section's reruns while the class trains, and an explorer key press -> chart latency measured while
the class trains (does a light section stay responsive?).

All tabs run in one headless Chromium on this machine, so the browsers' own drawing competes with the
server for the same cores — pessimistic next to a real class, where every student brings a machine.
"""

from __future__ import annotations

import argparse
import re
import time

from common import app_server, fmt, press_times

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, POLL_MS, probe_slider, wait_for_probe

DONE = """(needle) => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
    gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes(needle))"""


def class_run(browser, url: str, students: int, needle: str) -> tuple[float, list[float]]:
    """Open `students` tabs at once; seconds until all are done, and each tab's own time."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    pages = [ctx.new_page() for _ in range(students)]
    start = time.perf_counter()
    for page in pages:
        page.goto(url, wait_until="commit")
    each = []
    for page in pages:
        page.wait_for_function(DONE, arg=needle, timeout=600_000, polling=POLL_MS)
        each.append(time.perf_counter() - start)
    total = time.perf_counter() - start
    ctx.close()
    return total, each


def responsive(browser, base: str, link: str, students: int, presses: int) -> list[float]:
    """Explorer key press -> chart while `students` tabs train a new seed of the link."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    trainers = [ctx.new_page() for _ in range(students)]
    for page in trainers:
        page.goto(base + link + "&seed=77", wait_until="commit")
    page = ctx.new_page()
    page.goto(base + "/activations?x0=1.5&steps=100&d_steps=100")
    wait_for_probe(page, 1.5, timeout=120_000)
    steps = [("ArrowRight", lambda p: wait_for_probe(p, 1.6)), ("ArrowLeft", lambda p: wait_for_probe(p, 1.5))]
    times = press_times(page, probe_slider(page), steps, presses, warmup=2, pause_ms=300)
    ctx.close()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", default="1,8")
    ap.add_argument("--link", default="/activations?steps=2000&d_steps=100")
    ap.add_argument("--presses", type=int, default=10)
    args = ap.parse_args()
    sizes = [int(n) for n in args.students.split(",")]
    steps = int(re.search(r"steps=(\d+)", args.link).group(1))
    needle = f"step {steps} of {steps}"
    from playwright.sync_api import sync_playwright

    with app_server() as (base, _log), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = browser.new_page()
        warm.goto(base + "/activations?steps=100&d_steps=100")  # imports and first-run costs, not measured
        warm.wait_for_function(DONE, arg="step 100 of 100", timeout=300_000, polling=POLL_MS)
        warm.close()
        for i, n in enumerate(sizes):
            link = f"{args.link}&seed={100 + i}"  # a fresh run for every class (no finished run to replay)
            total, each = class_run(browser, base + link, n, needle)
            print(
                f"{n:3d} tab(s) on {link}: all finished after {total:6.1f} s "
                f"(first {min(each):.1f} s, last {max(each):.1f} s)"
            )
        times = responsive(browser, base, args.link, max(sizes), args.presses)
        print(f"explorer key press -> chart while {max(sizes)} tabs train: {fmt(times)}")
        browser.close()


if __name__ == "__main__":
    main()
