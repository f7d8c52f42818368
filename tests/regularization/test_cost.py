"""Every training declares a cost model; its defaults are estimated within the page's 5 s per section and its
top corner above them (tests/test_budget.py checks every page's corners against core.budget.CPU_S)."""

import pytest

from core.params import Float, Int, LogFloat
from core.regularization import concept as reg

TRAININGS = [e for e in reg.CONCEPT.experiments if e.heavy]


def test_every_training_declares_a_cost_and_only_the_trainings_do():
    assert {e.key for e in TRAININGS} == {"mlp", "penalty", "adamw", "dropout", "early", "augment", "memorize"}
    assert all(e.cost is not None for e in TRAININGS)
    assert all(e.cost is None for e in reg.CONCEPT.experiments if not e.heavy)


@pytest.mark.parametrize("experiment", TRAININGS, ids=[e.key for e in TRAININGS])
def test_the_default_run_is_estimated_under_five_seconds_and_the_top_corner_above_it(experiment):
    defaults = experiment.params.defaults()
    top = {**defaults, **{p.name: p.hi for p in experiment.params if isinstance(p, (Int, Float, LogFloat))}}
    assert experiment.cost(defaults) <= 5.0 and experiment.cost(top) > experiment.cost(defaults)
