"""The gradient page under AppTest (beyond tests/test_pages.py): configuration widgets rewrite the URL
and the charts, training runs to the end from its button, an exploding link is explained, and the
CLI prints the numbers the issue asks for."""

import json
import subprocess
import sys

import pytest

from core import __main__ as cli
from tests.conftest import ROOT, clean, open_page

SMALL = {"depth": "6", "width": "32", "batch": "64", "steps": "100", "seq_len": "20"}


def test_changing_a_configuration_rewrites_the_url_and_only_its_sigma_is_active():
    at = open_page("gradients", query=SMALL)
    clean(at)
    assert at.select_slider(key="gradients.sigma_b").disabled
    before = at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="gradients.init_b").set_value("normal").run()
    clean(at)
    assert at.query_params["init_b"] == "normal"
    assert not at.select_slider(key="gradients.sigma_b").disabled
    assert at.get("plotly_chart")[0].proto.spec != before
    at.select_slider(key="gradients.sigma_b").set_value(5.0).run()
    clean(at)
    assert at.query_params["sigma_b"] == "5"


def test_training_runs_to_the_end_from_its_button_and_replays_without_retraining():
    at = open_page("gradients", query=SMALL)
    n = len(at.get("plotly_chart"))
    at.button(key="train_go").click().run()
    clean(at)
    assert len(at.get("plotly_chart")) == n + 4  # curves, two heatmaps, replay
    words = " ".join(m.value for m in at.markdown)
    assert "test accuracy" in words
    again = open_page("gradients", query=SMALL)  # a shared link to a finished run: replayed from the store
    assert len(again.get("plotly_chart")) == n + 4 and not again.exception


def test_an_exploding_link_is_explained_and_keeps_the_page_working():
    at = open_page(
        "gradients",
        query={**SMALL, "act_a": "relu", "init_a": "normal", "sigma_a": "10", "depth": "40", "lr": "10"},
        lang="zh",
    )
    clean(at)
    assert any("inf/NaN" in i.value for i in at.info)
    at.button(key="train_go").click().run()
    clean(at)
    assert any("inf/NaN" in m.value for m in at.markdown)


def test_too_much_training_work_is_capped_with_a_message():
    at = open_page("gradients", query={"depth": "40", "width": "256", "steps": "2000", "seq_len": "20", "batch": "16"})
    clean(at)
    assert at.query_params["steps"] == "220"
    assert any("2000" in i.value for i in at.info)


def test_cli_prints_per_layer_norms_and_training_nan():
    out = cli.run(
        "gradients", "depth=5&width=16&batch=32&steps=100&act_b=relu&init_b=normal&sigma_b=10&lr=10&seq_len=20"
    )
    net = out["experiments"]["net"]["configs"]
    for k in ("a", "b"):
        assert {"act_grad_norm", "weight_grad_norm", "act_mean", "act_std"} <= set(net[k])
        assert len(net[k]["act_grad_norm"]) == 5
    train = out["experiments"]["train"]
    assert len(train["a"]["loss_per_step"]) == 100 and train["b"]["nan"] is True and train["b"]["nan_step"] >= 1
    assert set(out["experiments"]["rnn"]) >= {"rnn", "lstm", "gru", "lstm_cell_state"}
    json.dumps(out)


def test_cli_subprocess_prints_json():
    proc = subprocess.run(
        [sys.executable, "-m", "core", "gradients", "depth=3&width=16&steps=50&seq_len=10", "--experiment", "net"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["experiments"]["net"]["depth"] == 3


def test_the_view_draws_every_declared_knob_through_view_controls():
    from core.gradients import concept as gr
    from tests.hand_widgets import check_view

    assert check_view(ROOT / "views/gradients.py", "gradients", gr.CONCEPT.params.names) == []


def test_which_knob_matters_when_is_declared_on_the_parameters():
    from core.gradients import concept as gr

    p, d = gr.CONCEPT.params, gr.CONCEPT.params.defaults()
    assert not p["sigma_a"].active(d) and p["sigma_a"].active({**d, "init_a": "normal"})
    assert not p["sigma_b"].active({**d, "init_a": "normal"})  # each configuration's σ follows its own init
    assert not p["clip_at"].active(d)
    assert p["clip_at"].active({**d, "clip": "norm"}) and p["clip_at"].active({**d, "clip": "value"})


def test_clip_threshold_is_greyed_out_until_clipping_is_chosen():
    at = open_page("gradients", query=SMALL)
    clean(at)
    assert at.select_slider(key="gradients.clip_at").disabled
    at.segmented_control(key="gradients.clip").set_value("value").run()
    clean(at)
    assert not at.select_slider(key="gradients.clip_at").disabled and at.query_params["clip"] == "value"


def test_the_sigma_sentence_computes_its_multiple_of_he_from_the_values():
    from core.gradients import inits

    s = inits.sigma_scale(1.0, 128)
    assert s["he_std"] == pytest.approx(0.125) and s["he_ratio"] == pytest.approx(8.0)  # not 11: that is LeCun's
    assert s["lecun_ratio"] == pytest.approx(128**0.5)
    assert inits.sigma_scale(0.5, 32)["he_ratio"] == pytest.approx(0.5 / (2 / 32) ** 0.5)
    for lang, eight in (("en", "σ = 1 is **8×** He's"), ("zh", "σ = 1 是 He 的 **8 倍**")):
        at = open_page("gradients", query={**SMALL, "width": "128", "init_b": "normal"}, lang=lang)
        clean(at)
        assert eight in " ".join(c.value for c in at.caption)
    at = open_page("gradients", query={**SMALL, "width": "512", "init_b": "normal", "sigma_b": "0.5"})
    assert "**8×**" in " ".join(c.value for c in at.caption)  # 0.5 / √(2/512) = 8 as well; 0.5 at width 128: 4×
    at = open_page("gradients", query={**SMALL, "width": "128", "init_b": "normal", "sigma_b": "0.5"})
    assert "**4×**" in " ".join(c.value for c in at.caption)


def test_a_training_budget_does_not_touch_the_network_experiment_from_the_cli(capsys):
    assert cli.main(["gradients", "depth=50&width=256", "--experiment", "net"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "adjusted" not in out and out["query"] == {"depth": "50", "width": "256"}
    assert (out["experiments"]["net"]["depth"], out["experiments"]["net"]["width"]) == (50, 256)
    whole = cli.run("gradients", "depth=50&width=256&seq_len=20")  # the training runs too: its budget applies
    assert whole["query"]["steps"] == "170" and len(whole["adjusted"]) == 1
    assert whole["experiments"]["net"]["configs"] == out["experiments"]["net"]["configs"]


def test_the_cli_prints_the_numbers_the_page_shows_for_a_capped_link():
    from core.gradients.net import factor

    out = cli.run("gradients", "depth=50&width=256", "net")
    at = open_page("gradients", query={"depth": "50", "width": "256", "seq_len": "20"})
    clean(at)
    assert at.query_params["steps"] == "170"  # the page caps the training, and says so
    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    configs = out["experiments"]["net"]["configs"]
    assert f"| {factor(configs['b']['act_grad_norm']):.3f} |" in table  # (A's gradient underflows: no factor)
    for k in "ab":
        assert f"| {configs[k]['loss']:.4g} |" in table


def test_exact_link_values_off_the_slider_grids_are_used_as_given():
    query = "depth=3&width=100&batch=100&steps=123&lr=0.0123&clip=norm&clip_at=0.37&seq_len=55&hidden=50&fbias=0.3"
    out = cli.run("gradients", query + "&w_scale=1.1")
    assert set(out["exact"]) == {"width", "batch", "steps", "lr", "clip_at", "seq_len", "hidden", "fbias", "w_scale"}
    net, train, rnn = (out["experiments"][k] for k in ("net", "train", "rnn"))
    assert net["width"] == 100 and len(net["configs"]["a"]["act_grad_norm"]) == 3
    assert (train["steps"], train["lr"], train["clip_at"]) == (123, 0.0123, 0.37)
    assert len(train["a"]["loss_per_step"]) == 123
    assert len(rnn["rnn"]["grad_norm_by_step"]) == 55
