"""The surface experiment as the page and the CLI see it: divergence, starts, noise, rules, summaries,
and the behaviour the page's text claims."""

import json

import numpy as np
import pytest
import torch

from core import __main__ as cli
from core.optimizers import concept as opt
from core.optimizers import paths as optim_paths
from core.optimizers import surfaces
from core.optimizers.batched import Spec

D = opt.PATHS_PARAMS.defaults()


def run(**over):
    values, notices = opt.PATHS_PARAMS.validate({**D, **over})
    return opt.run_paths(values), notices


def test_a_too_large_learning_rate_stops_at_the_plot_edge_with_its_step():
    res, _ = run(**opt.PRESETS["too_large"])
    o = res.kinds.index("sgd")
    assert res.left[o, 0] > 0 and res.nonfinite[o, 0] == -1
    x_lo, x_hi, y_lo, y_hi = res.box
    ex, ey = res.edge[o, 0]
    on_edge = np.isclose([ex, ex, ey, ey], [x_lo, x_hi, y_lo, y_hi]).any()
    assert on_edge and x_lo - 1e-9 <= ex <= x_hi + 1e-9 and y_lo - 1e-9 <= ey <= y_hi + 1e-9
    assert np.isnan(res.path[res.left[o, 0] :, o, 0]).all() and np.isfinite(res.path[: res.left[o, 0], o, 0]).all()
    assert np.isnan(res.loss[res.left[o, 0] :, o, 0]).all()
    others = [i for i in range(len(res.kinds)) if i != o]
    assert (res.left[others, 0] == -1).all()
    assert res.divergences() == [("sgd", [1], [int(res.left[o, 0])], None)]


def test_overflow_to_inf_and_nan_is_reported_not_raised():
    res, _ = run(surface="rosenbrock", opts=("sgd", "adam"), lr_sgd=10.0, steps=200)
    o = res.kinds.index("sgd")
    assert res.left[o, 0] >= 1 and np.isfinite(res.edge[o, 0]).all()
    assert res.nonfinite[o, 0] == -1 or res.nonfinite[o, 0] >= res.left[o, 0]
    s = opt.paths_summary(res)
    assert s["optimizers"]["sgd"]["diverged_at"] == res.left[o, 0]
    json.dumps(cli._jsonable(s))  # NaN/inf become words in the CLI's JSON, no crash
    h = optim_paths.simulate(
        surfaces.get("rosenbrock"), [Spec("sgd", 10.0)], torch.tensor([[-1.2, 1.0]]).double(), 50, np.ones(50)
    )
    left, bad, edge = optim_paths.exits(h.p.numpy(), surfaces.get("rosenbrock").box)
    assert bad[0] > 0 and left[0] <= bad[0] and np.isfinite(edge[0]).all()


def test_a_transient_swing_outside_the_plot_is_not_called_divergence():
    res, _ = run(**opt.PRESETS["optimal_kappa100"])  # heavy ball at its optimum overshoots the plot, then converges
    o = res.kinds.index("momentum")
    assert np.nanmax(np.abs(res.path[:, o, 0])) > 3.0
    assert res.left[o, 0] == -1 and res.final_loss[o, 0] < 1e-12


def test_every_start_runs_and_the_extra_starts_come_from_the_seed():
    res, _ = run(**opt.PRESETS["himmelblau_basins"])
    assert res.path.shape[2] == 9 and res.starts.shape == (9, 2)
    np.testing.assert_array_equal(res.starts[0], surfaces.get("himmelblau").start)
    minima = np.array([[q.x, q.y] for q in surfaces.get("himmelblau").minima])
    for o in range(len(res.kinds)):
        for s in range(9):
            assert np.linalg.norm(minima - res.end[o, s], axis=1).min() < 1e-3  # every run found some minimum
    again, _ = run(**opt.PRESETS["himmelblau_basins"])
    np.testing.assert_array_equal(again.starts, res.starts)
    other, _ = run(**{**opt.PRESETS["himmelblau_basins"], "seed": 5})
    assert not np.allclose(other.starts[1:], res.starts[1:]) and np.allclose(other.starts[0], res.starts[0])


def test_noise_is_seeded_and_shared_by_every_optimizer():
    a, _ = run(noise=0.3, seed=1)
    b, _ = run(noise=0.3, seed=1)
    c, _ = run(noise=0.3, seed=2)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)
    xi = optim_paths.noise_for(10, 3, 2, 0.5, 0)  # (T, O·S, 2): row o·S + s
    torch.testing.assert_close(xi[:, 0], xi[:, 2])
    torch.testing.assert_close(xi[:, 1], xi[:, 5])
    assert not torch.equal(xi[:, 0], xi[:, 1])
    assert optim_paths.noise_for(10, 3, 2, 0.0, 0) is None


def test_a_start_outside_the_surface_is_clamped_with_a_notice():
    values, notices = opt.PATHS_PARAMS.decode({"surface": "rosenbrock", "x0": "-7", "y0": "9"})
    assert values["x0"] == -2.0 and values["y0"] == 3.0
    assert [(n.param, n.code, n.info["why"]) for n in notices] == [
        ("x0", "conflict", "start_outside"),
        ("y0", "conflict", "start_outside"),
    ]


def test_inspecting_a_hidden_optimizer_falls_back_to_a_shown_one_without_a_notice():
    values, notices = opt.PATHS_PARAMS.validate({**D, "opts": ("sgd", "nesterov"), "inspect": "adam"})
    assert values["inspect"] == "sgd" and notices == []  # a display choice among those shown: nothing to explain
    values, _ = opt.PATHS_PARAMS.validate({**D, "opts": ("sgd", "nesterov"), "inspect": "nesterov"})
    assert values["inspect"] == "nesterov"
    assert opt.PATHS_PARAMS["inspect"].span(values) == ("sgd", "nesterov")  # what the widget offers


def test_display_knobs_do_not_change_the_computation():
    a, _ = run(view3d=True, inspect="sgd")
    b, _ = run()
    assert a is b  # the same cached computation


def test_the_cli_prints_end_points_loss_curves_and_steps_to_tolerance():
    out = cli.run("optimizers", "surface=booth&opts=sgd,adam&steps=200&x0=-8&y0=-7&lr_sgd=0.05", experiment="paths")
    paths = out["experiments"]["paths"]
    assert paths["surface"] == "booth" and set(paths["optimizers"]) == {"sgd", "adam"}
    sgd = paths["optimizers"]["sgd"]
    assert sgd["end_point"] == pytest.approx([1.0, 3.0], abs=1e-6)
    assert len(sgd["loss_curve"]) == 201 and sgd["steps_to_tol"] is not None and sgd["diverged_at"] is None
    assert sgd["torch"] == "torch.optim.SGD(params, lr=0.05)"


def test_steps_to_tolerance_is_the_first_step_below_it():
    res, _ = run(surface="booth", x0=-8.0, y0=-7.0, opts=("sgd",), lr_sgd=0.05, steps=300, tol=1e-6)
    k = res.to_tol[0, 0]
    assert k > 0
    assert res.loss[k, 0, 0] <= 1e-6 < res.loss[k - 1, 0, 0]


# ---- behaviour the page's text claims --------------------------------------------------------------


def test_on_the_plateau_adaptive_methods_cross_while_sgd_creeps():
    res, _ = run(surface="plateau", x0=-4.5, y0=3.5, opts=("sgd", "adam"), lr_sgd=0.1, lr_adam=0.05, steps=100)
    moved = np.linalg.norm(res.path[-1, :, 0] - res.path[0, :, 0], axis=-1)
    assert moved[res.kinds.index("adam")] > 3.0 and moved[res.kinds.index("sgd")] < 0.05


def test_adam_steps_are_about_lr_per_coordinate_whatever_the_gradient_size():
    res, _ = run(surface="booth", x0=-8.0, y0=-7.0, opts=("sgd", "adam"), lr_adam=0.1, steps=20)
    a = res.kinds.index("adam")
    assert np.allclose(res.step_len[:5, a], 0.1, rtol=0.05)  # gradients here are in the hundreds
    assert res.grad[0, a].__abs__().min() > 50


def test_adagrad_step_size_only_shrinks_and_rmsprop_can_grow_again():
    res, _ = run(surface="beale", opts=("adagrad", "rmsprop"), steps=400, **{"x0": -1.0, "y0": -1.5})
    ada, rms = res.kinds.index("adagrad"), res.kinds.index("rmsprop")
    assert (np.diff(res.eta[:, ada], axis=0) <= 1e-12).all()
    assert (np.diff(res.eta[:, rms], axis=0) > 0).any()


def test_momentum_beats_sgd_through_the_rosenbrock_valley():
    res, _ = run(**opt.PRESETS["momentum_valley"])
    loss = dict(zip(res.kinds, res.final_loss[:, 0]))
    assert loss["momentum"] < loss["sgd"] / 100 and loss["nesterov"] < loss["sgd"] / 100


def test_adam_leaves_a_saddle_sooner_than_sgd_at_the_same_learning_rate():
    res, _ = run(**opt.PRESETS["adam_saddle"])
    y = np.abs(res.path[:, :, 0, 1])
    first_out = {k: int(np.argmax(np.nan_to_num(y[:, o], nan=9) > 1)) for o, k in enumerate(res.kinds)}
    assert first_out["adam"] < first_out["sgd"]
