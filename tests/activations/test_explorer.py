"""Activation values and derivatives against closed forms, published constants and finite differences."""

import math

import numpy as np
import pytest
import torch

from core.activations import concept as act

V = act.EXPLORER_PARAMS.defaults()
X = torch.linspace(-6, 6, 1201, dtype=torch.float64)


def f_and_df(key, x=X, **knobs):
    y, dy = act.evaluate((key,), x, {**V, **knobs})
    return y[0], dy[0]


def test_sigmoid_derivative_peaks_at_one_quarter_at_zero():
    y, dy = f_and_df("sigmoid", torch.tensor([0.0], dtype=torch.float64))
    assert y.item() == pytest.approx(0.5) and dy.item() == pytest.approx(0.25, abs=1e-15)
    _, dy = f_and_df("sigmoid")
    assert dy.max().item() == pytest.approx(0.25) and (dy <= 0.25 + 1e-15).all()


def test_tanh_is_a_rescaled_sigmoid():
    y, _ = f_and_df("tanh")
    torch.testing.assert_close(y, 2 * torch.sigmoid(2 * X) - 1, rtol=0, atol=1e-12)


def test_selu_uses_the_published_constants():
    alpha, lam = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    y, _ = f_and_df("selu")
    expected = lam * torch.where(X > 0, X, alpha * (torch.exp(X) - 1))
    torch.testing.assert_close(y, expected, rtol=1e-12, atol=1e-12)


def test_gelu_tanh_form_approximates_the_exact_form_closely_but_not_exactly():
    exact, _ = f_and_df("gelu")
    approx, _ = f_and_df("gelu_tanh")
    phi = 0.5 * (1 + torch.erf(X / math.sqrt(2)))
    torch.testing.assert_close(exact, X * phi, rtol=1e-12, atol=1e-12)
    gap = (exact - approx).abs().max().item()
    assert 1e-5 < gap < 1e-3


@pytest.mark.parametrize(
    "key,closed",
    [
        ("identity", lambda x, v: x),
        ("relu", lambda x, v: x.clamp_min(0)),
        ("leaky_relu", lambda x, v: torch.where(x > 0, x, v["leak"] * x)),
        ("prelu", lambda x, v: torch.where(x > 0, x, v["prelu_a"] * x)),
        ("elu", lambda x, v: torch.where(x > 0, x, v["elu_alpha"] * (torch.exp(x) - 1))),
        ("silu", lambda x, v: x / (1 + torch.exp(-v["swish_beta"] * x))),
        ("softplus", lambda x, v: torch.log1p(torch.exp(v["softplus_beta"] * x)) / v["softplus_beta"]),
        ("mish", lambda x, v: x * torch.tanh(torch.log1p(torch.exp(x)))),
        ("hardsigmoid", lambda x, v: (x / 6 + 0.5).clamp(0, 1)),
        ("hardtanh", lambda x, v: x.clamp(-1, 1)),
        ("step", lambda x, v: (x > 0).double()),
    ],
)
def test_values_match_closed_forms_with_non_default_knobs(key, closed):
    knobs = {"leak": 0.2, "prelu_a": 0.4, "elu_alpha": 2.0, "swish_beta": 1.7, "softplus_beta": 2.5}
    y, _ = f_and_df(key, **knobs)
    torch.testing.assert_close(y, closed(X, {**V, **knobs}), rtol=1e-10, atol=1e-10)


KINKS = {
    "relu": [0],
    "leaky_relu": [0],
    "prelu": [0],
    "elu": [0],
    "selu": [0],
    "step": [0],
    "hardsigmoid": [-3, 3],
    "hardtanh": [-1, 1],
}


@pytest.mark.parametrize("key", list(act.FUNCTIONS))
def test_autograd_derivative_matches_central_differences(key):
    xs = torch.linspace(-5, 5, 401, dtype=torch.float64)
    keep = torch.ones_like(xs, dtype=torch.bool)
    for k in KINKS.get(key, []):
        keep &= (xs - k).abs() > 1e-3
    xs = xs[keep]
    h = 1e-6
    _, dy = f_and_df(key, xs)
    fp, _ = f_and_df(key, xs + h)
    fm, _ = f_and_df(key, xs - h)
    torch.testing.assert_close(dy, (fp - fm) / (2 * h), rtol=1e-5, atol=1e-6)


def test_knob_changes_the_slope_where_it_should():
    _, dy = f_and_df("leaky_relu", torch.tensor([-1.0, 2.0], dtype=torch.float64), leak=0.3)
    assert dy.tolist() == pytest.approx([0.3, 1.0])
    _, dy = f_and_df("silu", torch.tensor([3.0], dtype=torch.float64), swish_beta=10.0)
    assert dy.item() == pytest.approx(1.0, abs=1e-6)  # large β: SiLU → ReLU


def test_intervals_finds_maximal_runs():
    x = np.arange(10.0)
    mask = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1, 1], dtype=bool)
    assert act.intervals(x, mask) == [(0.0, 1.0), (4.0, 4.0), (6.0, 9.0)]
    assert act.intervals(x, np.zeros(10, bool)) == []


def test_sigmoid_saturation_edges_match_the_closed_form():
    t = 0.05
    s = (1 + math.sqrt(1 - 4 * t)) / 2  # σ'(x) = s(1 - s) = t
    edge = math.log(s / (1 - s))
    res = act.explore({**V, "fns": ("sigmoid",), "thresh": t})
    (left, right) = res.saturated[0]
    step = (V["xmax"] - V["xmin"]) / (act.GRID_POINTS - 1)
    assert left[0] == V["xmin"] and right[1] == V["xmax"]
    assert abs(left[1] + edge) <= step and abs(right[0] - edge) <= step


def test_identity_never_saturates_and_step_always_does():
    res = act.explore({**V, "fns": ("identity", "step")})
    assert res.saturated[0] == ()
    assert res.saturated[1] == ((V["xmin"], V["xmax"]),)


def test_statistics_under_a_standard_normal_input_match_closed_forms():
    stats = act.normal_stats(("relu", "sigmoid", "tanh", "identity"), V, thresh=1e-9)
    assert stats["mean"] == pytest.approx([1 / math.sqrt(2 * math.pi), 0.5, 0.0, 0.0], abs=1e-6)
    assert stats["mean_grad"][0] == pytest.approx(0.5, abs=1e-6)
    assert stats["mean_grad"][3] == pytest.approx(1.0, abs=1e-6)
    assert stats["zero_grad_share"][0] == pytest.approx(0.5, abs=1e-6)


def test_probe_values_are_exact():
    res = act.explore({**V, "fns": ("sigmoid", "relu"), "x0": -2.0})
    s = 1 / (1 + math.exp(2.0))
    assert res.f0.tolist() == pytest.approx([s, 0.0])
    assert res.df0.tolist() == pytest.approx([s * (1 - s), 0.0])


def test_probe_outside_the_range_is_moved_inside_with_a_notice():
    values, notices = act.EXPLORER_PARAMS.decode({"x0": "15", "xmax": "5"})
    assert values["x0"] == 5.0
    assert [(n.param, n.code, n.info["why"]) for n in notices] == [("x0", "conflict", "probe_outside")]


def test_explorer_is_deterministic_and_sends_float32():
    a, b = act.explore(V), act.explore(V)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.x.dtype == np.float32 and a.y.dtype == np.float32 and a.y.shape == (3, act.GRID_POINTS)


def test_seed_claims_are_computed_not_asserted():
    c = act.claims()
    assert c["tanh_vs_2sigmoid_max_err"] < 1e-12
    assert c["sigmoid_max_grad"] == pytest.approx(0.25)
    assert c["sigmoid_10_layers_bound"] == pytest.approx(0.25**10)
    assert c["sigmoid_grad_at_4_rel"] == pytest.approx(4 * math.exp(-4) / (1 + math.exp(-4)) ** 2, rel=1e-6)
    assert c["relu_zero_grad_share_normal"] == pytest.approx(0.5, abs=1e-6)
    assert c["tanh_max_grad"] == pytest.approx(1.0)


def test_formulas_show_the_knob_values():
    assert "0.3" in act.latex("leaky_relu", {**V, "leak": 0.3})
    assert "{" + "leak" + "}" not in act.latex("leaky_relu", V)


def test_the_plotted_grid_is_the_same_on_every_cpu_so_relu_saturates_up_to_zero():
    """torch.linspace rounds per vector kernel (AVX-512 put a 1e-16 at the middle node); the explorer's grid is
    computed in NumPy, so x = 0 is a node and ReLU's saturated interval ends at 0.0 on any machine."""
    x = act.grid(-6.0, 6.0, act.GRID_POINTS)
    assert x[act.GRID_POINTS // 2] == 0.0 and x[0] == -6.0 and x[-1] == 6.0
    res = act.explore({**V, "fns": ("relu",)})
    assert res.saturated[0] == ((-6.0, 0.0),)
