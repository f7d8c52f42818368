"""Every training declares a cost model, and the parameters' bounds keep every legal link within the budget."""

import itertools

import pytest

from core import budget
from core.params import Choice, Float, Int, LogFloat
from core.regularization import concept as reg

TRAININGS = [e for e in reg.CONCEPT.experiments if e.heavy]


def corners(experiment) -> list[dict]:
    """Every combination of each numeric knob's bounds (choices: every option), after the page's rules."""
    options = []
    for p in experiment.params.params:
        if isinstance(p, (Int, Float, LogFloat)):
            options.append([(p.name, p.lo), (p.name, p.hi)])
        elif isinstance(p, Choice):
            options.append([(p.name, c) for c in p.choices])
    out = []
    for combo in itertools.product(*options):
        values, _ = experiment.params.validate({**experiment.params.defaults(), **dict(combo)})
        out.append(values)
    return out


def test_every_training_declares_a_cost_and_only_the_trainings_do():
    assert {e.key for e in TRAININGS} == {"mlp", "penalty", "adamw", "dropout", "early", "augment", "memorize"}
    assert all(e.cost is not None for e in TRAININGS)


@pytest.mark.parametrize("experiment", TRAININGS, ids=[e.key for e in TRAININGS])
def test_no_legal_link_costs_more_than_the_budget_and_the_default_stays_under_five_seconds(experiment):
    costs = [experiment.cost(v) for v in corners(experiment)]
    assert max(costs) <= budget.CPU_S
    assert experiment.cost(experiment.params.defaults()) <= 5.0
    assert max(costs) > experiment.cost(experiment.params.defaults())  # the model grows with the knobs
