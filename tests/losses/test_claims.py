"""The interview notes' claims: every card's verdict is the one its experiment reaches, the numbers behind
the verdicts hold, and the cards' sentences are filled with those numbers."""

import math
import string

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


@pytest.fixture(scope="module")
def shown(numbers):
    return words.card_numbers(numbers)


def test_every_claim_gets_its_verdict_from_the_experiment(numbers):
    assert tuple(numbers) == claims.KEYS
    assert {k: v["verdict"] for k, v in numbers.items()} == EXPECTED


def test_every_card_shows_the_verdict_its_experiment_reached(numbers, shown):
    cards = {c.key: c for c in lc.CONCEPT.claims}
    assert set(cards) == set(claims.KEYS)
    for key, card in cards.items():
        assert card.judged(shown) == numbers[key]["verdict"], key
    assert callable(cards["ce_always"].verdict)  # decided by the numbers: a changed outcome changes the badge
    assert cards["ce_always"].judged({**shown, "ce_always_verdict": "true"}) == "true"


def test_the_numbers_behind_the_verdicts(numbers):
    n = numbers
    assert n["log_cancels"]["g_bce"] == pytest.approx(1 / (1 + math.exp(6)) - 1)  # σ(z) − 1 at z = −6
    assert n["log_loss"]["diff"] < 1e-12
    assert (
        n["convex"]["d2_bce"] > 0 > n["convex"]["d2_mse"] and n["convex"]["eig_bce"] >= -1e-12 > n["convex"]["eig_mse"]
    )
    assert 1.1 < n["noise"]["ratio_gauss"] < 1.4 and 0.6 < n["noise"]["ratio_laplace"] < 0.9  # √(π/2) ≈ 1.25
    assert n["kl_is_ce"]["diff_smooth"] == pytest.approx(n["kl_is_ce"]["entropy"], abs=1e-9)
    m = n["mse_generalizes"]
    assert m["err_mse"] > 2 * max(m["err_mae"], m["err_huber"])
    i = n["imbalance"]
    assert i["recall_wce"] > i["recall_ce"] + 0.1 and i["precision_wce"] < i["precision_ce"]
    assert abs(i["ap_ce"] - i["ap_wce"]) < 0.05  # "barely moves"
    c = n["no_matter"]
    assert abs(c["acc_ce_fair"] - c["acc_mse_fair"]) <= claims.TIE and c["acc_ce"] - c["acc_mse"] > claims.CLEAR


def test_hinge_loss_is_a_classification_loss_not_a_regression_one(numbers):
    """The notes list hinge loss for regression: its gradient is 0 for a prediction far off its target once
    y·ŷ ≥ 1 (MSE's is 2(ŷ − y)), and a line fitted with it to y = x + noise misses by many times MSE's error."""
    h = numbers["hinge_regression"]
    assert h["grad_hinge"] == 0.0 and h["grad_mse"] == pytest.approx(12.0)
    assert h["err_hinge"] > 3 * h["err_mse"] and h["hinge_silent"] > 0.3
    assert abs(h["slope_mse"] - 1) < 0.2 and abs(h["slope_hinge"] - 1) > 1  # the truth's slope is 1


@pytest.mark.parametrize("lang", LANGS)
def test_every_card_is_filled_with_its_own_numbers(shown, lang):
    t = Text("losses", lang)
    for card in lc.CONCEPT.claims:
        why = t(f"claims.{card.key}.why")
        fields = {f for _, f, _, _ in string.Formatter().parse(why) if f}
        assert fields and all(f.startswith(card.key + "_") and f in shown for f in fields), card.key
        text = t(f"claims.{card.key}.why", **shown)
        assert "{" not in text and all(shown[f] in text for f in fields)
        for _, number in card.evidence:
            assert isinstance(shown[number], float) and math.isfinite(shown[number]), (card.key, number)


def test_the_measured_verdict_that_cross_entropy_is_always_better():
    decide = lambda wrong, fair: claims.ce_always(wrong, fair, (0.9, 0.9))["verdict"]
    assert decide((0.95, 0.1), (0.95, 0.96)) == "partly"  # far better when sure and wrong, a tie from a fair start
    assert decide((0.95, 0.1), (0.95, 0.6)) == "true"
    assert decide((0.95, 0.94), (0.95, 0.96)) == "false"
    assert decide((0.95, 0.8), (0.95, 0.96)) == "partly"


def test_percentages_are_shown_as_percent_text_and_percent_floats(shown, numbers):
    assert shown["ce_always_acc_ce"] == f"{numbers['ce_always']['acc_ce']:.1%}"
    assert shown["raw.ce_always_acc_ce"] == pytest.approx(100 * numbers["ce_always"]["acc_ce"])
    assert shown["ce_always_verdict"] == numbers["ce_always"]["verdict"]
    assert shown["hinge_regression_grad_hinge"] == "0" and words._fmt(-0.0) == "0"  # no "-0"
