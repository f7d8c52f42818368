"""Convolution page speed on a 512×512 image with a 7×7 kernel.

    python bench/convolution_latency.py [--presses 30] [--skip-browser]

Prints, on this machine:
  - compute time of the filter experiment called directly (no cache; median of 7 after a warm-up) for
    the 512×512 gray and RGB photos with a 7×7 Gaussian, and with stride 2 / dilation 3; the figure build
    time and the JSON the browser receives (plotly.io.to_json, as st.plotly_chart does; its size);
    the step-through figure at its default and largest settings;
  - in a real browser (Debian chromium, headless) on /convolution?img=astronaut&side=512&kernel=gauss&ksize=7:
    key press on the σ slider -> the feature map showing the new numbers, median and p90, and the
    server time per filter-section rerun (st.fragment) from the app's timing log. Target: median <= 200 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import app_server, fmt, section_times, timed, verdict  # noqa: E402

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, slider_thumb  # noqa: E402

POLL_MS = 10  # timer polling (never requestAnimationFrame), fine enough not to blur the latencies

FMAP_SUM = """() => { const gd = document.querySelector('.js-plotly-plot');
                      if (!gd || !gd._fullData || gd._fullData.length < 2) return null;
                      const z = gd._fullData[1].z; let s = 0;
                      for (const row of z) for (const v of row) s += v;
                      return s; }"""
URL = os.environ.get("CONV_BENCH_URL", "/convolution?img=astronaut&side=512&kernel=gauss&ksize=7&pad=3")


def compute():
    import plotly.io as pio

    from core import device
    from core.convolution import concept as cv
    from core.convolution import figures, steps
    from core.convolution import steps_figures as step_figures
    from core.text import Text

    device.setup()
    labels = Text("convolution", "en").section("fig")
    base = {**cv.FILTER_PARAMS.defaults(), "side": 512, "kernel": "gauss", "ksize": 7, "pad": 3}
    cases = {
        "camera 512² gray, 7×7": {**base, "img": "camera"},
        "astronaut 512² RGB, 7×7": {**base, "img": "astronaut"},
        "astronaut 512² RGB, 7×7, s=2, d=3, reflect": {
            **base,
            "img": "astronaut",
            "stride": 2,
            "dil": 3,
            "pad": 9,
            "pmode": "reflect",
        },
    }
    for name, values in cases.items():
        values, _ = cv.FILTER_PARAMS.validate(values)
        print(f"filter compute, {name:44s}: {fmt(timed(lambda v=values: cv.run_filter(v)))}")
    res = cv.run_filter(cv.FILTER_PARAMS.validate(cases["astronaut 512² RGB, 7×7"])[0])
    build = timed(lambda: figures.filtered(res, labels))
    print(f"filter figure build (RGB 512²)                              : {fmt(build)}")
    fig = figures.filtered(res, labels)
    js = pio.to_json(fig, validate=False)
    print(
        f"filter figure to JSON (what st.plotly_chart sends, {len(js) / 1e3:.0f} kB)        : "
        f"{fmt(timed(lambda: pio.to_json(fig, validate=False)))}"
    )
    chans = figures.channels(res, labels)
    print(
        f"per-channel figure build + JSON ({len(pio.to_json(chans, validate=False)) / 1e3:.0f} kB)              : "
        f"{fmt(timed(lambda: pio.to_json(figures.channels(res, labels), validate=False)))}"
    )
    for name, extra in (
        ("default (8×8 digit, 64 steps)", {}),
        ("largest conv (12×12, p=3, 1×1: 324 steps)", {"t_in": "ramp", "t_n": 12, "t_p": 3, "t_w": (1.0,)}),
        (
            "largest transposed (6×6, s=3, d=3, 5×5)",
            {"t_op": "transposed", "t_in": "ramp", "t_s": 3, "t_d": 3, "t_p": 0, "t_w": (1.0,) * 25},
        ),
    ):
        v, _ = steps.STEPS_PARAMS.validate({**steps.STEPS_PARAMS.defaults(), **extra})
        r = steps.run_steps(v)
        size = len(pio.to_json(step_figures.steps(r, labels), validate=False)) / 1e3
        runs = timed(lambda r=r: pio.to_json(step_figures.steps(r, labels), validate=False), n=3)
        print(f"step-through compute + figure + JSON, {name:42s} ({size:4.0f} kB): {fmt(runs)}")


def press_loop(page, presses):
    thumb = slider_thumb(page, "Gaussian σ")
    times = []
    for i in range(presses):
        before = page.evaluate(FMAP_SUM)
        thumb.focus()
        t = time.perf_counter()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function(
            f"(b) => {{ const s = ({FMAP_SUM})(); return s !== null && Math.abs(s - b) > 1e-6; }}",
            arg=before,
            timeout=60_000,
            polling=POLL_MS,
        )
        times.append((time.perf_counter() - t) * 1000)
        page.wait_for_timeout(600)  # let the rest of the page settle, as between human key presses
    return times


def browser(presses):
    from playwright.sync_api import sync_playwright

    with app_server() as (url, log), sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + URL)
        page.wait_for_function(f"() => ({FMAP_SUM})() !== null", timeout=120_000, polling=POLL_MS)
        press_loop(page, 6)  # warm-up: first renders, caches
        skip = len(section_times(log))
        times = press_loop(page, presses)
        b.close()
        sections = section_times(log)[skip:]
    print(f"server time per filter-section rerun (σ key press, st.fragment): {fmt(sections)}")
    print(f"browser key press on σ -> feature map updated (512² RGB, 7×7)   : {fmt(times)}")
    print(verdict(times, 200))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    compute()
    if not args.skip_browser:
        browser(args.presses)


if __name__ == "__main__":
    main()
