"""Every registered preset (and every page's defaults) prints the same light-experiment JSON as recorded in
tests/golden/presets.json: a link keeps meaning the same numbers across refactorings. After a deliberate
change of numbers, rewrite the file with `python -m tests.golden.presets --write` and say why in the commit."""

import pytest

from tests.golden import presets

GOLDEN = presets.load()
CASES = presets.cases()


@pytest.mark.parametrize("page,name,query", CASES, ids=[f"{p}.{n}" for p, n, _ in CASES])
def test_a_preset_prints_the_recorded_numbers(page, name, query):
    key = f"{page}.{name}"
    assert key in GOLDEN, f"{key} has no recorded numbers: run `python -m tests.golden.presets --write`"
    assert GOLDEN[key]["query"] == query
    got = presets.light_summaries(page, query)
    assert presets.differences(GOLDEN[key]["experiments"], got, chaotic=presets.CHAOTIC.get(key, ())) == []
