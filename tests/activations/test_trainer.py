"""The 2-D classifier trainer: data sets, determinism, torch.optim reference runs (L2 included), what
the page claims (identity = linear model, tanh/ReLU solve XOR and circles), dead units, divergence,
and that other pages (optimizers, regularization) can reuse it as it is."""

import ast
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core import datasets2d as d2
from core import training
from core.activation_fns import FUNCTIONS
from core.activations import trainer as tr
from core.activations.dead_relu import DEAD_PARAMS
from core.activations.dead_relu import configs as dead_configs


@pytest.fixture(scope="module")
def circles():
    return d2.make("circles", 400, 0.05, 0.3, 0)


# ---- data sets --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", d2.DATASETS)
def test_data_sets_are_seeded_balanced_and_split(kind):
    a, b, c = d2.make(kind, 301, 0.1, 0.3, 5), d2.make(kind, 301, 0.1, 0.3, 5), d2.make(kind, 301, 0.1, 0.3, 6)
    torch.testing.assert_close(a.x_train, b.x_train, rtol=0, atol=0)
    assert not torch.equal(a.x_train, c.x_train)
    assert len(a.y_test) == d2.test_size(301, 0.3, a.classes) == 90 and len(a.y_train) == 211
    counts = torch.bincount(torch.cat([a.y_train, a.y_test]), minlength=a.classes)
    assert counts.max() - counts.min() <= 1 and a.classes == d2.CLASSES[kind]
    assert a.x_train.dtype == torch.float32 and a.x_train.abs().max() <= a.extent


def test_noise_free_xor_and_circles_follow_their_rules():
    x = d2.make("xor", 400, 0.0, 0.5, 0)
    pts, y = torch.cat([x.x_train, x.x_test]), torch.cat([x.y_train, x.y_test])
    assert torch.equal((pts[:, 0] * pts[:, 1] > 0).long(), y)
    assert (pts.abs() >= d2.PAD - 1e-6).all()
    c = d2.make("circles", 400, 0.0, 0.5, 0)
    r, y = torch.cat([c.x_train, c.x_test]).norm(dim=1), torch.cat([c.y_train, c.y_test])
    assert (r[y == 0] <= 0.5 + 1e-6).all() and (r[y == 1] >= 0.7 - 1e-6).all()


def test_grid_is_row_major_with_x2_along_rows():
    axis, pts = d2.grid(1.0, 5)
    assert pts.shape == (25, 2)
    grid = pts.reshape(5, 5, 2)
    assert torch.equal(grid[0, :, 0], torch.from_numpy(axis)) and (grid[:, 0, 1] == torch.from_numpy(axis)).all()


# ---- determinism and the torch reference ------------------------------------------------------


def test_the_trainer_is_deterministic_for_a_seed(circles):
    cfg = tr.Config(steps=200, act="relu", seed=3)
    a, b = tr.run(cfg, circles), tr.run(cfg, circles)
    for field in ("train_loss", "test_acc", "dead", "probs", "units"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    c = tr.run(tr.Config(steps=200, act="relu", seed=4), circles)
    assert not np.array_equal(a.weights[0], c.weights[0])


def reference(cfg: tr.Config, data, penalty_in_loss: bool):
    """The same run written the ordinary way: nn.Sequential + torch.optim, L2 optionally as a loss term."""
    g = torch.Generator().manual_seed(cfg.seed)
    net = tr.init_params(cfg, 2, data.classes, g)  # same initial weights as the trainer draws
    order = tr.batches(len(data.y_train), cfg.batch, cfg.steps, g)  # same mini-batches
    act = {"tanh": nn.Tanh(), "relu": nn.ReLU(), "elu": nn.ELU()}[cfg.act]
    layers = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        lin = nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        layers += [lin] + ([act] if i < len(net.weights) - 1 else [])
    model = nn.Sequential(*layers)
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, nn.Linear)]
    decay = 0.0 if penalty_in_loss else cfg.l2
    groups = [{"params": weights, "weight_decay": decay}, {"params": biases, "weight_decay": 0.0}]
    opt = {
        "sgd": lambda: torch.optim.SGD(groups, lr=cfg.lr),
        "momentum": lambda: torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam(groups, lr=cfg.lr),
    }[cfg.opt]()
    x, y = data.x_train, data.y_train
    for rows in order:
        loss = F.cross_entropy(model(x[rows]), y[rows])
        if penalty_in_loss:
            loss = loss + cfg.l2 / 2 * sum((w**2).sum() for w in weights)  # λ/2 Σ‖W‖²
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [w.detach().numpy() for w in weights], [b.detach().numpy() for b in biases]


@pytest.mark.parametrize(
    "opt,act,l2",
    [
        ("sgd", "tanh", 0.0),
        ("sgd", "relu", 0.01),
        ("momentum", "elu", 0.005),
        ("adam", "tanh", 0.0),
        ("adam", "relu", 0.01),
    ],
)
def test_trainer_steps_match_torch_optim_on_an_nn_sequential(circles, opt, act, l2):
    cfg = tr.Config(depth=2, width=6, act=act, opt=opt, lr=0.05, batch=16, steps=60, l2=l2, seed=1)
    ours = tr.run(cfg, circles)
    ref_w, ref_b = reference(cfg, circles, penalty_in_loss=opt == "sgd")  # SGD: weight decay == λ/2‖W‖² term
    for a, b in zip(ours.weights + ours.biases, ref_w + ref_b):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_l2_shrinks_the_weights(circles):
    cfg = tr.Config(steps=300, act="tanh", seed=0)
    free, decayed = tr.run(cfg, circles), tr.run(tr.Config(**{**cfg.__dict__, "l2": 0.02}), circles)
    norm = lambda r: sum(float((w**2).sum()) for w in r.weights)
    assert norm(decayed) < 0.8 * norm(free)


def test_batches_are_shuffled_epochs_without_repeats():
    g = torch.Generator().manual_seed(0)
    order = tr.batches(10, 4, 5, g)  # 20 rows = two epochs of 10
    assert order.shape == (5, 4)
    flat = order.flatten()
    assert sorted(flat[:10].tolist()) == list(range(10)) and sorted(flat[10:].tolist()) == list(range(10))


# ---- what the page claims ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xor", "circles"])
def test_identity_stays_near_chance_while_tanh_and_relu_solve_it(kind):
    data = d2.make(kind, 400, 0.05, 0.3, 0)
    acc = {act: tr.run(tr.Config(act=act, steps=600, lr=0.02, seed=0), data) for act in ("identity", "tanh", "relu")}
    assert acc["identity"].train_acc[-1] < 0.7 and acc["identity"].test_acc[-1] < 0.7
    assert acc["tanh"].test_acc[-1] > 0.9 and acc["relu"].test_acc[-1] > 0.9


def test_an_identity_network_is_one_affine_map_with_a_straight_boundary():
    data = d2.make("xor", 300, 0.1, 0.3, 2)
    r = tr.run(tr.Config(act="identity", depth=4, width=16, steps=200, seed=2), data)
    w_eff, b_eff = tr.collapse(r.weights, r.biases)
    assert w_eff.shape == (2, 2) and b_eff.shape == (2,)
    pts = np.random.default_rng(0).uniform(-2, 2, (500, 2))
    np.testing.assert_allclose(tr.logits_np(r, pts), pts @ w_eff.T + b_eff, rtol=1e-10, atol=1e-10)
    g = np.stack(np.meshgrid(r.axis, r.axis), -1).reshape(-1, 2)  # the heatmap's grid, row-major
    side = (g @ (w_eff[1] - w_eff[0]) + (b_eff[1] - b_eff[0]) > 0).reshape(len(r.axis), len(r.axis))
    p1 = r.probs[-1][..., 1]
    sure = np.abs(p1 - 0.5) > 1e-3  # one half-plane per class (away from the line itself)
    assert np.array_equal(side[sure], p1[sure] > 0.5)


def test_logits_from_saved_weights_reproduce_the_recorded_loss(circles):
    for act in ("tanh", "prelu", "leaky_relu"):
        r = tr.run(tr.Config(act=act, steps=150, seed=0), circles)
        logits = torch.from_numpy(tr.logits_np(r, circles.x_train.double().numpy()))
        assert F.cross_entropy(logits, circles.y_train).item() == pytest.approx(float(r.train_loss[-1]), abs=1e-4)
    assert r.slopes == () and tr.run(tr.Config(act="prelu", steps=150, seed=0), circles).slopes[0] != 0.25


def test_the_linear_baseline_cannot_do_xor_but_does_gaussians():
    assert tr.linear_baseline(d2.make("xor", 400, 0.05, 0.3, 0))["test_acc"] < 0.7
    assert tr.linear_baseline(d2.make("gauss", 400, 0.0, 0.3, 0))["test_acc"] > 0.95


def test_a_multiclass_spiral_is_learned_and_its_probabilities_sum_to_one():
    data = d2.make("spiral3", 300, 0.0, 0.3, 0)
    r = tr.run(tr.Config(act="relu", width=32, steps=800, seed=0), data)
    assert r.probs.shape[-1] == 3 and r.train_acc[-1] > 0.8 > 0.5 > tr.linear_baseline(data)["train_acc"]
    np.testing.assert_allclose(r.probs.sum(-1), 1.0, rtol=1e-5)


def test_snapshots_are_kept_for_replay_and_arrays_are_float32(circles):
    cfg = tr.Config(steps=400, snapshots=8, seed=0)
    chunks = list(tr.train(cfg, circles))
    assert [round(f, 2) for f, _ in chunks] == [0.25, 0.5, 0.75, 1.0]
    r = chunks[-1][1]
    assert r.snap_steps[0] == 0 and r.snap_steps[-1] == 400 and len(r.snap_steps) == 9
    assert set(r.snap_steps) <= set(r.eval_steps)
    assert r.probs.dtype == np.float32 and r.units.dtype == np.float32 and r.axis.dtype == np.float32
    assert r.units.shape == (2, 8, cfg.unit_grid, cfg.unit_grid)
    assert len(chunks[0][1].snap_steps) < len(r.snap_steps)  # earlier chunks hold fewer snapshots


def test_chunks_follow_the_house_rule_and_do_not_change_a_finished_run(circles):
    """core.training.chunk_size picks the chunks (about four: 1,000 steps in four of 250); the chunk size changes
    when the page redraws (and where a diverging run stops), never a finished network or its recorded metrics."""
    cfg = tr.Config(steps=1000, seed=0)
    chunks = list(tr.train(cfg, circles))
    assert [c.done for _, c in chunks] == [250, 500, 750, 1000]
    other = tr.run(tr.Config(steps=1000, seed=0, chunk=333), circles)
    np.testing.assert_array_equal(other.train_loss, chunks[-1][1].train_loss)
    np.testing.assert_array_equal(other.probs, chunks[-1][1].probs)


# ---- dead units ----------------------------------------------------------------------------------


def test_dead_units_on_a_hand_built_network():
    x = torch.tensor([[-1.0, 0.5], [0.5, -1.0], [1.0, 1.0], [-0.5, -0.5]])
    net = tr.Net(
        weights=[
            torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]),
            torch.tensor([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]),
            torch.zeros(2, 2),
        ],
        biases=[torch.tensor([0.0, -2.0, -0.1, 5.0]), torch.tensor([0.0, 0.0]), torch.zeros(2)],
    )
    f = tr.activation(tr.Config(act="relu"))
    _, zs, hs = tr.forward(net, x, f)
    dead, negative = tr.dead_fraction(hs, zs)
    # layer 1: unit 2 (z = −x₁ − 2) and unit 3 (z = −0.1) are below 0 everywhere; unit 1 (x₁) and 4 live
    # layer 2: unit 1 sums live units, unit 2 reads dead unit 3 only
    assert dead.tolist() == [0.5, 0.5] and negative.tolist() == [0.5, 0.5]
    leaky = tr.activation(tr.Config(act="leaky_relu"))
    _, zs, hs = tr.forward(net, x, leaky)
    dead, negative = tr.dead_fraction(hs, zs)
    assert dead.tolist() == [0.0, 0.0] and negative.tolist() == [0.5, 0.5]  # same negatives, none dead


def test_a_dead_relu_unit_gets_no_gradient():
    net = tr.Net(
        weights=[
            torch.tensor([[1.0, 0.0], [-1.0, 0.0]], requires_grad=True),
            torch.tensor([[1.0, 1.0], [-1.0, 0.5]], requires_grad=True),
        ],
        biases=[torch.tensor([0.0, -3.0], requires_grad=True), torch.zeros(2, requires_grad=True)],
    )
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(20, 2, generator=g) * 2 - 1, torch.randint(0, 2, (20,), generator=g)
    logits, _, _ = tr.forward(net, x, tr.activation(tr.Config(act="relu")))
    F.cross_entropy(logits, y).backward()
    assert net.weights[0].grad[1].abs().max() == 0 and net.biases[0].grad[1] == 0
    assert net.weights[0].grad[0].abs().max() > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_a_large_learning_rate_kills_more_relus_than_a_small_one(seed):
    data = d2.make("moons", 500, 0.1, 0.3, seed)
    cfg = lambda lr: tr.Config(act="relu", opt="sgd", lr=lr, init="he", depth=3, width=16, steps=400, seed=seed)
    small, large = tr.run(cfg(0.1), data), tr.run(cfg(2.0), data)
    assert large.dead[-1].mean() >= small.dead[-1].mean() + 0.25
    assert large.dead_units.sum() == round(large.dead[-1].mean() * 48)


def test_an_exploding_run_stops_and_says_where():
    data = d2.make("circles", 200, 0.1, 0.3, 0)
    cfg = tr.Config(act="identity", init="normal", opt="sgd", lr=2.0, depth=6, width=64, steps=500, seed=0)
    chunks = list(tr.train(cfg, data))
    r = chunks[-1][1]
    assert r.diverged_at is not None and r.finished and chunks[-1][0] == 1.0
    size = training.chunk_size(cfg.steps, tr.PARTS)
    assert r.done < cfg.steps and len(chunks) < math.ceil(cfg.steps / size) and r.done % size == 0  # stopped early
    assert not np.isfinite(r.train_loss[np.searchsorted(r.eval_steps, r.diverged_at)])
    assert np.isfinite(r.train_loss[0])


def test_every_activation_of_the_explorer_trains_without_error(circles):
    for act in FUNCTIONS:
        r = tr.run(tr.Config(act=act, steps=20, depth=1, width=4, seed=0), circles)
        assert r.done == 20 and r.probs.shape[1:] == (50, 50, 2)


# ---- the seeds' advice on dead ReLUs, checked ---------------------------------------------------


def test_xavier_init_saves_relus_at_a_moderate_learning_rate_but_not_at_a_large_one():
    """The page's words on the notes' advice ("use Xavier initialisation"), with the section's defaults."""
    data = d2.make("moons", 500, 0.1, 0.3, 0)
    dead = {}
    for init, lr in (("xavier", 1.0), ("he", 1.0), ("xavier", 2.0)):
        cfg = dict(dead_configs({**DEAD_PARAMS.defaults(), "d_init": init, "d_lr": lr}))["relu"]
        cfg = replace(cfg, eval_every=cfg.steps)  # only the end is read: skip the curves
        dead[init, lr] = int(tr.run(cfg, data).dead_units.sum())  # of 48
    assert dead["xavier", 1.0] <= 6 and dead["he", 1.0] > 24  # a few vs more than half
    assert dead["xavier", 2.0] > 24  # no initialisation saves η = 2


# ---- reuse by other pages -----------------------------------------------------------------------


def test_the_trainer_knows_no_page_so_other_pages_can_import_it():
    tree = ast.parse(open(tr.__file__, encoding="utf-8").read())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    ours = {m for m in modules if m.split(".")[0] == "core"}
    assert ours <= {"core", "core.activation_fns", "core.datasets2d", "core.device", "core.experiment"}, ours


def test_an_optimizer_comparison_starts_every_optimizer_from_the_same_network(circles):
    """How an optimizers or regularization page would use it: one seed, one knob changed per run."""
    small = dict(steps=100, seed=7, lr=0.05, snapshots=1, grid=2, unit_grid=2)
    runs = {opt: tr.run(tr.Config(opt=opt, **small), circles) for opt in tr.OPTIMIZERS}
    runs["adam_l2"] = tr.run(tr.Config(opt="adam", l2=0.01, **small), circles)
    start = {k: float(r.train_loss[0]) for k, r in runs.items()}
    assert len(set(start.values())) == 1, start  # same initial weights for every optimizer
    ends = {k: float(r.train_loss[-1]) for k, r in runs.items()}
    assert len(set(ends.values())) == len(ends) and all(e < start["sgd"] for e in ends.values()), ends
    assert runs["sgd"].probs.shape == (2, 2, 2, 2)  # a cheap grid where no picture is wanted
