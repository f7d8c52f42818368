"""The parameter system: the codec round trip for every declared knob, and rejection of bad input."""

import math

import pytest

from core import registry
from core.params import (
    Bool,
    Choice,
    Float,
    FloatList,
    Int,
    LogFloat,
    Multi,
    ParamSet,
    parse_query_string,
    to_query_string,
)

ALL = [(c.key, p) for c in registry.CONCEPTS for p in c.params]


@pytest.mark.parametrize("page,param", ALL, ids=[f"{k}.{p.name}" for k, p in ALL])
def test_every_param_survives_the_query_string_round_trip(page, param):
    params = registry.get(page).params
    for value in param.samples():
        qs = to_query_string(params.encode({param.name: value}))
        query = parse_query_string(qs)
        decoded, notices = params.decode(query)
        assert not [n for n in notices if n.code != "conflict"], (value, notices)  # rules may move a value
        got = param.parse(query[param.name]) if query else param.default
        if isinstance(value, float):
            assert math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-12), (value, got)
        else:
            assert tuple(got) == tuple(value) if isinstance(value, (list, tuple)) else got == value


@pytest.mark.parametrize("page", [c.key for c in registry.CONCEPTS])
def test_defaults_encode_to_an_empty_query(page):
    params = registry.get(page).params
    assert params.encode(params.defaults()) == {}
    values, notices = params.decode({})
    assert values == params.defaults() and notices == []


@pytest.mark.parametrize("page", [c.key for c in registry.CONCEPTS])
def test_every_default_lies_inside_its_declaration(page):
    for p in registry.get(page).params:
        assert p.check(p.default) == p.default, p.name


@pytest.mark.parametrize("page", [c.key for c in registry.CONCEPTS])
def test_presets_are_valid_and_distinct(page):
    concept = registry.get(page)
    seen = set()
    for name, preset in concept.presets.items():
        assert set(preset) <= set(concept.params.names), name
        values, notices = concept.params.validate({**concept.params.defaults(), **preset})
        assert notices == [], (name, notices)
        key = tuple(sorted(concept.params.encode(values).items()))
        assert key not in seen, f"preset {name} duplicates another"
        seen.add(key)


P = ParamSet((
    Float("x", 1.0, lo=-2.0, hi=2.0, step=0.1),
    LogFloat("lr", 0.01, lo=1e-4, hi=1.0),
    Int("n", 3, lo=1, hi=10),
    Choice("act", "relu", choices=("relu", "tanh")),
    Multi("fns", ("relu",), choices=("relu", "tanh", "sigmoid"), lo=1, hi=2),
    Bool("bn", False),
    FloatList("k", (0.0,) * 9, lo=-5, hi=5, lengths=(9, 25)),
))


@pytest.mark.parametrize("query,param,code", [
    ({"x": "9"}, "x", "range"),
    ({"x": "abc"}, "x", "type"),
    ({"x": "nan"}, "x", "type"),
    ({"x": "inf"}, "x", "type"),
    ({"lr": "0"}, "lr", "range"),
    ({"lr": "5"}, "lr", "range"),
    ({"n": "2.5"}, "n", "type"),
    ({"n": "11"}, "n", "range"),
    ({"act": "gelu"}, "act", "choice"),
    ({"act": "ReLU"}, "act", "choice"),
    ({"fns": "relu,gelu"}, "fns", "choice"),
    ({"fns": "relu,tanh,sigmoid"}, "fns", "length"),
    ({"fns": ""}, "fns", "length"),
    ({"bn": "maybe"}, "bn", "type"),
    ({"k": "1,2,3"}, "k", "length"),
    ({"k": ",".join(["9"] * 9)}, "k", "range"),
    ({"bogus": "1"}, "bogus", "unknown"),
])
def test_bad_values_fall_back_to_the_default_with_a_specific_notice(query, param, code):
    values, notices = P.decode(query)
    assert [(n.param, n.code) for n in notices] == [(param, code)]
    assert notices[0].raw == query[param]
    if param in P.names:
        assert values[param] == P.defaults()[param]
    assert param in notices[0].english()


def test_good_values_are_kept_and_snapped_to_the_widget_grid():
    values, notices = P.decode({"x": "0.33", "lr": "0.0031", "n": "7", "act": "tanh", "fns": "tanh,relu",
                                "bn": "1", "k": ",".join(["1"] * 25), "lang": "zh"})
    assert notices == []
    assert values["x"] == pytest.approx(0.3)
    assert values["lr"] == pytest.approx(0.002) or values["lr"] == pytest.approx(0.005)
    assert values["n"] == 7 and values["act"] == "tanh" and values["bn"] is True
    assert values["fns"] == ("relu", "tanh")  # declaration order: one view, one link
    assert len(values["k"]) == 25


def test_log_grid_is_one_two_five_per_decade_inside_the_bounds():
    grid = P["lr"].grid()
    assert grid[0] == pytest.approx(1e-4) and grid[-1] == pytest.approx(1.0)
    assert 0.01 in grid and 0.02 in grid and 0.05 in grid
    assert all(a < b for a, b in zip(grid, grid[1:]))


def test_query_string_helpers_round_trip_and_keep_commas_readable():
    qs = to_query_string({"fns": "relu,tanh", "x": "-1.5"})
    assert qs == "fns=relu,tanh&x=-1.5"
    assert parse_query_string("?" + qs) == {"fns": "relu,tanh", "x": "-1.5"}
