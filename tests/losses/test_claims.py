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
def test_every_claim_sentence_is_filled_with_its_numbers(numbers, lang):
    t = Text("losses", lang)
    for key, verdict, nums in words.claim_lines(numbers):
        sentence = t(f"claims.{key}", **nums)
        assert "{" not in sentence and t.has(f"verdict.{verdict}")
        assert all(isinstance(v, str) for v in nums.values())
