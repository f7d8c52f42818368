"""The training sections' experiments: softmax against closed forms and torch, the trainer and
dead-ReLU experiments' rules, words and CLI summaries."""

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import __main__ as cli
from core.activations import concept as act
from core.activations import dead_relu as dr
from core.activations import nonlinearity as nl
from core.activations import softmax as sm

SM = sm.SOFTMAX_PARAMS.defaults()


def soft(**over):
    values, _ = sm.SOFTMAX_PARAMS.validate({**SM, **over})
    return sm.compute(values)


# ---- softmax ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("z1,z2,temp", [(2.0, 1.0, 1.0), (-3.5, 4.2, 0.5), (9.9, -9.9, 2.0), (0.0, 0.0, 1.0)])
def test_two_class_softmax_is_the_sigmoid_of_the_difference(z1, z2, temp):
    r = soft(z1=z1, z2=z2, temp=temp)
    assert r.p2 == pytest.approx(1 / (1 + math.exp(-(z1 - z2) / temp)), rel=1e-12, abs=1e-15)
    assert abs(r.p2 - r.sig2) < 1e-14
    np.testing.assert_allclose(r.curve_softmax, r.curve_sigmoid, atol=1e-7)
    assert r.curve_softmax.dtype == np.float32


def test_low_temperature_approaches_one_hot_and_high_temperature_uniform():
    z = dict(classes=5, z1=1.0, z2=1.5, z3=-2.0, z4=0.3, z5=1.2)
    cold, mid, hot = soft(temp=0.01, **z), soft(temp=0.1, **z), soft(temp=100.0, **z)
    assert cold.probs.argmax() == 1 and cold.probs.max() > 1 - 1e-9
    assert mid.probs.max() < cold.probs.max()  # sharper as T falls
    np.testing.assert_allclose(hot.probs, 0.2, atol=0.01)
    assert hot.entropy == pytest.approx(math.log(5), abs=1e-3)
    assert list(np.argsort(cold.probs)) == list(np.argsort(hot.probs))  # T never reorders the classes


def test_probabilities_cross_entropy_and_gradient_match_torch_and_the_closed_form():
    r = soft(classes=4, temp=0.5, target=3)
    z = torch.tensor(r.logits)
    p = torch.softmax(z / 0.5, 0).numpy()
    np.testing.assert_allclose(r.probs, p, rtol=1e-12)
    assert r.ce == pytest.approx(-math.log(p[2]), rel=1e-12)
    assert r.ce == pytest.approx(F.cross_entropy((z / 0.5)[None], torch.tensor([2])).item(), rel=1e-12)
    onehot = np.eye(4)[2]
    np.testing.assert_allclose(r.grad, (p - onehot) / 0.5, rtol=1e-10, atol=1e-12)
    assert abs(r.grad.sum()) < 1e-12 and r.probs.sum() == pytest.approx(1.0, abs=1e-15)


def test_softmax_is_shift_invariant_and_the_notes_sigmoid_normalisation_is_not():
    r = soft()
    assert r.softmax_shift_gap < 1e-12
    assert r.sig_norm_shift_gap > 0.05
    big = soft(classes=3, z1=8.0, z2=4.0, z3=0.0)
    assert big.probs[0] > 0.98 and abs(big.sig_norm[0] - big.sig_norm[1]) < 0.02  # cannot tell 8 from 4


def test_a_true_class_beyond_the_shown_logits_is_moved_with_a_notice():
    values, notices = sm.SOFTMAX_PARAMS.decode({"classes": "3", "target": "6"})
    assert values["target"] == 3
    assert [(n.param, n.info["why"]) for n in notices] == [("target", "no_class")]


def test_softmax_numbers_quote_the_result():
    r = soft(temp=0.2)
    n = sm.numbers(r)
    assert n["pmax"] == pytest.approx(r.probs.max()) and n["uni"] == 0.25 and n["t"] == "0.2"
    assert n["ce"] == r.ce and n["gap"] < 1e-14


# ---- the trainer experiment --------------------------------------------------------------------------

TRAIN = nl.TRAIN_PARAMS.defaults()


def test_a_batch_larger_than_the_training_set_is_capped_with_a_notice():
    values, notices = nl.TRAIN_PARAMS.decode({"n": "100", "test": "0.5", "batch": "200"})
    assert values["batch"] == 50
    assert [(n.param, n.info["why"], n.info["used"]) for n in notices] == [("batch", "batch_full", "50")]


def test_a_layer_deeper_than_the_network_is_moved_with_a_notice():
    values, notices = act.CONCEPT.params.decode({"depth": "2", "layer": "5"})
    assert values["layer"] == 2 and [n.info["why"] for n in notices] == ["no_layer"]


def test_every_parameter_name_is_unique_on_the_page_and_not_the_language():
    names = [p.name for e in act.CONCEPT.experiments for p in e.params if e is not nl.UNITS]
    assert len(names) == len(set(names)) and "lang" not in names


def test_identity_run_is_collapsed_and_described_as_linear():
    c = nl.TRAIN.run({**TRAIN, "data": "xor", "act": "identity", "steps": 300})
    (key, nums), (hint, _) = nl.lines(c)
    assert key == "verdict_identity" and hint == "hint_linear_hard" and c.collapse_gap < 1e-9
    assert c.w_eff.shape == (2, 2) and float(nums["test"].rstrip("%")) < 70
    summary = nl.train_summary(c)
    assert summary["identity_collapse"]["max_gap"] == c.collapse_gap


def test_the_train_summary_has_what_a_shared_link_checks():
    v = {**TRAIN, "steps": 200, "data": "moons", "act": "relu"}
    s = nl.train_summary(nl.TRAIN.run(v))
    for key in ("train_acc", "test_acc", "train_loss", "test_loss", "chance", "linear_model", "dead_share_over_steps"):
        assert key in s, key
    assert s["steps_run"] == 200 and 0 in s["dead_share_over_steps"] and 200 in s["dead_share_over_steps"]
    assert s["test_acc"] > s["linear_model"]["test_acc"]
    json.dumps(cli._jsonable(s))


def test_units_summary_reads_the_chosen_layer_of_the_same_run():
    v = {**TRAIN, "steps": 200, "depth": 3, "width": 5, "act": "relu", "layer": 2}
    s = nl.UNITS.summary(nl.UNITS.run(v))
    assert s["layer"] == 2 and len(s["units"]) == 5
    c = nl.train_run(v)
    assert [u["dead"] for u in s["units"]] == c.run.dead_units[1].tolist()


def test_streamed_chunks_end_with_the_finished_classifier():
    chunks = list(nl.stream({**TRAIN, "steps": 400}))
    assert [f for f, _ in chunks] == [0.25, 0.5, 0.75, 1.0]
    assert all(c.linear is None for _, c in chunks[:-1]) and chunks[-1][1].linear is not None


# ---- dead ReLU ------------------------------------------------------------------------------------


def test_dead_relu_defaults_kill_relus_but_not_leaky_relu_or_elu():
    res = dr.DEAD.run(dr.DEAD_PARAMS.defaults())
    v = dr.verdict(res)
    assert res.keys == ("relu", "relu_ref", "leaky_relu", "elu") and v["relu_ref"]["lr"] == pytest.approx(0.1)
    assert v["relu"]["dead"] >= v["relu_ref"]["dead"] + 10  # η = 1 kills many more than η/10
    assert v["leaky_relu"]["dead"] == 0 and v["elu"]["dead"] == 0
    lines = dr.lines(res)
    assert lines[0][0] == "verdict" and lines[0][1]["dead"] == v["relu"]["dead"] and lines[0][1]["units"] == 48
    s = dr.summary(res)
    assert s["relu"]["dead_share_over_steps"][0] == pytest.approx(v["relu"]["dead_at_start"], abs=1e-6)


def test_dead_relu_runs_share_the_seed_so_they_start_from_the_same_weights():
    v = {**dr.DEAD_PARAMS.defaults(), "d_steps": 100}
    res = dr.DEAD.run(v)
    relu, ref, leaky = res.runs[:3]
    assert relu.dead[0].tolist() == ref.dead[0].tolist()  # same initial network
    assert relu.negative[0].tolist() == leaky.negative[0].tolist()


def test_a_diverging_comparison_is_reported_not_raised():
    v = {**dr.DEAD_PARAMS.defaults(), "d_lr": 5.0, "d_init": "normal", "d_steps": 200}
    res = dr.DEAD.run(v)
    keys = [k for k, _ in dr.lines(res)]
    assert "diverged" in keys
    json.dumps(cli._jsonable(dr.summary(res)))


def test_the_cli_prints_the_training_sections():
    out = cli.run("activations", "steps=200&d_steps=100&temp=0.5", experiment=None)
    exps = out["experiments"]
    assert {"explorer", "train", "units", "dead", "softmax"} == set(exps)
    assert 0 <= exps["train"]["test_acc"] <= 1 and exps["softmax"]["temp"] == 0.5
    assert "dead_share_over_steps" in exps["dead"]["relu"]


# ---- the presets do what their names say ------------------------------------------------------------


def preset(name: str) -> dict:
    values, _ = act.CONCEPT.params.validate({**act.CONCEPT.params.defaults(), **act.PRESETS[name]})
    return values


@pytest.mark.parametrize("name,solved", [("linear_xor", False), ("tanh_circles_small", True), ("spiral3", True)])
def test_the_trainer_presets_solve_or_fail_as_named(name, solved):
    s = nl.train_summary(nl.TRAIN.run({k: preset(name)[k] for k in nl.TRAIN_PARAMS.names}))
    if solved:
        assert s["test_acc"] > 0.9 and s["test_acc"] > s["linear_model"]["test_acc"] + 0.3, s
    else:
        assert s["test_acc"] < 0.65 and abs(s["test_acc"] - s["chance"]) < 0.1 and "identity_collapse" in s, s


def test_the_relu_dies_preset_kills_most_relus_and_no_leaky_relu():
    v = dr.verdict(dr.DEAD.run({k: preset("relu_dies")[k] for k in dr.DEAD_PARAMS.names}))
    assert v["relu"]["lr"] == 2.0 and v["relu"]["dead"] > 0.6 * v["relu"]["units"] > v["relu_ref"]["dead"]
    assert v["leaky_relu"]["dead"] == 0
