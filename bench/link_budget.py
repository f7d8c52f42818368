"""The most expensive legal link of every experiment: CPU seconds (one torch thread) and peak memory.

    python bench/link_budget.py [--page gan] [--timeout 120]

For each experiment of each registered page, the bench looks for the costliest link the page accepts:
starting from the defaults, it tries every parameter's extremes (each bound of a number, every option of a
choice, all items of a multi-choice) one at a time and keeps what raises the experiment's declared cost
model (`Experiment.cost`, estimated CPU seconds after the page's own rules, budget cut included), two passes.
An experiment without a cost model is tried at its numbers' upper bounds. That link then runs through the CLI
(`python -m core <page> '<query>' --experiment <key>`) in a fresh process, and the bench prints its CPU
seconds, its peak RSS above an idle process that imported the same modules, the model's estimate, and the
verdict against core.budget (CPU_S seconds, MEMORY_MB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import budget, registry  # noqa: E402
from core.params import Bool, Choice, Float, FloatList, Int, LogFloat, Multi, to_query_string  # noqa: E402

# runs the CLI in this process and reports its own CPU time and peak RSS on exit (per process, not per family)
WRAP = """import resource, runpy, sys
sys.argv = ["core", *sys.argv[1:]]
try:
    runpy.run_module("core", run_name="__main__") if len(sys.argv) > 1 else __import__("core.registry")
finally:
    r = resource.getrusage(resource.RUSAGE_SELF)
    print(f"RUSAGE {r.ru_utime + r.ru_stime} {r.ru_maxrss}", file=sys.stderr)
"""


def candidates(p) -> list:
    if isinstance(p, (Int, Float, LogFloat)):
        return [p.lo, p.hi]
    if isinstance(p, Choice):
        return list(p.choices)
    if isinstance(p, Multi):
        return [tuple(p.choices[: p.hi])]
    if isinstance(p, Bool):
        return [False, True]
    if isinstance(p, FloatList):
        return []
    return []


def costliest(concept, exp) -> tuple[dict, float | None]:
    """The link (page values) with the highest modelled cost after the page's rules; (values, estimate)."""
    params = concept.params

    def after_rules(values):
        fixed, _ = params.apply_rules(dict(values))
        return fixed

    values = params.defaults()
    if exp.cost is None:
        for p in exp.params:
            if isinstance(p, (Int, Float, LogFloat)):
                values[p.name] = p.hi
            elif isinstance(p, Multi):
                values[p.name] = tuple(p.choices[: p.hi])
        return after_rules(values), None
    best = exp.cost({n: after_rules(values)[n] for n in exp.params.names})
    for _ in range(2):
        for p in exp.params:
            for value in candidates(p):
                trial = after_rules({**values, p.name: value})
                estimate = exp.cost({n: trial[n] for n in exp.params.names})
                if estimate > best:
                    best, values = estimate, {**values, p.name: value}
    return after_rules(values), best


def measure(cli_args: list[str], timeout: float) -> tuple[float, float, int]:
    """(CPU seconds, peak RSS in MB, exit status) of one fresh process running the CLI with `cli_args`
    (none: only the imports, the idle baseline)."""
    proc = subprocess.run(
        [sys.executable, "-c", WRAP, *cli_args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"DLP_DEVICE": "cpu", "DLP_TORCH_THREADS": "1", "PATH": "/usr/bin:/bin", "HOME": "/root"},
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RUSAGE ")][-1].split()
    return float(line[1]), float(line[2]) / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--page", help="only this page")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    idle_cpu, idle_mb, _ = measure([], 120)
    print(
        f"idle process (imports only): {idle_cpu:.1f} CPU s, {idle_mb:.0f} MB; budget {budget.CPU_S:.0f} CPU s, "
        f"{budget.MEMORY_MB} MB above idle\n"
    )
    print(f"{'page.experiment':28s} {'model s':>8s} {'CPU s':>7s} {'+MB':>6s}  verdict  link")
    for concept in registry.CONCEPTS:
        if args.page and concept.key != args.page:
            continue
        for exp in concept.experiments:
            values, estimate = costliest(concept, exp)
            query = to_query_string(concept.params.encode(values))
            try:
                cpu, mb, rc = measure([concept.key, query, "--experiment", exp.key], args.timeout)
                cpu -= idle_cpu
                extra = max(0.0, mb - idle_mb)
                ok = rc == 0 and cpu <= budget.CPU_S and extra <= budget.MEMORY_MB
                verdict = "ok" if ok else ("FAILED" if rc else "OVER")
            except subprocess.TimeoutExpired:
                cpu, extra, verdict = float("nan"), float("nan"), "TIMEOUT"
            model = f"{estimate:8.1f}" if estimate is not None else "       —"
            print(
                f"{concept.key + '.' + exp.key:28s} {model} {cpu:7.1f} {extra:6.0f}  {verdict:7s}  ?{query}", flush=True
            )


if __name__ == "__main__":
    main()
