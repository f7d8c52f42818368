"""The normalization page under AppTest: the step-through follows its sliders and the link, conflicts are
explained, each training runs on its button and the same link replays it in another session and language, the quick
claims are cards beside their sections, and the trained claims' cards are drawn from a finished run."""

import json
import re

import numpy as np

from core import __main__ as cli
from core import budget
from core.experiment import drain
from core.normalization import batch, claims, depth, sweep
from core.text import Text
from core.ui import live
from tests.conftest import clean, open_page, pick


def chart(at, key):
    return next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id)


def markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_step_through_follows_its_sliders_and_the_link():
    at = open_page("normalization")
    clean(at)
    before = json.loads(chart(at, "_dlp.scrub.chart.norm.steps").proto.spec)
    pick(at, "normalization", "n", 2)
    clean(at)
    assert at.query_params["n"] == "2"
    after = json.loads(chart(at, "_dlp.scrub.chart.norm.steps").proto.spec)
    assert after != before and "2 values per feature" in after["layout"]["title"]["text"]
    assert "nn.BatchNorm1d" in markdown(at) and "√(n/(n − 1)) = 1.4142" in markdown(at)
    at.selectbox(key="normalization.layout").set_value("2d").run()  # long labels: a select box
    clean(at)
    assert "nn.BatchNorm2d" in markdown(at) and "2 × 3 × 2 × 2" in markdown(at)
    assert at.query_params == {"n": "2", "layout": "2d"}


def test_impossible_groups_and_too_much_work_are_explained():
    at = open_page("normalization", query={"c_ch": "30", "c_groups": "8", "depth": "30", "steps": "2000"})
    clean(at)
    assert not at.warning  # every value is valid on its own
    infos = " ".join(i.value for i in at.info)
    assert "G = 6" in infos and "steps reduced to" in infos
    assert at.query_params["c_groups"] == "6"
    values = {**sweep.PARAMS.defaults(), "depth": 30, "steps": int(at.query_params["steps"])}
    assert sweep.cost(values) <= budget.CPU_S < sweep.cost({**values, "steps": values["steps"] + 100})
    assert f"steps reduced to {at.query_params['steps']}" in infos


def test_the_page_and_the_cli_cut_a_link_to_the_same_steps(monkeypatch):
    monkeypatch.setattr(batch, "PER_STEP", 100_000.0)  # a 40× slower machine: the cut link trains in a second
    link = {"bs": "256", "b_steps": "2000"}
    at = open_page("normalization", query=link)
    clean(at)
    steps = at.query_params["b_steps"]
    assert int(steps) < 2000 and f"steps reduced to {steps}" in " ".join(i.value for i in at.info)
    out = cli.run("normalization", "bs=256&b_steps=2000", "batch")
    assert out["query"]["b_steps"] == steps and any(f"steps reduced to {steps}" in a for a in out["adjusted"])
    assert out["experiments"]["batch"]["steps"] == int(steps)


def test_the_cost_captions_come_from_the_cost_model():
    at = open_page("normalization", query={"bs": "256", "b_steps": "2000"})
    clean(at)
    captions = " ".join(c.value for c in at.caption)
    for exp, values in ((sweep, {}), (batch, {"bs": 256, "b_steps": 2000}), (depth, {})):
        seconds = max(1, round(exp.cost({**exp.PARAMS.defaults(), **values})))
        assert f"about {seconds} s" in captions, exp
    assert f"about {max(1, round(claims.cost({})))} s" in captions


def test_the_sweep_trains_on_its_button_and_the_same_link_replays_it():
    query = {"lrs": "0.1,5", "steps": "100", "seed": "3"}
    at = open_page("normalization", query=query)
    clean(at)
    charts = len(at.get("plotly_chart"))
    at.button(key="norm_lr_go").click().run()
    clean(at)
    assert len(at.get("plotly_chart")) == charts + 2
    assert "✕" in markdown(at) and "| 5 |" in markdown(at)  # η = 5 without BN diverged, and the table says so
    again = open_page("normalization", query=query, lang="zh")  # a new session: replayed, no button press
    clean(again)
    assert len(again.get("plotly_chart")) == charts + 2
    assert "发散" in chart(again, "norm_sweep_acc").proto.spec  # the ✕ marks, labelled in Chinese


def test_small_batch_and_depth_sections_train_and_report():
    at = open_page("normalization", query={"bs": "2", "b_steps": "100", "depths": "6", "r_steps": "100"})
    at.button(key="norm_batch_go").click().run()
    clean(at)
    assert "At B = 2" in markdown(at) and "of the test digits get a different class" in markdown(at)
    at.button(key="norm_depth_go").click().run()
    clean(at)
    text = markdown(at)
    assert "| 6 |" in text and "(plain = residual)" in text
    row = next(line for line in text.splitlines() if line.startswith("| 6 |"))
    plain, res = row.split("|")[2].split("=")
    assert plain.strip() == res.strip()  # identical parameter counts
    assert "At 6 layers" in text and "After 100 steps the plain net's training loss is" in text  # from this run
    reading = next(m.value for m in at.markdown if "At 6 layers" in m.value)
    assert not re.search(r"\b60\b", reading)  # nothing of the default run's 60 layers


def test_the_quick_claims_are_cards_beside_their_sections_and_a_preset_shows_the_evidence():
    at = open_page("normalization")
    clean(at)
    t = Text("normalization", "en")
    text = markdown(at)
    assert "Checking the interview notes" not in text  # no closing list: cards
    q = claims.quick()
    for card in claims.CARDS:
        shown = card.key in claims.QUICK_KEYS
        assert (t(f"claims.{card.key}.claim") in text) == shown, card.key
        if shown:
            assert f"{t('verdict.' + card.judged(q))}] **{t(f'claims.{card.key}.claim')}**" in text
            assert any(c.proto.id and f"_claim_fig.{card.key}" in c.proto.id for c in at.get("plotly_chart"))
    assert "67,434" in text  # the parameter count of section 5's nets, counted on the torch modules
    at.button(key="_claim_preset.notes_code").click().run()  # one click: the batch of two
    clean(at)
    assert at.query_params["n"] == "2" and "√(n/(n − 1)) = 1.4142" in markdown(at)


def test_the_trained_claims_are_drawn_from_a_finished_run():
    swept = drain(sweep.stream({"lrs": ("0.01", "0.3", "2"), "depth": 10, "steps": 100, "seed": 0}))
    deep = drain(depth.stream({"depths": ("10", "60"), "r_steps": 100, "r_lr": 0.05, "r_norm": "bn", "r_seed": 0}))
    at = open_page("normalization")
    assert at.button(key="norm_trained_go")  # not trained yet: a button
    gaps = np.array([[0.05, 0.03], [0.04, 0.045], [0.06, 0.03]], np.float32)  # within the spread: "depends"
    live.finished_runs().put(("normalization", "claims", ()), claims.ClaimsResult(swept, deep, gaps))
    at = open_page("normalization", lang="zh")
    clean(at)
    text = markdown(at)
    numbers = claims.trained(claims.ClaimsResult(swept, deep, gaps))
    verdicts = claims.trained_verdicts(numbers)
    assert verdicts["regularize"] == "depends"
    t = Text("normalization", "zh")
    for key, verdict in verdicts.items():
        assert f"{t('verdict.' + verdict)}] **{t(f'claims.{key}.claim')}**" in text, key
        assert t(f"claims.{key}.why", **numbers) in text, key
    assert not any(b.key == "norm_trained_go" for b in at.button)
