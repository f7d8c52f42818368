"""The GAN page under AppTest: a short live run ends with its verdict and a replayable chart, the digits
GAN trains on demand and then interpolates, uploads are validated and land in the link, bad points in a
link fall back with a notice."""

import numpy as np

from core.gan import concept as gan
from core.gan import targets as gt
from tests.conftest import open_page

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
    assert any("button" in i.value or "按钮" in i.value or "Press" in i.value for i in at.info)
    assert at.slider(key="gan.dg_a").disabled
    at.button(key="_gan.digits_train").click().run()
    assert not at.exception and not at.error
    assert "confident digits" in text(at)
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
