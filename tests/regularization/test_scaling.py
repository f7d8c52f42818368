"""Input scaling: the closed-form gradient-descent curve equals real gradient descent, standardizing keeps the
best fit and brings κ to about 1."""

import numpy as np

from core.regularization import scaling


def test_closed_form_gap_equals_iterated_gradient_descent():
    x, y = scaling._two_features(10.0, 2.0, 0)
    a = np.hstack([x, np.ones((len(x), 1))])
    h, w_star = scaling.problem(x, y)
    loss = lambda w: 0.5 * np.mean((a @ w - y) ** 2)
    lr = 1 / np.linalg.eigvalsh(h).max()
    w, gaps = np.zeros(3), []
    for _ in range(50):
        gaps.append(loss(w) - loss(w_star))
        w = w - lr * a.T @ (a @ w - y) / len(y)
    got = scaling.Descent.of(h, np.zeros(3), w_star).gap(np.arange(50))
    np.testing.assert_allclose(got, gaps, rtol=1e-6, atol=1e-12)


def test_steps_to_is_the_first_step_below_the_target():
    h, w_star = scaling.problem(*scaling._two_features(30.0, 3.0, 1))
    d = scaling.Descent.of(h, np.zeros(3), w_star)
    s = d.steps_to(1e-3)
    g0 = d.gap(np.array([0]))[0]
    assert d.gap(np.array([s]))[0] <= 1e-3 * g0 < d.gap(np.array([s - 1]))[0]


def test_standardizing_keeps_the_fit_and_cuts_kappa_and_steps():
    r = scaling.scaling(100.0, 5.0, 1e-3, 0)
    assert r.same_fit < 1e-9
    assert r.kappa_std < 1.5 < 1000 < r.kappa_raw
    assert r.steps_std < 10 < 1000 < r.steps_raw
    assert r.digits["kappa_std"] < r.digits["kappa_raw"] / 1000
