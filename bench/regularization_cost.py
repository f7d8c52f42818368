"""Regularization page: CPU seconds of each section's default run on one torch thread.

    python bench/regularization_cost.py

One torch thread, CPU time of this process (time.process_time) around each experiment's default run (a
training drained from its stream), after a warm-up that loads the digits and the first-call dispatch: the
figure that does not depend on how busy a shared machine is. Sections group the page's experiments as the
page shows them. The claims' trainings (section 9's button) are timed apart. Target: every section ≤ 5 CPU s.
"""

from __future__ import annotations

import time

import common  # noqa: F401  (puts the repository on sys.path)
import torch

from core.regularization import claims, nets
from core.regularization import concept as reg

SECTIONS = {
    "1 overfitting (fit + sweep)": (reg.FIT,),
    "1 overfitting (MLP training)": (reg.MLP,),
    "2 L1 vs L2 (geometry)": (reg.GEOMETRY,),
    "2 L1 vs L2 (penalty training)": (reg.PENALTY,),
    "2 AdamW vs L2-in-Adam (training)": (reg.ADAMW,),
    "3 dropout (masks)": (reg.MASKS,),
    "3 dropout (training)": (reg.DROPOUT,),
    "4 early stopping (training)": (reg.EARLY,),
    "5 augmentation (training)": (reg.AUGMENT,),
    "6 memorization (training)": (reg.MEMORIZE,),
    "7 k-fold CV": (reg.KFOLD,),
    "8 input normalization": (reg.SCALING,),
}


def cpu(fn) -> tuple[float, float]:
    t, w = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - t, time.perf_counter() - w


def report(name: str, fn) -> None:
    c, w = cpu(fn)
    print(f"  {name:34s} {c:6.2f} CPU s  {w:6.2f} wall s   {'OK' if c <= 5 else 'OVER'}")


def run(experiments) -> None:
    for exp in experiments:
        exp.run(exp.params.defaults())


def main() -> None:
    torch.set_num_threads(1)
    nets.digits(0, "cpu")  # warm-up: the data set and first-call dispatch (another seed: nothing cached)
    reg.FIT.run({**reg.FIT.params.defaults(), "seed": 1})
    print("default runs, one torch thread (CPU s / wall s; target <= 5 CPU s; shared machine, wall is noisy):")
    for name, experiments in SECTIONS.items():
        report(name, lambda e=experiments: run(e))
    report("9 claims (light, on load)", claims.light)
    v = reg.defaults()
    report("9 claims (trainings, from nothing)", lambda: claims.network(v))
    runs = {e.key: e.run(v) for e in reg.CONCEPT.experiments if e.key in claims.REUSED}
    claims._NETWORK.clear()
    report("9 claims (sections' runs reused)", lambda: claims.network(v, runs))


if __name__ == "__main__":
    main()
