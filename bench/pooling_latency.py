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
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, free_port, slider_thumb, start_server  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def fmt(xs):
    return f"median {statistics.median(xs):7.1f} ms   p90 {pct(xs, 0.9):7.1f} ms   (n={len(xs)})"


def timed(fn, n=7):
    fn()  # warm-up: imports, image decoding, first-call dispatch
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs


def compute():
    from core import device
    from core import pooling as pl
    from core.figures import pooling as figures
    from core.text import Text

    device.setup()
    fig = Text("pooling", "en").section("fig")
    names = {o: o for o in pl.OPS}
    cases = {
        "pool (defaults: 4×4 grid, 128-px photo)": (pl.run_pool, pl.POOL_PARAMS.defaults()),
        "pool (12×12 grid, 512-px photo, 3×3 s1 p1)": (pl.run_pool, {**pl.POOL_PARAMS.defaults(), "side": 512,
                                                                     "x": pl.random_grid(12, "b"), "k": 3, "s": 1,
                                                                     "pad": 1}),
        "shift (defaults)": (pl.run_shift, pl.SHIFT_PARAMS.defaults()),
        "shift (16 shifts, diagonal)": (pl.run_shift, {**pl.SHIFT_PARAMS.defaults(), "t_max": 16, "t_dir": "xy"}),
        "rf (defaults, 128 px)": (pl.run_rf, pl.RF_PARAMS.defaults()),
        "rf (12 layers, 512 px)": (pl.run_rf, {**pl.RF_PARAMS.defaults(), "rf_in": 512,
                                               "layers": "c3,c3,m2,c3,c3,m2,c3,c3,m2,c3,c3,m2"}),
        "head (defaults)": (pl.run_head, pl.HEAD_PARAMS.defaults()),
    }
    for name, (fn, values) in cases.items():
        print(f"compute {name:48s}: {fmt(timed(lambda fn=fn, values=values: fn(values)))}")
    big = pl.run_pool(cases["pool (12×12 grid, 512-px photo, 3×3 s1 p1)"][1])
    build = lambda: (figures.grid(big, fig), figures.gradients(big, fig, tuple(big.grads), names),  # noqa: E731
                     figures.image(big, fig, "max"))
    print(f"compute {'figures: grid + gradients + image (12×12, 512 px)':48s}: {fmt(timed(build))}")
    t = time.perf_counter()
    pl.TRAIN.run(pl.TRAIN_PARAMS.defaults())
    print(f"training, defaults (4 CNNs × 300 steps)                : {(time.perf_counter() - t):.1f} s")


def wait_out_shape(page, shape):
    page.wait_for_function(
        """(want) => { const gd = document.querySelector('.js-plotly-plot');
                       if (!gd || !gd.data) return false;
                       const out = gd.data.find(t => t.xaxis === 'x2');
                       return !!out && out.text.length === want[0] && out.text[0].length === want[1]; }""",
        arg=shape, timeout=60_000)


def browser(presses, side=512):
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkstemp(suffix=".log")[1])
    port = free_port()
    proc = start_server(ROOT / "streamlit_app.py", port, {"DLP_TIMING_LOG": str(log)})
    x = ",".join(str((i * 7) % 10) for i in range(64))  # an 8×8 grid: k=2 -> 4×4, k=3 -> 3×3 (stride 2)
    times = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/pooling?side={side}&x={x}")
            wait_out_shape(page, [4, 4])
            page.wait_for_timeout(3000)  # the rest of the first page run
            thumb = slider_thumb(page, "Kernel k")
            for i in range(6 + presses):  # the first 6 are warm-up
                key, shape = ("ArrowRight", [3, 3]) if i % 2 == 0 else ("ArrowLeft", [4, 4])
                thumb.focus()
                t = time.perf_counter()
                page.keyboard.press(key)
                wait_out_shape(page, shape)
                if i >= 6:
                    times.append((time.perf_counter() - t) * 1000)
                page.wait_for_timeout(500)
            b.close()
    finally:
        proc.terminate()
    rows = [line.split() for line in log.read_text().splitlines()]
    os.unlink(log)
    sections = [float(ms) for kind, ms in rows if kind == "section"]
    print(f"server time per window-section rerun ({side}-px photo, st.fragment): {fmt(sections[-presses:])}")
    print(f"browser key press -> grid chart updated ({side}-px photo)         : {fmt(times)}")
    print(f"median vs 200 ms target: {'OK' if statistics.median(times) <= 200 else 'OVER'}")


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
