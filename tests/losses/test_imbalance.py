"""Imbalance: the average precision against scikit-learn, and what class weights do (over seeds)."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve

from core.experiment import drain
from core.losses import concept as lc
from core.losses import imbalance as im


@pytest.mark.parametrize("seed", [0, 1])
def test_average_precision_and_the_curve_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.2
    score = np.round(rng.random(300) + 0.5 * y, 2)  # rounded: ties, as real probabilities have
    precision, recall, ap = im.pr_curve(score, y)
    assert ap == pytest.approx(average_precision_score(y, score), abs=1e-12)
    p_ref, r_ref, _ = precision_recall_curve(y, score)
    assert np.allclose(precision, p_ref[:-1][::-1]) and np.allclose(recall, r_ref[:-1][::-1])


def test_the_data_keeps_the_ratio_in_training_and_test():
    x, y, xt, yt, _ = im.dataset("moons", 0.2, 20.0, 0)
    assert np.bincount(y.numpy()).tolist() == [im.N_MAJOR, im.N_MAJOR // 20]
    assert np.bincount(yt.numpy()).tolist() == [im.N_MAJOR_TEST, im.N_MAJOR_TEST // 20]
    w = im.class_weights(y)
    assert float((w[y]).sum()) == pytest.approx(len(y))  # each class carries half the weight


def run(**over):
    return drain(lc.imbalance_stream({**lc.IM_PARAMS.defaults(), **over}))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_class_weights_trade_precision_for_the_rare_class_recall(seed):
    r = run(im_seed=seed)
    rec, prec = r.recall(), r.precision()
    ce, wce = r.keys.index("ce"), r.keys.index("wce")
    assert rec[wce, 1] > rec[ce, 1] + 0.1
    assert prec[wce] < prec[ce]
    assert r.accuracy()[ce] > 0.9  # accuracy looks fine all along


def test_with_balanced_classes_the_three_losses_agree():
    r = run(im_ratio=1.0)
    rec = r.recall()
    assert np.ptp(rec[:2], axis=0).max() <= 0.01  # weights are all 1: weighted CE is CE (up to rounding)
    assert np.abs(rec[2] - rec[0]).max() < 0.1


def test_the_alpha_balanced_focal_preset_recovers_the_rare_class_like_class_weights():
    """Preset imbalance_focal_alpha (α-balanced focal loss at 1 : 20): the α weights raise the focal loss's
    rare-class recall above plain focal (measured +0.22…+0.28 over seeds 0–3) and plain CE, to about weighted
    CE's; without α, focal's recall stays near CE's."""
    preset = {**lc.IM_PARAMS.defaults(), **lc.PRESETS["imbalance_focal_alpha"]}
    assert preset["im_alpha"]
    with_alpha, without = [], []
    for seed in (0, 1, 2):
        for out, alpha in ((with_alpha, True), (without, False)):
            r = drain(lc.imbalance_stream({**preset, "im_seed": seed, "im_alpha": alpha}))
            out.append(dict(zip(r.keys, r.recall()[:, 1])))  # rare-class recall per loss
    for a, b in zip(with_alpha, without):
        assert a["focal"] > b["focal"] + 0.1 and a["focal"] > a["ce"] + 0.1
        assert abs(a["focal"] - a["wce"]) < 0.15
    assert np.mean([a["focal"] - b["focal"] for a, b in zip(with_alpha, without)]) > 0.15
