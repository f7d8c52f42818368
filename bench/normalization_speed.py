"""Normalization page: CPU time (one thread) and peak memory of its trainings, default and worst legal links.

    python bench/normalization_speed.py [--skip-worst]

Prints, on this machine, for each training experiment (drained as the CLI does, no cache): the CPU time of one
torch thread (time.process_time, torch.set_num_threads(1)), the cost model's estimate (Experiment.cost), the wall
time, and the process's peak resident memory after it. Defaults (target: each ≤ 10 s of CPU) and the most
expensive links the parameter bounds and the budget rules allow (target: each ≤ 30 s of CPU, ≤ 700 MB). Also the
light experiments (step-through, counts) and the claims' numbers that need no training (computed when the page
opens).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import fmt, timed  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def measure(name: str, experiment, query: dict) -> None:
    values, notices = experiment.params.validate({**experiment.params.defaults(), **query})
    cut = f"  (adjusted: {', '.join(f'{n.param} {n.raw} -> {values[n.param]}' for n in notices)})" if notices else ""
    cpu, wall = time.process_time(), time.perf_counter()
    experiment.run(values) if experiment.stream is None else _drain(experiment, values)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    model = f"   model {experiment.cost(values):5.1f} s" if experiment.cost else ""
    print(f"{name:58s} CPU {cpu:6.2f} s{model}   wall {wall:6.2f} s   peak RSS {peak_mb():6.0f} MB{cut}")


def _drain(experiment, values):
    from core.experiment import drain

    return drain(experiment.stream(values))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-worst", action="store_true")
    args = ap.parse_args()
    import torch

    from core import device
    from core.normalization import batch, claims, count, depth, steps, sweep

    device.setup()
    torch.set_num_threads(1)
    from core.normalization import runs

    runs.digits()  # load the data set once (sklearn), not inside the first measurement
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, device {device.device()}")
    print(f"step-through, defaults (light)                : {fmt(timed(lambda: steps.run(steps.PARAMS.defaults())))}")
    worst = {**steps.PARAMS.defaults(), "n": 32, "feat": 4, "layout": "2d", "batches": 200}
    print(f"step-through, 32 × 4 × 2 × 2, 200 batches     : {fmt(timed(lambda: steps.run(worst)))}")
    big = {"c_ch": 1024, "c_hw": 64, "c_groups": 64}
    print(f"counts, C = 1024, 64 × 64 (meta modules)      : {fmt(timed(lambda: count.run(big)))}")
    cpu = time.process_time()
    claims.quick()
    print(f"claims without training (first call)          : CPU {time.process_time() - cpu:.2f} s")
    print()
    measure("learning-rate sweep, defaults (12 nets × 10 layers × 500)", sweep.SWEEP, {})
    measure("small batches, defaults (B = 4, 600 steps)", batch.BATCH, {})
    measure("small batches, B = 2, 600 steps", batch.BATCH, {"bs": 2})
    measure("plain vs residual, defaults (10/30/60 layers, 300 steps)", depth.DEPTH, {})
    measure("claims (default sweep, 4 more seeds' pairs, default depth)", claims.CLAIMS, {})
    if args.skip_worst:
        return
    print()
    measure(
        "WORST sweep: 8 rates × 30 layers × 2000 steps",
        sweep.SWEEP,
        {"lrs": sweep.LR_CHOICES[:8], "depth": 30, "steps": 2000},
    )
    measure("WORST small batches: B = 256, 2000 steps", batch.BATCH, {"bs": 256, "b_steps": 2000})
    measure("WORST depth: 30/45/60 layers × 1500 steps", depth.DEPTH, {"depths": ("30", "45", "60"), "r_steps": 1500})
    measure(
        "WORST depth, no normalization", depth.DEPTH, {"depths": ("30", "45", "60"), "r_steps": 1500, "r_norm": "none"}
    )


if __name__ == "__main__":
    main()
