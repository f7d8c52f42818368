"""Surfaces: closed-form gradients against autograd, listed critical points really critical, of the stated
kind, and the global minima at f*."""

import math

import numpy as np
import pytest
import torch

from core.optimizers import surfaces

CASES = [(k, 10.0, 0.0) for k in surfaces.KEYS] + [("quadratic", 100.0, 30.0), ("quadratic", 1000.0, 135.0)]


@pytest.mark.parametrize("key,kappa,theta", CASES)
def test_closed_form_gradient_matches_autograd(key, kappa, theta):
    s = surfaces.get(key, kappa, theta)
    gen = torch.Generator().manual_seed(0)
    lo = torch.tensor([s.box[0], s.box[2]], dtype=torch.float64)
    span = torch.tensor([s.box[1] - s.box[0], s.box[3] - s.box[2]], dtype=torch.float64)
    p = (lo + span * torch.rand(500, 2, generator=gen, dtype=torch.float64)).requires_grad_(True)
    (auto,) = torch.autograd.grad(s.f(p).sum(), p)
    torch.testing.assert_close(s.grad(p.detach()), auto, rtol=1e-12, atol=1e-9)


def _hessian(s, q):
    return torch.autograd.functional.hessian(lambda p: s.f(p), torch.tensor([q.x, q.y], dtype=torch.float64))


@pytest.mark.parametrize("key,kappa,theta", CASES)
def test_every_listed_critical_point_has_zero_gradient_and_the_stated_kind(key, kappa, theta):
    s = surfaces.get(key, kappa, theta)
    assert s.points, key
    pts = torch.tensor([[q.x, q.y] for q in s.points], dtype=torch.float64, requires_grad=True)
    (auto,) = torch.autograd.grad(s.f(pts).sum(), pts)
    scale = max(1.0, float(s.grad(pts.detach()).abs().max()))
    assert float(auto.abs().max()) < 1e-9 * scale + 1e-10
    assert float(s.grad(pts.detach()).abs().max()) < 1e-9 * scale + 1e-10
    for q in s.points:
        eig = torch.linalg.eigvalsh(_hessian(s, q))
        expected = {
            "global": eig.min() > 0,
            "local": eig.min() > 0,
            "max": eig.max() < 0,
            "saddle": (eig.min() < 0) & (eig.max() > 0),
        }[q.kind]
        assert bool(expected), (key, q, eig)
        inside = s.box[0] <= q.x <= s.box[1] and s.box[2] <= q.y <= s.box[3]
        assert inside, (key, q)


@pytest.mark.parametrize("key", [k for k in surfaces.KEYS if surfaces.get(k).fstar is not None])
def test_global_minima_are_at_f_star_and_nothing_on_the_grid_is_lower(key):
    s = surfaces.get(key)
    glob = [q for q in s.points if q.kind == "global"]
    values = s.f(torch.tensor([[q.x, q.y] for q in glob], dtype=torch.float64))
    np.testing.assert_allclose(values.numpy(), s.fstar, atol=1e-12)
    _, _, f = surfaces.grid(key, n=201)
    assert f.min() >= s.fstar - 1e-12
    local = [q for q in s.points if q.kind == "local"]
    if local:
        assert float(s.f(torch.tensor([[q.x, q.y] for q in local], dtype=torch.float64)).min()) > s.fstar + 0.5


def test_known_points_of_himmelblau_and_rastrigin():
    him = surfaces.get("himmelblau")
    assert sum(q.kind == "global" for q in him.points) == 4 and sum(q.kind == "saddle" for q in him.points) == 4
    ras = surfaces.get("rastrigin")
    assert sum(q.kind == "local" for q in ras.points) == 120 and ras.points[0] == surfaces.Point(0.0, 0.0, "global")
    near_one = min(abs(q.x - 1) for q in ras.points)
    assert 0 < near_one < 0.01  # the local minima sit slightly inside the integer points, pulled towards 0


@pytest.mark.parametrize("kappa,theta", [(1.0, 0.0), (10.0, 45.0), (1000.0, 170.0)])
def test_quadratic_has_the_requested_condition_number_and_rotation(kappa, theta):
    a = surfaces.quadratic_matrix(kappa, theta)
    w, v = np.linalg.eigh(a)
    np.testing.assert_allclose(w, [1 / kappa, 1.0], rtol=1e-12)
    if kappa > 1:  # the steep eigenvector is (−sin θ, cos θ)
        steep = v[:, 1]
        expected = np.array([-math.sin(math.radians(theta)), math.cos(math.radians(theta))])
        assert abs(abs(steep @ expected) - 1) < 1e-12


def test_saddle_has_no_minimum_and_distance_is_measured_to_the_saddle():
    s = surfaces.get("saddle")
    assert s.fstar is None and not s.minima and s.targets() == (surfaces.Point(0.0, 0.0, "saddle"),)
    assert not s.log_colors


def test_every_default_start_lies_inside_its_plot():
    for key in surfaces.KEYS:
        s = surfaces.get(key)
        assert s.box[0] < s.start[0] < s.box[1] and s.box[2] < s.start[1] < s.box[3], key
