"""Every figure builds in both languages from real results, is valid Plotly, carries numpy arrays (not lists),
and shows what the page says it shows (divergence marks, one trace per model)."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.experiment import drain
from core.normalization import batch, count, depth, figures, steps, sweep
from core.normalization import train_figures as tf
from core.text import LANGS, Text


def labels(lang):
    return Text("normalization", lang).section("fig")


@pytest.fixture(scope="module")
def runs():
    return {
        "sweep": drain(sweep.stream({"lrs": ("0.1", "5"), "depth": 10, "steps": 100, "seed": 0})),
        "batch": drain(batch.stream({"bs": 4, "b_steps": 100, "b_lr": 0.05, "b_seed": 0})),
        "depth": drain(
            depth.stream({"depths": ("6", "30"), "r_steps": 100, "r_lr": 0.05, "r_norm": "none", "r_seed": 0})
        ),
    }


def valid(fig: go.Figure) -> go.Figure:
    go.Figure(fig.to_dict())  # raises on anything Plotly does not accept
    for trace in fig.data:
        for axis in ("x", "y", "z"):
            value = getattr(trace, axis, None)
            assert not isinstance(value, list), (trace.name, axis)  # arrays, never long Python lists
    return fig


@pytest.mark.parametrize("lang", LANGS)
def test_step_through_and_running_statistics(lang):
    r = steps.run({**steps.PARAMS.defaults(), "feat": 2, "batches": 7})
    fig = valid(figures.steps(r, labels(lang)))
    assert len([t for t in fig.data if t.mode == "lines+markers"]) == 2  # one polyline trace per feature
    line = fig.data[0]
    assert line.y.dtype == np.float32 and np.isnan(line.y).sum() == r.x.shape[1]  # NaN-separated values
    assert list(fig.layout.xaxis.ticktext)[2].startswith("x̂")
    run = valid(figures.running(r, labels(lang)))
    assert len(run.data[0].x) == 8 and run.layout.yaxis2.title.text  # 7 batches + the start


@pytest.mark.parametrize("lang", LANGS)
def test_axes_grids(lang):
    r = count.run(count.PARAMS.defaults())
    fig = valid(figures.axes(r, labels(lang), count.LAYERS))
    assert len(fig.data) == len(count.LAYERS) and fig.data[0].z.dtype == np.uint8


@pytest.mark.parametrize("lang", LANGS)
def test_training_figures(runs, lang):
    lab = labels(lang)
    acc = valid(tf.sweep_accuracy(runs["sweep"], lab))
    marks = [t for t in acc.data if t.marker.symbol == "x"]
    assert len(marks) == 1 and marks[0].x.tolist() == [5.0]  # plain at η = 5 diverged
    curves = valid(tf.sweep_curves(runs["sweep"], lab))
    assert len(curves.data) == 4 and curves.layout.yaxis.type == "log"
    valid(tf.batch_accuracy(runs["batch"], lab, batch.KINDS))
    valid(tf.batch_curves(runs["batch"], lab, batch.KINDS))
    mismatch = valid(tf.batch_mismatch(runs["batch"], lab, batch.BINS))
    assert mismatch.data[0].y.dtype == np.float32 and len(mismatch.data[0].x) == len(batch.BINS) - 1
    deep = valid(tf.depth_curves(runs["depth"], lab))
    assert len(deep.data) == 2 * 2 * 2  # (depths) × (plain, residual) × (loss, accuracy)
    valid(tf.depth_gradients(runs["depth"], lab))
