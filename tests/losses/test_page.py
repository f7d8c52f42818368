"""The Losses page under AppTest: training sections wait for their button (or train at once from a link),
the temperature replays a finished run, points typed or uploaded are validated and shown back inert,
and the CLI prints the page's numbers."""

import json
import subprocess
import sys

from core.losses import concept as lc
from tests.conftest import ROOT, clean, open_page


def text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_training_section_waits_for_its_button_then_trains_and_explains():
    at = open_page("losses")
    clean(at)
    assert "After 600 steps" not in text(at)
    captions = " ".join(c.value for c in at.caption)
    defaults = lc.CONCEPT.params.defaults()
    for exp in (lc.CEMSE, lc.IMBALANCE, lc.CALIBRATION):  # the cost captions come from the cost models
        assert f"at most about {exp.cost(defaults):.1f} s of one CPU thread" in captions
    at.button(key="_losses.btn.cemse").click().run()
    clean(at)
    assert "After 600 steps" in text(at) and "cross-entropy" in text(at)
    assert at.query_params == {}  # the defaults: the link stays empty


def test_a_link_to_a_section_trains_it_at_once():
    at = open_page("losses", query={"im_ratio": "20", "im_steps": "200"})
    clean(at)
    assert "Training points: 400 common, 20 rare" in text(at)
    assert not any(b.key == "_losses.btn.imbalance" for b in at.button)


def test_the_temperature_replays_the_finished_run_and_rewrites_the_url():
    at = open_page("losses", query={"ca_steps": "300", "ca_n": "200"})
    clean(at)
    assert not at.select_slider(key="losses.ca_temp").disabled
    before = [c.proto.spec for c in at.get("plotly_chart")]
    at.select_slider(key="losses.ca_temp").set_value(3.0).run()
    clean(at)
    assert at.query_params["ca_temp"] == "3"
    assert "your T = 3.00" in text(at)
    after = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(after) == len(before) and after != before


def test_typed_points_that_cannot_be_used_are_explained_and_shown_inert():
    at = open_page("losses", query={"o_data": "points"})
    payload = "1,2,**3**,`4`"
    at.text_input(key="losses.o_pts").set_value(payload).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "**3**" in errors and "`4`" not in errors and "ˋ4ˋ" in errors  # inside a code span, backticks defused
    assert at.query_params["o_data"] == "points" and "o_pts" not in at.query_params  # the sample points are used


def test_an_upload_becomes_the_points_of_the_link_and_a_bad_one_says_why():
    at = open_page("losses", query={"o_steps": "200"})
    rows = "x,y\n" + "\n".join(f"{x},{3 * x + (40 if x % 7 == 0 else 0)}" for x in range(150))
    at.file_uploader(key="_losses.upload").set_value(("pts.csv", rows.encode(), "text/csv")).run()
    clean(at)
    assert any("150 rows" in s.value for s in at.success)
    assert at.query_params["o_data"] == "points"
    kept = lc.OUT_PARAMS["o_pts"].parse(at.query_params["o_pts"])
    assert len(kept) == 2 * 100
    at.file_uploader(key="_losses.upload").set_value(("bad.csv", b"x,y\n1,2\n3,<b>oops</b>\n", "text/csv")).run()
    assert not at.exception
    assert any("`<b>oops</b>`" in e.value for e in at.error)
    assert lc.OUT_PARAMS["o_pts"].parse(at.query_params["o_pts"]) == kept  # unchanged


def test_points_at_one_x_in_a_link_are_replaced_with_a_notice():
    at = open_page("losses", query={"o_data": "points", "o_pts": "1,2,1,3,1,4", "o_steps": "200"})
    assert not at.exception
    assert any("same x" in i.value for i in at.info)


def test_the_cli_prints_the_pages_numbers_and_refuses_bad_input():
    run = lambda q: subprocess.run(
        [sys.executable, "-m", "core", "losses", q, "--experiment", "kl"], cwd=ROOT, capture_output=True, text=True
    )
    ok = run("kl_steps=200&kl_w=0.3")
    assert ok.returncode == 0, ok.stderr
    out = json.loads(ok.stdout)["experiments"]["kl"]
    assert abs(out["fits"]["forward"]["mu"] - out["moment_match"]["mu"]) < 0.05
    bad = run("kl_w=2")
    assert bad.returncode == 2 and "kl_w" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_a_run_that_turns_nan_stops_and_says_so(monkeypatch):
    import torch

    from core.losses import kl

    real = kl.divergences

    def broken(mu, sigma, d, w):
        fwd, rev = real(mu, sigma, d, w)
        return fwd * torch.nan, rev  # the forward fit's loss is NaN from the first step

    monkeypatch.setattr(kl, "divergences", broken)
    at = open_page("losses", query={"kl_steps": "500"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "stopped after step 100" in warnings  # the first chunk (100 steps) ends the run


def test_the_notes_claims_are_cards_beside_their_sections_and_a_card_shows_its_evidence():
    at = open_page("losses")
    clean(at)
    assert not any("Checking the interview notes" in h.value for h in at.header)  # no closing list any more
    shown = text(at)
    for card in lc.CONCEPT.claims:  # every section's cards, each with its claim and a verdict badge
        assert f"**{at_claim(card.key)}**" in shown, card.key
    assert ":red-badge[❌ false] **“MSE and hinge loss suit regression tasks.”**" in shown
    at.button(key="_claim_preset.hinge_regression").click().run()
    clean(at)
    assert at.query_params["m0"] == "2.5" and "hinge" in at.query_params["cls"]


def at_claim(key: str) -> str:
    from core.text import Text

    return Text("losses", "en")(f"claims.{key}.claim")
