"""Speed of the 2-D classifier trainer (Activations page, "Why non-linearity") on this machine.

    python bench/trainer_speed.py [--presses 20] [--runs 3]

Prints:
  1. training steps per second for the default configuration (circles, 500 points, 2×8 tanh, Adam,
     batch 32): the bare step loop, and the whole run as the page streams it (evaluations every 10
     steps, boundary snapshots, the linear baseline at the end);
  2. the first training in a fresh process (torch.optim's first use imports torch._dynamo once);
  3. in a real browser (Debian chromium, headless): page opened -> finished training figure on screen,
     for the default configuration with fresh seeds (so nothing is cached), median over --runs;
  4. responsiveness: explorer key press -> chart updated in one browser tab, alone and while a second
     tab keeps training (fresh 5000-step runs, one after another) on the same server.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import fmt  # noqa: E402

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, POLL_MS, free_port, probe_slider, start_server, wait_for_probe  # noqa: E402

TRAIN_CHART = """(needle) => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
    gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes(needle))"""


def steps_per_second() -> None:
    from core import device
    from core.activations import nonlinearity, trainer
    from core.experiment import drain

    device.setup()
    values = nonlinearity.TRAIN_PARAMS.defaults()
    cfg, data = nonlinearity.config(values), nonlinearity.dataset(values)
    drain(trainer.train(trainer.Config(steps=100), data))  # warm-up (first optimizer, allocator)
    bare = trainer.Config(**{**cfg.__dict__, "eval_every": cfg.steps, "snapshots": 1})
    for name, c in (("bare step loop", bare), ("as the page runs it", cfg)):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            if c is bare:
                drain(trainer.train(c, data))
            else:
                drain(nonlinearity.stream(values))
            times.append(time.perf_counter() - start)
        best = min(times)
        rate = cfg.steps / best
        print(f"default config, {name:22s}: {cfg.steps} steps in {best:.2f} s (best of 3) = {rate:6.0f} steps/s")


def cold_start() -> None:
    code = (
        "import time; t0 = time.perf_counter(); from core import device; from core.activations import nonlinearity;"
        " device.setup();"
        "t1 = time.perf_counter(); nonlinearity.TRAIN.run(nonlinearity.TRAIN_PARAMS.defaults());"
        "t2 = time.perf_counter(); nonlinearity.TRAIN.run({**nonlinearity.TRAIN_PARAMS.defaults(), 'seed': 1});"
        "print(f'{t1 - t0:.2f} {t2 - t1:.2f} {time.perf_counter() - t2:.2f}')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    imports, first, second = out.stdout.split()
    print(f"fresh process: imports {imports} s, first default run {first} s, second run (other seed) {second} s")


def load_worker(url: str) -> None:
    """Keep one browser tab training: fresh 5000-step runs, one after another, until killed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        seed = 100
        while True:
            page.goto(f"{url}/activations?steps=5000&seed={seed}")
            page.wait_for_function(TRAIN_CHART, arg="step 5000 of 5000", timeout=600_000, polling=POLL_MS)
            seed += 1


def press_latency(page, presses: int) -> list[float]:
    thumb, times = probe_slider(page), []
    for i in range(presses):
        key, target = ("ArrowRight", 1.6) if i % 2 == 0 else ("ArrowLeft", 1.5)
        thumb.focus()
        start = time.perf_counter()
        page.keyboard.press(key)
        wait_for_probe(page, target, timeout=120_000)
        times.append((time.perf_counter() - start) * 1000)
        page.wait_for_timeout(400)
    return times


def browser_figures(runs: int, presses: int) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(ROOT / "streamlit_app.py", port)
    url = f"http://127.0.0.1:{port}"
    worker = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for seed, label in ((900, "cold server (first training in the process)"), (901, "warm server")):
                start = time.perf_counter()
                page.goto(f"{url}/activations?seed={seed}")
                page.wait_for_function(TRAIN_CHART, arg="step 1000 of 1000", timeout=300_000, polling=POLL_MS)
                took = time.perf_counter() - start
                print(f"browser: page opened -> finished training figure, {label}: {took:.2f} s")
            times = []
            for seed in range(1, runs + 1):
                start = time.perf_counter()
                page.goto(f"{url}/activations?seed={seed}")
                page.wait_for_function(TRAIN_CHART, arg="step 1000 of 1000", timeout=300_000, polling=POLL_MS)
                times.append(time.perf_counter() - start)
            print(f"browser: page opened -> finished training figure, default config, fresh seeds: {fmt(times, 's')}")
            start = time.perf_counter()
            page.goto(f"{url}/activations?seed=1")  # the same link again: replayed from the finished-run store
            page.wait_for_function(TRAIN_CHART, arg="step 1000 of 1000", timeout=300_000, polling=POLL_MS)
            took = time.perf_counter() - start
            print(f"browser: the same link opened again (cached replay, no training): {took:.2f} s")

            page.goto(f"{url}/activations?x0=1.5")
            wait_for_probe(page, 1.5, timeout=120_000)
            page.wait_for_function(TRAIN_CHART, arg="step 1000 of 1000", timeout=300_000, polling=POLL_MS)
            press_latency(page, 4)  # warm-up
            alone = press_latency(page, presses)
            worker = subprocess.Popen([sys.executable, __file__, "--load-worker", url], cwd=ROOT)
            time.sleep(8)  # let the other tab start training
            busy = press_latency(page, presses)
            print(f"explorer key press -> chart, no training elsewhere:      {fmt(alone)}")
            print(f"explorer key press -> chart, another tab training:       {fmt(busy)}")
            print(f"slow-down while training: {statistics.median(busy) / statistics.median(alone):.2f}x (medians)")
            browser.close()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--load-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load_worker:
        load_worker(args.load_worker)
        return
    steps_per_second()
    cold_start()
    browser_figures(args.runs, args.presses)


if __name__ == "__main__":
    main()
