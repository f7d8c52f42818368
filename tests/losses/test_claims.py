"""The seed notes' claims: every verdict follows from its measured numbers, and the numbers fill the text."""

import math

import pytest

from core.losses import claims, words
from core.losses import concept as lc
from core.text import LANGS, Text

EXPECTED = {
    "hinge_regression": "false",
    "log_loss": "false",
    "log_cancels": "true",
    "convex": "true",
    "ce_bumpier": "partly",
    "no_matter": "depends",
    "ce_always": "partly",
    "noise": "depends",
    "kl_is_ce": "true",
    "mse_generalizes": "false",
    "imbalance": "partly",
}


@pytest.fixture(scope="module")
def numbers():
    return lc.claim_numbers()


def test_every_claim_gets_its_verdict_from_the_experiment(numbers):
    assert tuple(numbers) == claims.KEYS
    assert {k: v["verdict"] for k, v in numbers.items()} == EXPECTED


def test_the_numbers_behind_the_verdicts(numbers):
    n = numbers
    assert n["log_cancels"]["g_bce"] == pytest.approx(1 / (1 + math.exp(6)) - 1)  # σ(z) − 1 at z = −6
    assert n["log_loss"]["diff"] < 1e-12
    assert n["convex"]["d2_bce"] > 0 > n["convex"]["d2_mse"]
    assert 1.1 < n["noise"]["ratio_gauss"] < 1.4 and 0.6 < n["noise"]["ratio_laplace"] < 0.9  # √(π/2) ≈ 1.25
    assert n["kl_is_ce"]["diff_smooth"] == pytest.approx(n["kl_is_ce"]["entropy"], abs=1e-9)
    assert n["hinge_regression"]["err_hinge"] > 3 * n["hinge_regression"]["err_mse"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_claim_sentence_is_filled_with_its_numbers_for_its_verdict_and_for_inconclusive(numbers, lang):
    t = Text("losses", lang)
    for key, verdict, nums in words.claim_lines(numbers):
        assert all(isinstance(v, str) for v in nums.values()) and t.has(f"verdict.{verdict}")
        for v in {verdict, "inconclusive"} | ({"true", "false"} if key == "ce_always" else set()):
            sentence = words.claim_sentence(t, key, v, nums)
            assert "{" not in sentence and all(nums[k] in sentence for k in nums), (key, v)


def test_the_sentence_follows_the_verdict_not_the_expectation(numbers):
    """An inconclusive run never gets the wording of the expected verdict ("close", "barely moves")."""
    t = Text("losses", "en")
    shown = {k: (v, nums) for k, v, nums in words.claim_lines(numbers)}
    assert "— close" in words.claim_sentence(t, "no_matter", "depends", shown["no_matter"][1])
    assert "close" not in words.claim_sentence(t, "no_matter", "inconclusive", shown["no_matter"][1])
    assert "barely moves" in words.claim_sentence(t, "imbalance", "partly", shown["imbalance"][1])
    assert "barely" not in words.claim_sentence(t, "imbalance", "inconclusive", shown["imbalance"][1])
    page = words.claims_text(t, {**numbers, "imbalance": {**numbers["imbalance"], "verdict": "inconclusive"}})
    assert "barely moves" not in page and "Not reproduced here" in page


def test_the_claim_that_cross_entropy_is_always_better_is_decided_by_the_numbers(numbers):
    n = numbers["ce_always"]
    assert n["acc_ce"] - n["acc_mse"] > claims.CLEAR and abs(n["acc_ce_fair"] - n["acc_mse_fair"]) <= claims.TIE
    decide = lambda wrong, fair: claims.ce_always(wrong, fair, (0.9, 0.9))["verdict"]
    assert decide((0.95, 0.1), (0.95, 0.96)) == "partly"  # far better when sure and wrong, a tie from a fair start
    assert decide((0.95, 0.1), (0.95, 0.6)) == "true"
    assert decide((0.95, 0.94), (0.95, 0.96)) == "false"
    assert decide((0.95, 0.8), (0.95, 0.96)) == "inconclusive"


def test_the_claims_name_the_preset_they_mean_not_an_ambiguous_number(numbers):
    """Two presets are labelled ③: the sentences quote the preset's whole label."""
    for lang in LANGS:
        t = Text("losses", lang)
        text = words.claims_text(t, numbers)
        assert t("presets.cemse_adam") in text and t("presets.cemse_fair") in text
        assert "③)" not in text and "预设 ③" not in text
