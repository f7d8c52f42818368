"""Optimizers: the page's knobs, its two experiments, presets and the notes' claims checked.

    paths   every chosen optimizer (exactly torch.optim's update, core.optimizers.batched) from every start
            point on a 2-D surface (core.optimizers.surfaces), with a learning-rate schedule
            (core.optimizers.schedules) and
            optional gradient noise; on the quadratic also the convergence theory (core.optimizers.theory)
    race    the same optimizers training one small network on the digits, same weights and batches
            (core.optimizers.race), live

The notes' claims, checked by experiment (core.optimizers.claims), are CLAIMS: cards beside the section each is
about. The paths section's cards quote `claims.card_numbers()` (surface runs, measured once per process); the
network section's cards quote `claims.network_claims()` too, trained when the student asks (a button).

Update rules (torch.optim's, g = ∇f, t = 1, 2, …; shown on the page from `UPDATES`):
    SGD p ← p − α g             Momentum b ← μ b + g,  p ← p − α b          Nesterov p ← p − α (g + μ b)
    AdaGrad s ← s + g²,  p ← p − α g / (√s + ε)       RMSprop s ← ρ s + (1−ρ) g²,  p ← p − α g / (√s + ε)
    Adam m ← β₁ m + (1−β₁) g,  v ← β₂ v + (1−β₂) g²,  p ← p − α m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
    AdamW: Adam with p ← p (1 − αλ) instead of g ← g + λ p (Loshchilov & Hutter 2019); NAdam (Dozat
    2016) and Adadelta (Zeiler 2012) as in torch.optim.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from core import budget
from core.experiment import Claim, Concept, Experiment, streaming
from core.optimizers import claims, race, schedules, surfaces, theory
from core.optimizers.batched import ADAPTIVE, BUFFERED, KINDS, Spec  # noqa: F401  (the page reads them here)
from core.optimizers.paths import Paths, paths
from core.params import Bool, Choice, Float, Int, LogFloat, Multi, Notice, ParamSet, Span, When, when

UPDATES = {
    "sgd": r"p \leftarrow p - \alpha\, g",
    "momentum": r"b \leftarrow \mu\, b + g,\qquad p \leftarrow p - \alpha\, b",
    "nesterov": r"b \leftarrow \mu\, b + g,\qquad p \leftarrow p - \alpha\,(g + \mu\, b)",
    "adagrad": r"s \leftarrow s + g^2,\qquad p \leftarrow p - \frac{\alpha\, g}{\sqrt{s} + \varepsilon}",
    "rmsprop": r"s \leftarrow \rho\, s + (1-\rho)\, g^2,\qquad "
    r"p \leftarrow p - \frac{\alpha\, g}{\sqrt{s} + \varepsilon}",
    "adam": r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ \ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ \ "
    r"p \leftarrow p - \alpha\,\frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \varepsilon}",
    "adamw": r"p \leftarrow p\,(1 - \alpha\lambda),\ \ \text{then Adam's step on } g"
    r"\ \ (\text{not } g + \lambda p)",
    "nadam": r"\text{Adam with a Nesterov look-ahead: } p \leftarrow p - \alpha\,\frac{\mu_{t+1}\hat m + "
    r"(1-\mu_t)\, g / (1-\Pi_t)}{\sqrt{\hat v} + \varepsilon}",
    "adadelta": r"v \leftarrow \rho v + (1-\rho) g^2,\ \ \delta = \frac{\sqrt{u + \varepsilon}}{\sqrt{v + \varepsilon}}"
    r"\, g,\ \ u \leftarrow \rho u + (1-\rho)\delta^2,\ \ p \leftarrow p - \alpha\,\delta",
}
GRAD = r"g = \nabla f(p) + \lambda p + \sigma s\,\xi,\qquad \xi \sim \mathcal{N}(0, I)"

# ---- knobs ---------------------------------------------------------------------------------------------

FINE = tuple(round(1 + i / 10, 1) for i in range(90))  # 1.0, 1.1, …, 9.9 per decade: room for optimal values
BETA1 = dict(lo=0.0, hi=0.999, step=0.001)
BETA2 = dict(lo=0.9, hi=0.9999, step=0.0001)

# Per surface: learning rates that suit it (loaded with the surface, with its start point), one column per
# optimizer in KINDS' order.
_LR_COLUMNS = KINDS  # sgd    momentum nesterov adagrad rmsprop adam  adamw nadam adadelta
_LR_TABLE = {
    "rosenbrock": (0.002, 0.001, 0.001, 0.5, 0.005, 0.05, 0.05, 0.03, 1.0),
    "beale":      (0.01,  0.001, 0.001, 1.0, 0.01,  0.1,  0.1,  0.1,  5.0),
    "himmelblau": (0.01,  0.003, 0.003, 1.0, 0.03,  0.1,  0.1,  0.1,  1.0),
    "booth":      (0.01,  0.003, 0.003, 3.0, 0.1,   0.3,  0.3,  0.3,  3.0),
    "saddle":     (0.01,  0.003, 0.003, 0.1, 0.003, 0.01, 0.01, 0.01, 1.0),
    "quadratic":  (0.5,   0.1,   0.1,   0.5, 0.01,  0.05, 0.05, 0.05, 1.0),
    "rastrigin":  (0.001, 0.001, 0.001, 0.3, 0.03,  0.1,  0.1,  0.1,  1.0),
    "plateau":    (1.0,   0.1,   0.1,   0.3, 0.01,  0.05, 0.05, 0.05, 1.0),
}  # fmt: skip
SUGGESTED = {surface: dict(zip(_LR_COLUMNS, lrs, strict=True)) for surface, lrs in _LR_TABLE.items()}
START_LIMIT = 10.0  # the start sliders' hard range; each surface clamps to its own box


def suggested(surface: str) -> dict:
    """The values a surface loads: its start point and its learning rates (lr_<optimizer>)."""
    x0, y0 = surfaces.get(surface).start
    return {"x0": x0, "y0": y0, **{f"lr_{k}": v for k, v in SUGGESTED[surface].items()}}


def _hyper(kind: str) -> tuple:
    """The knobs of one optimizer on the surface section (besides the shared weight decay): they matter
    while that optimizer is shown."""
    shown = when("opts", kind)
    out = [LogFloat(f"lr_{kind}", SUGGESTED["rosenbrock"][kind], lo=1e-5, hi=10.0, mantissas=FINE, when=shown)]
    if kind in ("momentum", "nesterov"):
        out.append(Float(f"mu_{kind}", 0.9, lo=0.0, hi=0.999, step=0.001, when=shown))
    if kind in ("adam", "adamw", "nadam"):
        out += [Float(f"b1_{kind}", 0.9, **BETA1, when=shown), Float(f"b2_{kind}", 0.999, **BETA2, when=shown)]
    if kind == "rmsprop":
        out.append(Float("alpha_rmsprop", 0.99, lo=0.5, hi=0.999, step=0.001, when=shown))
    if kind == "adadelta":
        out.append(Float("rho_adadelta", 0.9, lo=0.5, hi=0.999, step=0.001, when=shown))
    return tuple(out)


HYPER = {k: _hyper(k) for k in KINDS}
KNOBS = {k: tuple(p.name for p in HYPER[k]) for k in KINDS}


def start_box(axis: int) -> Span:
    """The start coordinate's span: the chosen surface's plot along x (axis 0) or y (axis 1)."""
    return lambda v: surfaces.get(v["surface"], v["kappa"], v["theta"]).box[2 * axis : 2 * axis + 2]


def _rules(v: dict) -> list[Notice]:
    """A link's start outside the surface's plot is moved to its edge, and the page says so."""
    notes = []
    for axis, name in enumerate(("x0", "y0")):
        lo, hi = start_box(axis)(v)
        if not lo <= v[name] <= hi:
            raw, v[name] = v[name], float(min(max(v[name], lo), hi))
            notes.append(Notice(name, "conflict", f"{raw:g}", {"why": "start_outside", "used": f"{v[name]:g}"}))
    return notes


def uses(knob: str) -> When:
    """Active while the chosen schedule reads `knob` (core.optimizers.schedules.USES)."""
    return when("sched", *(s for s, knobs in schedules.USES.items() if knob in knobs))


QUADRATIC = when("surface", "quadratic")
x_start, y_start = surfaces.get("rosenbrock").start
PATHS_PARAMS = ParamSet(
    (
        Choice("surface", "rosenbrock", choices=surfaces.KEYS),
        LogFloat("kappa", 10.0, lo=1.0, hi=1000.0, when=QUADRATIC),
        Float("theta", 0.0, lo=0.0, hi=180.0, step=5.0, when=QUADRATIC),
        Float("x0", x_start, lo=-START_LIMIT, hi=START_LIMIT, step=0.01, within=start_box(0)),
        Float("y0", y_start, lo=-START_LIMIT, hi=START_LIMIT, step=0.01, within=start_box(1)),
        Int("starts", 1, lo=1, hi=9),
        Int("steps", 500, lo=10, hi=3000, step=10),
        Multi("opts", ("sgd", "momentum", "adam"), choices=KINDS, lo=1, hi=len(KINDS)),
        *(p for k in KINDS for p in HYPER[k]),
        Float("wd", 0.0, lo=0.0, hi=1.0, step=0.001),
        Float("noise", 0.0, lo=0.0, hi=2.0, step=0.05),
        Int("seed", 0, lo=0, hi=999, when=When(lambda v: v["noise"] > 0 or v["starts"] > 1, "noise>0 or starts>1")),
        Choice("sched", "constant", choices=schedules.SCHEDULES),
        Int("every", 100, lo=10, hi=1000, step=10, when=uses("every")),
        Float("gamma", 0.5, lo=0.05, hi=0.95, step=0.05, when=uses("gamma")),
        Int("warmup", 50, lo=5, hi=1000, step=5, when=uses("warmup")),
        Int("patience", 10, lo=1, hi=200, when=uses("patience")),
        LogFloat("tol", 1e-6, lo=1e-12, hi=0.1, mantissas=(1.0,)),
        Bool("view3d", False),
        Choice("inspect", "adam", choices=KINDS, within=lambda v: v["opts"]),  # among the optimizers shown
    ),
    rules=_rules,
)
DISPLAY_ONLY = ("view3d", "inspect")  # change the figures, not the computation


def spec(values: dict, kind: str) -> Spec:
    """The optimizer `kind` with the surface section's hyper-parameters."""
    betas = (values[f"b1_{kind}"], values[f"b2_{kind}"]) if kind in ("adam", "adamw", "nadam") else (0.9, 0.999)
    return Spec(
        kind,
        values[f"lr_{kind}"],
        momentum=values.get(f"mu_{kind}", 0.9),
        betas=betas,
        alpha=values["alpha_rmsprop"],
        rho=values["rho_adadelta"],
        weight_decay=values["wd"],
    )


def start_points(values: dict, box: tuple[float, float, float, float]) -> np.ndarray:
    """(S, 2): the chosen start, then starts − 1 more drawn uniformly inside the box from the seed."""
    gen = torch.Generator().manual_seed(10_000 + values["seed"])
    extra = torch.rand(values["starts"] - 1, 2, generator=gen, dtype=torch.float64).numpy()
    lo, span = np.array([box[0], box[2]]), np.array([box[1] - box[0], box[3] - box[2]])
    return np.vstack([[values["x0"], values["y0"]], lo + (0.05 + 0.9 * extra) * span])


def run_paths(values: dict) -> Paths:
    return _run_paths(tuple((k, values[k]) for k in PATHS_PARAMS.names if k not in DISPLAY_ONLY))


@lru_cache(maxsize=16)
def _run_paths(frozen: tuple) -> Paths:
    v = dict(frozen)
    surface = surfaces.get(v["surface"], v["kappa"], v["theta"])
    factors = schedules.factors(v["sched"], v["steps"], v["every"], v["gamma"], v["warmup"])
    patience = v["patience"] if v["sched"] == "plateau" else None
    sigma = v["noise"] * surfaces.grad_scale(v["surface"], v["kappa"], v["theta"])
    exact = v["sched"] == "constant" and v["noise"] == 0
    theory_for = (v["kappa"], v["theta"], v["wd"], exact) if v["surface"] == "quadratic" else None
    return paths(
        surface,
        [spec(v, k) for k in v["opts"]],
        start_points(v, surface.box),
        v["steps"],
        factors,
        patience,
        sigma,
        v["seed"],
        v["tol"],
        theory_for,
    )


def _int(n) -> int | None:
    return None if n < 0 else int(n)


def paths_summary(r: Paths) -> dict:
    out = {"surface": r.surface, "steps": r.steps, "tol": r.tol, "starts": r.starts, "optimizers": {}}
    for o, kind in enumerate(r.kinds):
        runs = [
            {
                "start": r.starts[s],
                "end_point": r.end[o, s],
                "final_loss": float(r.final_loss[o, s]),
                "steps_to_tol": _int(r.to_tol[o, s]),
                "diverged_at": _int(r.left[o, s]),
                "nonfinite_at": _int(r.nonfinite[o, s]),
            }
            for s in range(len(r.starts))
        ]
        out["optimizers"][kind] = {
            "torch": r.calls[o],
            **runs[0],
            "loss_curve": r.loss[:, o, 0],
            **({"other_starts": runs[1:]} if len(runs) > 1 else {}),
        }
    if r.theory is not None:
        th = r.theory
        out["theory"] = {
            "kappa": th.kappa,
            "L": th.big_l,
            "mu": th.mu,
            "gd_optimal_lr": th.gd_lr,
            "gd_optimal_rate": th.gd_rate,
            "heavy_ball_optimal_lr": th.hb_lr,
            "heavy_ball_optimal_momentum": th.hb_beta,
            "heavy_ball_optimal_rate": th.hb_rate,
            "assumptions_hold": th.exact,
            "rates": {
                row.kind: {"predicted": row.predicted, "measured": row.measured, "predicted_steps": row.steps}
                for row in th.rows
            },
        }
    return out


PATHS = Experiment("paths", PATHS_PARAMS, run_paths, paths_summary)


def landscape_grid(values: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, f) on a 121 × 121 grid over the plot (hovering the map reads out f at its nodes)."""
    return surfaces.grid(values["surface"], values["kappa"], values["theta"], 121)


def floor_to(param, value: float) -> float:
    """The largest value on the knob's grid that is ≤ value (too large a step is worse than too small)."""
    grid = (
        np.asarray(param.grid())
        if isinstance(param, LogFloat)
        else np.arange(param.lo, param.hi + param.step / 2, param.step)
    )
    below = grid[grid <= value * (1 + 1e-12)]
    return float(round(below[-1], 6)) if len(below) else float(grid[0])


def optimal_values(kappa: float, opts: tuple[str, ...]) -> dict:
    """The theory button: GD's and heavy ball's optimal constants (on the knobs' grids, rounded down),
    both optimizers shown, and what the theory assumes (constant rate, no noise, no weight decay)."""
    big_l, mu = theory.eigenvalues(kappa)
    gd_lr, _ = theory.gd_optimal(big_l, mu)
    hb_lr, hb_beta, _ = theory.heavy_ball_optimal(big_l, mu)
    p = PATHS_PARAMS
    return {
        "lr_sgd": floor_to(p["lr_sgd"], gd_lr),
        "lr_momentum": floor_to(p["lr_momentum"], hb_lr),
        "mu_momentum": floor_to(p["mu_momentum"], hb_beta),
        "sched": "constant",
        "noise": 0.0,
        "wd": 0.0,
        "opts": tuple(k for k in KINDS if k in set(opts) | {"sgd", "momentum"}),
    }


# ---- the race on a real network ----------------------------------------------------------------------

RACE_LR = {
    "sgd": 0.1,
    "momentum": 0.05,
    "nesterov": 0.05,
    "adagrad": 0.05,
    "rmsprop": 0.001,
    "adam": 0.002,
    "adamw": 0.002,
    "nadam": 0.002,
    "adadelta": 1.0,
}
RACE_PARAMS = ParamSet(
    (
        Multi("net_opts", ("sgd", "momentum", "adam"), choices=KINDS, lo=1, hi=len(KINDS)),
        *(LogFloat(f"nlr_{k}", RACE_LR[k], lo=1e-4, hi=10.0, when=when("net_opts", k)) for k in KINDS),
        Int("batch", 32, lo=1, hi=512),
        Int("net_steps", 500, lo=100, hi=3000, step=100),
        Int("width", 64, lo=16, hi=256, step=16),
        Int("net_seed", 0, lo=0, hi=999),
    ),
    rules=lambda v: budget.cut(v, race_cost, "net_steps", lo=100, step=100),
)


def race_cost(v: dict) -> float:
    """CPU seconds of one race on one torch thread: a fixed second (data, evaluations) plus, per step and
    optimizer, 0.35 ms + 0.8 µs·width + 12 ns·batch·width — fitted to time.process_time() of 600-step races
    (2–9 optimizers, batch 32–512, width 64–256: 2.2–10.6 s; the model is 0–50 % above each)."""
    per_step = 0.35e-3 + 0.8e-6 * v["width"] + 1.2e-8 * v["batch"] * v["width"]
    return 1.0 + v["net_steps"] * len(v["net_opts"]) * per_step


def race_specs(values: dict) -> list[Spec]:
    return [Spec(k, values[f"nlr_{k}"]) for k in values["net_opts"]]  # other hyper-parameters: torch defaults


def race_stream(values: dict):
    return race.stream(race_specs(values), values["net_steps"], values["batch"], values["width"], values["net_seed"])


def race_summary(r: race.RaceResult) -> dict:
    tail = max(1, r.done // 10)
    return {
        "steps": r.done,
        "batch": r.batch,
        "epochs": r.epochs,
        "optimizers": {
            k: {
                "torch": r.calls[o],
                "final_train_loss": float(np.mean(r.loss[-tail:, o])),
                "test_accuracy": float(r.test_acc[-1, o]),
                "diverged_at": _int(r.diverged[o]),
            }
            for o, k in enumerate(r.kinds)
        },
    }


RACE = streaming("race", RACE_PARAMS, race_stream, race_summary, cost=race_cost)

# ---- presets ---------------------------------------------------------------------------------------------


def _on(surface: str, **over) -> dict:
    return {"surface": surface, **suggested(surface), **over}


PRESETS = {
    "momentum_valley": _on("rosenbrock", opts=("sgd", "momentum", "nesterov"), steps=1000, inspect="momentum"),
    "adam_saddle": _on(
        "saddle",
        opts=("sgd", "momentum", "adam"),
        steps=400,
        lr_sgd=0.01,
        lr_momentum=0.01,
        lr_adam=0.01,
        inspect="adam",
    ),
    "too_large": _on(
        "quadratic",
        opts=("sgd", "momentum", "adam"),
        lr_sgd=2.1,
        lr_momentum=3.0,
        lr_adam=1.0,
        steps=100,
        inspect="sgd",
    ),
    "optimal_kappa100": {
        **_on("quadratic", kappa=100.0, steps=300, inspect="momentum"),
        **optimal_values(100.0, ("sgd", "momentum")),
    },
    "adaptive_plateau": _on("plateau", opts=("sgd", "momentum", "adagrad", "adam"), steps=500, inspect="adam"),
    "himmelblau_basins": _on("himmelblau", opts=("sgd", "adam"), starts=9, steps=300),
    "rastrigin_traps": _on("rastrigin", opts=("sgd", "momentum", "adam"), starts=5, steps=300),
    # "momentum escapes local minima": only a heavy μ carries it over Rastrigin's ridges, and from some starts only
    "rastrigin_heavy_momentum": _on(
        "rastrigin", opts=("sgd", "momentum"), mu_momentum=0.99, starts=9, steps=300, inspect="momentum"
    ),
    "noise_halving": _on(
        "quadratic", opts=("sgd",), noise=0.5, sched="plateau", patience=20, steps=1000, inspect="sgd"
    ),
    "adamw_decay": _on("booth", opts=("adam", "adamw"), wd=0.5, steps=400, inspect="adamw"),
    "all_nine": _on("beale", opts=KINDS, steps=500),
    "race_batch1": {"net_opts": ("sgd", "momentum", "adam"), "batch": 1, "net_steps": 1000},
    "race_adaptive": {"net_opts": ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adadelta")},
}


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). A verdict the
# numbers decide is a function (tests/optimizers/test_claims.py checks every verdict against the numbers).
CLAIMS = (
    Claim("momentum", "partly", "paths", "optimal_kappa100", bars(momentum="reach_momentum", sgd="reach_sgd")),
    Claim("escape", claims.escape_verdict, "paths", "rastrigin_heavy_momentum",
          bars(same_900="same_900", lower_990="lower_990", same_990="same_990")),
    Claim("saddle", "partly", "paths", "adam_saddle", bars(near="escape_1e2", far="escape_1e8", noise="escape_noise")),
    Claim("halve", "true", "paths", "noise_halving", bars(constant="noise_const", plateau="noise_plateau")),
    Claim("state", "false", "race", None, bars(sgd="state_sgd", momentum="state_momentum", adam="state_adam")),
    Claim("small_data", claims.small_data_verdict, "race", "race_adaptive",
          bars(momentum="acc_momentum", adam="acc_adam", adadelta="acc_adadelta")),
    Claim("batch", "partly", "race", None,
          bars(epochs_b8="epochs_b8", epochs_b512="epochs_b512", steps_b8="steps_b8", steps_b512="steps_b512")),
)  # fmt: skip

CONCEPT = Concept("optimizers", "🏃", (PATHS, RACE), PRESETS, claims=CLAIMS, numbers=claims.card_numbers)
