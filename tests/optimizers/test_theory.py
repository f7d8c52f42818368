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


def run(kind, lr, mom, kappa, theta, steps, wd=0.0, start=(-2.5, 1.0)):
    s = surfaces.get("quadratic", kappa, theta)
    h = simulate(
        s,
        [Spec(kind, lr, momentum=mom, weight_decay=wd)],
        torch.tensor([start], dtype=torch.float64),
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


def steps_below(dist, reduction=1e-6):
    """Measured: the first step from which a run's distance to the minimum stays within `reduction` of its start."""
    above = np.flatnonzero(~(dist <= reduction * dist[0]))
    return int(above[-1]) + 1 if len(above) else 0


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov"])
def test_the_closed_form_amplification_is_the_iteration_itself(kind):
    rng = np.random.default_rng(1)
    k = np.arange(60)
    for _ in range(50):
        lr, mom, lam = rng.uniform(0, 3), (0.0 if kind == "sgd" else rng.uniform(0, 0.99)), rng.uniform(1e-3, 1)
        pos, buf, want = 1.0, 0.0, []  # torch.optim's update along one eigenvector, the buffer starting at 0
        for _ in k:
            want.append(pos)
            g = lam * pos
            buf = mom * buf + g  # torch: buf = g at the first step, then μ·buf + g
            pos -= lr * ((g + mom * buf) if kind == "nesterov" else buf if kind == "momentum" else g)
        np.testing.assert_allclose(th.amplification(kind, lr, mom, lam, k), want, rtol=1e-7, atol=1e-12)


def test_at_a_double_root_the_error_shrinks_like_k_times_rho_to_the_k():
    a, b, r = th.heavy_ball_optimal(*th.eigenvalues(100.0))
    k = np.arange(200.0)
    flat = th.amplification("momentum", a, b, 0.01, k)  # double root +ρ: x_k / x_0 = (1 + (1 − ρ) k) ρᵏ
    steep = th.amplification("momentum", a, b, 1.0, k)  # double root −ρ: (1 + (1 + ρ) k) (−ρ)ᵏ
    np.testing.assert_allclose(flat, (1 + (1 - r) * k) * r**k, rtol=1e-6, atol=1e-15)
    np.testing.assert_allclose(steep, (1 + (1 + r) * k) * (-r) ** k, rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("kappa", [3.0, 10.0, 30.0, 100.0, 1000.0])
def test_predicted_steps_are_the_steps_torch_optim_takes(kappa):
    """At the optimal constants (critically damped: ρᵏ alone undercounts by 20–30 %), rounded down like the
    button, and away from them; several rotations and starts."""
    a, b, r = th.heavy_ball_optimal(*th.eigenvalues(kappa))
    g, _ = th.gd_optimal(*th.eigenvalues(kappa))
    cases = [("momentum", a, b), ("momentum", a * 0.97, b * 0.99), ("sgd", g * 0.99, 0.0), ("nesterov", 0.5, 0.9)]
    for (kind, lr, mom), theta, start in zip(cases * 2, (0.0, 30.0, 90.0, 135.0) * 2, [(-2.5, 1.0)] * 4 + [(1, 2)] * 4):
        steps = th.predicted_steps(kind, lr, mom, kappa, theta, start)
        dist = run(kind, lr, mom, kappa, theta, int(steps) + 200, start=start)
        assert steps == steps_below(dist), (kind, theta, start)


def test_the_critically_damped_heavy_ball_at_kappa_100_needs_90_steps_not_69():
    a, b, r = th.heavy_ball_optimal(*th.eigenvalues(100.0))
    assert math.log(1e-6) / math.log(r) == pytest.approx(68.8, abs=0.05)  # what ρᵏ alone predicts
    assert th.predicted_steps("momentum", a, b, 100.0, 0.0, (-2.5, 1.0)) == 90
    assert steps_below(run("momentum", a, b, 100.0, 0.0, 200)) == 90


def test_predicted_steps_never_when_diverging_and_extrapolated_when_very_slow():
    assert th.predicted_steps("sgd", 2.5, 0.0, 10.0, 0.0, (-2.5, 1.0)) == math.inf
    slow = th.predicted_steps("sgd", 1e-3, 0.0, 100.0, 0.0, (-2.5, 1.0))  # ρ = 1 − 10⁻⁵: past the search window
    assert slow == pytest.approx(math.log(1e-6 * math.hypot(2.5, 1) / 2.5) / math.log(1 - 1e-5), rel=1e-3)


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
