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
