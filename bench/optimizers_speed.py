"""Optimizers page speed: the batched optimizers, the page's figures, and slider -> new paths in a browser.

    python bench/optimizers_speed.py [--presses 30] [--skip-browser]

Prints, on this machine:
  - seven optimizers (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW) × 1,000 steps on Rosenbrock,
    float64, one torch thread: the batched loop alone (core.optimizers.paths.simulate; target <= 50 ms), the whole
    experiment with its post-processing (core.optimizers.concept.run_paths, uncached), and for comparison the same
    runs as seven torch.optim loops on autograd (median of 7 after a warm-up);
  - the time to build the page's figures for that result (landscape with frames, curves, internals);
  - in a real browser (Debian chromium, headless) on /optimizers with those seven optimizers and 1,000 steps:
    key press on the Steps slider -> the map showing the new paths (every press a new, uncached value),
    median and p90 (target <= 200 ms), with the server time per paths-section rerun from the timing log.
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

os.environ.setdefault("DLP_DEVICE", "cpu")

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SEVEN = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def compute():
    import numpy as np
    import torch

    from core import device
    from core.optimizers import concept as opt
    from core.optimizers import figures, surfaces
    from core.optimizers.paths import simulate
    from core.text import Text

    device.setup()
    values = {**opt.PATHS_PARAMS.defaults(), "opts": SEVEN, "steps": 1000}
    specs = [opt.spec(values, k) for k in SEVEN]
    surface = surfaces.get("rosenbrock")
    p0 = torch.tensor([[-1.2, 1.0]] * 7, dtype=torch.float64)
    loop = timed(lambda: simulate(surface, specs, p0, 1000, np.ones(1000)))
    print(f"7 optimizers x 1,000 steps on Rosenbrock, batched loop:         {fmt(loop)}   (target <= 50 ms)")
    whole = timed(
        lambda: opt._run_paths.__wrapped__(
            tuple((k, values[k]) for k in opt.PATHS_PARAMS.names if k not in opt.DISPLAY_ONLY)
        )
    )
    print(f"  whole experiment incl. divergence, distances, internals:        {fmt(whole)}")

    def separate():
        for s in specs:
            p = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
            o = eval(s.torch_call(), {"torch": torch, "params": [p]})
            for _ in range(1000):
                o.zero_grad()
                surface.f(p).backward()
                o.step()

    print(f"  the same as 7 torch.optim loops with autograd (for comparison): {fmt(timed(separate, 3))}")
    res = opt.run_paths(values)
    grid = opt.landscape_grid(values)
    t = Text("optimizers", "en")
    fig, names = t.section("fig"), {k: t.choice("opts", k) for k in opt.KINDS}
    build = timed(
        lambda: (
            figures.landscape(res, grid, fig, names),
            figures.curves(res, fig, names),
            figures.internals(res, 5, fig, True, True),
        )
    )
    print(f"figures for that result (map with frames, curves, internals):  {fmt(build)}")
    size = len(figures.landscape(res, grid, fig, names).to_json())
    print(f"  map figure as JSON: {size / 1024:.0f} kB")


def wait_steps(page, n):
    page.wait_for_function(
        "(n) => { const gd = document.querySelectorAll('.js-plotly-plot')[0]; return !!gd && !!gd.layout"
        " && !!gd.layout.sliders && gd.layout.sliders[0].steps.at(-1).label === String(n); }",
        arg=n,
        timeout=60_000,
        polling=10,
    )  # a timer, not requestAnimationFrame; 10 ms: fine enough to time


def browser(presses: int):
    from playwright.sync_api import sync_playwright

    times = []
    with app_server() as (url, log), sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{url}/optimizers?opts={','.join(SEVEN)}&steps=1000")
        wait_steps(page, 1000)
        thumb = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text("Steps", exact=True))
        thumb = thumb.get_by_role("slider")
        steps = 1000
        for i in range(presses + 3):  # every press asks for a new step count: nothing is cached
            thumb.focus()
            t = time.perf_counter()
            page.keyboard.press("ArrowRight")
            steps += 10
            wait_steps(page, steps)
            if i >= 3:  # warm-up presses
                times.append((time.perf_counter() - t) * 1000)
            page.wait_for_timeout(500)  # as between a person's key presses
        b.close()
        section = section_times(log)[-presses:]
    print(f"server time per Steps-slider rerun (paths section, st.fragment, uncached): {fmt(section)}")
    print(f"browser key press -> map with the new paths (7 optimizers, ~1,000 steps):  {fmt(times)}")
    print(verdict(times, 200))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    compute()
    if not args.skip_browser:
        browser(args.presses)


if __name__ == "__main__":
    main()
