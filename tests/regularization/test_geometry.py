"""The L1 and L2 solutions of the 2-D picture against proximal gradient descent and the closed form."""

import numpy as np
import pytest

from core.regularization import geometry


def ista(a, w_star, lam, steps=20_000):
    """Proximal gradient descent (soft thresholding) on ½(w − w*)ᵀA(w − w*) + λ‖w‖₁."""
    big_l = np.linalg.eigvalsh(a).max()
    w = np.zeros(2)
    for _ in range(steps):
        z = w - a @ (w - w_star) / big_l
        w = np.sign(z) * np.maximum(np.abs(z) - lam / big_l, 0)
    return w


@pytest.mark.parametrize("kappa,angle,w", [(4, 30, (1.5, 0.6)), (1, 0, (-1.0, 2.0)), (15, 120, (0.3, -1.8))])
@pytest.mark.parametrize("lam", [0.0, 0.2, 1.0, 3.0])
def test_l1_solution_equals_ista_and_l2_the_closed_form(kappa, angle, w, lam):
    a, ws = geometry.hessian(kappa, angle), np.array(w)
    np.testing.assert_allclose(geometry.l1_solution(a, ws, lam), ista(a, ws, lam), atol=1e-7)
    np.testing.assert_allclose(geometry.l2_solution(a, ws, lam), np.linalg.inv(a + lam * np.eye(2)) @ a @ ws)


def test_l1_reaches_exact_zeros_and_l2_never_does():
    g = geometry.geometry(1.5, 0.6, 4, 30, 1.0)
    assert g.l1_zeros == 1 and g.l2_zeros == 0
    assert np.all(np.abs(g.path_l2[1:]) > 0)  # shrunk, never 0
    assert all(z is not None and 0 < z <= geometry.LAM_MAX for z in g.l1_zero_at)
    np.testing.assert_allclose(g.path_l1[0], g.w_star, atol=1e-6)  # λ = 0: the unregularized minimum


def test_hessian_has_the_declared_curvatures():
    np.testing.assert_allclose(np.linalg.eigvalsh(geometry.hessian(7.0, 40.0)), [1.0, 7.0])
