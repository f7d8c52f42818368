"""The Activations page's training sections under Streamlit's AppTest: live training runs to the end and
states its result, the sections take URL values, conflicts are explained, sections rerun alone."""

import json

import pytest

from core import __main__ as cli
from core.activations import concept as act
from core.text import Text
from tests.conftest import ROOT, open_page
from tests.hand_widgets import check_view

SMALL = {"steps": "200", "d_steps": "100"}  # small budgets: the page's own logic, not its speed


def charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def title(chart: dict) -> str:
    return (chart.get("layout", {}).get("title") or {}).get("text", "")


def titles(at):
    return [title(c) for c in charts(at)]


def markdown(at):
    return "\n".join(m.value for m in at.markdown)


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_trainer_runs_to_the_end_and_states_its_accuracy():
    at = open_page("activations", query={**SMALL, "data": "xor", "act": "relu"})
    assert_clean(at)
    assert "step 200 of 200" in " ".join(titles(at))
    text = markdown(at)
    assert "ReLU: test accuracy" in text and "linear classifier" in text
    train = next(c for c in charts(at) if "step 200 of 200" in title(c))
    assert len(train["frames"]) >= 2 and train["layout"]["sliders"][0]["active"] == len(train["frames"]) - 1
    assert train["data"][0]["type"] == "heatmap" and train["data"][0]["z"]["dtype"] == "f4"  # float32 on the wire
    assert at.query_params == {**SMALL, "data": "xor", "act": "relu"}


def test_an_identity_network_is_called_linear_with_its_numbers_and_line():
    at = open_page("activations", query={**SMALL, "data": "circles", "act": "identity", "depth": "4"}, lang="zh")
    assert_clean(at)
    text = markdown(at)
    assert "恒等激活 = 线性模型" in text and "4 个隐藏层" in text and "tanh 或 ReLU" in text
    train = next(c for c in charts(at) if "第 200 / 200 步" in title(c))
    assert any(t.get("name") == "W_eff 的直线边界" for t in train["data"])


def test_the_layer_slider_shows_another_layer_of_the_same_run_and_a_missing_layer_is_explained():
    at = open_page("activations", query={**SMALL, "depth": "3", "width": "4", "act": "relu"})
    assert_clean(at)
    assert any("Hidden layer 1" in t for t in titles(at))
    at.slider(key="activations.layer").set_value(3).run()
    assert_clean(at)
    assert any("Hidden layer 3" in t for t in titles(at)) and at.query_params["layer"] == "3"
    at.slider(key="activations.depth").set_value(2).run()
    assert not at.exception
    assert any("no hidden layer 3" in i.value for i in at.info)
    assert at.query_params["layer"] == "2" and any("Hidden layer 2" in t for t in titles(at))


def test_a_batch_larger_than_the_data_is_explained():
    at = open_page("activations", query={**SMALL, "n": "100", "batch": "200"})
    assert not at.exception
    assert any("full batch" in i.value for i in at.info)
    assert at.query_params["batch"] == "70"


def test_dead_relu_section_says_how_many_units_died():
    at = open_page("activations", query={**SMALL, "d_cmp": "leaky_relu", "d_lr": "2"})
    assert_clean(at)
    text = markdown(at)
    assert "At η = 2, ReLU ended with" in text and "of 48 hidden units dead" in text and "Leaky ReLU at η = 2" in text
    dead = next(c for c in charts(at) if any(t.get("name", "").startswith("ReLU · η = 0.2") for t in c["data"]))
    assert dead["layout"]["yaxis"]["tickformat"] == ".0%"


def test_softmax_section_reacts_to_its_sliders_and_explains_a_missing_class():
    at = open_page("activations", query={**SMALL, "classes": "3", "target": "5"})
    assert not at.exception
    assert any("no class 5" in i.value for i in at.info) and at.query_params["target"] == "3"
    assert at.slider(key="activations.z4").disabled and not at.slider(key="activations.z3").disabled
    before = markdown(at)
    at.select_slider(key="activations.temp").set_value(0.1).run()
    assert_clean(at)
    after = markdown(at)
    assert "at T = 0.1" in after and after != before and at.query_params["temp"] == "0.1"
    assert "σ((z₁ − z₂)/T)" in after and "SigmoidSoftmax" in after


def test_an_exploding_training_is_shown_with_a_warning_not_a_crash():
    at = open_page(
        "activations", query={**SMALL, "opt": "momentum", "lr": "2", "act": "identity", "depth": "6", "width": "64"}
    )
    assert not at.exception and not at.error
    assert any("NaN at step" in w.value for w in at.warning)
    assert any("step" in t for t in titles(at))


def test_superseded_is_false_outside_a_streamlit_run():
    from core.ui.live import superseded

    assert superseded() is False  # no script run, no queued rerun: a training would go on


def test_every_knob_is_drawn_from_its_declaration():
    assert check_view(ROOT / "views/activations.py", "activations", act.CONCEPT.params.names) == []


def test_a_knob_is_greyed_out_where_its_declaration_says_it_does_not_matter():
    at = open_page("activations", query={**SMALL, "fns": "relu,silu", "classes": "5"})
    assert_clean(at)
    assert at.slider(key="activations.leak").disabled and not at.slider(key="activations.swish_beta").disabled
    assert not at.slider(key="activations.z5").disabled and at.slider(key="activations.z6").disabled
    at.multiselect(key="activations.fns").set_value(["leaky_relu"]).run()
    assert not at.slider(key="activations.leak").disabled and at.slider(key="activations.swish_beta").disabled


def test_a_link_off_the_slider_grid_runs_its_exact_values():
    query = "n=333&noise=0.123&test=0.123&lr=0.0123&steps=150&l2=0.0123&d_lr=0.123&d_steps=150&thresh=0.0123&x0=1.23"
    out = cli.run("activations", query + "&xmin=-5.3&fns=leaky_relu,silu&leak=0.123&swish_beta=1.23&temp=0.123&z1=1.23")
    assert set(out["exact"]) == {
        *("n", "noise", "test", "lr", "steps", "l2", "d_lr", "d_steps", "thresh", "x0", "xmin", "leak"),
        *("swish_beta", "temp", "z1"),
    }
    e = out["experiments"]
    assert e["train"]["steps_run"] == 150 and e["dead"]["relu"]["lr"] == 0.123
    assert e["dead"]["relu_ref"]["lr"] == pytest.approx(0.0123)
    assert max(map(int, e["dead"]["relu"]["dead_share_over_steps"])) <= 150
    leaky = e["explorer"]["functions"]["leaky_relu"]
    assert e["explorer"]["x0"] == 1.23 and e["explorer"]["thresh"] == 0.0123
    assert leaky["mean_grad_under_normal"] == pytest.approx((1 + 0.123) / 2, abs=1e-12)
    assert e["softmax"]["temp"] == 0.123


def test_the_notes_claims_are_cards_beside_the_explorer_and_the_closing_list_is_gone():
    at = open_page("activations", query=SMALL)
    assert_clean(at)
    text = markdown(at)
    assert "Checking the interview notes" not in text
    for claim in act.CLAIMS:
        assert Text("activations", "en")(f"claims.{claim.key}.claim") in text, claim.key
    assert ":red-badge[❌ false] **“ReLU" in text and ":orange-badge[◐ partly true]" in text  # verdict badges
    assert all(b.key.startswith("_claim_preset.") for b in at.button if b.key and "claim" in b.key)
