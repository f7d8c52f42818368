"""Reliability, ECE, NLL and temperature scaling against hand-made cases."""

import numpy as np
import pytest

from core.losses import calibration as cal


def test_ece_of_a_hand_made_case():
    # two predictions at confidence ~0.9 (one right), two at ~0.6 (both right)
    logits = np.log(np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]]))
    labels = np.array([0, 1, 0, 0])
    r = cal.reliability(logits, labels)
    assert r.counts[8] == 2 and r.counts[5] == 2
    assert r.accuracy[8] == 0.5 and r.confidence[8] == pytest.approx(0.9)
    assert r.ece == pytest.approx(0.5 * abs(0.5 - 0.9) + 0.5 * abs(1.0 - 0.6))
    assert r.acc == 0.75 and r.nll == pytest.approx(-np.mean(np.log([0.9, 0.1, 0.6, 0.6])))


def test_temperature_keeps_the_predictions_and_the_best_one_undoes_a_known_sharpening():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(20000, 5)) * 1.5
    p = np.exp(cal.log_softmax(true))
    labels = (p.cumsum(1) > rng.random((20000, 1))).argmax(1)  # labels drawn from the true probabilities
    sharp = true * 3.0  # an over-confident model: the right ranking, logits 3× too large
    assert cal.best_temperature(sharp, labels) == pytest.approx(3.0, rel=0.05)
    before, after = cal.reliability(sharp, labels), cal.reliability(sharp, labels, 3.0)
    assert before.acc == after.acc and after.ece < before.ece / 3
    assert before.mean_confidence > before.acc  # over-confident


def test_nll_over_temperatures_is_the_reliability_nll():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(50, 4)), rng.integers(0, 4, 50)
    temps = np.array([0.5, 1.0, 2.0])
    assert cal.nll(z, y, temps) == pytest.approx([cal.reliability(z, y, t).nll for t in temps])
