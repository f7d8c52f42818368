"""The outlier fits land where the statistics say: mean, median, quantile; least squares; pulled by the mean."""

import numpy as np
import pytest

from core.experiment import drain
from core.losses import concept as lc
from core.losses import outliers


def fit(keys, data, steps=800, delta=1.0, tau=0.9, seed=0):
    return drain(outliers.stream(tuple(keys), data, steps, delta, tau, seed))


def between_order_statistics(value, y, q, slack=1e-3):
    """The pinball minimiser may lie anywhere between the order statistics around the q-quantile."""
    n = len(y)
    lo, hi = np.quantile(y, max(0.0, q - 1 / n)), np.quantile(y, min(1.0, q + 1 / n))
    return lo - slack <= value <= hi + slack


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_constants_approach_the_mean_the_median_and_the_quantile(seed):
    data = outliers.synthetic(61, "line", 0.3, 0.2, 4.0, seed)
    r = fit(("mse", "mae", "quantile"), data, seed=seed)
    assert r.const[0] == pytest.approx(data.y.mean(), abs=2e-3)
    assert between_order_statistics(r.const[1], data.y, 0.5)
    assert between_order_statistics(r.const[2], data.y, 0.9)


@pytest.mark.parametrize("seed", [0, 3])
def test_the_lines_are_least_squares_least_absolute_and_quantile_lines(seed):
    data = outliers.synthetic(80, "line", 0.3, 0.2, 4.0, seed)
    r = fit(("mse", "mae", "quantile"), data, steps=1500, seed=seed)
    assert r.line[0] == pytest.approx(r.least_squares(), abs=5e-3)
    below = r.share_below()
    n = len(data.y)
    assert abs(below[1] - 0.5) <= 2 / n  # half the points on each side of the MAE line
    assert abs(below[2] - 0.9) <= 2 / n  # a share τ below the quantile line


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_outliers_pull_the_mse_fit_by_their_mean_and_the_mae_fit_far_less(seed):
    data = outliers.synthetic(60, "line", 0.3, 0.2, 4.0, seed)
    r = fit(("mse", "mae", "huber"), data, seed=seed)
    pull, targets = r.pull(), r.targets()
    assert pull["line"][0] == pytest.approx(targets["noise_mean"], abs=0.15)
    assert pull["line"][1] < pull["line"][0] / 3 and pull["mlp"][1] < pull["mlp"][0] / 2
    assert pull["line"][1] < pull["line"][2] < pull["line"][0]  # Huber lies between


def test_user_points_are_fitted_in_a_standard_frame_and_drawn_in_their_own_units():
    pts = np.array([[100, 5000], [200, 5100], [300, 5300], [400, 5200], [500, 9000.0]])
    d = outliers.user_points(pts)
    assert d.x.min() == -1 and d.x.max() == 1 and np.median(d.y) == 0
    (cx, hx), (cy, sy) = d.x_scale, d.y_scale
    assert np.allclose(cx + hx * d.x, pts[:, 0]) and np.allclose(cy + sy * d.y, pts[:, 1])
    assert d.truth is None
    r = fit(("mse", "mae"), d, steps=400)
    assert r.pull() is None and np.isfinite(r.line_fit).all()


def test_a_link_with_points_all_at_one_x_falls_back_to_the_sample_with_a_notice():
    values, notices = lc.OUT_PARAMS.decode({"o_data": "points", "o_pts": "1,2,1,3,1,4"})
    assert values["o_pts"] == lc.SAMPLE_POINTS
    assert [(n.param, n.code, n.info["why"]) for n in notices] == [("o_pts", "conflict", "points_flat")]


def test_the_summary_reports_the_targets_and_every_fit():
    r = fit(("mse", "mae"), outliers.synthetic(40, "wave", 0.2, 0.1, 3.0, 0), steps=300)
    s = lc.outliers_summary(r)
    assert set(s["fits"]) == {"mse", "mae"} and s["outliers"] == 4 and s["points"] == 40
    assert set(s["fits"]["mse"]["pull"]) == {"const", "line", "mlp"}
