"""Activation functions: values, derivatives by autograd, saturation, and what they do to a signal.

Key equations (formulas shown on the page come from `Activation.latex`):
    σ(x) = 1 / (1 + e^{-x}),   σ'(x) = σ(x)(1 - σ(x)) ≤ 1/4        (so a sigmoid layer shrinks gradients)
    tanh(x) = 2σ(2x) - 1,      tanh'(x) = 1 - tanh²(x) ≤ 1
    SELU(x) = λ·(x if x > 0 else α(e^x - 1)),  α ≈ 1.6733, λ ≈ 1.0507   (Klambauer et al., 2017)
    GELU(x) = x·Φ(x);  tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³)))      (Hendrycks & Gimpel, 2016)
Derivatives are never typed in: every f'(x) below is torch.autograd on f.
Statistics "under N(0,1)" (core.activations.stats) are exact to about 1e-12: quadrature split at the kinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from core import scrub
from core.activation_fns import FUNCTIONS, KNOB_DEFAULTS, KNOBS, evaluate, latex  # noqa: F401 (KNOBS: for the view)
from core.activations import dead_relu, nonlinearity, softmax
from core.activations.stats import normal_stats
from core.experiment import Claim, Concept, Experiment
from core.params import Float, LogFloat, Multi, Notice, ParamSet, when


def grid(lo: float, hi: float, n: int) -> np.ndarray:
    """n points from lo to hi, rounded the same on every CPU (torch.linspace's rounding depends on its vector
    kernel): x = 0 is exactly a node whenever lo + (hi − lo)·i/(n − 1) = 0, and ReLU's f′(0) = 0 then joins the
    saturated interval on any machine."""
    return lo + (hi - lo) * (np.arange(n) / (n - 1))


def intervals(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Maximal runs of True in mask, as (x_start, x_end) pairs."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))  # starts at even positions, ends (exclusive) at odd
    return [(float(x[a]), float(x[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


# ---- the explorer experiment ------------------------------------------------------------------

GRID_POINTS = 801


def _rules(v: dict) -> list[Notice]:
    if not v["xmin"] <= v["x0"] <= v["xmax"]:
        raw = v["x0"]
        v["x0"] = min(max(v["x0"], v["xmin"]), v["xmax"])
        return [Notice("x0", "conflict", f"{raw:g}", {"why": "probe_outside", "used": f"{v['x0']:g}"})]
    return []


def _used_by(knob: str):
    """A function knob matters while a function that reads it is plotted."""
    return when("fns", *(k for k, f in FUNCTIONS.items() if f.knob == knob))


EXPLORER_PARAMS = ParamSet(
    (
        Multi("fns", ("sigmoid", "tanh", "relu"), choices=tuple(FUNCTIONS), lo=1, hi=len(FUNCTIONS)),
        Float("xmin", -6.0, lo=-20.0, hi=-0.5, step=0.5),
        Float("xmax", 6.0, lo=0.5, hi=20.0, step=0.5),
        Float("x0", 1.0, lo=-20.0, hi=20.0, step=0.1, scrub=True),  # over [xmin, xmax]: probe_grid
        LogFloat("thresh", 0.05, lo=0.001, hi=0.5),
        Float("leak", KNOB_DEFAULTS["leak"], lo=0.0, hi=0.5, step=0.01, when=_used_by("leak")),
        Float("prelu_a", KNOB_DEFAULTS["prelu_a"], lo=-0.5, hi=1.0, step=0.05, when=_used_by("prelu_a")),
        Float("elu_alpha", KNOB_DEFAULTS["elu_alpha"], lo=0.1, hi=3.0, step=0.1, when=_used_by("elu_alpha")),
        Float("swish_beta", KNOB_DEFAULTS["swish_beta"], lo=0.0, hi=10.0, step=0.1, when=_used_by("swish_beta")),
        Float(
            "softplus_beta", KNOB_DEFAULTS["softplus_beta"], lo=0.1, hi=10.0, step=0.1, when=_used_by("softplus_beta")
        ),
    ),
    rules=_rules,
)


@dataclass(frozen=True)
class ExplorerResult:
    keys: tuple[str, ...]
    x: np.ndarray  # (N,) float32
    y: np.ndarray  # (F, N) float32
    dy: np.ndarray  # (F, N) float32
    x0: float
    f0: np.ndarray  # (F,) float64, f at the probe
    df0: np.ndarray  # (F,) float64, f' at the probe
    thresh: float
    saturated: tuple[tuple[tuple[float, float], ...], ...]  # per function: x-intervals with |f'| < thresh
    stats: dict[str, np.ndarray]  # normal_stats
    formulas: tuple[str, ...]


def explore(values: dict) -> ExplorerResult:
    keys = tuple(values["fns"])
    x = torch.from_numpy(grid(values["xmin"], values["xmax"], GRID_POINTS))
    y, dy = evaluate(keys, x, values)
    f0, df0 = evaluate(keys, torch.tensor([values["x0"]], dtype=torch.float64), values)
    xn, mask = x.numpy(), (dy.abs() < values["thresh"]).numpy()
    return ExplorerResult(
        keys=keys,
        x=xn.astype(np.float32),
        y=y.numpy().astype(np.float32),
        dy=dy.numpy().astype(np.float32),
        x0=float(values["x0"]),
        f0=f0[:, 0].numpy(),
        df0=df0[:, 0].numpy(),
        thresh=float(values["thresh"]),
        saturated=tuple(tuple(intervals(xn, m)) for m in mask),
        stats=normal_stats(keys, values, values["thresh"]),
        formulas=tuple(latex(k, values) for k in keys),
    )


def probe_grid(values: dict) -> tuple[float, ...]:
    """The probe's scrub positions: x₀ over the plotted [xmin, xmax] (every 0.1; every 0.2 past 256 positions)."""
    return scrub.positions_within(EXPLORER_PARAMS["x0"], values["xmin"], values["xmax"])


def probes(values: dict, xs) -> tuple[np.ndarray, np.ndarray]:
    """f and f′ of the plotted functions at every x of `xs`, (F, len(xs)) float64 each: the probe at each position."""
    f, df = evaluate(tuple(values["fns"]), torch.tensor(xs, dtype=torch.float64), values)
    return f.numpy(), df.numpy()


def explorer_summary(r: ExplorerResult) -> dict:
    return {
        "x0": r.x0,
        "thresh": r.thresh,
        "functions": {
            k: {
                "f": float(r.f0[i]),
                "df": float(r.df0[i]),
                "saturated": [list(iv) for iv in r.saturated[i]],
                "mean_under_normal": float(r.stats["mean"][i]),
                "mean_grad_under_normal": float(r.stats["mean_grad"][i]),
                "saturated_share_under_normal": float(r.stats["saturated_share"][i]),
            }
            for i, k in enumerate(r.keys)
        },
    }


EXPLORER = Experiment("explorer", EXPLORER_PARAMS, explore, explorer_summary)

# the columns of the explorer's table under N(0, 1): (text key under explorer.col_, key of ExplorerResult.stats)
STAT_COLUMNS = (
    ("mean", "mean"),
    ("mean_grad", "mean_grad"),
    ("sat_share", "saturated_share"),
    ("zero_share", "zero_grad_share"),
)
TINY = 1e-9  # below this a printed number is rounding noise: "≈ 0" (Tanh's mean under N(0, 1) computes as ~1e-17)


def shown(value: float) -> str:
    """A number as the page prints it: 3 significant figures, "0" for an exact zero, "≈ 0" for rounding noise."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < TINY:
        return "≈ 0"
    return f"{value:.3g}"


# ---- the notes' claims, checked by computation: cards beside the explorer ----------------------------


def _clean(x: float, tol: float = 1e-12) -> float:
    """x, or exactly 0.0 when it is rounding noise (Tanh's mean under N(0, 1) comes out as ~1e-17)."""
    return 0.0 if abs(x) < tol else float(x)


@lru_cache(maxsize=1)
def claims() -> dict[str, float]:
    """Numbers that confirm or refute statements the interview notes make about activations (floats: the cards
    quote them and draw them)."""
    x = torch.linspace(-10, 10, 20001, dtype=torch.float64)
    base = EXPLORER_PARAMS.defaults()
    keys = ("sigmoid", "tanh", "relu")
    _, dy = evaluate(keys, x, base)
    stats = normal_stats(keys, base, thresh=1e-3)
    sig = lambda t: torch.sigmoid(torch.tensor(t, dtype=torch.float64))
    sig_d = lambda t: float(sig(t) * (1 - sig(t)))
    gelu_gap = (F.gelu(x) - F.gelu(x, approximate="tanh")).abs().max()
    one = torch.tensor(1.0, dtype=torch.float64)
    return {
        "tanh_vs_2sigmoid_max_err": float((torch.tanh(x) - (2 * torch.sigmoid(2 * x) - 1)).abs().max()),
        "tanh_at_1": float(torch.tanh(one)),
        "two_sigmoid_at_1": float(2 * torch.sigmoid(2 * one) - 1),
        "sigmoid_max_grad": float(dy[0].max()),
        "sigmoid_10_layers_bound": float(dy[0].max()) ** 10,
        "sigmoid_grad_at_0": sig_d(0.0),
        "sigmoid_grad_at_2": sig_d(2.0),
        "sigmoid_grad_at_4": sig_d(4.0),
        "sigmoid_grad_at_4_rel": sig_d(4.0) / sig_d(0.0),
        "tanh_max_grad": float(dy[1].max()),
        "sigmoid_mean_grad_normal": float(stats["mean_grad"][0]),
        "tanh_mean_grad_normal": float(stats["mean_grad"][1]),
        "relu_zero_grad_share_normal": float(stats["zero_grad_share"][2]),
        "relu_one_grad_share_normal": 1.0 - float(stats["zero_grad_share"][2]),  # ReLU′ is 0 or 1
        "sigmoid_mean_normal": _clean(float(stats["mean"][0])),
        "tanh_mean_normal": _clean(float(stats["mean"][1])),
        "relu_mean_normal": _clean(float(stats["mean"][2])),
        "gelu_tanh_max_abs_gap": float(gelu_gap),
        "growth_level": 1.0,  # a factor per layer above 1 grows a gradient
    }


def _judge_sigmoid_explode(n) -> str:
    """The activation alone can explode a gradient only if its slope exceeds 1 somewhere."""
    return "false" if n["sigmoid_max_grad"] < 1 else "partly"


def _judge_relu_one(n) -> str:
    return "false" if n["relu_zero_grad_share_normal"] > 0.01 else "true"


def _judge_sigmoid_mean(n) -> str:
    return "true" if n["sigmoid_mean_normal"] > 0.1 else "false"


# (key, verdict, section, preset, evidence): the explorer's cards read `claims()`
CLAIMS = (
    Claim(
        "tanh",
        lambda n: "true" if n["tanh_vs_2sigmoid_max_err"] < 1e-12 else "false",
        "explorer",
        "sigmoid_saturates",
        (("tanh", "tanh_at_1"), ("scaled", "two_sigmoid_at_1")),
    ),
    Claim(
        "sigmoid_vanish",
        "true",
        "explorer",
        "sigmoid_saturates",
        (("one", "sigmoid_max_grad"), ("ten", "sigmoid_10_layers_bound")),
    ),
    Claim(
        "sigmoid_explode",
        _judge_sigmoid_explode,
        "explorer",
        "sigmoid_saturates",
        (("peak", "sigmoid_max_grad"), ("level", "growth_level")),
    ),
    Claim(
        "sigmoid_band",
        "true",
        "explorer",
        "sigmoid_saturates",
        (("at0", "sigmoid_grad_at_0"), ("at2", "sigmoid_grad_at_2"), ("at4", "sigmoid_grad_at_4")),
    ),
    Claim(
        "tanh_stable",
        "partly",
        "explorer",
        "sigmoid_saturates",
        (("sigmoid", "sigmoid_mean_grad_normal"), ("tanh", "tanh_mean_grad_normal")),
    ),
    Claim(
        "relu_always_one",
        _judge_relu_one,
        "explorer",
        "dead_relu",
        (("one", "relu_one_grad_share_normal"), ("zero", "relu_zero_grad_share_normal")),
    ),
    Claim(
        "sigmoid_mean",
        _judge_sigmoid_mean,
        "explorer",
        None,
        (("sigmoid", "sigmoid_mean_normal"), ("tanh", "tanh_mean_normal"), ("relu", "relu_mean_normal")),
    ),
    # beside the dead-ReLU section, from trainings of its own (the section passes dead_relu.card_numbers)
    Claim(
        "dead_relu",
        dead_relu.card_verdict,
        "dead",
        "relu_xavier",
        (("xavier_1", "dead_xavier_1"), ("he_1", "dead_he_1"), ("xavier_2", "dead_xavier_2")),
    ),
)


PRESETS = {
    # the explorer
    "sigmoid_saturates": {"fns": ("sigmoid", "tanh"), "x0": 4.0, "xmin": -8.0, "xmax": 8.0},
    "dead_relu": {"fns": ("relu", "leaky_relu", "elu"), "x0": -2.0, "leak": 0.1},
    "smooth_relus": {"fns": ("relu", "gelu", "silu", "mish", "softplus"), "xmin": -4.0, "xmax": 3.0, "x0": -1.0},
    "hard_vs_smooth": {"fns": ("sigmoid", "tanh", "hardsigmoid", "hardtanh")},
    "swish_to_relu": {"fns": ("relu", "silu"), "swish_beta": 10.0, "x0": -0.5, "xmin": -3.0, "xmax": 3.0},
    "selfnorm": {"fns": ("elu", "selu", "relu"), "x0": -3.0},
    # why non-linearity (the trainer)
    "linear_xor": {"data": "xor", "act": "identity"},
    "deep_linear_circles": {"data": "circles", "act": "identity", "depth": 6, "width": 32},
    "tanh_circles_small": {"data": "circles", "act": "tanh", "depth": 1, "width": 4},
    "relu_xor": {"data": "xor", "act": "relu"},
    "spiral3": {"data": "spiral3", "act": "relu", "width": 32, "steps": 2000, "noise": 0.05},
    # dead ReLU
    "relu_dies": {"d_lr": 2.0, "d_init": "default"},
    "relu_xavier": {"d_init": "xavier"},  # the notes' fix, at the default η = 1
    # softmax
    "softmax_cold": {"temp": 0.2},
    "softmax_hot": {"temp": 5.0},
}

CONCEPT = Concept(
    "activations",
    "📈",
    (EXPLORER, nonlinearity.TRAIN, nonlinearity.UNITS, dead_relu.DEAD, softmax.SOFTMAX),
    PRESETS,
    claims=CLAIMS,
    numbers=claims,
)
