"""Every figure builder of the page: valid Plotly (validated here, the page skips it), numpy arrays not lists,
titles and axis labels from the catalogue, in both languages."""

import numpy as np
import plotly.graph_objects as go
import pytest

from core.experiment import drain
from core.losses import class_figures as cf
from core.losses import concept as lc
from core.losses import figures, kl_figures
from core.text import LANGS, Text


@pytest.fixture(scope="module")
def runs():
    short = {"o_steps": 100, "cm_steps": 100, "im_steps": 100, "ca_steps": 200, "kl_steps": 50}
    get = lambda exp: drain(
        exp.stream({**exp.params.defaults(), **{k: v for k, v in short.items() if k in exp.params.names}})
    )
    cal = get(lc.CALIBRATION)
    return {
        "reg": lc.run_reg(lc.REG_PARAMS.defaults()),
        "cls": lc.run_cls({**lc.CLS_PARAMS.defaults(), "cls": lc.CLS_KEYS}),
        "out": get(lc.OUTLIERS),
        "cemse": get(lc.CEMSE),
        "imb": get(lc.IMBALANCE),
        "cal": cal,
        "rep": lc.temperature_report(cal, 2.0),
        "kl": get(lc.KL),
    }


def builders(r, t):
    fig, models = t.section("fig"), t.section("models")
    names = {k: t.choice("reg", k) for k in lc.REG_KEYS} | {k: t.choice("cls", k) for k in lc.CLS_KEYS}
    return {
        "reg": figures.curves(r["reg"], fig, names, lc.REG_KEYS),
        "cls": figures.curves(r["cls"], fig, names, lc.CLS_KEYS),
        "fits": figures.fits(r["out"], fig, names, lc.REG_KEYS),
        "residuals": figures.residuals(r["out"], fig, names, lc.REG_KEYS),
        "cemse": cf.cemse(r["cemse"], fig, models, True),
        "maps": cf.maps(r["imb"], fig, models),
        "pr": cf.pr(r["imb"], fig, models),
        "reliability": cf.reliability(r["rep"], fig),
        "norm": cf.logit_norm(r["cal"], fig, models, False),
        "densities": kl_figures.densities(r["kl"], fig, True),
        "kl_maps": kl_figures.maps(r["kl"], fig),
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_validates_and_sends_arrays(runs, lang):
    for name, f in builders(runs, Text("losses", lang)).items():
        go.Figure(f.to_dict())  # full Plotly validation
        for trace in f.data:
            for key in ("x", "y", "z"):
                v = getattr(trace, key, None)
                assert not (isinstance(v, (list, tuple)) and len(v) > 20), (name, key)  # long data: numpy
        text = str(f.to_plotly_json())
        assert "{" + "done}" not in text and "fig." not in text, name  # every label filled from the catalogue


def test_the_curve_marks_follow_the_gradient_and_the_probe_is_drawn(runs):
    f = builders(runs, Text("losses", "en"))["cls"]
    marks = [tr for tr in f.data if tr.legendgroup and tr.legendgroup.startswith("mark_")]
    assert {tr.legendgroup for tr in marks} == {"mark_vanish", "mark_wrong", "mark_constant"}
    assert len(marks) == 3  # one trace (and legend entry) per kind, for all losses
    probe = runs["cls"].x0
    assert f.layout.shapes[0].x0 == probe
    wrong = [tr for tr in marks if tr.legendgroup == "mark_wrong"]
    xs = np.concatenate([np.asarray(tr.x)[np.isfinite(np.asarray(tr.y, dtype=float))] for tr in wrong])
    assert xs.max() <= 0  # "vanishes while wrong" only on the wrong side


@pytest.mark.parametrize("family", ["reg", "cls"])
def test_every_probe_step_draws_the_probe_where_the_figure_at_that_position_draws_it(family):
    """The curves' scrub steps (built in one call, not a figure per position) move the dotted line and each loss's
    dots on both panels exactly where the full figure at that probe draws them."""
    import re

    from core import scrub

    t = Text("losses", "en")
    fig, names = t.section("fig"), {k: t.choice(family, k) for k in (lc.REG_KEYS if family == "reg" else lc.CLS_KEYS)}
    exp, probe = (lc.REG_CURVES, "r0") if family == "reg" else (lc.CLS_CURVES, "m0")
    keys = lc.REG_KEYS if family == "reg" else lc.CLS_KEYS
    values = {**exp.params.defaults(), family: keys, "delta": 0.7, "tau": 0.3, "gamma": 1.5}
    grid = scrub.positions(exp.params[probe])
    labels = scrub.labels_for(exp.params[probe], grid)
    steps = figures.probe_steps(grid, *lc.probes(family, values, grid), labels)
    base = figures.curves(exp.run(values), fig, names, keys).to_plotly_json()["layout"]["shapes"]
    assert len(steps) == len(grid) == 81
    for x, step in zip(grid, steps):
        traces, layout, idx = step["args"]
        assert traces == {} and idx == [] and step["label"] == step["value"]
        shapes = [dict(s) for s in base]
        for key, v in layout.items():
            i, attr = re.fullmatch(r"shapes\[(\d+)\]\.(\w+)", key).groups()
            shapes[int(i)][attr] = v
        want = figures.curves(exp.run({**values, probe: x}), fig, names, keys).to_plotly_json()["layout"]["shapes"]
        assert len(shapes) == len(want) == 1 + 2 * len(keys)
        for got, exp_shape in zip(shapes, want):
            for attr in ("x0", "x1", "xanchor", "yanchor", "y0", "y1"):
                assert got.get(attr) == pytest.approx(exp_shape.get(attr), rel=1e-12, abs=1e-12), (x, attr)
