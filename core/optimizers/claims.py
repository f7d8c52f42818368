"""The interview notes' claims about optimizers, checked by computation (cards beside the page's sections).

    claims()          on the quadratic and the saddle: momentum vs the zig-zag, halving the rate on a
                      plateau under gradient noise, escaping a saddle with and without noise (~3,000 steps)
    escape()          on Rastrigin, real torch.optim runs from a grid of starts: does momentum end in a lower
                      minimum than SGD? (the paths section's cards; ~0.5 CPU-s)
    card_numbers()    the two above with the floats the cards' evidence charts show (measured once per process)
    network_claims()  on the digits: optimizer state per weight, adaptive vs SGD on small data, batch size
                      at a fixed number of epochs vs a fixed number of steps (~2,000 training steps, ~3 CPU-s:
                      the network section's cards, behind a button)

Each returns a dict of plain numbers that core/optimizers/text.toml's `claims.<key>.why` are filled with;
the verdicts the numbers decide are functions here (`escape_verdict`, `small_data_verdict`), and
tests/optimizers/test_claims.py checks that the numbers support every verdict.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from core.optimizers import race, schedules, surfaces
from core.optimizers.batched import Spec
from core.optimizers.paths import exits, noise_for, simulate

ESCAPE_STARTS = 8  # an 8 × 8 grid of start points on Rastrigin's plot (none on a ridge or a minimum)
ESCAPE_STEPS = 300
ESCAPE_LR = 0.001  # the page's learning rate for SGD and Momentum on Rastrigin (concept.SUGGESTED)
ESCAPE_MUS = (0.9, 0.99)  # torch's usual momentum (the page's), a heavy one


def _quad_run(
    kinds_lrs: list[tuple[str, float, float]],
    kappa: float,
    steps: int,
    noise: float = 0.0,
    sched: str = "constant",
    patience: int = 20,
    seed: int = 0,
) -> np.ndarray:
    """Positions (T+1, R, 2) of optimizers (kind, lr, momentum) on the quadratic from its start."""
    s = surfaces.get("quadratic", kappa, 0.0)
    specs = [Spec(k, lr, momentum=mu) for k, lr, mu in kinds_lrs]
    n = len(specs)
    sigma = noise * surfaces.grad_scale("quadratic", kappa, 0.0)
    h = simulate(
        s,
        specs,
        torch.tensor([s.start] * n, dtype=torch.float64),
        steps,
        schedules.factors(sched, steps),
        patience if sched == "plateau" else None,
        noise_for(steps, n, 1, sigma, seed),
    )
    return h.p.numpy()


@lru_cache(maxsize=1)
def claims() -> dict:
    """Surface experiments behind the page's verdicts on the interview notes (about 3,000 batched steps)."""
    quad = surfaces.get("quadratic", 100.0, 0.0)
    # "momentum reduces the zig-zag": κ = 100; momentum's effective step along the floor is α/(1 − μ) = 2.5
    p = _quad_run([("momentum", 0.25, 0.9), ("sgd", 2.5, 0.0), ("sgd", 1.9, 0.0)], 100.0, 600)
    with np.errstate(over="ignore", invalid="ignore"):
        dist = np.linalg.norm(p, axis=-1)
    reach = [int(np.argmax(dist[:, i] < 1e-3)) if (dist[:, i] < 1e-3).any() else -1 for i in range(3)]
    left, _, _ = exits(p, quad.box)
    zig = [float(np.abs(p[20:41, i, 1]).max()) for i in (0, 2)]
    # "halve the learning rate when the loss stops falling": SGD with gradient noise, κ = 10
    f = surfaces.get("quadratic", 10.0, 0.0).f
    tail = lambda p: float(f(torch.from_numpy(p[-100:, 0])).mean())
    noise_const = tail(_quad_run([("sgd", 0.5, 0.0)], 10.0, 600, noise=0.5))
    noise_plateau = tail(_quad_run([("sgd", 0.5, 0.0)], 10.0, 600, noise=0.5, sched="plateau"))
    # "saddle points are the real difficulty": gradient descent on x² − y² from y₀ = 10⁻², 10⁻⁸, 10⁻⁸ + noise
    steps, sigma = 1500, 0.05 * surfaces.grad_scale("saddle")
    noise = torch.zeros(steps, 3, 2, dtype=torch.float64)
    noise[:, 2] = torch.randn(steps, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * sigma
    h = simulate(
        surfaces.get("saddle"),
        [Spec("sgd", 0.01)] * 3,
        torch.tensor([[-1.8, 1e-2], [-1.8, 1e-8], [-1.8, 1e-8]], dtype=torch.float64),
        steps,
        np.ones(steps),
        None,
        noise,
    )
    out = np.abs(h.p[:, :, 1].numpy()) > 1
    escape = [int(np.argmax(out[:, i])) if out[:, i].any() else steps for i in range(3)]
    return {
        "reach_momentum": reach[0],
        "reach_sgd": reach[2],
        "gd_big_diverges": int(left[1]),
        "zig_momentum": zig[0],
        "zig_sgd": zig[1],
        "noise_const": noise_const,
        "noise_plateau": noise_plateau,
        "noise_ratio": noise_const / noise_plateau,
        "escape_1e2": escape[0],
        "escape_1e8": escape[1],
        "escape_noise": escape[2],
    }


def _torch_runs(make, starts: torch.Tensor, steps: int) -> torch.Tensor:
    """Final points of torch.optim runs on Rastrigin, one per start: the starts are the rows of one (N, 2)
    parameter and f sums over rows, so each row follows exactly its own run (these optimizers act per element)."""
    f = surfaces.get("rastrigin").f
    p = starts.clone().requires_grad_(True)
    opt = make([p])
    for _ in range(steps):
        opt.zero_grad()
        f(p).sum().backward()
        opt.step()
    return p.detach()


def escape_starts(n: int = ESCAPE_STARTS) -> torch.Tensor:
    """(n², 2) start points: a grid over Rastrigin's plot, offset so that no start sits on a ridge or a minimum."""
    lo, hi = surfaces.get("rastrigin").box[:2]
    axis = torch.linspace(lo + 0.6, hi - 0.6, n, dtype=torch.float64) + 0.13
    return torch.cartesian_prod(axis, axis)


@lru_cache(maxsize=1)
def escape() -> dict:
    """“Momentum escapes local minima”: SGD and Momentum (torch.optim.SGD, the page's rate on Rastrigin) from the
    same grid of starts; per momentum μ, the share of starts where Momentum ends in a lower / the same / a higher
    minimum than SGD (Rastrigin's minima sit near the integer lattice: the ends are compared rounded to it, and
    its values there differ by at least 1, so lower / higher means by more than 0.5; the same minimum: the same
    rounded point)."""
    f = surfaces.get("rastrigin").f
    starts = escape_starts()
    sgd = _torch_runs(lambda ps: torch.optim.SGD(ps, lr=ESCAPE_LR), starts, ESCAPE_STEPS)
    f_sgd = f(sgd.round())
    out: dict = {"escape_starts": len(starts), "escape_steps": ESCAPE_STEPS, "escape_lr": ESCAPE_LR}
    for mu in ESCAPE_MUS:
        end = _torch_runs(lambda ps, mu=mu: torch.optim.SGD(ps, lr=ESCAPE_LR, momentum=mu), starts, ESCAPE_STEPS)
        f_mom = f(end.round())
        tag = f"{round(mu * 1000)}"
        out[f"lower_{tag}"] = 100 * float((f_mom < f_sgd - 0.5).double().mean())
        out[f"higher_{tag}"] = 100 * float((f_mom > f_sgd + 0.5).double().mean())
        out[f"same_{tag}"] = 100 * float((end.round() == sgd.round()).all(1).double().mean())
    return out


def escape_verdict(n) -> str:
    """True if Momentum ends lower than SGD from most starts whatever μ, false if from almost none, else depends."""
    lower = [n[f"lower_{round(mu * 1000)}"] for mu in ESCAPE_MUS]
    return "true" if min(lower) >= 50 else "false" if max(lower) < 10 else "depends"


def card_numbers() -> dict:
    """What the paths section's cards quote (surface experiments, ~1 CPU-s): measured once per process."""
    c = claims()
    return {**c, **escape(), "ratio_pct": 100.0 / c["noise_ratio"]}


def small_data_verdict(n) -> str:
    """“Adam and Adadelta do worse than SGD on small data”: false when either adaptive method beats Momentum here;
    else it depends (the gaps are a point or two and move with rates, steps and seeds)."""
    return "false" if max(n["acc_adam"], n["acc_adadelta"]) > n["acc_momentum"] else "depends"


def state_sizes(n: int) -> dict[str, int]:
    """How many numbers torch.optim keeps besides the weights, for n weights, after one step."""
    out = {}
    for k in ("sgd", "momentum", "adam"):
        p = torch.zeros(n, requires_grad=True)
        opt = eval(Spec(k, 0.01).torch_call(), {"torch": torch, "params": [p]})  # our own constructor string
        p.sum().backward()
        opt.step()
        out[k] = sum(t.numel() for t in opt.state[p].values() if torch.is_tensor(t) and t.numel() > 1)
    return out


def _final(specs: list[Spec], steps: int, batch: int) -> race.RaceResult:
    return list(race.stream(specs, steps, batch, 64, 0))[-1][1]


def batch_effect(sizes: tuple[int, ...] = (8, 32, 128, 512), epochs: int = 3, steps: int = 150) -> dict[str, float]:
    """SGD (lr 0.1) test accuracy per batch size after a fixed number of epochs and after a fixed number of steps."""
    n_train = len(race.dataset(0, "cpu")[1])
    out = {}
    for b in sizes:
        out[f"epochs_b{b}"] = float(_final([Spec("sgd", 0.1)], max(1, round(epochs * n_train / b)), b).test_acc[-1, 0])
        out[f"steps_b{b}"] = float(_final([Spec("sgd", 0.1)], steps, b).test_acc[-1, 0])
    return out


@lru_cache(maxsize=1)
def network_claims() -> dict:
    """Digits experiments behind the verdicts on optimizer state, adaptive methods and batch size (~2,000 steps)."""
    n = sum(race.sizes(64))
    state = state_sizes(n)
    final = _final([Spec("momentum", 0.05), Spec("adam", 0.002), Spec("adadelta", 1.0)], 600, 32)
    return {
        "params": n,
        "state_sgd": state["sgd"],
        "state_momentum": state["momentum"],
        "state_adam": state["adam"],
        "acc_momentum": float(final.test_acc[-1, 0]),
        "acc_adam": float(final.test_acc[-1, 1]),
        "acc_adadelta": float(final.test_acc[-1, 2]),
        **batch_effect(),
    }
