"""The quadratic's theory panel: closed forms, optimality, and the measured rate against the prediction."""

import math

import numpy as np
import pytest
import torch

from core.optimizers import concept as opt
from core.optimizers import surfaces
from core.optimizers import theory as th
from core.optimizers.batched import Spec
from core.optimizers.paths import simulate


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0, 1000.0])
def test_optimal_constants_match_the_closed_forms(kappa):
    big_l, mu = th.eigenvalues(kappa)
    assert (big_l, mu) == (1.0, 1.0 / kappa)
    lr, rate = th.gd_optimal(big_l, mu)
    assert lr == pytest.approx(2 / (big_l + mu)) and rate == pytest.approx((kappa - 1) / (kappa + 1))
    a, b, r = th.heavy_ball_optimal(big_l, mu)
    sk = math.sqrt(kappa)
    assert a == pytest.approx(4 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2)
    assert b == pytest.approx(((sk - 1) / (sk + 1)) ** 2) and r == pytest.approx((sk - 1) / (sk + 1))
    # at the optimal constants, the spectral radius of one step is exactly the optimal rate
    assert th.predicted_rate("sgd", lr, 0.0, kappa) == pytest.approx(rate, abs=1e-12)
    assert th.predicted_rate("momentum", a, b, kappa) == pytest.approx(r, abs=1e-6)  # double root: ~√eps


def _companion(kind, lr, mom, lam):
    """One step on an eigen-direction as an explicit matrix on (position, buffer) — torch's update rule."""
    if kind == "momentum":  # b' = μ b + λ x ; x' = x − lr b'
        return np.array([[1 - lr * lam, -lr * mom], [lam, mom]])
    return np.array([[1 - lr * lam * (1 + mom), -lr * mom * mom], [lam, mom]])  # nesterov


@pytest.mark.parametrize("kind", ["momentum", "nesterov"])
def test_rate_formulas_equal_the_spectral_radius_of_the_update_matrix(kind):
    rng = np.random.default_rng(0)
    for _ in range(200):
        lr, mom, lam = rng.uniform(0, 4), rng.uniform(0, 0.99), rng.uniform(1e-3, 1)
        expected = max(abs(np.linalg.eigvals(_companion(kind, lr, mom, lam))))
        assert th.rate_along(kind, lr, mom, lam) == pytest.approx(expected, rel=1e-7, abs=1e-7)


def test_the_optimal_values_are_optimal():
    kappa = 50.0
    big_l, mu = th.eigenvalues(kappa)
    lr, rate = th.gd_optimal(big_l, mu)
    a, b, r = th.heavy_ball_optimal(big_l, mu)
    for f in (0.9, 0.97, 1.03, 1.1):
        assert th.predicted_rate("sgd", lr * f, 0.0, kappa) > rate
        assert th.predicted_rate("momentum", a * f, b, kappa) > r - 1e-9
        assert th.predicted_rate("momentum", a, min(0.999, b * f), kappa) > r - 1e-9
    assert r < rate  # momentum's optimum beats gradient descent's: √κ instead of κ


def run(kind, lr, mom, kappa, theta, steps, wd=0.0):
    s = surfaces.get("quadratic", kappa, theta)
    h = simulate(
        s,
        [Spec(kind, lr, momentum=mom, weight_decay=wd)],
        torch.tensor([[-2.5, 1.0]], dtype=torch.float64),
        steps,
        np.ones(steps),
    )
    return np.linalg.norm(h.p[:, 0].numpy(), axis=-1)


@pytest.mark.parametrize(
    "kind,lr,mom,kappa,theta",
    [
        ("sgd", 1.5, 0.0, 10.0, 0.0),
        ("sgd", 0.5, 0.0, 100.0, 30.0),
        ("momentum", 1.0, 0.9, 100.0, 60.0),
        ("momentum", 0.5, 0.5, 20.0, 10.0),
        ("nesterov", 0.5, 0.9, 100.0, 45.0),
        ("nesterov", 1.0, 0.3, 10.0, 0.0),
    ],
)
def test_measured_rate_on_the_quadratic_agrees_with_the_prediction(kind, lr, mom, kappa, theta):
    dist = run(kind, lr, mom, kappa, theta, 600)
    predicted = th.predicted_rate(kind, lr, mom, kappa)
    assert th.measured_rate(dist) == pytest.approx(predicted, rel=0.01)


def test_optimal_heavy_ball_beats_optimal_gradient_descent_by_the_predicted_margin():
    kappa = 100.0
    gd_lr, gd_rate = th.gd_optimal(*th.eigenvalues(kappa))
    a, b, r = th.heavy_ball_optimal(*th.eigenvalues(kappa))
    gd = th.measured_rate(run("sgd", gd_lr * 0.999, 0.0, kappa, 0.0, 800))
    hb = th.measured_rate(run("momentum", a * 0.999, b, kappa, 0.0, 300))
    assert gd == pytest.approx(gd_rate, rel=0.005)
    assert hb == pytest.approx(r, rel=0.02)  # at the double root the error decays like k·ρᵏ: slightly slower


def test_weight_decay_shifts_the_curvatures_in_the_prediction():
    dist = run("sgd", 0.5, 0.0, 100.0, 0.0, 600, wd=0.05)
    assert th.measured_rate(dist) == pytest.approx(th.predicted_rate("sgd", 0.5, 0.0, 100.0, wd=0.05), rel=0.01)
    assert th.predicted_rate("sgd", 0.5, 0.0, 100.0, wd=0.05) < th.predicted_rate("sgd", 0.5, 0.0, 100.0)


def test_measured_rate_needs_enough_steps_and_stops_at_non_finite_values():
    assert th.measured_rate(np.array([1.0, 0.5, 0.25])) is None
    d = 0.9 ** np.arange(100.0)
    d[60:] = np.nan
    assert th.measured_rate(d) == pytest.approx(0.9)
    assert th.steps_for(0.5) == pytest.approx(math.log(1e-6) / math.log(0.5)) and th.steps_for(1.2) == math.inf


def test_the_button_values_are_the_optimal_ones_rounded_down_to_the_sliders():
    values = opt.optimal_values(100.0, ("adam",))
    assert values["opts"] == ("sgd", "momentum", "adam")
    assert values["lr_sgd"] == 1.9 and values["lr_momentum"] == 3.3 and values["mu_momentum"] == 0.669
    assert values["sched"] == "constant" and values["noise"] == 0.0 and values["wd"] == 0.0
    for name in ("lr_sgd", "lr_momentum", "mu_momentum"):
        assert opt.PATHS_PARAMS[name].check(values[name]) == values[name]  # on the grid: a link keeps it exactly
    big_l, mu = th.eigenvalues(100.0)
    rate_gd = th.predicted_rate("sgd", values["lr_sgd"], 0.0, 100.0)
    rate_hb = th.predicted_rate("momentum", values["lr_momentum"], values["mu_momentum"], 100.0)
    assert rate_gd < th.gd_optimal(big_l, mu)[1] + 0.001
    assert rate_hb < th.heavy_ball_optimal(big_l, mu)[2] + 0.015


def test_the_paths_result_carries_the_theory_for_the_quadratic_only():
    v = {**opt.PATHS_PARAMS.defaults(), **opt.PRESETS["optimal_kappa100"]}
    res = opt.run_paths(opt.PATHS_PARAMS.validate(v)[0])
    assert res.theory is not None and res.theory.exact
    rows = {r.kind: r for r in res.theory.rows}
    for kind in ("sgd", "momentum"):
        assert rows[kind].measured == pytest.approx(rows[kind].predicted, rel=0.01)
    assert opt.run_paths(opt.PATHS_PARAMS.defaults()).theory is None
