"""Losses page: CPU time of every training section's default run and of its most expensive legal link.

    python bench/losses_speed.py [--worst]

One torch thread, CPU time of this process (time.process_time) around draining the section's stream, after
a warm-up run that loads the data sets: the figure that does not depend on how busy a shared machine is.
Targets: every default run ≤ 5 s on one thread; no legal link over ~30 s (--worst runs those too: minutes).
"""

from __future__ import annotations

import argparse
import time

import common  # noqa: F401  (puts the repository on sys.path)
import torch

from core.experiment import drain
from core.losses import concept as lc

WORST = {
    "outliers": {"o_n": 400, "o_losses": lc.REG_KEYS, "o_steps": 5000},
    "cemse": {"cm_steps": 3000, "cm_batch": 256, "cm_width": 128},
    "imbalance": {"im_steps": 3000, "im_ratio": 1.0},
    "calibration": {"ca_steps": 3000, "ca_n": 1300, "ca_width": 128},
    "kl": {"kl_steps": 2000},
}


def cpu(fn) -> tuple[float, float]:
    t, w = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - t, time.perf_counter() - w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worst", action="store_true", help="also time the most expensive legal link of each section")
    args = ap.parse_args()
    torch.set_num_threads(1)
    sections = (lc.OUTLIERS, lc.CEMSE, lc.IMBALANCE, lc.CALIBRATION, lc.KL)
    for exp in sections:  # warm-up: data sets, first-call dispatch
        drain(exp.stream({**exp.params.defaults(), **{k: v for k, v in WORST[exp.key].items() if "steps" not in k}}))
    print("default runs, one thread (CPU s / wall s / the cost model's estimate; target <= 5 CPU s):")
    for exp in sections:
        v = exp.params.defaults()
        c, w = cpu(lambda exp=exp, v=v: drain(exp.stream(v)))
        ok = "OK" if c <= 5 else "OVER"
        print(f"  {exp.key:12s} {c:6.2f} CPU s  {w:6.2f} wall s  model {exp.cost(v):5.2f} s   {ok}")
    lc.claim_numbers.cache_clear()
    c, w = cpu(lc.claim_numbers)
    print(f"  {'claims':12s} {c:6.2f} CPU s  {w:6.2f} wall s   (once per process, then cached)")
    if args.worst:
        print("most expensive legal links (target <= 30 CPU s):")
        for exp in sections:
            v = {**exp.params.defaults(), **WORST[exp.key]}
            c, w = cpu(lambda exp=exp, v=v: drain(exp.stream(v)))
            ok = "OK" if c <= 30 else "OVER"
            print(
                f"  {exp.key:12s} {c:6.2f} CPU s  {w:6.2f} wall s  model {exp.cost(v):5.2f} s   {ok}  {WORST[exp.key]}"
            )


if __name__ == "__main__":
    main()
