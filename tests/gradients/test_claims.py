"""The interview notes' claims about vanishing and exploding gradients, as cards beside their sections: each
verdict is what the numbers say (computed ones follow their numbers), and every card reads real numbers."""

import math

import pytest

from core.gradients import concept as gr
from core.text import LANGS, Text

CARDS = {c.key: c for c in gr.CLAIMS}


@pytest.fixture(scope="module")
def numbers():
    return gr.card_numbers()


def test_each_card_sits_beside_the_section_it_is_about(numbers):
    sections = {c.key: c.section for c in gr.CLAIMS}
    assert sections["clip"] == sections["backprop_code"] == "train"
    assert sections["lstm"] == sections["lstm_explode"] == "rnn"
    assert {k for k, s in sections.items() if s == "net"} == {
        "relu_always_one",
        "relu_explode",
        "sigmoid_explode",
        "bn_vanish",
        "bn_explode",
        "resnet",
        "batch",
    }
    for claim in gr.CLAIMS:
        assert 2 <= len(claim.evidence) <= 3 and all(math.isfinite(float(numbers[k])) for _, k in claim.evidence)


def test_the_verdicts_are_what_the_numbers_say(numbers):
    n = numbers
    verdict = {k: c.judged(n) for k, c in CARDS.items()}
    assert verdict["relu_always_one"] == "false" and n["relu_default_rel"] < 1e-6 and 0.1 < n["relu_he_rel"] < 10
    assert verdict["relu_explode"] == "false" and n["relu_normal_rel"] > 1e10
    assert verdict["sigmoid_explode"] == "partly" and n["sigmoid_factor"] < 0.5 < 1 < n["sigmoid_big_factor"]
    assert verdict["bn_vanish"] == "true" and n["sigmoid_bn_rel"] > 0.1 and n["sigmoid_rel"] < 1e-15
    assert verdict["bn_explode"] == "false" and n["relu_bn_rel"] > 10 * n["relu_he_rel"]
    assert verdict["resnet"] == "partly" and n["sigmoid_res_rel"] > 0.1 and n["relu_res_rel"] > 100
    assert verdict["batch"] == "false" and n["batch16_factor"] == pytest.approx(n["batch512_factor"], rel=0.05)
    assert verdict["clip"] == "true" and n["clip_value_cos"] < 0.99
    assert verdict["backprop_code"] == "false"
    assert verdict["lstm"] == "partly" and n["lstm1_steps"] > n["lstm0_steps"]
    assert verdict["lstm_explode"] == "true"


def test_computed_verdicts_follow_their_numbers(numbers):
    flip = {
        "relu_always_one": {"relu_default_rel": 0.5},
        "relu_explode": {"relu_normal_rel": 1.0},
        "sigmoid_explode": {"sigmoid_big_factor": 0.5},
        "bn_vanish": {"sigmoid_bn_rel": 1e-20},
        "bn_explode": {"relu_bn_rel": 1.0},
        "resnet": {"relu_res_rel": 1.0},
        "batch": {"batch16_factor": 2 * numbers["batch512_factor"]},
        "clip": {"clip_norm_cos": 0.5},
        "backprop_code": {"code_crashes": 0.0, "code_rel_err_notes": 0.0},
        "lstm": {"lstm1_steps": 0},
        "lstm_explode": {"rnn_loud_rel": 1.0},
    }
    assert set(flip) == set(CARDS)
    for key, change in flip.items():
        assert CARDS[key].judged({**numbers, **change}) != CARDS[key].judged(numbers), key


@pytest.mark.parametrize("lang", LANGS)
def test_every_card_reads_its_numbers(numbers, lang):
    t = Text("gradients", lang)
    for claim in gr.CLAIMS:
        why = t(f"claims.{claim.key}.why", **numbers)
        assert "{" not in why and "nan" not in why.lower(), (claim.key, why)


def test_no_chinese_text_says_forwards_for_backwards():
    """Issue 19: "向前" was used for "backwards" (沿时间向前爆炸 says the opposite); the fixes name the direction."""
    zh = Text("gradients", "zh")
    assert "往回" in zh("rnn.col_drop") and "反向传播" in zh("params.w_scale.help")
    assert "往回" in zh("claims.relu_explode.why") and "往回" in zh("claims.lstm.why")
