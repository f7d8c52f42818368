"""GAN page speed on this machine (one torch thread, like the server).

    python bench/gan_speed.py [--steps 1500] [--skip-digits]

Prints:
  - 2-D GAN training iterations per second, batch 256, G and D with two hidden layers of 128
    (non-saturating loss, Adam, one D step per G step): bare loop (one snapshot at the end) and with the
    page's snapshots (samples, D heatmap, gradient field, coverage every steps/25 iterations); target ≥ 300/s;
  - the same for every loss (WGAN-GP pays for its double backward);
  - wall time of the page's default ring run until all 8 modes are covered, and to its end;
  - the digits GAN at its defaults: iterations per second, wall time until the samples are recognisable
    (≥ 40% confident digits and ≥ 8 of 10 classes, by the page's classifier), and to the end;
  - the size of the finished figures sent to the browser (Plotly JSON with frames).
CPU seconds (process time) are printed next to wall seconds: on a shared machine the wall figures are
pessimistic. With a GPU present (DLP_DEVICE unset), the same figures are measured there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import device  # noqa: E402

device.setup()

from core.gan import concept as gan  # noqa: E402
from core.gan import digits as gan_digits  # noqa: E402
from core.gan import figures, judges, lab  # noqa: E402
from core.gan.losses import LOSSES  # noqa: E402
from core.text import Text  # noqa: E402

RECOGNISABLE = (0.40, 8)  # confident share, classes


def timed_stream(stream):
    """(wall s, cpu s, result) at every chunk."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _, res in stream:
        yield time.perf_counter() - wall, time.process_time() - cpu, res


def speed_2d(steps: int, loss: str = "nonsat", snapshots: int = 1) -> tuple[float, float]:
    cfg = gan.lab_config(
        batch=256, g_width=128, d_width=128, g_depth=2, d_depth=2, steps=steps, loss=loss, snapshots=snapshots
    )
    *_, (_, cpu, res) = timed_stream(lab.train(cfg))
    return res.done / res.train_s, res.done / cpu


def default_ring() -> None:
    values = gan.LAB_PARAMS.defaults()
    covered_at = None
    for wall, cpu, res in timed_stream(gan.lab_stream(values)):
        if covered_at is None and (res.covered >= res.target.regions).any():
            step = gan.first_full_coverage(res)
            covered_at = (wall, cpu, step)
    if covered_at:
        print(
            f"  default ring run: all 8 modes covered at iteration {covered_at[2]} (chunk ending at "
            f"{covered_at[0]:.1f} s wall, {covered_at[1]:.1f} s CPU)"
        )
    else:
        print("  default ring run: never covered all 8 modes")
    print(
        f"  default ring run: {res.done} iterations in {wall:.1f} s wall, {cpu:.1f} s CPU; "
        f"final {int(res.covered[-1])}/8 modes, {res.hq[-1]:.0%} high quality"
    )
    labels = Text("gan", "en").section("fig")
    size = len(figures.lab(res, labels, True).to_json()) / 1e3
    print(f"  finished 2-D figure with {len(res.snap_steps)} replay frames: {size:.0f} kB of JSON")


def digits(values: dict) -> None:
    judges.classifier()
    gan_digits.real_scores()
    seen = None
    for wall, cpu, res in timed_stream(gan.digits_stream(values)):
        if seen is None and res.confident[-1] >= RECOGNISABLE[0] and res.classes[-1] >= RECOGNISABLE[1]:
            seen = (wall, cpu, res.done, res.confident[-1], res.classes[-1])
    print(
        f"  digits GAN, {res.done} iterations: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({res.done / res.train_s:.0f} it/s wall, {res.done / cpu:.0f} it/CPU-s); "
        f"final {res.confident[-1]:.0%} confident digits, {res.classes[-1]} classes "
        f"(real test digits: {res.real_confident:.0%})"
    )
    if seen:
        print(
            f"  digits recognisable (≥ {RECOGNISABLE[0]:.0%} confident, ≥ {RECOGNISABLE[1]} classes) at iteration "
            f"{seen[2]}: {seen[0]:.1f} s wall, {seen[1]:.1f} s CPU ({seen[3]:.0%}, {seen[4]} classes)"
        )
    else:
        print("  digits never reached the recognisable threshold in this run")
    labels = Text("gan", "en").section("fig")
    print(f"  finished digits figure: {len(figures.digits(res, labels, True).to_json()) / 1e3:.0f} kB of JSON")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--skip-digits", action="store_true")
    args = ap.parse_args()
    info = device.describe()
    print(
        f"device {info['device']} ({info.get('gpu', 'CPU')}), torch threads {info['threads']}, "
        f"cores {info['cores']}, load average {os.getloadavg()[0]:.1f}"
    )
    print("2-D GAN, batch 256, G and D 2×128, one D step per G step:")
    speed_2d(200)  # warm-up
    bare, bare_cpu = speed_2d(args.steps)
    page, page_cpu = speed_2d(args.steps, snapshots=25)
    print(f"  bare loop:            {bare:6.0f} it/s wall, {bare_cpu:6.0f} it/CPU-s   (target ≥ 300)")
    print(f"  with page snapshots:  {page:6.0f} it/s wall, {page_cpu:6.0f} it/CPU-s")
    for loss in LOSSES:  # each after a short untimed run of its own (its ops' first calls pay one-time costs)
        speed_2d(100, loss=loss)
        wall, cpu = speed_2d(args.steps, loss=loss)
        print(f"  loss {loss:8s}        {wall:6.0f} it/s wall, {cpu:6.0f} it/CPU-s")
    default_ring()
    if not args.skip_digits:
        print("digits GAN (page defaults):")
        digits(gan.DIGITS_PARAMS.defaults())


if __name__ == "__main__":
    main()
