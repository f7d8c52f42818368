"""The work budget: a link asking for more than core.budget.CPU_S is cut in proportion, onto the knob's grid,
with a notice that says how; a link within the budget is left alone."""

from core import budget


def cost(v):
    return v["steps"] * v["batch"] * 1e-4  # seconds: linear in both


def test_a_link_within_the_budget_is_left_alone():
    v = {"steps": 1000, "batch": 100}
    assert budget.cut(v, cost, "steps", lo=100, step=100) == [] and v["steps"] == 1000


def test_a_costly_link_is_cut_in_proportion_onto_the_grid_and_says_how():
    v = {"steps": 10_000, "batch": 512}  # 512 s asked
    notes = budget.cut(v, cost, "steps", lo=100, step=100)
    assert cost(v) <= budget.CPU_S and v["steps"] == 500  # 30 / 512 of 10,000 is 585.9 → 500 on the grid
    assert [(n.param, n.code, n.raw, n.info["used"], n.info["why"]) for n in notes] == [
        ("steps", "conflict", "10000", "500", "budget")
    ]


def test_a_cost_that_is_not_linear_in_the_knob_is_still_brought_under_the_budget():
    v = {"steps": 4000, "batch": 1}
    quadratic = lambda v: (v["steps"] / 100) ** 2 * 0.1
    budget.cut(v, quadratic, "steps", lo=100, step=100)
    assert quadratic(v) <= budget.CPU_S and v["steps"] == 1700


def test_the_floor_is_kept_even_if_the_floor_itself_is_over_budget():
    v = {"steps": 5000, "batch": 10**6}
    budget.cut(v, cost, "steps", lo=100, step=100)
    assert v["steps"] == 100  # the rule that owns the next knob (the batch) must cut that one


def test_a_memory_model_is_cut_against_its_own_limit():
    v = {"batch": 512, "depth": 100}
    megabytes = lambda v: v["batch"] * v["depth"] * 0.02
    notes = budget.cut(v, megabytes, "batch", lo=16, step=16, why="memory", limit=budget.MEMORY_MB)
    assert megabytes(v) <= budget.MEMORY_MB and v["batch"] == 336 and notes[0].info["why"] == "memory"


def _corners(params):
    """The defaults with every number at its top and every multi-choice full, then each knob's extremes alone."""
    from core.params import Float, Int, LogFloat, Multi

    top = params.defaults()
    for p in params:
        if isinstance(p, (Int, Float, LogFloat)):
            top[p.name] = p.hi
        elif isinstance(p, Multi):
            top[p.name] = tuple(p.choices[: p.hi])
    yield top
    for p in params:
        for value in p.samples():
            yield {**params.defaults(), p.name: value}
            yield {**top, p.name: value}


def test_every_cost_model_keeps_every_corner_of_its_page_within_the_budget():
    """Each experiment that declares a cost: after the page's rules (the budget cuts included), no corner of its
    parameters is estimated above core.budget.CPU_S (bench/link_budget.py measures the costliest for real)."""
    from core import registry

    checked = 0
    for concept in registry.CONCEPTS:
        for exp in concept.experiments:
            if exp.cost is None:
                continue
            for values in _corners(concept.params):
                fixed, _ = concept.params.apply_rules(dict(values))
                assert exp.cost({n: fixed[n] for n in exp.params.names}) <= budget.CPU_S, (concept.key, exp.key)
            checked += 1
    assert checked >= 2  # gradients' training and the optimizers' race at least
