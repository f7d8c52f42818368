"""Every claim's verdict is computed from its numbers (and reads "inconclusive" when they do not support it), the
regularization verdict weighs the gap against the spread over seeds, every claim's text fills in both languages
with no typed-in verdict, and the claims stream chains the default trainings."""

import numpy as np
import pytest

from core.normalization import claims
from core.text import LANGS, Text

ALL_TEXT_KEYS = claims.QUICK_KEYS + ("faster", "regularize_yes", "regularize_no", "regularize_depends", "res_depth")


@pytest.fixture(scope="module")
def result():
    return claims.run({})  # the cached default runs of the sweep and the depth sections, and the extra seeds


@pytest.fixture(scope="module")
def trained(result):
    return claims.trained(result)


def test_the_quick_numbers_support_their_verdicts():
    q = claims.quick()
    assert q["err_train"] < 1e-12 and q["err_eval"] < 1e-12  # by hand = nn.BatchNorm1d
    assert q["var_std"] == pytest.approx(1 / q["x_std"]) and abs(q["var_std"] - 1) > 0.3  # ÷ variance: not 1
    assert q["seeds_ratio"] == pytest.approx(np.sqrt(q["n"] / (q["n"] - 1))) and q["seeds_gap"] > 0.01
    assert q["skew_out"] == pytest.approx(q["skew_in"]) and q["skew_in"] > 0.5  # shape kept, not made normal
    assert q["out_std"] == pytest.approx(1, abs=1e-4)
    assert q["bn_params"] == 2 * q["channels"] and q["bn_buffers"] == 2 * q["channels"] + 1
    assert q["bias_gap"] < 1e-10
    assert q["g_plain_bn"] > 1000 * q["g_res_bn"] and q["g_plain_bn"] > 100 * q["g_plain_bn10"]  # BN: explodes
    assert q["g_plain"] < 1 and q["g_res"] > 1e6  # no norm: vanishing (plain) and exploding (residual)
    assert 0.2 < q["g_res_bn"] < 10
    assert q["params_plain"] == q["params_res"]
    assert claims.quick_verdicts(q) == {
        "std_not_var": "false",
        "notes_code": "partly",
        "gaussian": "partly",
        "fewer_params": "false",
        "vanishing": "depends",
        "res_vanishing": "partly",
        "res_params": "false",
    }


@pytest.mark.parametrize(
    "key,change",
    [
        ("std_not_var", {"var_std": 1.0}),
        ("notes_code", {"seeds_gap": 0.0}),
        ("gaussian", {"skew_out": 0.0}),
        ("fewer_params", {"bias_gap": 0.1}),
        ("vanishing", {"g_plain_bn": 1.0}),
        ("res_vanishing", {"g_res": 1.0}),
        ("res_params", {"params_res": 1}),
    ],
)
def test_a_quick_verdict_is_inconclusive_when_its_numbers_do_not_hold(key, change):
    q = {**claims.quick(), **change}
    assert claims.quick_verdicts(q)[key] == "inconclusive"


def test_the_trained_verdicts_at_the_defaults(result, trained):
    n = trained
    verdicts = claims.trained_verdicts(n)
    assert verdicts["faster"] == "partly" and verdicts["res_depth"] == "partly"
    assert n["acc_low_bn"] < n["acc_low_plain"] and n["lr_top_bn"] > n["lr_top_plain"] and n["best_bn"] > 0.9
    assert n["loss60_plain"] > n["loss10_plain"] + 1.0  # degradation
    # regularization: five seeds, really trained (they differ), and BN never widens the gap beyond their spread
    assert result.gaps.shape == (1 + len(claims.SEEDS), 2) and n["gap_seeds"] >= len(claims.SEEDS)  # ≤ 1 diverged
    assert n["gap_se"] > 0 and len(set(result.gaps[:, 0].round(4))) > 1
    assert verdicts["regularize"] in ("partly", "depends")
    assert n["gap_margin"] == pytest.approx(2 * n["gap_se"])


@pytest.mark.parametrize(
    "diffs,verdict",
    [
        ([0.02, 0.021, 0.019, 0.02, 0.02], "partly"),  # BN narrows the gap by far more than the seeds' spread
        ([-0.02, -0.021, -0.019, -0.02, -0.02], "false"),  # BN widens it
        ([0.02, 0.0, -0.005, 0.015, -0.01], "depends"),  # within the spread: one seed's 2 points decide nothing
        ([0.03], "depends"),  # one seed: no spread to weigh it against
    ],
)
def test_the_regularization_verdict_weighs_the_gap_against_the_seed_spread(diffs, verdict):
    plain = np.full(len(diffs), 0.05, np.float32)
    gaps = np.stack([plain, plain - np.array(diffs, np.float32)], 1)  # (S, 2)
    n = claims.gap_spread(gaps)
    assert n["gap_diff"] == pytest.approx(np.mean(diffs), abs=1e-6)
    assert claims.regularize_verdict(n) == verdict
    assert claims.text_key("regularize", verdict).startswith("regularize_")


def test_a_diverged_seed_is_left_out_of_the_spread():
    gaps = np.array([[0.05, 0.03], [np.nan, 0.03], [0.05, 0.031], [0.049, 0.03]], np.float32)
    n = claims.gap_spread(gaps)
    assert n["gap_seeds"] == 3 and np.isfinite(n["gap_se"]) and n["gap_plain"] == pytest.approx(0.04967, abs=1e-4)


def test_the_trained_verdicts_are_inconclusive_when_their_numbers_do_not_hold(trained):
    assert claims.trained_verdicts({**trained, "acc_low_bn": 1.0})["faster"] == "inconclusive"
    assert claims.trained_verdicts({**trained, "loss60_plain": 0.0})["res_depth"] == "inconclusive"


@pytest.mark.parametrize("lang", LANGS)
def test_every_claim_fills_in_without_a_typed_verdict(trained, lang):
    t = Text("normalization", lang)
    numbers = {**claims.quick(), **trained}
    for key in ALL_TEXT_KEYS:
        text = t(f"claims.{key}", **numbers)
        assert "{" not in text and text != f"claims.{key}", key
        assert "**" not in text, key  # the verdict is the measured badge, never typed into the sentence
    for verdict in ("true", "false", "partly", "depends", "inconclusive"):
        assert t.has(f"verdict.{verdict}")


def test_the_stream_chains_the_trainings_and_ends_with_their_results(monkeypatch):
    def fake(tag, n):
        return lambda v: iter([((i + 1) / n, (tag, i)) for i in range(n)])

    monkeypatch.setattr(claims.sweep, "stream", fake("sweep", 2))
    monkeypatch.setattr(claims.depth, "stream", fake("depth", 3))
    monkeypatch.setattr(claims, "_gap_stream", lambda s: iter([(0.5, ("gaps", s, 0)), (1.0, ("gaps", s, 1))]))
    chunks = list(claims.stream({}))
    fractions = [f for f, _ in chunks]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0) and len(chunks) == 7
    assert all(r is None for _, r in chunks[:4])
    assert chunks[-1][1] == claims.ClaimsResult(("sweep", 1), ("depth", 2), ("gaps", ("sweep", 1), 1))
