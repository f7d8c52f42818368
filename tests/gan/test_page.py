"""The GAN page under AppTest: a short live run ends with its verdict and a replayable chart, the digits
GAN trains on demand and then interpolates, uploads are validated and land in the link, bad points in a
link fall back with a notice; knobs are greyed out exactly when their declared condition fails, and the view
draws no declared knob by hand."""

import ast
from pathlib import Path

import numpy as np
import pytest

from core.gan import concept as gan
from core.gan import targets as gt
from core.text import Text
from core.ui.widgets import wkey
from tests.conftest import open_page
from tests.test_pages import widget

VIEW = Path(__file__).resolve().parents[2] / "views" / "gan.py"
VALUE_WIDGETS = {  # Streamlit calls that make a value a declared knob would hold
    "slider",
    "select_slider",
    "selectbox",
    "radio",
    "number_input",
    "text_input",
    "text_area",
    "multiselect",
    "checkbox",
    "toggle",
    "segmented_control",
    "pills",
}

SHORT = {"steps": "100", "batch": "32", "g_width": "16", "d_width": "16"}


def text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def charts(at):
    return [c for c in at.get("plotly_chart")]


def test_a_short_run_ends_with_its_verdict_and_a_replay_slider():
    at = open_page("gan", query=SHORT)
    assert not at.exception and not at.error and not at.warning
    assert "iterations in" in text(at)  # the speed sentence of the verdict
    specs = [c.proto.spec for c in charts(at)]
    assert any('"frames"' in s and '"sliders"' in s for s in specs)  # the finished run replays client-side
    assert at.query_params == SHORT


def test_the_digits_gan_trains_on_demand_then_interpolates():
    at = open_page("gan", query={**SHORT, "dg_steps": "100", "dg_batch": "16"})
    assert [i.value for i in at.info] == [Text("gan", "en")("digits.press")]  # nothing trained yet
    assert at.slider(key="gan.dg_a").disabled
    at.button(key="_gan.digits_train").click().run()
    assert not at.exception and not at.error
    assert "independent 10-class MLP" in text(at)  # the digits verdict
    assert not at.slider(key="gan.dg_a").disabled
    n = len(charts(at))
    at.slider(key="gan.dg_a").set_value(7).run()  # replays the finished run, redraws the path
    assert not at.exception and len(charts(at)) == n and at.query_params["dg_a"] == "7"
    assert not at.get("button") or all(b.key != "_gan.digits_train" for b in at.button)  # no retraining


def test_an_upload_becomes_points_in_the_link_and_a_bad_one_explains_itself():
    at = open_page("gan", query=SHORT)
    ring = np.stack([np.cos(np.linspace(0, 6, 80)), np.sin(np.linspace(0, 6, 80))], 1) * 7 + 3
    csv = "x,y\n" + "\n".join(f"{x:.4f},{y:.4f}" for x, y in ring)
    at.file_uploader(key="_gan.upload").set_value(("ring.csv", csv.encode(), "text/csv")).run()
    assert not at.exception
    assert any("80" in s.value for s in at.success)
    assert at.query_params["target"] == "points"
    kept = np.asarray(gan.LAB_PARAMS["pts"].parse(at.query_params["pts"])).reshape(-1, 2)
    assert len(kept) == gt.MAX_POINTS and np.abs(kept).max() <= gt.RADIUS + 1e-9
    at.file_uploader(key="_gan.upload").set_value(("bad.csv", b"x,y\n1,2\n3,oops\n", "text/csv")).run()
    assert not at.exception
    assert any("oops" in e.value for e in at.error)
    assert at.query_params["pts"] == gan.LAB_PARAMS["pts"].encode(tuple(kept.ravel()))  # unchanged


def test_bad_points_in_a_link_fall_back_with_a_notice():
    at = open_page("gan", query={**SHORT, "target": "points", "pts": "1,2,3"})
    assert not at.exception
    assert any("pts" in w.value for w in at.warning)
    assert "pts" not in at.query_params


def test_the_view_draws_no_declared_knob_by_hand():
    """Every value widget of the page comes from view.controls (so from the declaration): the view calls none."""
    calls = [
        node
        for node in ast.walk(ast.parse(VIEW.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert {c.func.attr for c in calls} & VALUE_WIDGETS == set()
    controls = [c for c in calls if c.func.attr == "controls"]
    assert controls
    # "which knob matters when" is declared on the knobs; `active` only for what the page alone knows: the
    # interpolation seeds need a finished digits run
    page_only = [ast.unparse(c.args[0]) for c in controls if any(k.arg == "active" for k in c.keywords)]
    assert page_only == ["gan.INTERP"]


CASES = [  # (link, knobs that must be greyed out, knobs that must be live)
    ({}, {"gp", "clip", "k", "pts"}, {"beta1", "beta2", "width", "loss"}),
    ({"loss": "wgan_gp", "phase": "d"}, {"clip", "pts"}, {"gp", "k"}),
    ({"loss": "wgan", "target": "points"}, {"gp", "k"}, {"clip", "pts"}),
    ({"g_opt": "sgd", "d_opt": "rmsprop"}, {"beta1", "beta2"}, {"g_lr", "d_lr"}),
    ({"g_opt": "sgd"}, set(), {"beta1", "beta2"}),  # D still uses Adam
]


@pytest.mark.parametrize("link,off,on", CASES, ids=[str(c[0]) for c in CASES])
def test_a_knob_is_greyed_out_exactly_when_its_declared_condition_fails(link, off, on):
    at = open_page("gan", query={**SHORT, **link})
    assert not at.exception
    for name in off | on:
        assert widget(at, wkey("gan", name)).disabled == (name in off), name
        values = {**gan.LAB_PARAMS.defaults(), **{k: gan.LAB_PARAMS[k].parse(v) for k, v in link.items()}}
        assert gan.LAB_PARAMS[name].active(values) == (name in on), name  # the CLI's `--list` reads the same


def test_values_off_the_slider_grid_run_exactly_as_the_link_says(capsys):
    from core.__main__ import main as cli

    link = "width=0.0125&batch=100&steps=123&g_width=12&d_width=12&z_dim=3&phase=d&k=15&beta1=0.33&g_lr=0.00123"
    assert cli(["gan", link, "--experiment", "lab"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    lab = out["experiments"]["lab"]
    assert lab["mode_std"] == 0.025  # σ = 0.0125 · radius 2, not the slider's 0.01
    assert lab["phases"] == [["both", 1, 123], ["d", 124, 138]] and lab["steps_run"] == 138
    assert out["exact"]["width"] == {"value": 0.0125, "slider": 0.01} and out["exact"]["batch"]["value"] == 100
    at = open_page("gan", query={"width": "0.0125", **SHORT})
    assert not at.exception and at.query_params["width"] == "0.0125"
    assert "0.0125" in widget(at, wkey("gan", "width")).label


@pytest.mark.parametrize("csv", [b"1e308,1e308\n1.7e308,1.7e308\n", b"1e-320,1e-320\n2e-320,-1e-320\n3e-320,0\n"])
def test_points_no_float_can_scale_are_refused_and_the_message_survives_a_rerun(csv):
    """Huge values overflow when centred, subnormal ones when scaled: the page refuses them (it used to say
    '✓ Read 2 points' and silently keep the defaults), and the message stays through the section's reruns."""
    at = open_page("gan", query=SHORT)
    at.file_uploader(key="_gan.upload").set_value(("big.csv", csv, "text/csv")).run()
    assert not at.exception and not at.success
    assert at.query_params.get("target", "ring") != "points"
    message = Text("gan", "en")("upload.magnitude", line=1, lo="1e-12", hi="1e+12")
    assert [e.value for e in at.error] == [message]
    at.run()
    assert [e.value for e in at.error] == [message]


def test_the_claims_are_cards_beside_their_sections_with_a_preset_each():
    at = open_page("gan", query=SHORT)
    page = text(at)
    assert "GANs generate diverse samples" in page and "GAN training needs a lot of compute" in page
    assert "What the interview notes say, checked" not in page  # the old closing list is gone
    assert "999 times as much" in page  # the saturating loss's gradient, filled in from autograd
    at.button(key="_claim_preset.diverse").click().run()  # one click: the collapse run
    assert at.query_params["loss"] == "lsgan" and at.query_params["g_lr"] == "0.0001"


def test_by_default_the_collapse_run_is_drawn_beside_the_default_one_and_not_otherwise():
    at = open_page("gan")
    pair = [c for c in charts(at) if "Least squares, slower G" in c.proto.spec]
    assert len(pair) == 1 and "This page's defaults" in pair[0].proto.spec
    short = open_page("gan", query=SHORT)
    assert not [c for c in charts(short) if "Least squares, slower G" in c.proto.spec]
