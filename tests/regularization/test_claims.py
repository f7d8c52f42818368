"""The numbers behind the page's verdicts on the interview notes support those verdicts."""

import pytest

from core.regularization import claims
from core.regularization import concept as reg
from core.text import Text


def test_light_claims_numbers_support_the_verdicts():
    c = claims.light()
    assert c["torch_gap"] < 1e-12  # (λ/2)‖w‖² is torch.optim's weight_decay
    assert c["norm_plus"] < c["norm_plain"] and c["norm_minus"] > 100 * c["norm_plain"]  # −λw² runs away
    assert c["grad_norm"] == "(0.06, 0.08)" and c["grad_sq"] == "(0.30, 0.40)"
    assert c["factor_first"] == pytest.approx(c["factor_last"], abs=1e-7) == pytest.approx(1 - 0.1 * 0.01, abs=1e-7)
    assert c["few_train"] < 1e-9 < c["many_train"] and c["many_test"] < c["few_test"] / 2
    assert c["ridge_train_1"] > c["ridge_train_0"] and c["ridge_test_1"] < c["ridge_test_0"]
    assert c["ridge_norm_1"] < c["ridge_norm_0"]
    assert c["cv_right"] > c["split_right"] and c["cv_spread"] < c["split_spread"]
    assert c["steps_raw"] > 100 * c["steps_std"] and c["kappa_raw"] > 1000 * c["kappa_std"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_light_verdict_fills_its_sentence(lang):
    t = Text("regularization", lang)
    for key in claims.LIGHT:
        text = t(f"claims.{key}", **claims.light())
        assert "{" not in text and text != f"claims.{key}"


def test_dropout_changes_no_parameter_count():
    _, with_none = claims.step_time(0.0, steps=3)
    _, with_half = claims.step_time(0.5, steps=3)
    assert with_none == with_half == 64 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10


def test_transfer_rows_share_the_pretrained_hidden_layer_and_score_in_range():
    acc = claims.transfer(0, steps=50)
    assert acc.shape == (3,) and ((acc > 0.2) & (acc <= 1)).all()


def test_network_claims_pick_their_sentences_by_the_numbers():
    net = {"acc_best": 0.90, "acc_p0": 0.895, "transfer": 0.80, "scratch": 0.82}
    keys = claims.network_keys(net)
    assert "dropout_small_none" in keys and "transfer_not_here" in keys
    keys = claims.network_keys({**net, "acc_best": 0.92, "transfer": 0.9})
    assert "dropout_small_gain" in keys and "transfer_helps" in keys


def test_network_claims_support_their_verdicts_and_reuse_the_sections_runs():
    """~10 s of training: the page's defaults, as the page's button runs them after the L1/L2, dropout and
    memorization sections have trained (their runs are reused, not trained again)."""
    v = reg.defaults()
    runs = {e.key: e.run(v) for e in reg.CONCEPT.experiments if e.key in claims.REUSED}
    assert set(runs) == set(claims.REUSED)
    claims._NETWORK.clear()
    net = claims.network(v, runs)
    assert claims.network(v) is net  # cached for these values
    assert net["l1_zeros"] == int(runs["penalty"].zeros[2]) and net["n_weights"] == runs["penalty"].n_weights
    assert net["acc_ensemble"] == float(runs["dropout"].ensemble_acc[-1])
    assert (net["fit_true"], net["fit_random"]) == (runs["memorize"].fitted_at()[0], runs["memorize"].fitted_at()[-1])
    assert net["params_plain"] == net["params_dropout"]
    assert net["l1_zeros"] < 0.01 * net["n_weights"] < net["l1_small"] * net["n_weights"]
    assert net["acc_ensemble"] > net["acc_bag_member"]
    assert net["fit_random"] > net["fit_true"] and net["random_train"] > 0.95 and net["random_test"] < 0.2
    t = Text("regularization", "en")
    for key in claims.network_keys(net):
        assert "{" not in t(f"claims.{key}", **net)
