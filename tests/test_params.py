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
    ParamError,
    ParamSet,
    When,
    parse_query_string,
    to_query_string,
    when,
    when_not,
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


P = ParamSet(
    (
        Float("x", 1.0, lo=-2.0, hi=2.0, step=0.1),
        LogFloat("lr", 0.01, lo=1e-4, hi=1.0),
        Int("n", 3, lo=1, hi=10),
        Choice("act", "relu", choices=("relu", "tanh")),
        Multi("fns", ("relu",), choices=("relu", "tanh", "sigmoid"), lo=1, hi=2),
        Bool("bn", False),
        FloatList("k", (0.0,) * 9, lo=-5, hi=5, lengths=(9, 25)),
    )
)


@pytest.mark.parametrize(
    "query,param,code",
    [
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
    ],
)
def test_bad_values_fall_back_to_the_default_with_a_specific_notice(query, param, code):
    values, notices = P.decode(query)
    assert [(n.param, n.code) for n in notices] == [(param, code)]
    assert notices[0].raw == query[param]
    if param in P.names:
        assert values[param] == P.defaults()[param]
    assert param in notices[0].english()


def test_good_values_are_kept_exactly_even_off_the_widget_grid():
    values, notices = P.decode(
        {
            "x": "0.33",
            "lr": "0.0031",
            "n": "7",
            "act": "tanh",
            "fns": "tanh,relu",
            "bn": "1",
            "k": ",".join(["1"] * 25),
            "lang": "zh",
        }
    )
    assert notices == []
    assert values["x"] == 0.33 and values["lr"] == 0.0031  # a link means what it says
    assert values["n"] == 7 and values["act"] == "tanh" and values["bn"] is True
    assert values["fns"] == ("relu", "tanh")  # declaration order: one view, one link
    assert len(values["k"]) == 25
    assert P.encode(values)["lr"] == "0.0031"
    # the widgets show the nearest grid position; off_grid says which values a slider cannot show
    assert P["x"].nearest(0.33) == pytest.approx(0.3) and P["lr"].nearest(0.0031) in (0.002, 0.005)
    assert P.off_grid(values) == {"x": (0.33, P["x"].nearest(0.33)), "lr": (0.0031, P["lr"].nearest(0.0031))}


def test_the_issues_examples_keep_their_exact_values():
    width = LogFloat("width", 0.05, lo=0.01, hi=0.5)
    kappa = LogFloat("kappa", 10.0, lo=1.0, hi=1000.0)
    lr = Float("lr_sgd", 0.1, lo=0.0, hi=1.0, step=0.01)
    assert width.parse("0.0125") == 0.0125 and kappa.parse("30") == 30.0 and lr.parse("0.123") == 0.123
    assert width.nearest(0.0125) == 0.01 and kappa.nearest(30) == 20.0 and lr.nearest(0.123) == pytest.approx(0.12)


def test_an_integer_grid_that_is_a_rule_refuses_values_off_it():
    odd = Int("k", 3, lo=3, hi=7, step=2, on_grid=True)
    plain = Int("side", 256, lo=32, hi=512, step=32)
    assert odd.parse("5") == 5 and plain.parse("100") == 100 and plain.nearest(100) == 96
    with pytest.raises(ParamError) as err:
        odd.parse("4")
    assert err.value.code == "grid"
    values, notices = ParamSet((odd,)).decode({"k": "4"})
    assert values["k"] == 3 and [n.code for n in notices] == ["grid"] and "7" in notices[0].english()


def test_a_declared_condition_says_when_a_knob_matters():
    loss = Choice("loss", "nonsat", choices=("nonsat", "wgan", "wgan_gp"))
    gp = Float("gp", 1.0, lo=0.0, hi=10.0, step=0.5, when=when("loss", "wgan_gp"))
    opts = Multi("opts", ("sgd",), choices=("sgd", "adam", "nadam"), hi=3)
    beta = Float("beta1", 0.9, lo=0.0, hi=0.999, step=0.001, when=when("opts", "adam", "nadam"))
    noise = Float("noise", 0.0, lo=0.0, hi=1.0, step=0.1)
    seed = Int("seed", 0, lo=0, hi=9, when=When(lambda v: v["noise"] > 0, "noise>0"))
    ps = ParamSet((loss, gp, opts, beta, noise, seed))
    assert ps.active(ps.defaults()) == {
        "loss": True,
        "gp": False,
        "opts": True,
        "beta1": False,
        "noise": True,
        "seed": False,
    }
    on = ps.active({**ps.defaults(), "loss": "wgan_gp", "opts": ("sgd", "nadam"), "noise": 0.5})
    assert on["gp"] and on["beta1"] and on["seed"]
    assert (when("loss", "wgan") & when_not("opts", ("sgd",))).text == "loss=wgan and opts!=('sgd',)"
    assert gp.when.text == "loss=wgan_gp"
    assert gp == Float("gp", 1.0, lo=0.0, hi=10.0, step=0.5)  # the condition is not part of the value codec


def test_a_declared_span_limits_a_knob_by_the_others_silently():
    surface = Choice("surface", "small", choices=("small", "big"))
    x0 = Float(
        "x0",
        0.0,
        lo=-10.0,
        hi=10.0,
        step=0.5,
        within=lambda v: (-2.0, 2.0) if v["surface"] == "small" else (-10.0, 10.0),
    )
    n = Int("n", 3, lo=1, hi=9, within=lambda v: (1, 4))
    opts = Multi("opts", ("a", "b"), choices=("a", "b", "c"), hi=3)
    show = Choice("show", "a", choices=("a", "b", "c"), within=lambda v: v["opts"])
    ps = ParamSet((surface, x0, n, opts, show))
    values, notices = ps.decode({"x0": "-7", "n": "8", "opts": "b,c", "show": "a"})
    assert (values["x0"], values["n"], values["show"]) == (-2.0, 4, "b") and notices == []
    assert isinstance(values["n"], int) and ps.decode({"x0": "-7", "surface": "big"})[0]["x0"] == -7.0
    assert x0.span(values) == (-2.0, 2.0) and show.span(values) == ("b", "c") and surface.span(values) is None
    assert ps.validate({**values, "show": "c"})[0]["show"] == "c"
    assert x0 == Float("x0", 0.0, lo=-10.0, hi=10.0, step=0.5)  # the span is not part of the value codec


def test_log_grid_is_one_two_five_per_decade_inside_the_bounds():
    grid = P["lr"].grid()
    assert grid[0] == pytest.approx(1e-4) and grid[-1] == pytest.approx(1.0)
    assert 0.01 in grid and 0.02 in grid and 0.05 in grid
    assert all(a < b for a, b in zip(grid, grid[1:]))


def test_query_string_helpers_round_trip_and_keep_commas_readable():
    qs = to_query_string({"fns": "relu,tanh", "x": "-1.5"})
    assert qs == "fns=relu,tanh&x=-1.5"
    assert parse_query_string("?" + qs) == {"fns": "relu,tanh", "x": "-1.5"}
