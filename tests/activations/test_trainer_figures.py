"""Trainer, dead-ReLU and softmax figures: valid Plotly, float32 on the wire, replay frames, labels."""

from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from core.activation_fns import FUNCTIONS
from core.activations import dead_relu as dr
from core.activations import nonlinearity as nl
from core.activations import softmax as sm
from core.activations import softmax_figures as sm_fig
from core.activations import trainer_figures as fig
from core.text import Text

T = Text("activations", "en")
TF, DF, SF = T.section("tfig"), T.section("dfig"), T.section("sfig")
NAMES = {k: T.choice("act", k) for k in FUNCTIONS}


@pytest.fixture(scope="module")
def identity_run():
    return nl.TRAIN.run({**nl.TRAIN_PARAMS.defaults(), "data": "xor", "act": "identity", "steps": 200})


@pytest.fixture(scope="module")
def spiral_run():
    return nl.TRAIN.run({**nl.TRAIN_PARAMS.defaults(), "data": "spiral3", "act": "relu", "steps": 200, "depth": 3})


def f4(v) -> bool:
    """A float32 array, as a numpy array or as Plotly's base64 typed-array spec."""
    return (isinstance(v, np.ndarray) and v.dtype == np.float32) or (isinstance(v, dict) and v.get("dtype") == "f4")


def valid(f: go.Figure) -> dict:
    go.Figure(f.to_dict())  # full validation (the builders skip it)
    return f.to_dict()


def test_region_values_encode_class_and_confidence():
    probs = np.array([[[0.5, 0.5], [1.0, 0.0]], [[0.0, 1.0], [0.25, 0.75]]], np.float32)
    z = fig.region_z(probs)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, [[0.0, 0.4995], [0.9995, 0.75]], atol=1e-6)  # (class + confidence) / K
    scale = fig.class_scale(3)
    positions = [p for p, _ in scale]
    assert positions == sorted(positions) and positions[0] == 0 and positions[-1] == 1 and len(scale) == 6


def test_straight_line_is_clipped_to_the_square():
    xs, ys = fig._line_in_square(np.array([1.0, -1.0]), 0.0, 1.0)  # x₁ = x₂
    assert sorted(xs) == [-1.0, 1.0] and sorted(ys) == [-1.0, 1.0]
    assert fig._line_in_square(np.array([1.0, 0.0]), -5.0, 1.0) == ([], [])  # x₁ = 5 misses the square


def test_training_figure_live_and_finished(identity_run):
    classes = ("class 1", "class 2")
    live = valid(fig.training(identity_run, TF, classes, done=False))
    assert "frames" not in live or not live["frames"]
    done = fig.training(identity_run, TF, classes, done=True)
    d = valid(done)
    r = identity_run.run
    assert len(d["frames"]) == len(r.snap_steps) and d["layout"]["sliders"][0]["active"] == len(r.snap_steps) - 1
    assert d["data"][0]["type"] == "heatmap" and f4(d["data"][0]["z"])
    assert all(f4(f["data"][0]["z"]) for f in d["frames"])
    spec = pio.to_json(done, validate=False)
    assert '"dtype":"f4"' in spec  # base64 float32, not lists of numbers
    names = [t.get("name") for t in d["data"]]
    assert TF["linear_line"] in names and "class 1 · train" in names and "class 2 · test" in names
    assert any(n and n.startswith("linear model, test") for n in names)
    want = f"step 200 of 200: train accuracy {r.train_acc[-1]:.0%}, test {r.test_acc[-1]:.0%}"
    assert d["layout"]["title"]["text"] == want


def test_three_classes_get_three_colour_bands_and_no_line(spiral_run):
    d = valid(fig.training(spiral_run, TF, ("a", "b", "c"), done=True))
    assert len(d["data"][0]["colorscale"]) == 6
    assert TF["linear_line"] not in [t.get("name") for t in d["data"]]


def test_unit_maps_one_panel_per_unit_and_dead_units_named(spiral_run):
    r = spiral_run.run
    d = valid(fig.units(r, 2, TF))
    heat = [t for t in d["data"] if t["type"] == "heatmap"]
    assert len(heat) == r.config.width and all(f4(t["z"]) for t in heat)
    notes = [a["text"] for a in d["layout"]["annotations"]]
    assert sum("dead" in n for n in notes) == int(r.dead_units[1].sum())
    assert heat[0]["zmin"] == -heat[0]["zmax"]


@pytest.mark.parametrize("width", [2, 7, 64])
def test_unit_maps_fit_any_width(width):
    c = nl.TRAIN.run({**nl.TRAIN_PARAMS.defaults(), "steps": 100, "depth": 1, "width": width})
    d = valid(fig.units(c.run, 1, TF))
    assert sum(t["type"] == "heatmap" for t in d["data"]) == width


def test_a_diverged_run_still_draws():
    v = {
        **nl.TRAIN_PARAMS.defaults(),
        "opt": "momentum",
        "lr": 2.0,
        "act": "identity",
        "depth": 6,
        "width": 64,
        "steps": 200,
    }
    c = nl.TRAIN.run(v)
    assert c.run.diverged_at is not None
    valid(fig.training(c, TF, ("a", "b"), done=True))
    for layer in (1, 6):
        heat = [t for t in valid(fig.units(c.run, layer, TF))["data"] if t["type"] == "heatmap"]
        assert np.isfinite(heat[0]["zmax"]) and heat[0]["zmax"] > 0  # a colour range from the finite values
    bad = c.run.units.copy()
    bad[0, 0, 0, 0], bad[0, 1, 0, 0] = np.inf, np.nan
    heat = valid(fig.units(replace(c.run, units=bad), 1, TF))["data"]
    assert np.isfinite(heat[0]["zmax"])


def test_dead_figure_marks_divergence_and_negatives():
    res = dr.DEAD.run({**dr.DEAD_PARAMS.defaults(), "d_lr": 5.0, "d_init": "normal", "d_steps": 200})
    d = valid(fig.dead(res, DF, NAMES, tuple(FUNCTIONS)))
    names = [t.get("name", "") for t in d["data"]]
    assert "ReLU · η = 0.5" in names and "Leaky ReLU: z ≤ 0 on all points" in names
    diverged = [k for k, r in zip(res.keys, res.runs) if r.diverged_at is not None]
    marks = [t for t in d["data"] if t.get("text") == [DF["diverged"]]]
    assert len(marks) == len(diverged) >= 1


def test_softmax_figures():
    values, _ = sm.SOFTMAX_PARAMS.validate({**sm.SOFTMAX_PARAMS.defaults(), "target": 2, "temp": 0.5})
    r = sm.compute(values)
    d = valid(sm_fig.bars(r, SF))
    probs = d["data"][0]
    assert f4(probs["y"]) and list(probs["marker"]["line"]["color"]).index("black") == 1
    assert d["data"][3]["yaxis"] == "y2"
    assert "0.5" in probs["name"] and f"{r.ce:.3f}" in d["layout"]["annotations"][0]["text"]
    two = valid(sm_fig.two_class(r, SF))
    assert two["data"][2]["x"][0] == pytest.approx((r.logits[0] - r.logits[1]) / 0.5)
    assert two["data"][2]["y"][0] == pytest.approx(r.p2)
