"""Forward vs reverse KL: the quadrature against closed forms, the fits against their known optima."""

import math

import numpy as np
import pytest
import torch

from core.experiment import drain
from core.losses import kl

T = lambda v: torch.tensor(v, dtype=torch.float64)


@pytest.mark.parametrize("mu,sigma", [(0.0, 0.6), (1.0, 2.0), (-2.0, 0.3)])
def test_quadrature_matches_the_gaussian_kl_in_closed_form(mu, sigma):
    """d = 0: both modes at 0, so p = N(0, S²) and KL(p‖q) = log(σ/S) + (S² + μ²)/(2σ²) − ½."""
    fwd, rev = kl.divergences(T(mu), T(sigma), 0.0, 0.5)
    s = kl.S
    assert float(fwd) == pytest.approx(math.log(sigma / s) + (s**2 + mu**2) / (2 * sigma**2) - 0.5, abs=1e-5)
    assert float(rev) == pytest.approx(math.log(s / sigma) + (sigma**2 + mu**2) / (2 * s**2) - 0.5, abs=1e-5)


def test_distances_are_bounded_and_w1_of_a_shift_is_the_shift():
    same = kl.distances(0.0, kl.S, 0.0, 0.5)
    assert all(abs(v) < 1e-6 for v in same.values())
    shifted = kl.distances(1.3, kl.S, 0.0, 0.5)
    assert shifted["w1"] == pytest.approx(1.3, abs=1e-3)
    far = kl.distances(9.0, kl.S, 0.0, 0.5)
    assert far["js"] == pytest.approx(math.log(2), abs=1e-3)  # JS saturates when the supports part


@pytest.mark.parametrize("d,w", [(2.5, 0.5), (2.0, 0.3), (1.0, 0.7)])
def test_the_forward_fit_matches_the_moments(d, w):
    r = drain(kl.stream(d, w, 0.5, 1.0, 600))
    mu, sigma = kl.moment_match(d, w)
    assert r.end[0] == pytest.approx([mu, sigma], abs=2e-3)


@pytest.mark.parametrize("mu0,expected", [(0.5, 2.5), (-0.5, -2.5), (-3.0, -2.5)])
def test_the_reverse_fit_sits_on_the_mode_it_starts_near_at_the_brute_force_optimum(mu0, expected):
    d, w = 2.5, 0.5
    r = drain(kl.stream(d, w, mu0, 1.0, 600))
    mu, sigma = r.end[1]
    assert mu == pytest.approx(expected, abs=0.05)
    grid_mu = torch.linspace(expected - 0.2, expected + 0.2, 81, dtype=torch.float64)  # steps of 0.005
    grid_s = torch.linspace(0.45, 0.8, 71, dtype=torch.float64)
    _, rev = kl.divergences(grid_mu[None, :].expand(71, -1), grid_s[:, None].expand(-1, 81), d, w)
    i, j = np.unravel_index(int(rev.argmin()), rev.shape)
    assert mu == pytest.approx(float(grid_mu[j]), abs=0.01) and sigma == pytest.approx(float(grid_s[i]), abs=0.01)
    _, at_fit = kl.divergences(T(mu), T(sigma), d, w)
    assert float(at_fit) <= float(rev.min()) + 1e-4


def test_a_symmetric_start_leaves_the_reverse_fit_on_the_saddle():
    r = drain(kl.stream(2.5, 0.5, 0.0, 3.0, 300))
    assert abs(r.end[1, 0]) < 1e-6 and r.end[1, 1] > 1.5  # centred and wide: not on either mode


@pytest.mark.parametrize("mu0", [-3.0, 0.5, 2.0])
def test_the_overlap_preset_both_ways_agree_and_the_default_separates_them(mu0):
    """Preset kl_overlap ("both ways agree"): with the modes closer than about their width, the forward and
    the reverse fit end at one Gaussian (measured Δσ ≈ 0.04) from any start; at the default separation they
    differ by a whole mode (σ 2.6 vs 0.6)."""
    from core.losses import concept as lc

    base = {**lc.KL_PARAMS.defaults(), "kl_mu0": mu0}
    fwd, rev = drain(lc.kl_stream({**base, **lc.PRESETS["kl_overlap"]})).end  # (μ, σ) each
    assert abs(fwd[0] - rev[0]) < 0.1 and abs(fwd[1] - rev[1]) < 0.1 * fwd[1]
    fwd, rev = drain(lc.kl_stream(base)).end
    assert fwd[1] - rev[1] > 1.0 and abs(abs(rev[0]) - base["kl_d"]) < 0.1
