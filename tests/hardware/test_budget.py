"""The work budget (issue 20): every section's cost model is its budget plus what it does outside the timed
points, so the parameter bounds alone keep every link within core.budget.CPU_S (the claims, which read all four
sections at their top budgets, included); and the profiler's Kineto log lines stay out of stderr."""

import os
import subprocess
import sys

import pytest

from core import budget
from core.hardware import concept as hw
from tests.conftest import ROOT

TOP = {p.name: p.hi for s in hw.SECTIONS for p in s if p.name.endswith("_budget")}


def test_every_link_fits_the_budget_without_a_cut():
    for exp in hw.CONCEPT.experiments:
        assert exp.cost is not None, exp.key
        values = hw.CONCEPT.params.defaults() | TOP
        top = exp.cost({n: values[n] for n in exp.params.names})
        assert top <= budget.CPU_S, (exp.key, top)
        low = exp.cost({n: (0.2 if n.endswith("_budget") else values[n]) for n in exp.params.names})
        assert low < top  # the model follows the budget it is built on
    sections = sum(e.cost(hw.CONCEPT.params.defaults() | TOP) for e in (hw.MATMUL, hw.MEMORY, hw.STEP, hw.PARALLEL))
    assert hw.NOTES.cost(hw.CONCEPT.params.defaults() | TOP) > sections  # the claims: all four and their extras


PROFILE = (
    "import torch; from core.hardware import step; "
    "step.run({'model': 'mlp', 'opt': 'sgd', 'batches': ('1',)}, torch.device('cpu'), 0.2)"
)


@pytest.mark.parametrize("level,noisy", [(None, False), ("0", True)])
def test_the_profiler_logs_nothing_unless_the_operator_asks(level, noisy):
    env = {k: v for k, v in os.environ.items() if k != "KINETO_LOG_LEVEL"} | {"OMP_NUM_THREADS": "1"}
    if level is not None:
        env["KINETO_LOG_LEVEL"] = level  # an operator's own level is kept (and the check can fail)
    out = subprocess.run(
        [sys.executable, "-c", PROFILE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert ("profiler_start" in out.stderr) == noisy, out.stderr[-2000:]
