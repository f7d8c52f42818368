"""Losses: the page's knobs, its experiments (one or two per section), presets grouped by section.

    reg_curves / cls_curves   L and dL/dx of the regression losses against the residual and of the
                              classification losses against the margin (core.losses.curves)
    outliers                  const, line and MLP fitted with each regression loss, live (core.losses.outliers)
    cemse                     CE vs MSE on the softmax from a confidently wrong start, digits (core.losses.digits)
    imbalance                 CE vs weighted CE vs focal with a rare class (core.losses.imbalance)
    calibration / temperature CE vs label smoothing; reliability and ECE at any temperature (core.losses.calibration)
    kl                        forward vs reverse KL fit of one Gaussian to two modes (core.losses.kl)
    claims                    the interview notes' claims, measured (core.losses.claims): the numbers of the
                              cards beside the sections (CLAIMS), and the CLI's view of them

The training sections are streams (core.training.chunked); every one finishes its default run in under a
second or two of one CPU thread (bench/losses_speed.py). Each declares `cost=` (estimated CPU seconds on one
torch thread, the formula and its calibration in the section's module), and its rules cut the steps with
core.budget.cut when a link would cost more than core.budget.CPU_S; at today's bounds the costliest legal link
of every section stays well under it (bench/link_budget.py), so the cut is a guard that the tests exercise
with a lower budget.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch.nn.functional as F

from core import budget
from core.experiment import Claim, Concept, Experiment, finished_run, streaming
from core.losses import calibration, claims, curves, digits, imbalance, kl, outliers, points, words
from core.losses.functions import CLASSIFICATION, REGRESSION
from core.params import Bool, Choice, Float, FloatList, Int, LogFloat, Multi, Notice, ParamSet, when

REG_KEYS, CLS_KEYS = tuple(REGRESSION), tuple(CLASSIFICATION)
THRESH = 0.05  # |dL/dx| below this counts as "the gradient vanishes here"


def steps_cut(cost, knob: str, lo: int, step: int):
    """A rule that cuts `knob` (the training steps) onto its grid when the link would exceed the budget (read
    when the rule runs)."""
    return lambda v: budget.cut(v, cost, knob, lo, step, limit=budget.CPU_S)


# ---- 1. curves ---------------------------------------------------------------------------------------

REG_PARAMS = ParamSet(
    (
        Multi("reg", ("mse", "mae", "huber"), choices=REG_KEYS, lo=1, hi=len(REG_KEYS)),
        Float("delta", 1.0, lo=0.1, hi=3.0, step=0.1, when=when("reg", "huber", "smoothl1")),
        Float("tau", 0.9, lo=0.05, hi=0.95, step=0.05, when=when("reg", "quantile")),
        Float("r0", 2.0, lo=-curves.X_MAX, hi=curves.X_MAX, step=0.1, scrub=True),
    )
)
CLS_PARAMS = ParamSet(
    (
        Multi("cls", ("zero_one", "logistic", "hinge", "mse_prob"), choices=CLS_KEYS, lo=1, hi=len(CLS_KEYS)),
        Float("gamma", 2.0, lo=0.0, hi=5.0, step=0.5, when=when("cls", "focal")),
        Float("m0", -2.0, lo=-curves.X_MAX, hi=curves.X_MAX, step=0.1, scrub=True),
    )
)


def knobs(family: str, v: dict) -> dict:
    """The loss knobs of a curves family ("reg" or "cls") among the values `v`."""
    return {"delta": v["delta"], "tau": v["tau"]} if family == "reg" else {"gamma": v["gamma"]}


def run_reg(v: dict) -> curves.Curves:
    return curves.curves("reg", v["reg"], v["r0"], THRESH, knobs("reg", v))


def run_cls(v: dict) -> curves.Curves:
    return curves.curves("cls", v["cls"], v["m0"], THRESH, knobs("cls", v))


def probes(family: str, v: dict, xs) -> tuple[np.ndarray, np.ndarray]:
    """L and dL/dx of the family's chosen losses at each probe position of `xs` (the scrub's steps)."""
    return curves.probes(v[family], xs, knobs(family, v))


REG_CURVES = Experiment("reg_curves", REG_PARAMS, run_reg, curves.summary)
CLS_CURVES = Experiment("cls_curves", CLS_PARAMS, run_cls, curves.summary)

# ---- 2. outliers ---------------------------------------------------------------------------------------

SAMPLE_POINTS = (0, 0.3, 1, 1.1, 2, 2.2, 3, 2.8, 4, 4.1, 5, 5.2, 6, 5.8, 7, 7.1, 8, 16, 9, 18)  # two far above
synthetic = when("o_data", "synthetic")


def _points_rule(v: dict) -> list[Notice]:
    """Points from a link that the codec accepts but a fit cannot use (every x the same): the sample points."""
    if v["o_data"] == "points" and np.ptp(np.asarray(v["o_pts"]).reshape(-1, 2)[:, 0]) <= 0:
        raw, v["o_pts"] = v["o_pts"], SAMPLE_POINTS
        return [Notice("o_pts", "conflict", ",".join(f"{x:g}" for x in raw[:6]) + "…", {"why": "points_flat"})]
    return []


def outliers_cost(v: dict) -> float:
    n = len(v["o_pts"]) // 2 if v["o_data"] == "points" else v["o_n"]
    return outliers.cost(v["o_steps"], len(v["o_losses"]), n)


_outliers_cut = steps_cut(outliers_cost, "o_steps", 100, 100)


def _outliers_rules(v: dict) -> list[Notice]:
    return _points_rule(v) + _outliers_cut(v)


OUT_PARAMS = ParamSet(
    (
        Choice("o_data", "synthetic", choices=("synthetic", "points")),
        Choice("o_truth", "line", choices=("line", "wave"), when=synthetic),
        Int("o_n", 60, lo=10, hi=400, step=10, when=synthetic),
        Float("o_noise", 0.3, lo=0.0, hi=1.0, step=0.05, when=synthetic),
        Float("o_share", 0.2, lo=0.0, hi=0.5, step=0.05, when=synthetic),
        Float("o_size", 4.0, lo=0.0, hi=10.0, step=0.5, when=synthetic),
        FloatList(
            "o_pts",
            SAMPLE_POINTS,
            lo=-points.LIMIT,
            hi=points.LIMIT,
            lengths=tuple(range(2 * points.MIN_POINTS, 2 * points.MAX_POINTS + 1, 2)),
            when=when("o_data", "points"),
        ),
        Multi("o_losses", ("mse", "mae", "huber"), choices=REG_KEYS, lo=1, hi=len(REG_KEYS)),
        Float("o_delta", 1.0, lo=0.1, hi=3.0, step=0.1, when=when("o_losses", "huber", "smoothl1")),
        Float("o_tau", 0.9, lo=0.05, hi=0.95, step=0.05, when=when("o_losses", "quantile")),
        Int("o_steps", 1000, lo=100, hi=5000, step=100),
        Int("o_seed", 0, lo=0, hi=999),
    ),
    rules=_outliers_rules,
)


def outlier_data(v: dict) -> outliers.Data:
    if v["o_data"] == "points":
        return outliers.user_points(np.asarray(v["o_pts"], np.float64).reshape(-1, 2))
    return outliers.synthetic(v["o_n"], v["o_truth"], v["o_noise"], v["o_share"], v["o_size"], v["o_seed"])


def outliers_stream(v: dict):
    return outliers.stream(v["o_losses"], outlier_data(v), v["o_steps"], v["o_delta"], v["o_tau"], v["o_seed"])


def outliers_summary(r: outliers.OutlierFits) -> dict:
    pull = r.pull()
    below = r.share_below()
    out = {
        "steps": r.done,
        "finite": r.finite,
        "points": int(len(r.data.y)),
        "outliers": int(r.data.outlier.sum()),
        "targets": r.targets(),
        "least_squares_line": dict(zip(("slope", "intercept"), r.least_squares())),
        "fits": {},
    }
    for i, k in enumerate(r.keys):
        row = {
            "constant": float(r.const[i]),
            "line": {"slope": float(r.line[i, 0]), "intercept": float(r.line[i, 1])},
            "share_below_line": float(below[i]),
        }
        if pull is not None:
            row["pull"] = {kind: float(pull[kind][i]) for kind in outliers.KINDS}
        out["fits"][k] = row
    return out


OUTLIERS = streaming("outliers", OUT_PARAMS, outliers_stream, outliers_summary, cost=outliers_cost)

# ---- 3. cross-entropy vs MSE on the softmax --------------------------------------------------------------


def ce(z, y):
    return F.cross_entropy(z, y)


def mse_softmax(z, y):
    return ((z.softmax(-1) - F.one_hot(y, digits.CLASSES)) ** 2).sum(-1).mean()


def cemse_cost(v: dict) -> float:
    return digits.cost(v["cm_steps"], v["cm_batch"], v["cm_width"], v["cm_opt"])


CM_PARAMS = ParamSet(
    (
        Float("cm_bias", 12.0, lo=0.0, hi=20.0, step=0.5),
        Choice("cm_opt", "sgd", choices=("sgd", "adam")),
        LogFloat("cm_lr", 0.5, lo=0.001, hi=2.0, when=when("cm_opt", "sgd")),
        LogFloat("cm_adam_lr", 0.01, lo=1e-4, hi=0.1, when=when("cm_opt", "adam")),
        Int("cm_steps", 600, lo=100, hi=3000, step=100),
        Int("cm_batch", 64, lo=8, hi=256, step=8),
        Int("cm_width", 32, lo=16, hi=128, step=16),
        Int("cm_seed", 0, lo=0, hi=999),
    ),
    rules=steps_cut(cemse_cost, "cm_steps", 100, 100),
)


def cemse_stream(v: dict):
    lr = v["cm_lr"] if v["cm_opt"] == "sgd" else v["cm_adam_lr"]
    return digits.stream(
        ("ce", "mse"),
        [ce, mse_softmax],
        v["cm_steps"],
        batch=v["cm_batch"],
        width=v["cm_width"],
        opt=v["cm_opt"],
        lr=lr,
        seed=v["cm_seed"],
        bias=v["cm_bias"],
    )


def start_probability(bias: float) -> float:
    """The softmax probability of the pushed class when its logit leads the others by `bias`."""
    return float(np.exp(bias) / (np.exp(bias) + digits.CLASSES - 1))


def digits_summary(r: digits.DigitsRun) -> dict:
    tail = max(1, r.done // 10)
    return {
        "steps": r.done,
        "finite": r.finite,
        "models": {
            name: {
                "test_accuracy": float(r.test_acc[-1, i]),
                "first_test_accuracy": float(r.test_acc[0, i]),
                "train_loss": float(r.train_loss[-tail:, i].mean()),
                "grad_at_logits_first": float(r.grad_out[0, i]),
                "grad_at_logits_last": float(r.grad_out[-tail:, i].mean()),
                "logit_norm_last": float(r.logit_norm[-tail:, i].mean()),
                "p_wrong_class_last": float(r.p_wrong[-tail:, i].mean()),
            }
            for i, name in enumerate(r.names)
        },
    }


CEMSE = streaming("cemse", CM_PARAMS, cemse_stream, digits_summary, cost=cemse_cost)

# ---- 4. imbalance ---------------------------------------------------------------------------------------------


def imbalance_cost(v: dict) -> float:
    return imbalance.cost(v["im_steps"], v["im_ratio"])


IM_PARAMS = ParamSet(
    (
        Choice("im_data", "moons", choices=("moons", "gauss", "circles")),
        LogFloat("im_ratio", 10.0, lo=1.0, hi=100.0),
        Float("im_noise", 0.2, lo=0.0, hi=0.5, step=0.05),
        Float("im_gamma", 2.0, lo=0.0, hi=5.0, step=0.5),
        Bool("im_alpha", False),
        Int("im_steps", 500, lo=100, hi=3000, step=100),
        Int("im_seed", 0, lo=0, hi=999),
    ),
    rules=steps_cut(imbalance_cost, "im_steps", 100, 100),
)


def imbalance_stream(v: dict):
    return imbalance.stream(
        v["im_data"], v["im_noise"], v["im_ratio"], v["im_gamma"], v["im_alpha"], v["im_steps"], v["im_seed"]
    )


def imbalance_summary(r: imbalance.Imbalance) -> dict:
    rec, prec, acc = r.recall(), r.precision(), r.accuracy()
    return {
        "steps": r.done,
        "finite": r.finite,
        "train_counts": list(r.counts),
        "test_counts": list(r.test_counts),
        "models": {
            k: {
                "accuracy": float(acc[i]),
                "recall_common": float(rec[i, 0]),
                "recall_rare": float(rec[i, 1]),
                "precision_rare": float(prec[i]),
                "average_precision": curve[2],
            }
            for i, (k, curve) in enumerate(zip(r.keys, r.curves()))
        },
    }


IMBALANCE = streaming("imbalance", IM_PARAMS, imbalance_stream, imbalance_summary, cost=imbalance_cost)

# ---- 5. calibration ---------------------------------------------------------------------------------------------

CA_BATCH = 64
CA_TRAIN = (
    Float("ca_eps", 0.1, lo=0.0, hi=0.3, step=0.01),
    Int("ca_n", 300, lo=100, hi=1300, step=100),
    Int("ca_steps", 1000, lo=200, hi=3000, step=100),
    Int("ca_width", 64, lo=16, hi=128, step=16),
    Int("ca_seed", 0, lo=0, hi=999),
)


def calibration_cost(v: dict) -> float:
    return digits.cost(v["ca_steps"], CA_BATCH, v["ca_width"], "adam")


_ca_cut = steps_cut(calibration_cost, "ca_steps", 200, 100)  # one function: the merged page runs it once
CA_PARAMS = ParamSet(CA_TRAIN, rules=_ca_cut)
TEMP_PARAMS = ParamSet(
    (*CA_TRAIN, LogFloat("ca_temp", 1.5, lo=0.25, hi=5.0, mantissas=(1.0, 1.5, 2.0, 3.0, 5.0))), rules=_ca_cut
)


def calibration_stream(v: dict):
    eps = v["ca_eps"]
    return digits.stream(
        ("ce", "smoothed"),
        [ce, lambda z, y: F.cross_entropy(z, y, label_smoothing=eps)],
        v["ca_steps"],
        batch=CA_BATCH,
        width=v["ca_width"],
        opt="adam",
        lr=0.01,
        seed=v["ca_seed"],
        n_train=v["ca_n"],
    )


calibration_run = finished_run(calibration_stream, CA_PARAMS.names, maxsize=4)  # the temperature reuses it
CALIBRATION = Experiment(
    "calibration",
    CA_PARAMS,
    calibration_run,
    digits_summary,
    heavy=True,
    stream=calibration_stream,
    cost=calibration_cost,
)


def temperature_report(r: digits.DigitsRun, temp: float) -> dict[str, calibration.Reliability]:
    """Reliability of the plain model (T = 1, the knob's T, the best T), and of the smoothed one (T = 1)."""
    z, y = r.test_logits, r.test_labels
    best = calibration.best_temperature(z[0], y)
    return {
        "ce": calibration.reliability(z[0], y),
        "smoothed": calibration.reliability(z[1], y),
        "ce_temp": calibration.reliability(z[0], y, temp),
        "ce_best": calibration.reliability(z[0], y, best),
    }


def temperature_run(v: dict) -> dict[str, calibration.Reliability]:
    return temperature_report(calibration_run(v), v["ca_temp"])


def temperature_summary(rep: dict[str, calibration.Reliability]) -> dict:
    return {
        k: {
            "temperature": r.temperature,
            "ece": r.ece,
            "nll": r.nll,
            "confidence": r.mean_confidence,
            "accuracy": r.acc,
        }
        for k, r in rep.items()
    }


TEMPERATURE = Experiment(  # trains the calibration run (cached when the page has it), then reads it at any T
    "temperature", TEMP_PARAMS, temperature_run, temperature_summary, heavy=True, cost=calibration_cost
)

# ---- 6. KL -------------------------------------------------------------------------------------------------------


def kl_cost(v: dict) -> float:
    return kl.cost(v["kl_steps"])


KL_PARAMS = ParamSet(
    (
        Float("kl_d", 2.5, lo=0.5, hi=4.0, step=0.1),
        Float("kl_w", 0.5, lo=0.1, hi=0.9, step=0.05),
        Float("kl_mu0", 0.5, lo=-5.0, hi=5.0, step=0.1),
        Float("kl_sigma0", 1.0, lo=0.2, hi=5.0, step=0.1),
        Int("kl_steps", 300, lo=50, hi=2000, step=50),
    ),
    rules=steps_cut(kl_cost, "kl_steps", 50, 50),
)


def kl_stream(v: dict):
    return kl.stream(v["kl_d"], v["kl_w"], v["kl_mu0"], v["kl_sigma0"], v["kl_steps"])


def kl_summary(r: kl.KlFit) -> dict:
    mu, sigma = kl.moment_match(r.d, r.w)
    return {
        "steps": r.done,
        "finite": r.finite,
        "moment_match": {"mu": mu, "sigma": sigma},
        "fits": {
            k: {"mu": float(r.end[i, 0]), "sigma": float(r.end[i, 1]), **kl.distances(*r.end[i], r.d, r.w)}
            for i, k in enumerate(kl.KEYS)
        },
    }


KL = streaming("kl", KL_PARAMS, kl_stream, kl_summary, cost=kl_cost)

# ---- 7. claims ------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def claim_numbers() -> dict:
    return claims.measure(
        outliers_stream(OUT_PARAMS.defaults()),
        cemse_stream,
        CM_PARAMS.defaults(),
        PRESETS["cemse_adam"],
        imbalance_stream(IM_PARAMS.defaults()),
    )


CLAIMS = Experiment(
    "claims", ParamSet(()), lambda v: claim_numbers(), claims.summary, heavy=True, cost=lambda v: claims.COST
)

# ---- presets, grouped by section (the sidebar lists them in this order) --------------------------------------------

PRESETS = {
    "curves_robust": {"reg": ("mse", "mae", "huber", "logcosh"), "r0": 3.0},
    "curves_quantile": {"reg": ("mae", "quantile"), "tau": 0.9, "r0": -1.0},
    "curves_wrong_side": {"cls": ("logistic", "exp", "mse_prob"), "m0": -3.0},
    "curves_focal": {"cls": ("logistic", "focal"), "gamma": 5.0, "m0": 1.5},
    "curves_hinge": {"cls": ("zero_one", "logistic", "hinge"), "m0": 2.5},
    "outliers_heavy": {"o_share": 0.3, "o_size": 8.0, "o_losses": ("mse", "mae", "huber", "logcosh")},
    "outliers_quantiles": {
        "o_truth": "wave",
        "o_noise": 0.5,
        "o_share": 0.0,
        "o_losses": ("mse", "mae", "quantile"),
        "o_tau": 0.9,
        "o_n": 200,
    },
    "outliers_points": {"o_data": "points", "o_losses": ("mse", "mae", "huber")},
    "cemse_adam": {"cm_opt": "adam"},
    "cemse_fair": {"cm_bias": 0.0},
    "imbalance_100": {"im_ratio": 100.0, "im_data": "circles"},
    "imbalance_focal_alpha": {"im_alpha": True, "im_gamma": 2.0, "im_ratio": 20.0},
    "imbalance_balanced": {"im_ratio": 1.0},
    "calib_overconfident": {"ca_eps": 0.0, "ca_n": 100, "ca_steps": 1500},
    "calib_strong_smoothing": {"ca_eps": 0.3},
    "kl_unequal": {"kl_w": 0.3, "kl_mu0": -3.0},
    "kl_overlap": {"kl_d": 0.8},
    "kl_saddle": {"kl_mu0": 0.0, "kl_sigma0": 3.0},
}
SECTIONS = {  # the presets of each section, in the order above (the view shows them per section)
    "curves": ("curves_robust", "curves_quantile", "curves_wrong_side", "curves_focal", "curves_hinge"),
    "outliers": ("outliers_heavy", "outliers_quantiles", "outliers_points"),
    "cemse": ("cemse_adam", "cemse_fair"),
    "imbalance": ("imbalance_100", "imbalance_focal_alpha", "imbalance_balanced"),
    "calibration": ("calib_overconfident", "calib_strong_smoothing"),
    "kl": ("kl_unequal", "kl_overlap", "kl_saddle"),
}
assert [k for ks in SECTIONS.values() for k in ks] == list(PRESETS)


def card_numbers() -> dict:
    """What the claim cards quote: the claims experiment (the sections' default runs and the small checks), as
    text and as floats (words.card_numbers); measured once per process."""
    return words.card_numbers(claim_numbers())


def bars(claim: str, **numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<claim>. → the float it shows (`raw.<claim>_<name>`)."""
    return tuple((label, f"raw.{claim}_{name}") for label, name in numbers.items())


def measured(claim: str):
    """A verdict the experiment reaches (claims.measure's), read from the card's numbers."""
    return lambda n: n[f"{claim}_verdict"]


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). A declared
# verdict is the one claims.measure reaches at the defaults (tests/losses/test_claims.py checks it).
CARDS = (
    Claim("hinge_regression", "false", "cls_curves", "curves_hinge",
          bars("hinge_regression", mse="err_mse", hinge="err_hinge")),
    Claim("log_loss", "false", "cls_curves", None, bars("log_loss", formula="logloss", bce="bce")),
    Claim("log_cancels", "true", "cls_curves", "curves_wrong_side", bars("log_cancels", bce="mag_bce", mse="mag_mse")),
    Claim("convex", "true", "cls_curves", "curves_wrong_side", bars("convex", bce="eig_bce", mse="eig_mse")),
    Claim("mse_generalizes", "false", "outliers", "outliers_heavy",
          bars("mse_generalizes", mse="err_mse", mae="err_mae", huber="err_huber")),
    Claim("noise", "depends", "outliers", "outliers_heavy",
          bars("noise", gauss="ratio_gauss", laplace="ratio_laplace")),
    Claim("ce_bumpier", "partly", "cemse", None, bars("ce_bumpier", ce="acc_ce", mse="acc_mse")),
    Claim("no_matter", "depends", "cemse", "cemse_fair",
          bars("no_matter", ce_fair="acc_ce_fair", mse_fair="acc_mse_fair", mse_wrong="acc_mse")),
    Claim("ce_always", measured("ce_always"), "cemse", "cemse_adam",
          bars("ce_always", ce="acc_ce", mse="acc_mse", mse_adam="acc_mse_adam")),
    Claim("imbalance", "partly", "imbalance", "imbalance_100",
          bars("imbalance", recall_ce="recall_ce", recall_wce="recall_wce", prec_ce="precision_ce",
               prec_wce="precision_wce")),
    Claim("kl_is_ce", "true", "kl", None, bars("kl_is_ce", diff="diff_smooth", entropy="entropy")),
)  # fmt: skip

CONCEPT = Concept(
    "losses",
    "🎯",
    (REG_CURVES, CLS_CURVES, OUTLIERS, CEMSE, IMBALANCE, CALIBRATION, TEMPERATURE, KL, CLAIMS),
    PRESETS,
    claims=CARDS,
    numbers=card_numbers,
)
