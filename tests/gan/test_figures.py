"""GAN figures validate as Plotly figures (live and finished, diverged, curves, digits), send float32 /
uint8 arrays, replay through frames, and their helpers compute what they say."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.experiment import drain
from core.gan import concept as gan
from core.gan import digits as gd
from core.gan import figures as fig
from core.gan import lab, targets
from core.text import LANGS, Text

TINY = dict(batch=32, g_width=16, d_width=16, snapshots=4)


@pytest.fixture(scope="module")
def runs():
    return {
        "ring": drain(lab.train(gan.lab_config(steps=40, phase="d_g", k=10, **TINY))),
        "spiral": drain(lab.train(gan.lab_config(target="spiral", loss="wgan_gp", steps=20, **TINY))),
        "diverged": drain(
            lab.train(
                gan.lab_config(
                    loss="wgan",
                    clip=1.0,
                    g_opt="sgd",
                    d_opt="sgd",
                    g_lr=0.1,
                    d_lr=0.1,
                    g_width=256,
                    d_width=256,
                    batch=64,
                )  # diverges by iteration 80 for seeds 0–4
            )
        ),
    }


@pytest.fixture(scope="module")
def digits_run():
    return drain(gd.train(gan.digits_config(dg_steps=20, dg_batch=16)))


def valid(f: go.Figure) -> go.Figure:
    return go.Figure(f.to_dict())  # full validation (figure() skips it for speed)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["ring", "spiral", "diverged"])
@pytest.mark.parametrize("done", [False, True])
def test_lab_figures_validate(runs, name, done, lang):
    r = runs[name]
    f = valid(fig.lab(r, Text("gan", lang).section("fig"), done))
    assert len(f.frames) == (len(r.snap_steps) if done else 0)
    heat = f.data[0]
    assert heat.type == "heatmap"
    if done:
        assert f.layout.sliders[0].steps[-1].label == str(int(r.snap_steps[-1]))
        assert len(f.frames[0].data) == len(f.frames[0].traces) == 6


def test_lab_arrays_are_compact_and_the_diverged_run_is_marked(runs):
    labels = Text("gan", "en").section("fig")
    f = fig.lab(runs["ring"], labels, True)
    assert f.data[0].z.dtype == np.float32 and f.data[2].x.dtype == np.float32
    assert f.data[0].zmin == 0.0 and f.data[0].zmax == 1.0  # P(real) for the logistic loss
    phases = [a.text for a in f.layout.annotations]
    assert labels["phase_d"] in phases and labels["phase_g"] in phases
    d = fig.lab(runs["diverged"], labels, True)
    step = runs["diverged"].diverged_at
    assert any(labels["diverged"].format(step=step) == a.text for a in d.layout.annotations)
    c = fig.lab(runs["spiral"], labels, True)
    assert c.data[0].zmin == -c.data[0].zmax  # a critic's score: symmetric around 0


def test_block_means_average_runs_of_iterations():
    steps, means = fig.block_means(np.arange(1, 11, dtype=np.float32), n=3)  # blocks of 4, 4, 2
    np.testing.assert_allclose(means, [2.5, 6.5, 9.5])
    np.testing.assert_allclose(steps, [2.5, 6.5, 9.5])
    assert fig.block_means(np.zeros(0, np.float32))[0].size == 0


def test_arrows_point_along_the_push_and_share_one_scale():
    at = np.zeros((2, 2), np.float32)
    push = np.array([[1.0, 0.0], [0.0, -2.0]], np.float32)
    scale = fig.arrow_scale(push[None], extent=3.0)
    shafts, heads = fig.arrow_traces(at, push, scale, 3.0)
    np.testing.assert_allclose(heads["marker"]["angle"], [90.0, 180.0])  # right, down (clockwise from up)
    assert np.isnan(shafts["x"][2]) and shafts["x"][1] > 0 and shafts["y"][4] < 0
    assert fig.arrow_scale(np.full((1, 3, 2), np.nan), 3.0) == 0.0


def test_tile_lays_images_out_row_by_row():
    imgs = np.arange(3 * 2 * 2, dtype=np.uint8).reshape(3, 2, 2)
    out = fig.tile(imgs, cols=2, gap=1)
    assert out.shape == (5, 5) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[:2, 3:], imgs[1])
    np.testing.assert_array_equal(out[3:, :2], imgs[2])
    assert out[2, 0] == 90 and out[4, 4] == 90  # gaps and the empty cell


@pytest.mark.parametrize("done", [False, True])
def test_digits_figures_validate(digits_run, done):
    labels = Text("gan", "zh").section("fig")
    f = fig.digits(digits_run, labels, done)
    valid(f)
    assert f.data[0].z.dtype == np.uint8
    assert len(f.frames) == (len(digits_run.snap_steps) if done else 0)
    images, probs = gd.interpolate(digits_run, 1, 2)
    strip = valid(fig.interpolation(images, probs, labels))
    assert len(strip.layout.annotations) == gd.INTERP
    valid(fig.real_digits(gd.real_examples(), labels))


def test_the_target_preview_offers_a_click_grid():
    t = targets.make("points", 0.05)
    axis = gan.click_axis(t)
    f = fig.target_preview(t, gan.preview_points(t), axis, Text("gan", "en").section("fig"))
    valid(f)
    assert len(f.data[0].x) == len(axis) ** 2 and f.layout.clickmode == "event+select"
    assert np.abs(axis).max() < t.extent


def test_the_pair_figure_draws_each_runs_samples_and_modes_under_its_title(runs):
    labels = Text("gan", "en").section("fig")
    raw = fig.pair([runs["ring"], runs["spiral"]], ["first run", "second run"], labels)
    f = go.Figure(raw.to_dict())  # validates
    assert [f.layout.xaxis.title.text, f.layout.xaxis2.title.text] == ["first run", "second run"]
    generated = [t for t in f.data if t.name == labels["fake"]]
    assert len(generated) == 2 and [t.xaxis for t in generated] == ["x", "x2"]
    np.testing.assert_array_equal(raw.data[1].x, runs["ring"].fake[-1][:, 0])  # the run's last snapshot
    assert len([t for t in f.data if t.name == labels["modes"]]) == 1  # the spiral is a curve: no mode centres
