"""Rejection by D (core.gan.rejection, DRS): with γ = 0 it is exact rejection sampling — samples of one Gaussian,
kept with the true density ratio, have the other Gaussian's mean and spread; a percentile γ keeps more; the
least-squares D is read back as the ratio; in the lab it changes the samples measured, never the training."""

import json
import math
import urllib.parse

import numpy as np
import pytest
import torch

from core.experiment import drain
from core.gan import concept as gan
from core.gan import lab, rejection

DATA, GEN = torch.distributions.Normal(0.5, 0.5), torch.distributions.Normal(0.0, 1.0)


def pool(n=200_000, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g)  # from GEN = N(0, 1)
    return x, DATA.log_prob(x) - GEN.log_prob(x), torch.rand(n, generator=g)


def test_gamma_zero_is_exact_rejection_sampling():
    x, log_r, u = pool()
    kept = x[rejection.keep(log_r, u, quantile=None)]
    assert abs(kept.mean().item() - 0.5) < 0.01 and abs(kept.std().item() - 0.5) < 0.01
    # the share kept is 1 / M, M = the pool's largest ratio (closed form: max of N(.5,.5²)/N(0,1) = 2e^{1/6})
    assert len(kept) / len(x) == pytest.approx(1 / log_r.max().exp().item(), rel=0.02)
    assert log_r.max().exp().item() == pytest.approx(2 * math.exp(1 / 6), rel=1e-3)


@pytest.mark.parametrize("q", [0.5, 0.8, 0.95])
def test_a_percentile_gamma_keeps_at_least_half_the_samples_above_it(q):
    x, log_r, u = pool(50_000)
    p = rejection.accept_probability(log_r, q)
    f_above = (p >= 0.5).float().mean().item()  # F ≥ γ  ⟺  σ(F − γ) ≥ ½
    assert f_above == pytest.approx(1 - q, abs=0.01)
    assert len(rejection.keep(log_r, u, q)) >= 0.5 * (1 - q) * len(x)


def test_least_squares_output_is_read_as_the_ratio():
    r = torch.tensor([0.25, 1.0, 4.0])
    assert torch.allclose(rejection.log_ratio("lsgan", r / (1 + r)), r.log(), atol=1e-6)
    assert torch.equal(rejection.log_ratio("nonsat", r), r)


def test_in_the_lab_rejection_changes_the_measured_samples_not_the_training():
    small = dict(target="grid_pacgan", norm=True, steps=200, batch=64, snapshots=3)
    plain = drain(lab.train(gan.lab_config(**small)))
    drs = drain(lab.train(gan.lab_config(**small, drs=True)))
    np.testing.assert_array_equal(plain.d_loss, drs.d_loss)
    np.testing.assert_array_equal(plain.heat, drs.heat)
    assert np.isnan(plain.kept).all() and ((drs.kept > 0.1) & (drs.kept < 1)).all()
    assert not np.array_equal(plain.fake, drs.fake)


@pytest.mark.parametrize("change", [{"pack": 2}, {"loss": "wgan_gp"}, {"loss": "hinge"}])
def test_rejection_needs_single_samples_and_a_ratio_estimating_loss(change):
    assert gan.lab_config(drs=True).rejects and not gan.lab_config(drs=True, **change).rejects
    values, _ = gan.LAB_PARAMS.validate({**gan.LAB_PARAMS.defaults(), "drs": True, **change})
    assert not gan.LAB_PARAMS.active(values)["drs"]  # the page greys the switch out


def test_the_cli_and_the_verdict_say_what_rejection_kept(capsys):
    from core.__main__ import main as cli

    query = "target=grid_pacgan&norm=1&drs=1&steps=100&batch=32&g_width=16&d_width=16"
    assert cli(["gan", query, "--experiment", "lab"]) == 0
    out = json.loads(capsys.readouterr().out)["experiments"]["lab"]
    assert 0 < out["rejection_kept"] < 1 and out["eval_samples"] == 2500
    r = gan.LAB.run(gan.LAB_PARAMS.validate(dict(urllib.parse.parse_qsl(query)))[0])
    said = dict(gan.lab_verdict(r))["verdict.rejection"]
    assert said["kept"] == f"{out['rejection_kept']:.0%}" and said["pool"] == "20,000"
