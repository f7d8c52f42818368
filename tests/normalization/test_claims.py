"""The notes' claims as cards: every computed verdict is what its numbers say (and changes when they change), every
declared verdict agrees with the numbers that decide it, the regularization verdict weighs the gap against the
spread over seeds, every card's text fills in both languages with no typed-in verdict, and the claims stream
chains the default trainings."""

import numpy as np
import pytest

from core.experiment import VERDICTS
from core.normalization import claims, depth, nets
from core.normalization import concept as nc
from core.text import LANGS, Text


@pytest.fixture(scope="module")
def result():
    return claims.run({})  # the cached default runs of the sweep and the depth sections, and the extra seeds


@pytest.fixture(scope="module")
def trained(result):
    return claims.trained(result)


def test_the_quick_numbers_support_their_verdicts():
    q = claims.quick()
    assert q["err_train"] < 1e-12 and q["err_eval"] < 1e-12  # by hand = nn.BatchNorm1d
    assert q["var_std"] == pytest.approx(1 / q["x_std"]) and abs(q["var_std"] - 1) > 0.3  # ÷ variance: not 1
    assert q["seeds_ratio"] == pytest.approx(np.sqrt(q["n"] / (q["n"] - 1))) and q["seeds_gap"] > 0.01
    assert q["skew_out"] == pytest.approx(q["skew_in"]) and q["skew_in"] > 0.5  # shape kept, not made normal
    assert q["out_std"] == pytest.approx(1, abs=1e-4)
    assert q["bn_params"] == 2 * q["channels"] and q["bn_buffers"] == 2 * q["channels"] + 1
    assert q["bias_gap"] < 1e-10
    assert q["g_plain_bn"] > 1000 * q["g_res_bn"] and q["g_plain_bn"] > 100 * q["g_plain_bn10"]  # BN: explodes
    assert q["g_plain"] < 1 and q["g_res"] > 1e6  # no norm: vanishing (plain) and exploding (residual)
    assert 0.2 < q["g_res_bn"] < 10
    spec = nets.Spec(("bn", "bn"), (False, True), claims.DEEP, depth.WIDTH)
    assert q["params_plain"] == q["params_res"] == spec.n_params(0) == spec.n_params(1)  # torch = the page's formula
    assert q["block_plain"] == q["block_res"] and q["proj_extra"] == 64 * 128 + 2 * 128 > 0  # 1×1 conv + its BN
    assert q["notes_std"] == pytest.approx(np.sqrt((q["n"] - 1) / q["n"]))
    assert claims.quick_verdicts(q) == {
        "std_not_var": "false",  # ÷ std matches torch, ÷ variance leaves a spread ≠ 1 (above)
        "notes_code": "partly",  # off by exactly √(n/(n−1)), a visible difference
        "gaussian": "partly",  # std 1, skewness unchanged
        "fewer_params": "false",  # BN adds γ, β and buffers
        "vanishing": "depends",  # computed: BN alone explodes at 60 layers, BN + residual is of order 1
        "res_vanishing": "partly",  # computed: of order 1 with BN, not without
        "res_params": "false",  # equal counts
    }


def test_the_cards_are_the_pages_claims_with_their_sections():
    assert nc.CONCEPT.claims == claims.CARDS and nc.CONCEPT.numbers is claims.card_numbers
    sections = {c.key: c.section for c in claims.CARDS}
    assert {sections[k] for k in ("std_not_var", "notes_code", "gaussian")} == {"steps"}
    assert sections["fewer_params"] == "count" and sections["res_params"] == "depth"
    assert {sections[k] for k in claims.TRAINED_KEYS} == {"claims"}  # the last section: they need its trainings
    q = claims.card_numbers()
    for card in claims.CARDS:
        assert 2 <= len(card.evidence) <= 3, card.key
        if card.key in claims.QUICK_KEYS:  # the trained ones' numbers come from their run (below)
            assert all(isinstance(q[k], int | float) for _, k in card.evidence), card.key


@pytest.mark.parametrize(
    "change,verdict",
    [
        ({}, "depends"),
        ({"g_plain_bn": 1.0}, "true"),  # BN alone keeps the deep plain net's gradient of order 1
        ({"g_res_bn": 1e4}, "false"),  # not even with residual connections
    ],
)
def test_the_vanishing_verdict_follows_the_gradients(change, verdict):
    assert claims.vanishing_verdict({**claims.quick(), **change}) == verdict


@pytest.mark.parametrize(
    "change,verdict",
    [({}, "partly"), ({"g_res": 1.0}, "true"), ({"g_res_bn": 1e-3}, "false")],
)
def test_the_resnet_gradient_verdict_follows_the_gradients(change, verdict):
    assert claims.res_vanishing_verdict({**claims.quick(), **change}) == verdict


def test_the_trained_verdicts_at_the_defaults(result, trained):
    n = trained
    verdicts = claims.trained_verdicts(n)
    assert verdicts["faster"] == "partly" and verdicts["res_depth"] == "partly"
    assert n["acc_low_bn"] < n["acc_low_plain"] and n["lr_top_bn"] > n["lr_top_plain"] and n["best_bn"] > 0.9
    assert n["loss60_plain"] > n["loss10_plain"] + 1.0  # degradation
    # regularization: five seeds, really trained (they differ), and BN never widens the gap beyond their spread
    # (a net at its best η, the edge of stability, may diverge in a seed and be left out: 2 of 5 under avx2)
    assert result.gaps.shape == (1 + len(claims.SEEDS), 2) and n["gap_seeds"] >= 3
    assert n["gap_se"] > 0 and len(set(result.gaps[:, 0].round(4))) > 1
    assert verdicts["regularize"] in ("partly", "depends")  # "partly" under avx2, "depends" under default
    assert n["gap_margin"] == pytest.approx(2 * n["gap_se"])


@pytest.mark.parametrize(
    "diffs,verdict",
    [
        ([0.02, 0.021, 0.019, 0.02, 0.02], "partly"),  # BN narrows the gap by far more than the seeds' spread
        ([-0.02, -0.021, -0.019, -0.02, -0.02], "false"),  # BN widens it
        ([0.02, 0.0, -0.005, 0.015, -0.01], "depends"),  # within the spread: one seed's 2 points decide nothing
        ([0.03], "depends"),  # one seed: no spread to weigh it against
    ],
)
def test_the_regularization_verdict_weighs_the_gap_against_the_seed_spread(diffs, verdict):
    plain = np.full(len(diffs), 0.05, np.float32)
    gaps = np.stack([plain, plain - np.array(diffs, np.float32)], 1)  # (S, 2)
    n = claims.gap_spread(gaps)
    assert n["gap_diff"] == pytest.approx(np.mean(diffs), abs=1e-6)
    assert claims.regularize_verdict(n) == verdict


def test_a_diverged_seed_is_left_out_of_the_spread():
    gaps = np.array([[0.05, 0.03], [np.nan, 0.03], [0.05, 0.031], [0.049, 0.03]], np.float32)
    n = claims.gap_spread(gaps)
    assert n["gap_seeds"] == 3 and np.isfinite(n["gap_se"]) and n["gap_plain"] == pytest.approx(0.04967, abs=1e-4)


@pytest.mark.parametrize(
    "change,verdict",
    [
        ({"acc_low_bn": 0.5, "acc_low_plain": 0.9, "lr_top_bn": 2.0, "lr_top_plain": 0.5}, "partly"),
        ({"acc_low_bn": 0.9, "acc_low_plain": 0.9, "lr_top_bn": 2.0, "lr_top_plain": 0.5}, "true"),
        ({"acc_low_bn": 0.5, "acc_low_plain": 0.9, "lr_top_bn": 0.5, "lr_top_plain": 0.5}, "false"),
    ],
)
def test_the_convergence_verdict_follows_the_sweep(trained, change, verdict):
    assert claims.faster_verdict({**trained, **change}) == verdict


@pytest.mark.parametrize(
    "change,verdict",
    [
        ({"loss10_res": 0.1, "loss60_res": 0.1, "test10_res": 0.95, "test60_res": 0.95}, "partly"),
        ({"loss10_res": 0.1, "loss60_res": 0.1, "test10_res": 0.85, "test60_res": 0.95}, "true"),
        ({"loss10_res": 0.1, "loss60_res": 1.5, "test10_res": 0.95, "test60_res": 0.6}, "false"),
    ],
)
def test_the_depth_verdict_follows_the_residual_run(trained, change, verdict):
    assert claims.res_depth_verdict({**trained, **change}) == verdict


@pytest.mark.parametrize("lang", LANGS)
def test_every_card_fills_in_without_a_typed_verdict(trained, lang):
    t = Text("normalization", lang)
    for card in claims.CARDS:
        numbers = claims.quick() if card.key in claims.QUICK_KEYS else trained
        assert card.judged(numbers) in VERDICTS
        for part in ("claim", "why"):
            text = t(f"claims.{card.key}.{part}", **numbers)
            assert "{" not in text and text != f"claims.{card.key}.{part}", (card.key, part)
            assert "**" not in text, card.key  # the verdict is the measured badge, never typed into the sentence
        assert all(np.isfinite(float(numbers[k])) for _, k in card.evidence), card.key


def test_the_stream_chains_the_trainings_and_ends_with_their_results(monkeypatch):
    def fake(tag, n):
        return lambda v: iter([((i + 1) / n, (tag, i)) for i in range(n)])

    monkeypatch.setattr(claims.sweep, "stream", fake("sweep", 2))
    monkeypatch.setattr(claims.depth, "stream", fake("depth", 3))
    monkeypatch.setattr(claims, "_gap_stream", lambda s: iter([(0.5, ("gaps", s, 0)), (1.0, ("gaps", s, 1))]))
    chunks = list(claims.stream({}))
    fractions = [f for f, _ in chunks]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0) and len(chunks) == 7
    assert all(r is None for _, r in chunks[:4])
    assert chunks[-1][1] == claims.ClaimsResult(("sweep", 1), ("depth", 2), ("gaps", ("sweep", 1), 1))
