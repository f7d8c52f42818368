"""The gradient page under AppTest (beyond tests/test_pages.py): configuration widgets rewrite the URL
and the charts, training runs to the end from its button, an exploding link is explained, and the
CLI prints the numbers the issue asks for."""

import json
import subprocess
import sys

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
    assert at.query_params["steps"] == "200"
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
