"""Pooling page speed: experiment compute time, server time per section rerun, browser key press -> chart.

    python bench/pooling_latency.py [--presses 30] [--skip-browser]

Prints, on this machine:
  - compute time of each experiment called directly (no cache; median of 7 runs after a warm-up),
    at the defaults and at the largest settings (512-pixel photo, 16-pixel shifts, 512-pixel receptive
    field input), plus the figure build time, and one default training run (4 CNNs);
  - in a real browser (Debian chromium, headless) on /pooling?side=512: key press on the kernel slider
    -> the grid chart showing the new output, median and p90, with the server time per window-section
    rerun (st.fragment) from the app's timing log. Target: median <= 200 ms.
"""

from __future__ import annotations

import argparse
import time

from common import app_server, fmt, press_times, section_times, timed, verdict

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, slider_thumb


def compute():
    from core import device
    from core.pooling import concept as pl
    from core.pooling import figures
    from core.pooling import pool as pp
    from core.text import Text

    device.setup()
    fig = Text("pooling", "en").section("fig")
    names = {o: o for o in pp.OPS}
    cases = {
        "pool (defaults: 4×4 grid, 128-px photo)": (pl.POOL.run, pl.POOL_PARAMS.defaults()),
        "pool (12×12 grid, 512-px photo, 3×3 s1 p1)": (
            pl.POOL.run,
            {**pl.POOL_PARAMS.defaults(), "side": 512, "x": pp.random_grid(12, "b"), "k": 3, "s": 1, "pad": 1},
        ),
        "shift (defaults)": (pl.SHIFT.run, pl.SHIFT_PARAMS.defaults()),
        "shift (16 shifts, diagonal)": (pl.SHIFT.run, {**pl.SHIFT_PARAMS.defaults(), "t_max": 16, "t_dir": "xy"}),
        "rf (defaults, 128 px)": (pl.RF.run, pl.RF_PARAMS.defaults()),
        "rf (12 layers, 512 px)": (
            pl.RF.run,
            {**pl.RF_PARAMS.defaults(), "rf_in": 512, "layers": "c3,c3,m2,c3,c3,m2,c3,c3,m2,c3,c3,m2"},
        ),
        "head (defaults)": (pl.HEAD.run, pl.HEAD_PARAMS.defaults()),
    }
    for name, (fn, values) in cases.items():
        print(f"compute {name:48s}: {fmt(timed(lambda fn=fn, values=values: fn(values)))}")
    big = pl.POOL.run(cases["pool (12×12 grid, 512-px photo, 3×3 s1 p1)"][1])
    build = lambda: (
        figures.grid(big, fig),
        figures.gradients(big, fig, tuple(big.grads), names),
        figures.image(big, fig, "max"),
    )
    print(f"compute {'figures: grid + gradients + image (12×12, 512 px)':48s}: {fmt(timed(build))}")
    t = time.perf_counter()
    pl.TRAIN.run(pl.TRAIN_PARAMS.defaults())
    print(f"training, defaults (4 CNNs × 300 steps)                : {(time.perf_counter() - t):.1f} s")


def wait_out_shape(shape):
    return lambda page: page.wait_for_function(
        """(want) => { const gd = document.querySelector('.js-plotly-plot');
                       if (!gd || !gd.data) return false;
                       const out = gd.data.find(t => t.xaxis === 'x2');
                       return !!out && out.text.length === want[0] && out.text[0].length === want[1]; }""",
        arg=shape,
        timeout=60_000,
        polling="raf",
    )


def browser(presses, side=512):
    from playwright.sync_api import sync_playwright

    x = ",".join(str((i * 7) % 10) for i in range(64))  # an 8×8 grid: k=2 -> 4×4, k=3 -> 3×3 (stride 2)
    with app_server() as (url, log), sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/pooling?side={side}&x={x}")
        page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a cold server imports torch first
        wait_out_shape([4, 4])(page)
        page.wait_for_timeout(3000)  # the rest of the first page run
        steps = [("ArrowRight", wait_out_shape([3, 3])), ("ArrowLeft", wait_out_shape([4, 4]))]
        times = press_times(page, slider_thumb(page, "Kernel k"), steps, presses)
        b.close()
        sections = section_times(log)[-presses:]
    print(f"server time per window-section rerun ({side}-px photo, st.fragment): {fmt(sections)}")
    print(f"browser key press -> grid chart updated ({side}-px photo)         : {fmt(times)}")
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
