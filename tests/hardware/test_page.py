"""The Hardware page under AppTest, and the CLI: measured once for every session, "measure again" rate-limited,
skipped points explained, no GPU said plainly; the CLI measures the same sections (inside its compute slot)."""

import json

import torch

from core import __main__ as cli
from core.hardware import concept as hw
from core.hardware.cache import store
from tests.conftest import clean, open_page

QUICK = {"sizes": "16,64", "mm_cpu": "one", "batches": "1", "par_n": "64", "mem_n": "256"}


def test_the_page_says_there_is_no_gpu_and_rate_limits_measure_again():
    at = open_page("hardware", query=QUICK)
    clean(at)
    assert not at.warning
    assert any("no GPU here" in i.value for i in at.info)
    again = at.button(key="again_matmul")
    assert again.disabled and "again in" in again.label  # just measured: not again for AGAIN_S seconds
    values, _ = hw.CONCEPT.params.decode(QUICK)
    first = store().get(hw.key("matmul", {n: values[n] for n in hw.MATMUL.params.names}))
    assert first is not None
    saved = store().again_after
    store().again_after = 0.0
    try:
        at.run()  # the button is enabled once the limit has passed
        at.button(key="again_matmul").click().run()
        clean(at)
        second = store().get(hw.key("matmul", {n: values[n] for n in hw.MATMUL.params.names}))
        assert second is not None and second is not first and second.at >= first.at
    finally:
        store().again_after = saved


def test_points_over_the_budget_are_listed_not_hidden():
    at = open_page("hardware", query={**QUICK, "sizes": "16,4096", "mm_budget": "0.2"}, lang="zh")
    clean(at)
    assert any("4096" in c.value and "预算" in c.value for c in at.caption)


def test_the_cli_measures_inside_its_compute_slot_and_prints_json():
    out = cli.run("hardware", "sizes=16,64&mm_cpu=one,all&mm_budget=0.4", "matmul")
    s = out["experiments"]["matmul"]
    assert out["device"] == "cpu" and s["machine"]["cores"] >= 1
    assert s["curves"]["cpu1/float32"]["sizes"] == [16, 64]
    assert all(g > 0 for g in s["curves"]["cpu1/float32"]["gflops"] if isinstance(g, float))
    assert torch.get_num_threads() == 1  # the all-cores curve gave its threads back
    json.dumps(out)  # plain JSON: NaN written as a word


def test_the_claims_experiment_reads_the_sections_numbers():
    out = cli.run("hardware", "&".join(f"{k}={v}" for k, v in QUICK.items()), "claims")
    claims = out["experiments"]["claims"]
    assert claims["verdicts"]["adam"] == "false" and claims["verdicts"]["transfer"] is None  # no GPU: not measured
    assert claims["numbers"]["lib_ratio"] > 1


def test_the_claims_are_cards_beside_their_sections_introduced_once():
    from core.text import Text

    at = open_page("hardware", query=QUICK)
    clean(at)
    t = Text("hardware", "en")
    texts = [m.value for m in at.markdown]
    for card in hw.CLAIMS:
        head = t(f"claims.{card.key}.claim")
        shown = [v for v in texts if head in v]
        assert len(shown) == 1 and t(f"verdict.{card.verdict}") in shown[0], card.key  # the badge beside the claim
    intro = t("claims_about")
    assert sum(c.value == intro for c in at.caption) == 1  # the notes are introduced above the first cards only
    order = [v for v in texts if any(t(f"claims.{c.key}.claim") in v for c in hw.CLAIMS)]
    assert t("claims.libraries.claim") in order[0] and t("claims.parallel.claim") in order[-1]  # section order
    assert len([k for k in at.button if str(k.key).startswith("_claim_preset.")]) == sum(
        1 for c in hw.CLAIMS if c.preset
    )
