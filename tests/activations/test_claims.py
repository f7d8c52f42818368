"""The interview notes' claims about activations, as cards beside the explorer: each verdict is what the numbers
say (a computed one follows its numbers both ways; a constant one agrees with the numbers that decide it), and the
cards' texts are filled from real numbers in both languages."""

import math

import pytest

from core.activations import concept as act
from core.text import LANGS, Text

CARDS = {c.key: c for c in act.CLAIMS}


@pytest.fixture(scope="module")
def numbers():
    return act.claims()


def test_every_card_sits_beside_its_section_and_its_evidence_is_a_float(numbers):
    assert {c.key for c in act.CLAIMS if c.section != "explorer"} == {"dead_relu"}
    for claim in (c for c in act.CLAIMS if c.section == "explorer"):
        assert all(isinstance(numbers[key], float) and math.isfinite(numbers[key]) for _, key in claim.evidence)
        assert 2 <= len(claim.evidence) <= 3, claim.key


def test_the_verdicts_are_what_the_numbers_say(numbers):
    n = numbers
    verdict = {k: c.judged(n) for k, c in CARDS.items() if c.section == "explorer"}
    assert verdict["tanh"] == "true" and n["tanh_vs_2sigmoid_max_err"] < 1e-12
    assert n["tanh_at_1"] == pytest.approx(n["two_sigmoid_at_1"], abs=1e-12)
    assert verdict["sigmoid_vanish"] == "true" and n["sigmoid_10_layers_bound"] < 1e-5
    assert verdict["sigmoid_explode"] == "false" and n["sigmoid_max_grad"] < 1  # σ′ alone never amplifies
    assert verdict["sigmoid_band"] == "true" and n["sigmoid_grad_at_4_rel"] < 0.1 < n["sigmoid_grad_at_2"] / 0.25
    # larger slopes than sigmoid, but tanh saturates too: "partly"
    assert verdict["tanh_stable"] == "partly" and n["tanh_mean_grad_normal"] > 2 * n["sigmoid_mean_grad_normal"]
    assert verdict["relu_always_one"] == "false" and n["relu_zero_grad_share_normal"] == pytest.approx(0.5)
    assert verdict["sigmoid_mean"] == "true" and n["sigmoid_mean_normal"] == pytest.approx(0.5)
    assert n["tanh_mean_normal"] == 0.0  # rounding noise (~1e-17) is cleaned to an exact zero


def test_computed_verdicts_follow_their_numbers(numbers):
    assert CARDS["sigmoid_explode"].judged({**numbers, "sigmoid_max_grad": 1.5}) == "partly"
    assert CARDS["relu_always_one"].judged({**numbers, "relu_zero_grad_share_normal": 0.0}) == "true"
    assert CARDS["sigmoid_mean"].judged({**numbers, "sigmoid_mean_normal": 0.0}) == "false"
    assert CARDS["tanh"].judged({**numbers, "tanh_vs_2sigmoid_max_err": 0.1}) == "false"


@pytest.mark.parametrize("lang", LANGS)
def test_every_card_reads_its_numbers(numbers, lang):
    t = Text("activations", lang)
    for claim in (c for c in act.CLAIMS if c.section == "explorer"):
        why = t(f"claims.{claim.key}.why", **numbers)
        assert "{" not in why and "nan" not in why.lower(), (claim.key, why)


def test_tiny_numbers_print_as_about_zero_and_others_with_three_figures():
    assert act.shown(9e-18) == "≈ 0" and act.shown(-3e-12) == "≈ 0" and act.shown(0.0) == "0"
    assert act.shown(0.20662096) == "0.207" and act.shown(0.5) == "0.5" and act.shown(2.0) == "2"
    tanh = act.explore({**act.EXPLORER_PARAMS.defaults(), "fns": ("tanh",)})
    assert act.shown(tanh.stats["mean"][0]) in ("≈ 0", "0")  # the page printed 0.000000000000000009


def test_the_dead_relu_card_reads_its_own_trainings_and_its_verdict_follows_them():
    from core.activations import dead_relu as dr

    card = next(c for c in act.CLAIMS if c.key == "dead_relu")
    assert card.section == "dead" and card.preset == "relu_xavier"
    n = dr.card_numbers()
    assert set(n) == {"dead_xavier_1", "dead_he_1", "dead_xavier_2"} and all(0 <= x <= 1 for x in n.values())
    assert card.judged(n) == dr.card_verdict(n)
    # the rule itself, on numbers shaped both ways (one seeded training's exact outcome is not asserted)
    assert dr.card_verdict({"dead_xavier_1": 0.05, "dead_he_1": 0.6, "dead_xavier_2": 0.6}) == "partly"
    assert dr.card_verdict({"dead_xavier_1": 0.05, "dead_he_1": 0.6, "dead_xavier_2": 0.1}) == "true"
    assert dr.card_verdict({"dead_xavier_1": 0.6, "dead_he_1": 0.5, "dead_xavier_2": 0.7}) == "false"
    for lang in LANGS:
        assert "{" not in Text("activations", lang)("claims.dead_relu.why", **n)
