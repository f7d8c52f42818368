"""The work budget: every heavy experiment declares a cost model; the costliest legal link fits core.budget;
a link over the budget has its steps cut, and the page (an info line) and the CLI ("adjusted") run the same
cut link. At today's bounds no legal link reaches CPU_S, so the cut is exercised with a lower budget."""

import pytest

from core import budget
from core.__main__ import run as cli_run
from core.losses import concept as lc
from core.params import Float, Int, LogFloat, Multi
from tests.conftest import clean, open_page

HEAVY = ("outliers", "cemse", "imbalance", "calibration", "temperature", "kl", "claims")
STEPS = {
    "outliers": "o_steps",
    "cemse": "cm_steps",
    "imbalance": "im_steps",
    "calibration": "ca_steps",
    "kl": "kl_steps",
}


def worst(exp) -> dict:
    """Every number at the end of its range that costs more (ratio: the low end), every multi-choice full."""
    v = lc.CONCEPT.params.defaults()
    for p in exp.params:
        if isinstance(p, (Int, Float, LogFloat)):
            v[p.name] = max((p.lo, p.hi), key=lambda x: exp.cost({**v, p.name: x}))
        elif isinstance(p, Multi):
            v[p.name] = tuple(p.choices[: p.hi])
    return {n: v[n] for n in exp.params.names}


@pytest.mark.parametrize("key", HEAVY)
def test_every_heavy_experiment_has_a_cost_and_its_costliest_link_fits(key):
    exp = lc.CONCEPT.experiment(key)
    assert exp.cost is not None
    v = worst(exp)
    assert 0 < exp.cost(lc.CONCEPT.params.defaults()) <= exp.cost(v) <= budget.CPU_S
    fixed, notices = exp.params.apply_rules(dict(v))
    assert not [n for n in notices if n.info.get("why") == "budget"]  # nothing legal is cut at the real budget


@pytest.mark.parametrize("key", sorted(STEPS))
def test_a_link_over_the_budget_has_its_steps_cut_onto_the_grid(key, monkeypatch):
    exp, knob = lc.CONCEPT.experiment(key), STEPS[key]
    v = worst(exp)
    monkeypatch.setattr(budget, "CPU_S", exp.cost(v) / 3)  # this link now costs three budgets
    fixed, notices = exp.params.apply_rules(dict(v))
    (cut,) = [n for n in notices if n.info.get("why") == "budget"]
    param = exp.params[knob]
    assert cut.param == knob and cut.raw == str(v[knob]) and cut.info["used"] == str(fixed[knob])
    assert param.lo <= fixed[knob] < v[knob] and (fixed[knob] - param.lo) % param.step == 0
    assert exp.cost(fixed) <= budget.CPU_S < exp.cost({**fixed, knob: fixed[knob] + param.step})  # the largest


def costly_cemse(monkeypatch) -> dict:
    """A CE-vs-MSE link that costs over two budgets once the budget is lowered to 3 s (every other section's
    default still fits it, so only this link is cut)."""
    monkeypatch.setattr(budget, "CPU_S", 3.0)
    defaults = lc.CONCEPT.params.defaults()
    assert all(e.cost(defaults) < 3.0 for e in lc.CONCEPT.experiments if e.cost and e.key != "claims")
    query = {"cm_steps": "3000", "cm_batch": "256", "cm_width": "128"}
    assert lc.cemse_cost({**defaults, "cm_steps": 3000, "cm_batch": 256, "cm_width": 128}) > 6.0
    return query


def test_the_cli_runs_the_cut_link_and_lists_it_under_adjusted(monkeypatch):
    query = costly_cemse(monkeypatch)
    out = cli_run("losses", "&".join(f"{k}={v}" for k, v in query.items()), "cemse")
    (line,) = out["adjusted"]
    used = int(line.rsplit("using ", 1)[1].rstrip("."))
    assert line.startswith("Steps = 3000 would be more work") and 100 <= used < 3000
    assert out["experiments"]["cemse"]["steps"] == used and out["query"]["cm_steps"] == str(used)


def test_the_page_shows_the_cut_as_a_conflict_notice_and_trains_the_cut_link(monkeypatch):
    query = costly_cemse(monkeypatch)
    at = open_page("losses", query=query)
    clean(at)
    (line,) = [i.value for i in at.info if "would be more work" in i.value]
    assert line.startswith("Steps = 3000 would be more work")
    used = int(line.rsplit("using ", 1)[1].rstrip("."))
    assert f"After {used} steps" in " ".join(m.value for m in at.markdown)
