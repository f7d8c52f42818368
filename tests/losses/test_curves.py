"""The curves section: where the gradient is constant or vanishes is read off autograd, and the probe is exact."""

import numpy as np
import pytest

from core.losses import concept as lc
from core.losses import curves


def spans(c, key, kind):
    return getattr(c, kind)[c.keys.index(key)]


def covers(ivs, a, b):
    return any(lo <= a + 1e-9 and b - 1e-9 <= hi for lo, hi in ivs)


def test_regression_marks_match_the_shapes_of_the_losses():
    c = curves.curves("reg", ("mse", "mae", "huber", "quantile"), 1.5, 0.05, {"delta": 1.0, "tau": 0.9})
    assert covers(spans(c, "mae", "constant"), -4, -0.05) and covers(spans(c, "mae", "constant"), 0.05, 4)
    assert covers(spans(c, "huber", "constant"), 1.05, 4) and not covers(spans(c, "huber", "constant"), 0.2, 0.8)
    assert spans(c, "mse", "constant") == ()  # 2r is never constant
    lo, hi = spans(c, "mse", "vanish")[0]  # only |2r| < 0.05 near 0
    assert -0.03 <= lo and hi <= 0.03
    assert c.vanish_wrong == ((), (), (), ())  # a regression has no "wrong side"
    i = c.keys.index("quantile")  # pinball at r = 1.5, τ = 0.9: over-prediction costs (1 − τ)·r
    assert c.loss0[i] == pytest.approx(0.1 * 1.5) and c.grad0[i] == pytest.approx(0.1)


def test_classification_marks_the_losses_that_go_silent_on_a_wrong_prediction():
    c = curves.curves("cls", ("zero_one", "logistic", "hinge", "mse_prob"), -2.0, 0.05, {"gamma": 2.0})
    assert covers(spans(c, "zero_one", "vanish_wrong"), -4, 0)
    assert covers(spans(c, "mse_prob", "vanish_wrong"), -4, -3.7)  # wrong, and silent
    assert spans(c, "logistic", "vanish_wrong") == () and spans(c, "hinge", "vanish_wrong") == ()
    assert covers(spans(c, "hinge", "vanish"), 1.05, 4) and covers(spans(c, "hinge", "constant"), -4, 0.95)
    i, j = c.keys.index("logistic"), c.keys.index("mse_prob")
    p = 1 / (1 + np.exp(2.0))  # σ(−2)
    assert c.grad0[i] == pytest.approx(p - 1)
    assert c.grad0[j] == pytest.approx(-2 * (1 - p) * p * (1 - p))


def test_a_probe_off_the_grid_is_evaluated_at_its_exact_value():
    c = lc.run_reg({**lc.REG_PARAMS.defaults(), "r0": 0.123, "reg": ("mse",)})
    assert c.loss0[0] == pytest.approx(0.123**2, rel=1e-12) and c.grad0[0] == pytest.approx(0.246, rel=1e-12)


def test_the_summary_lists_every_chosen_loss_with_its_torch_call():
    s = curves.summary(lc.run_cls(lc.CLS_PARAMS.defaults()))
    assert list(s["losses"]) == list(lc.CLS_PARAMS.defaults()["cls"])
    assert s["losses"]["logistic"]["torch"] == "F.soft_margin_loss"
    assert all("vanishes_while_wrong_on" in row for row in s["losses"].values())
