"""The batched optimizers against torch.optim, step by step in float64; schedules against
torch.optim.lr_scheduler; the network race against nn.Sequential + torch.optim."""

import math

import numpy as np
import pytest
import torch

from core.optimizers import race, schedules, surfaces
from core.optimizers.batched import KINDS, Spec
from core.optimizers.paths import simulate

STEPS = 250


def reference(surface, spec: Spec, start, steps: int, noise=None, scheduler=None) -> torch.Tensor:
    """torch.optim on f itself: autograd gradient, optimizer.step(), scheduler.step() — (steps+1, 2)."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = eval(spec.torch_call(), {"torch": torch, "params": [p]})  # the constructor the page shows
    sched = scheduler(opt) if scheduler else None
    out = [p.detach().clone()]
    for t in range(steps):
        opt.zero_grad()
        loss = surface.f(p)
        loss.backward()
        if noise is not None:
            p.grad += noise[t]
        opt.step()
        if sched is not None:
            sched.step(loss.item()) if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau) else sched.step()
        out.append(p.detach().clone())
    return torch.stack(out)


def batched(surface, specs, start, steps, factors=None, patience=None, noise=None) -> torch.Tensor:
    p0 = torch.tensor([start] * len(specs), dtype=torch.float64)
    factors = np.ones(steps) if factors is None else factors
    return simulate(surface, specs, p0, steps, factors, patience, noise).p


# Settings where every optimizer's path is smooth (no chaotic amplification of rounding), so a match to
# ~1e-10 over hundreds of steps means the same arithmetic, not luck.
SPECS = [
    Spec("sgd", 0.01),
    Spec("sgd", 0.01, weight_decay=0.1),
    Spec("momentum", 0.003, momentum=0.9),
    Spec("momentum", 0.003, momentum=0.8, weight_decay=0.05),
    Spec("nesterov", 0.003, momentum=0.9),
    Spec("nesterov", 0.002, momentum=0.95, weight_decay=0.05),
    Spec("adagrad", 0.5),
    Spec("adagrad", 0.5, weight_decay=0.1),
    Spec("rmsprop", 0.01),
    Spec("rmsprop", 0.01, alpha=0.9, weight_decay=0.1),
    Spec("adam", 0.05),
    Spec("adam", 0.05, betas=(0.8, 0.99), weight_decay=0.1),
    Spec("adamw", 0.05),
    Spec("adamw", 0.05, betas=(0.85, 0.995), weight_decay=0.3),
    Spec("nadam", 0.05),
    Spec("nadam", 0.05, betas=(0.8, 0.99), weight_decay=0.1),
    Spec("adadelta", 1.0),
    Spec("adadelta", 2.0, rho=0.95, weight_decay=0.1),
]


def test_every_optimizer_kind_is_covered_with_and_without_weight_decay():
    assert {s.kind for s in SPECS} == set(KINDS)
    assert {s.kind for s in SPECS if s.weight_decay} == set(KINDS)


@pytest.mark.parametrize("key,start", [("himmelblau", (0.0, -0.5)), ("booth", (-8.0, -7.0))])
def test_all_optimizers_batched_together_match_torch_optim_step_by_step(key, start):
    surface = surfaces.get(key)
    ours = batched(surface, SPECS, start, STEPS)
    for r, spec in enumerate(SPECS):
        ref = reference(surface, spec, start, STEPS)
        torch.testing.assert_close(ours[:, r], ref, rtol=1e-10, atol=1e-10, msg=lambda m, s=spec: f"{s}: {m}")


def test_bias_correction_matters_in_the_first_steps_and_is_reproduced():
    """Adam's first step moves every coordinate by lr (m̂/√v̂ = ±1): without bias correction it would not."""
    surface = surfaces.get("booth")
    ours = batched(surface, [Spec("adam", 0.1), Spec("nadam", 0.1)], (-8.0, -7.0), 3)
    step1 = (ours[1, 0] - ours[0, 0]).abs()
    torch.testing.assert_close(step1, torch.full((2,), 0.1, dtype=torch.float64), rtol=1e-6, atol=0)
    for r, kind in enumerate(("adam", "nadam")):
        torch.testing.assert_close(
            ours[:, r], reference(surface, Spec(kind, 0.1), (-8.0, -7.0), 3), rtol=1e-12, atol=1e-12
        )


def test_rosenbrock_paths_match_torch_optim_for_hundreds_of_steps():
    surface = surfaces.get("rosenbrock")
    specs = [
        Spec("sgd", 0.001),
        Spec("momentum", 0.0005),
        Spec("nesterov", 0.0005, weight_decay=0.01),
        Spec("adam", 0.01),
        Spec("adamw", 0.01, weight_decay=0.1),
        Spec("nadam", 0.01),
        Spec("adagrad", 0.1),
    ]
    ours = batched(surface, specs, (-1.2, 1.0), 300)
    for r, spec in enumerate(specs):
        torch.testing.assert_close(ours[:, r], reference(surface, spec, (-1.2, 1.0), 300), rtol=1e-9, atol=1e-9)


def test_gradient_noise_enters_exactly_like_a_noisy_gradient():
    surface = surfaces.get("quadratic", 10.0, 30.0)
    specs = [Spec("sgd", 0.3), Spec("momentum", 0.1), Spec("adam", 0.05)]
    noise = torch.randn(200, 1, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64) * 0.3
    ours = batched(surface, specs, (-2.5, 1.0), 200, noise=noise.expand(200, 3, 2))
    for r, spec in enumerate(specs):
        ref = reference(surface, spec, (-2.5, 1.0), 200, noise=noise[:, 0])
        torch.testing.assert_close(ours[:, r], ref, rtol=1e-10, atol=1e-10)


SCHEDULERS = {
    "step": lambda o, T: torch.optim.lr_scheduler.StepLR(o, step_size=40, gamma=0.3),
    "exp": lambda o, T: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.3 ** (1 / 40)),
    "cosine": lambda o, T: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T),
    "warmup": lambda o, T: torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 25, end_factor=1.0, total_iters=24),
    "warmup_cos": lambda o, T: torch.optim.lr_scheduler.SequentialLR(
        o,
        [
            torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 25, end_factor=1.0, total_iters=24),
            torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T - 25),
        ],
        milestones=[25],
    ),
}


@pytest.mark.parametrize("kind", list(SCHEDULERS))
def test_schedule_factors_match_torch_lr_schedulers(kind):
    steps = 150
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.7)
    sched = SCHEDULERS[kind](opt, steps)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    ours = 0.7 * schedules.factors(kind, steps, every=40, gamma=0.3, warmup=25)
    np.testing.assert_allclose(ours, rates, rtol=1e-12, atol=1e-15)


def test_constant_schedule_is_all_ones_and_unknown_is_refused():
    np.testing.assert_array_equal(schedules.factors("constant", 5), np.ones(5))
    with pytest.raises(ValueError):
        schedules.factors("bogus", 5)


@pytest.mark.parametrize("kind", ["cosine", "step"])
def test_scheduled_paths_match_torch_optimizer_plus_scheduler(kind):
    surface = surfaces.get("himmelblau")
    specs = [Spec("sgd", 0.01), Spec("adam", 0.1), Spec("nesterov", 0.003)]
    factors = schedules.factors(kind, 200, every=40, gamma=0.3)
    ours = batched(surface, specs, (0.0, -0.5), 200, factors=factors)
    for r, spec in enumerate(specs):
        ref = reference(surface, spec, (0.0, -0.5), 200, scheduler=lambda o: SCHEDULERS[kind](o, 200))
        torch.testing.assert_close(ours[:, r], ref, rtol=1e-10, atol=1e-10)


def test_halving_on_plateau_matches_reduce_lr_on_plateau_with_every_optimizer_row_on_its_own():
    surface = surfaces.get("quadratic", 10.0, 0.0)
    specs = [Spec("sgd", 0.5), Spec("adam", 0.1), Spec("momentum", 0.1)]
    steps, patience = 400, 7
    noise = torch.randn(steps, 1, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 0.4
    h = simulate(
        surface,
        specs,
        torch.tensor([[-2.5, 1.0]] * 3, dtype=torch.float64),
        steps,
        np.ones(steps),
        patience,
        noise.expand(steps, 3, 2),
    )
    for r, spec in enumerate(specs):
        sched = lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=patience)
        ref = reference(surface, spec, (-2.5, 1.0), steps, noise=noise[:, 0], scheduler=sched)
        torch.testing.assert_close(h.p[:, r], ref, rtol=1e-10, atol=1e-10)
    cuts = (np.diff(h.lr[:, :, 0].numpy(), axis=0) < 0).sum(0)
    assert (cuts >= 2).all()  # the noise floor really triggers several halvings per run
    ratios = h.lr[1:, :, 0] / h.lr[:-1, :, 0]
    assert set(np.unique(ratios.numpy().round(12))) <= {0.5, 1.0}


def test_torch_call_names_the_class_and_every_non_default_hyper_parameter():
    assert (
        Spec("nesterov", 0.01, momentum=0.8).torch_call()
        == "torch.optim.SGD(params, lr=0.01, momentum=0.8, nesterov=True)"
    )
    assert (
        Spec("adamw", 0.001).torch_call() == "torch.optim.AdamW(params, lr=0.001, betas=(0.9, 0.999), weight_decay=0)"
    )
    assert "alpha=0.95" in Spec("rmsprop", 0.01, alpha=0.95).torch_call()
    assert Spec("sgd", 0.1).torch_call() == "torch.optim.SGD(params, lr=0.1)"


def test_a_diverging_row_does_not_disturb_the_others():
    surface = surfaces.get("booth")
    specs = [Spec("sgd", 5.0), Spec("sgd", 0.01)]
    both = batched(surface, specs, (-8.0, -7.0), 300)
    alone = batched(surface, specs[1:], (-8.0, -7.0), 300)
    assert not torch.isfinite(both[-1, 0]).all()  # blew up to inf/NaN, without an exception
    torch.testing.assert_close(both[:, 1], alone[:, 0], rtol=0, atol=0)


def test_race_row_matches_nn_sequential_with_torch_optim():
    width, steps, batch, seed = 16, 40, 16, 3
    specs = [Spec("adam", 0.01), Spec("momentum", 0.05), Spec("rmsprop", 0.003)]
    result = list(race.stream(specs, steps, batch, width, seed))[-1][1]
    x_tr, y_tr, _, _ = race.dataset(seed, "cpu")
    idx = race.batches(len(y_tr), batch, steps, seed)
    init = race.init_row(width, seed)
    for r, spec in enumerate(specs):
        net = torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.ReLU(), torch.nn.Linear(width, 10))
        w1, b1, w2, b2 = torch.split(init, race.sizes(width))
        with torch.no_grad():  # same layout as the race: W1 is stored (in, out), nn.Linear keeps (out, in)
            net[0].weight.copy_(w1.view(64, width).T)
            net[0].bias.copy_(b1)
            net[2].weight.copy_(w2.view(width, 10).T)
            net[2].bias.copy_(b2)
        params = list(net.parameters())
        opt = eval(spec.torch_call(), {"torch": torch, "params": params})
        losses = []
        for t in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x_tr[idx[t]]), y_tr[idx[t]])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(result.loss[:, r], losses, rtol=2e-4, atol=2e-5)


def test_race_uses_the_same_initial_weights_and_batches_for_every_optimizer():
    specs = [Spec("sgd", 0.0001), Spec("sgd", 0.0001)]  # two identical runs must stay identical
    res = list(race.stream(specs, 20, 8, 16, 0))[-1][1]
    np.testing.assert_array_equal(res.loss[:, 0], res.loss[:, 1])
    assert res.test_acc.shape == (len(res.eval_steps), 2) and res.eval_steps[0] == 0
    idx = race.batches(100, 8, 30, 0)
    assert idx.shape == (30, 8)
    first_epoch = idx[:12].flatten()
    assert len(set(first_epoch.tolist())) == 96  # within an epoch no digit is drawn twice


def test_a_diverging_network_is_reported_not_raised():
    res = list(race.stream([Spec("sgd", 1e30), Spec("adam", 0.01)], 100, 32, 16, 0))[-1][1]
    assert res.diverged[0] >= 0 and res.diverged[1] == -1
    assert math.isfinite(res.test_acc[-1, 1]) and res.test_acc[-1, 1] > 0.8
