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


# ---- the trained section: what its text and its presets say, over several seeds ------------------------------

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def trained():
    """{(preset, seed): (run, plain CE reliability, smoothed reliability)} for the default and both presets."""
    from core.experiment import drain
    from core.losses import concept as lc

    out = {}
    for name in ("default", "calib_overconfident", "calib_strong_smoothing"):
        for seed in SEEDS:
            v = {**lc.CA_PARAMS.defaults(), **lc.PRESETS.get(name, {}), "ca_seed": seed}
            r = drain(lc.calibration_stream(v))
            out[name, seed] = (r, *(cal.reliability(r.test_logits[i], r.test_labels) for i in range(2)))
    return out


def gap(rel: cal.Reliability) -> float:
    """Mean confidence minus accuracy: > 0 over-confident, < 0 under-confident."""
    return rel.mean_confidence - rel.acc


@pytest.mark.parametrize("seed", SEEDS)
def test_plain_cross_entropy_grows_the_logit_norm_and_label_smoothing_stops_it(trained, seed):
    r = trained["default", seed][0]
    first, last = r.logit_norm[:10].mean(0), r.logit_norm[-50:].mean(0)  # (2,): CE, smoothed
    assert r.names == ("ce", "smoothed")
    assert last[0] > 10 * first[0]  # measured ≈ 30× (seeds 0–3)
    assert last[0] > 3 * last[1]  # measured ≈ 6×: smoothing puts a floor under the wrong classes


def test_the_over_confident_preset_is_over_confident_on_every_seed(trained):
    """100 digits, ε = 0: confidence above accuracy (measured +0.105…0.109), more than at the defaults (≈ +0.05)."""
    preset = [gap(trained["calib_overconfident", s][1]) for s in SEEDS]
    default = [gap(trained["default", s][1]) for s in SEEDS]
    assert min(preset) > 0.05 and np.mean(preset) > np.mean(default) + 0.02


def test_the_strong_smoothing_preset_is_under_confident_on_every_seed(trained):
    """ε = 0.3: the smoothed model's confidence below its accuracy (measured −0.30…−0.33), further than at
    the default ε = 0.1 (≈ −0.14); the plain model stays over-confident."""
    preset = [gap(trained["calib_strong_smoothing", s][2]) for s in SEEDS]
    default = [gap(trained["default", s][2]) for s in SEEDS]
    assert max(preset) < -0.2 and np.mean(preset) < np.mean(default) - 0.1
    assert all(gap(trained["calib_strong_smoothing", s][1]) > 0 for s in SEEDS)
