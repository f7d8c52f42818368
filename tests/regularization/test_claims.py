"""The numbers behind the cards' verdicts on the interview notes support those verdicts, and fill their texts."""

import math
import string

import pytest

from core.regularization import claims
from core.regularization import concept as reg
from core.text import LANGS, Text

CARDS = {c.key: c for c in reg.CARDS}


def fields(text: str) -> set[str]:
    return {f.split(":")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def filled(numbers: dict, keys) -> None:
    """Each card's text is filled from `numbers` in both languages, and its evidence charts floats of them."""
    for lang in LANGS:
        t = Text("regularization", lang)
        for key in keys:
            why = t(f"claims.{key}.why")
            assert fields(why) <= set(numbers), (key, fields(why) - set(numbers))
            assert "{" not in t(f"claims.{key}.why", **numbers), key
    for key in keys:
        for _, number in CARDS[key].evidence:
            assert math.isfinite(float(numbers[number])), (key, number)


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
    assert c["pull_norm_small"] == pytest.approx(c["pull_norm_big"]) == pytest.approx(0.1)  # ‖θ‖₂: a fixed pull
    assert c["pull_sq_big"] == pytest.approx(10 * c["pull_sq_small"]) == pytest.approx(5.0)  # ‖θ‖₂²: ∝ θ


def test_the_notes_minus_lambda_w_squared_is_not_torchs_weight_decay():
    """The notes write weight decay as "−λw²" subtracted from the loss. torch.optim's weight_decay=λ is the
    gradient of +(λ/2)‖w‖², to rounding; the notes' sign makes a weight the data ignore grow without end."""
    assert claims.weight_decay_matches_torch() < 1e-12
    assert claims.weight_decay_matches_torch(lam=0.5, lr=0.2) < 1e-12
    plus, minus, plain = claims._descend(1.0, 0.1), claims._descend(-2.0, 0.1), claims._descend(0.0, 0.1)
    assert plus < plain < 1e3 < minus
    assert CARDS["decay_sign"].verdict == "false" and "−λw²" in Text("regularization", "en")("claims.decay_sign.claim")
    assert "torch.optim.SGD(weight_decay=λ)" in Text("regularization", "en")("claims.decay_sign.why")


def test_every_light_card_is_filled_and_its_declared_verdict_is_the_light_ones():
    light = [c.key for c in reg.CARDS if c.key not in claims.NETWORK]
    assert set(light) == set(claims.LIGHT) and reg.CONCEPT.numbers is claims.light
    filled(claims.light(), light)
    assert all(isinstance(CARDS[k].verdict, str) for k in light)


def test_dropout_changes_no_parameter_count():
    _, with_none = claims.step_time(0.0, steps=3)
    _, with_half = claims.step_time(0.5, steps=3)
    assert with_none == with_half == 64 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10


def test_transfer_rows_share_the_pretrained_hidden_layer_and_score_in_range():
    acc = claims.transfer(0, steps=50)
    assert acc.shape == (3,) and ((acc > 0.2) & (acc <= 1)).all()


def test_network_cards_compute_their_verdicts_from_the_numbers():
    net = {"acc_best": 0.90, "acc_p0": 0.895, "transfer": 0.80, "scratch": 0.82}
    assert CARDS["dropout_small"].judged(net) == "depends" and CARDS["transfer"].judged(net) == "depends"
    net = {**net, "acc_best": 0.92, "transfer": 0.9}
    assert CARDS["dropout_small"].judged(net) == "partly" and CARDS["transfer"].judged(net) == "true"
    assert {c.key for c in reg.CARDS if c.section in reg.NETWORK_SECTIONS} == set(claims.NETWORK)


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
    filled(net, claims.NETWORK)
