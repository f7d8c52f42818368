"""Polynomial fits against closed forms; the capacity sweep's training error only falls; double descent is read
right."""

import numpy as np
import pytest

from core.regularization import poly


def test_ridge_equals_the_normal_equations_and_lambda_zero_the_pseudo_inverse():
    t = poly.task(12, 0.2, 0)
    phi = poly.features(t.x_train, 6)
    lam = 0.3
    want = np.linalg.solve(phi.T @ phi + lam * np.eye(7), phi.T @ t.y_train)
    np.testing.assert_allclose(poly.ridge(phi, t.y_train, lam), want, rtol=1e-9)
    wide = poly.features(t.x_train, 20)  # more coefficients than points: minimum norm
    np.testing.assert_allclose(poly.ridge(wide, t.y_train, 0.0), np.linalg.pinv(wide) @ t.y_train, atol=1e-6)


def test_features_are_legendre_polynomials_of_unit_mean_square():
    x = np.linspace(-1, 1, 200_001)
    phi = poly.features(x, 5)
    np.testing.assert_allclose((phi**2).mean(0), np.ones(6), rtol=1e-3)
    np.testing.assert_allclose(phi[:, 2], np.sqrt(5) * (1.5 * x**2 - 0.5))
    np.testing.assert_allclose(poly.features(x, 5, "smooth"), phi / np.arange(1, 7))


@pytest.mark.parametrize("n", [5, 12, 20, poly.N_MAX])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("basis", poly.BASES)
def test_the_capacity_sweep_training_error_never_rises(n, seed, basis):
    """Nested models fitted by least squares: a higher degree can always do at least as well on the points."""
    r = poly.fit(n, 0.3, 9, 0.0, seed, basis)
    assert np.all(np.diff(r.sweep_train) <= 1e-9 * max(1.0, r.sweep_train[0]))
    assert r.sweep_train[r.degrees == r.threshold][0] < 1e-9  # d = n − 1 interpolates (to round-off)


def test_below_the_threshold_the_basis_does_not_change_the_fit_and_above_it_does():
    smooth, plain = poly.fit(12, 0.2, 6, 0.0, 0, "smooth"), poly.fit(12, 0.2, 6, 0.0, 0, "plain")
    np.testing.assert_allclose(smooth.curve, plain.curve, rtol=1e-4, atol=1e-4)
    high = poly.fit(12, 0.2, 30, 0.0, 0, "smooth"), poly.fit(12, 0.2, 30, 0.0, 0, "plain")
    assert np.abs(high[0].curve - high[1].curve).max() > 0.1


def test_more_points_shrink_the_gap_and_ridge_trades_training_for_test_error():
    few, many = poly.fit(10, 0.2, 9, 0.0, 0), poly.fit(30, 0.2, 9, 0.0, 0)
    assert many.test_mse - many.train_mse < few.test_mse - few.train_mse
    plain, ridged = poly.fit(12, 0.2, 9, 0.0, 0), poly.fit(12, 0.2, 9, 1e-3, 0)
    assert ridged.train_mse > plain.train_mse and ridged.test_mse < plain.test_mse
    assert ridged.weight_norm < plain.weight_norm


def test_double_descent_is_found_at_the_threshold_and_a_strong_ridge_removes_it():
    r = poly.fit(12, 0.2, 9, 0.0, 0)
    dd = poly.double_descent(r)
    assert dd.appears and abs(dd.peak[0] - r.threshold) <= 2
    assert dd.best_below[0] < r.threshold < dd.best_beyond[0]
    assert dd.peak[1] > 10 * dd.best_below[1]
    assert not poly.double_descent(poly.fit(12, 0.2, 9, 1.0, 0)).appears


def test_sweep_degrees_cover_the_threshold_densely_and_include_the_chosen_degree():
    d = poly.sweep_degrees(12, 150)
    assert set(range(0, 35)) <= set(d.tolist()) and 150 in d and d[-1] == poly.DEG_MAX
