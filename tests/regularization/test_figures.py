"""Every figure of the page builds, validates in Plotly, carries float32 arrays and explains itself (title or
axis titles) — for defaults, presets and edge values."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core import scrub
from core.experiment import drain
from core.regularization import adamw, figures, net_figures, penalties, poly
from core.regularization import concept as reg
from core.text import Text

T = Text("regularization", "zh")  # the Chinese labels: every placeholder must be filled there too
FIG = T.section("fig")


def values(experiment, **over):
    v, _ = experiment.params.validate({**experiment.params.defaults(), **over})
    return v


def check(fig: go.Figure) -> None:
    go.Figure(fig.to_dict())  # validates every property (figures are built with _validate=False)
    for trace in fig.data:
        for name in ("x", "y", "z"):
            v = getattr(trace, name, None)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                assert v.dtype == np.float32, (trace.type, trace.name, name)
    assert fig.layout.title.text or fig.layout.xaxis.title.text or fig.layout.annotations


@pytest.mark.parametrize(
    "over", [{}, reg.PRESETS["double_descent"], reg.PRESETS["ridge_tames"], {"degree": 0}, {"degree": 200, "n": 5}]
)
def test_fit_and_sweep(over):
    r = reg.run_fit(values(reg.FIT, **over))
    check(figures.fit(r, FIG))
    check(figures.sweep(r, poly.double_descent(r), FIG))


@pytest.mark.parametrize("over", [{}, reg.PRESETS["double_descent"], {"n": 5, "noise": 0.0}])
def test_the_degree_steps_are_those_of_the_fits_of_every_degree(over):
    """The degree scrub's computed steps (figures.fit_steps) are the steps diffed from the figure at every degree,
    and each turns the drawn figure into that degree's."""
    v = values(reg.FIT, **over)
    r, every = reg.run_fit(v), reg.fit_curves(v)
    degrees = tuple(int(d) for d in poly.sweep_degrees(r.n, 0))
    labels = [str(d) for d in degrees]
    family = [scrub.plain(figures.fit(r, FIG, d, every[d])) for d in degrees]
    steps = figures.fit_steps(FIG, degrees, every, labels)
    assert steps == scrub.steps(family[0], family, labels)
    for k in (0, len(degrees) // 2, len(degrees) - 1):
        assert scrub.apply(family[-1], steps[k]) == family[k]


@pytest.mark.parametrize(
    "over", [{}, {"geo_lam": 0.0}, {"geo_lam": 5.0, "geo_x": 0.0, "geo_y": 0.0}, {"geo_kappa": 20.0}]
)
def test_geometry(over):
    check(figures.geometry(reg.run_geometry(values(reg.GEOMETRY, **over)), FIG))


@pytest.mark.parametrize("over", [{}, {"k": 20, "cv_n": 20}, {"k": 2, "cv_n": 10, "cv_deg": 15}])
def test_kfold(over):
    v, _ = reg.KFOLD.params.validate({**reg.KFOLD.params.defaults(), **over})
    r = reg.run_kfold(v)
    for f in (figures.folds, figures.cv_curves, figures.spread):
        check(f(r, FIG))


@pytest.mark.parametrize("over", [{}, reg.PRESETS["badly_scaled"], {"scale": 1.0, "offset": 0.0}])
def test_scaling(over):
    r = reg.run_scaling(values(reg.SCALING, **over))
    check(figures.scaling_curves(r, FIG))
    check(figures.scaling_contours(r, FIG))


def test_masks():
    for p in (0.0, 0.5, 0.9):
        check(net_figures.masks(reg.run_masks(values(reg.MASKS, p=p)), FIG))


def test_training_figures_live_and_finished():
    names = ["a", "b", "c"]
    mlp = drain(reg.MLP.stream(values(reg.MLP, steps=200)))
    check(figures.mlp(mlp, FIG, False))
    done = figures.mlp(mlp, FIG, True)
    check(done)
    assert len(done.frames) == len(mlp.snap_steps)  # a finished run replays snapshot by snapshot
    pen = drain(reg.PENALTY.stream(values(reg.PENALTY, pen_steps=200)))
    check(net_figures.weight_hist(pen, penalties.BINS, penalties.SMALL, FIG, names))
    check(net_figures.penalty_path(pen, penalties.PATH, FIG, names))
    check(net_figures.penalty_curves(pen, FIG, names))
    aw = drain(reg.ADAMW.stream(values(reg.ADAMW, aw_steps=200)))
    check(net_figures.shrink(aw, FIG, names))
    check(net_figures.adamw_grid(aw, adamw.GRID, FIG))
    drop = drain(reg.DROPOUT.stream(values(reg.DROPOUT, drop_steps=200)))
    check(net_figures.dropout_acc(drop, FIG))
    check(net_figures.mc_spread(drop, FIG))
    es = drain(reg.EARLY.stream(values(reg.EARLY, es_steps=500, patience=1)))
    check(net_figures.early(es, FIG))
    aug = drain(reg.AUGMENT.stream(values(reg.AUGMENT, aug_steps=200)))
    check(net_figures.augment_acc(aug, FIG))
    check(net_figures.digit_images(aug.examples, ["x"] * len(aug.examples)))
    mem = drain(reg.MEMORIZE.stream(values(reg.MEMORIZE, mem_steps=500)))
    check(net_figures.memorize(mem, FIG, [str(q) for q in mem.shares]))
