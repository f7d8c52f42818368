"""What the Hardware page costs the server: CPU seconds and wall seconds per section, for the defaults, every preset
and the most expensive legal link; what a second visitor pays (the shared store); the CLI's default run.

    python bench/hardware_cost.py [--skip-worst] [--skip-cli]

Prints, per section: process CPU seconds (every thread of the process, OpenMP workers included), wall seconds,
and the section's declared budget (CPU-seconds). Then the sum for a whole page view, the repeat visit (answered
from core.hardware.cache: should be ~0), the worst legal link (every budget at its maximum, every heavy option),
its peak resident memory, and the CLI's `python -m core hardware` (defaults) end to end. The figures are also
the measurements themselves: the GFLOP/s and GB/s this machine reached. On a shared machine wall ≫ CPU.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import device  # noqa: E402

device.setup()

from core.hardware import concept as hw  # noqa: E402
from core.hardware.cache import store  # noqa: E402

SECTIONS = (hw.MATMUL, hw.MEMORY, hw.STEP, hw.PARALLEL, hw.NOTES)  # NOTES: the claims experiment
BUDGET = {"matmul": "mm_budget", "memory": "mem_budget", "step": "step_budget", "parallel": "par_budget"}
WORST = {
    "sizes": hw.matmul.SIZES,
    "dtypes": hw.specs.DTYPES,
    "mm_cpu": ("one", "all"),
    "mm_budget": 5.0,
    "mem_n": 4096,
    "mem_dtype": "float32",
    "mem_budget": 5.0,
    "model": "cnn",
    "batches": hw.step.BATCHES,
    "opt": "adam",
    "step_budget": 5.0,
    "par_op": "matmul",
    "par_n": 1024,
    "par_over": True,
    "par_budget": 5.0,
}


def view(values: dict, label: str) -> float:
    """Measure every section for these values (as the page does, in order); print and return the CPU seconds."""
    total_cpu = total_wall = 0.0
    print(f"\n{label}")
    for exp in SECTIONS:
        v = {n: values[n] for n in exp.params.names}
        cpu, wall = time.process_time(), time.perf_counter()
        hw.measured(exp, v)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        total_cpu, total_wall = total_cpu + cpu, total_wall + wall
        budget = f"budget {v[BUDGET[exp.key]]:.1f} CPU-s" if exp.key in BUDGET else "(reads the sections)"
        print(f"  {exp.key:9s} CPU {cpu:6.2f} s   wall {wall:6.2f} s   {budget}")
    print(f"  {'page':9s} CPU {total_cpu:6.2f} s   wall {total_wall:6.2f} s")
    return total_cpu


def figures(values: dict) -> None:
    s = hw.MATMUL.summary(hw.measured(hw.MATMUL, {n: values[n] for n in hw.MATMUL.params.names}).result)
    for name, c in s["curves"].items():
        best, n, t0 = c["best_gflops"], c["best_n"], c["fixed_cost_us"]
        print(f"  matmul {name:16s} best {best:7.1f} GFLOP/s at n={n}, t0 {t0:.2f} µs")
    m = hw.MEMORY.summary(hw.measured(hw.MEMORY, {n: values[n] for n in hw.MEMORY.params.names}).result)
    for where, p in m["places"].items():
        r = p["roofs"]
        bw, cache, peak = r["bandwidth"], r["cache_bandwidth"], r["peak"]
        print(f"  memory {where}: B {bw:.1f} GB/s (cache {cache:.1f}), P {peak:.1f} GFLOP/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-worst", action="store_true")
    ap.add_argument("--skip-cli", action="store_true")
    args = ap.parse_args()
    m, rss = hw.machine(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {m['cpu']}, {m['cores']} cores, torch threads {m['threads_per_run']}; resident {rss:.0f} MiB")
    cpu = time.process_time()
    hw.step._imported()
    print(f"once per process (torch._dynamo import, profiler start): CPU {time.process_time() - cpu:.2f} s")
    defaults = hw.CONCEPT.params.defaults()
    view(defaults, "defaults (first visitor)")
    figures(defaults)
    view(defaults, "defaults again (second visitor: from the shared store)")
    for name, preset in hw.PRESETS.items():
        values, _ = hw.CONCEPT.params.validate({**defaults, **preset})
        view(values, f"preset {name}")
    if not args.skip_worst:
        store().clear()
        values, _ = hw.CONCEPT.params.validate(WORST)
        view(values, "worst legal link (every budget 5 CPU-s, all sizes and dtypes, CNN + Adam, all batches)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak resident memory of this process: {peak:.0f} MiB")
    if not args.skip_cli:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run([sys.executable, "-m", "core", "hardware"], cwd=ROOT, capture_output=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        wall = time.perf_counter() - wall
        print(f"\nCLI `python -m core hardware` (defaults, imports included): CPU {cpu:.2f} s, wall {wall:.2f} s")


if __name__ == "__main__":
    main()
