"""The claims' numbers say what their verdicts say (checked as properties), every claim's text fills in both
languages, and the claims stream chains the two default trainings."""

import numpy as np
import pytest

from core.normalization import claims
from core.text import LANGS, Text


@pytest.fixture(scope="module")
def trained():
    return claims.trained(claims.run({}))  # the cached default runs of the sweep and the depth sections


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


def test_the_trained_numbers_support_their_verdicts(trained):
    n = trained
    assert n["acc_low_bn"] < n["acc_low_plain"]  # "only through a larger learning rate": slower at η = 0.01
    assert n["lr_top_bn"] > n["lr_top_plain"] and n["best_bn"] > 0.9
    assert n["loss60_plain"] > n["loss10_plain"] + 1.0  # degradation
    assert n["loss60_res"] < 0.5 and abs(n["test60_res"] - n["test10_res"]) < 0.04  # "about as good"
    key = claims.trained_keys(n)[1]
    assert key == ("regularize_yes" if n["gap_bn"] < n["gap_plain"] - 0.01 else "regularize_no")


@pytest.mark.parametrize("lang", LANGS)
def test_every_claim_fills_in(trained, lang):
    t = Text("normalization", lang)
    numbers = {**claims.quick(), **trained}
    for key in claims.QUICK_KEYS + ("faster", "regularize_yes", "regularize_no", "res_depth"):
        text = t(f"claims.{key}", **numbers)
        assert "{" not in text and "**" in text and text != f"claims.{key}", key


def test_the_stream_chains_both_trainings_and_ends_with_their_results(monkeypatch):
    def fake(tag, n):
        return lambda v: iter([((i + 1) / n, (tag, i)) for i in range(n)])

    monkeypatch.setattr(claims.sweep, "stream", fake("sweep", 2))
    monkeypatch.setattr(claims.depth, "stream", fake("depth", 3))
    chunks = list(claims.stream({}))
    fractions = [f for f, _ in chunks]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(chunks) == 5
    assert chunks[0][1] is None and chunks[-1][1] == claims.ClaimsResult(("sweep", 1), ("depth", 2))
