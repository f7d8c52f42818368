"""Regularization and generalization: why a model that fits can still fail, and what each remedy buys.

Sections (experiments), one URL namespace, one `seed` for all:
    fit       polynomials of every degree on a few noisy points: the U and double descent   (poly; light)
    mlp       a real MLP on the same points, trained live: test error turning up in time    (mlp1d)
    penalty   L1 vs L2 on the digits: weight histograms, share of small weights, the path   (penalties)
    geometry  the diamond and the circle meeting a quadratic loss, exactly                  (geometry; light)
    adamw     L2 inside Adam vs decoupled weight decay, by gradient scale                   (adamw)
    masks     torch's nn.Dropout on one input: the 1/(1 − p) scaling and the spread         (dropout; light)
    dropout   accuracy vs p, MC dropout, and a bagged ensemble trained as one batch          (dropout)
    early     validation loss with patience, the restored best step                         (early)
    augment   shifts/rotations/noise: centred vs shifted test digits, worth in real digits  (augment)
    memorize  random labels fitted, test at chance (Zhang et al. 2017)                       (memorize)
    kfold     folds, per-fold scores, one split vs k folds                                  (kfold; light)
    scaling   raw vs standardized inputs: κ and gradient-descent steps                      (scaling; light)
The notes' claims are cards beside their sections (CARDS), checked in core.regularization.claims: the light ones
with the page's numbers (measured once per process), the network ones with trainings run on request.

Key equations: L2 adds (λ/2)‖θ‖² (gradient λθ: torch.optim's weight_decay), L1 adds λ‖θ‖₁ (subgradient
λ·sign θ); inverted dropout keeps a unit with probability 1 − p and scales it by 1/(1 − p).
References: Goodfellow, Bengio & Courville, Deep Learning, ch. 7; Zhang et al. (2017); Belkin et al. (2019);
Loshchilov & Hutter (2019); Srivastava et al. (2014); Prechelt (1998).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core.experiment import Claim, Concept, Experiment, streaming
from core.params import Bool, Choice, Float, Int, LogFloat, Notice, ParamSet, when
from core.regularization import (
    adamw,
    augment,
    claims,
    dropout,
    early,
    geometry,
    kfold,
    memorize,
    mlp1d,
    penalties,
    poly,
    scaling,
)

SEED = Int("seed", 0, lo=0, hi=999)
N_DIGITS = 1347  # training digits in core.data.digits' split
STEPS = dict(lo=200, hi=3000, step=100)
LR = dict(lo=1e-4, hi=0.1)

ADAM_STEP = r"\theta \leftarrow \theta - \alpha\,\frac{\hat m}{\sqrt{\hat v}+\varepsilon}"
LATEX = {
    "l2": r"L(\theta) + \frac{\lambda}{2}\lVert\theta\rVert_2^2 \ \Rightarrow\ g \leftarrow g + \lambda\,\theta",
    "l1": r"L(\theta) + \lambda\lVert\theta\rVert_1 \ \Rightarrow\ g \leftarrow g + \lambda\,\mathrm{sign}(\theta)",
    "adam_l2": r"g \leftarrow g + \lambda\theta,\quad " + ADAM_STEP,
    "adamw": r"\theta \leftarrow \theta\,(1 - \alpha\lambda),\quad " + ADAM_STEP,
    "dropout": r"\tilde h_i = \frac{k_i}{1-p}\,h_i,\ \ k_i \sim \mathrm{Bernoulli}(1-p)"
    r"\quad\Rightarrow\quad \mathbb{E}[\tilde h_i] = h_i",
    "ridge": r"w = \arg\min_w \lVert \Phi w - y\rVert^2 + \lambda\lVert w\rVert^2",
    "kappa": r"\kappa = \lambda_{\max}(H)/\lambda_{\min}(H),\qquad H = X^\top X / n",
}


def trained(key: str, params: ParamSet, module, summary, stream=None) -> Experiment:
    """A streaming training experiment whose module declares its cost model (`module.cost`, CPU seconds on one
    thread, core.budget): every bound of these parameters keeps a link under core.budget.CPU_S (the costliest
    legal link is about 10 s: bench/link_budget.py), so no rule needs to cut one."""
    return streaming(key, params, stream or module.stream, summary, cost=module.cost)


# ---- overfitting: polynomials and a real MLP ------------------------------------------------------------

_DATA = (
    Int("n", 12, lo=5, hi=poly.N_MAX),
    Float("noise", 0.2, lo=0.0, hi=1.0, step=0.05),
    SEED,
)
FIT_PARAMS = ParamSet(
    (
        *_DATA,
        Int("degree", 9, lo=0, hi=poly.DEG_MAX, scrub=True),
        Choice("basis", "smooth", choices=poly.BASES),
        Bool("ridge_on", False),
        LogFloat("ridge", 1e-3, lo=1e-6, hi=10.0, when=when("ridge_on", True)),
    )
)


def run_fit(v: dict) -> poly.Fit:
    return poly.fit(v["n"], v["noise"], v["degree"], v["ridge"] if v["ridge_on"] else 0.0, v["seed"], v["basis"])


def fit_curves(v: dict):
    """The fitted polynomial of every degree for the page's other values (row d = run_fit with degree d's curve)."""
    return poly.curves(v["n"], v["noise"], v["ridge"] if v["ridge_on"] else 0.0, v["seed"], v["basis"])


def fit_summary(r: poly.Fit) -> dict:
    dd = poly.double_descent(r)
    return {
        "degree": r.degree,
        "n": r.n,
        "ridge": r.lam,
        "train_mse": r.train_mse,
        "test_mse": r.test_mse,
        "weight_norm": r.weight_norm,
        "interpolation_threshold": r.threshold,
        "u_minimum": {"degree": dd.best_below[0], "test_mse": dd.best_below[1]},
        "peak": {"degree": dd.peak[0], "test_mse": dd.peak[1]},
        "past_peak_best": {"degree": dd.best_beyond[0], "test_mse": dd.best_beyond[1]},
        "double_descent": dd.appears,
        "second_descent_beats_u": dd.beats_u,
        "sweep": {"degrees": r.degrees, "train_mse": r.sweep_train, "test_mse": r.sweep_test},
    }


FIT = Experiment("fit", FIT_PARAMS, run_fit, fit_summary)

MLP_PARAMS = ParamSet(
    (
        *_DATA,
        Int("width", 64, lo=4, hi=256, step=4),
        Int("depth", 2, lo=1, hi=4),
        Int("steps", 2000, lo=200, hi=5000, step=100),
        LogFloat("lr", 0.01, **LR),
    )
)


def mlp_summary(r: mlp1d.MlpRun) -> dict:
    b = r.best
    return {
        "steps": int(r.steps[-1]),
        "params": r.params,
        "finite": r.finite,
        "final_train_mse": float(r.train_mse[-1]),
        "final_test_mse": float(r.test_mse[-1]),
        "best_test_mse": float(r.test_mse[b]),
        "best_step": int(r.steps[b]),
    }


MLP = trained("mlp", MLP_PARAMS, mlp1d, mlp_summary, mlp1d.train)

# ---- L1 vs L2, geometry, AdamW ----------------------------------------------------------------------------

PENALTY_PARAMS = ParamSet(
    (
        Int("pen_n", 100, lo=50, hi=N_DIGITS),
        LogFloat("lam", 1e-3, lo=1e-5, hi=0.1),
        Choice("pen_opt", "sgd", choices=("sgd", "adam")),
        LogFloat("pen_lr_sgd", 0.05, lo=1e-3, hi=1.0, when=when("pen_opt", "sgd")),
        LogFloat("pen_lr_adam", 0.003, **LR, when=when("pen_opt", "adam")),
        Int("pen_steps", 1000, **STEPS),
        SEED,
    )
)


def _rows(r: penalties.PenaltyRun, i: int) -> dict:
    return {
        "test_accuracy": float(r.final("test_acc")[i]),
        "train_loss": float(r.final("train_loss")[i]),
        "share_below_1e-3": float(r.final("small")[i]),
        "exact_zeros": int(r.zeros[i]),
        "weight_norm": float(r.final("norm")[i]),
    }


def penalty_summary(r: penalties.PenaltyRun) -> dict:
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "lam": r.lam,
        "optimizer": r.optimizer,
        "weights": r.n_weights,
        **{name: _rows(r, i) for i, name in enumerate(("none", "l2", "l1"))},
        "path": {
            "lam": list(penalties.PATH),
            **{kind: {m: r.path(m, kind) for m in ("test_acc", "small", "norm")} for kind in ("l2", "l1")},
        },
    }


PENALTY = trained("penalty", PENALTY_PARAMS, penalties, penalty_summary)

GEOMETRY_PARAMS = ParamSet(
    (
        Float("geo_lam", 1.0, lo=0.0, hi=geometry.LAM_MAX, step=0.05),
        Float("geo_kappa", 4.0, lo=1.0, hi=20.0, step=0.5),
        Float("geo_angle", 30.0, lo=0.0, hi=180.0, step=5.0),
        Float("geo_x", 1.5, lo=-2.0, hi=2.0, step=0.1),
        Float("geo_y", 0.6, lo=-2.0, hi=2.0, step=0.1),
    )
)


def run_geometry(v: dict) -> geometry.Geometry:
    return geometry.geometry(v["geo_x"], v["geo_y"], v["geo_kappa"], v["geo_angle"], v["geo_lam"])


def geometry_summary(r: geometry.Geometry) -> dict:
    return {
        "w_star": r.w_star,
        "lam": r.lam,
        "l2_solution": r.l2,
        "l1_solution": r.l1,
        "l1_zero_coordinates": r.l1_zeros,
        "l2_zero_coordinates": r.l2_zeros,
        "l1_coordinate_zero_from_lam": r.l1_zero_at,
    }


GEOMETRY = Experiment("geometry", GEOMETRY_PARAMS, run_geometry, geometry_summary)

ADAMW_PARAMS = ParamSet(
    (
        Int("aw_n", 200, lo=50, hi=N_DIGITS),
        LogFloat("aw_lam", 0.1, lo=1e-4, hi=1.0),
        LogFloat("aw_lr", 0.003, **LR),
        Int("aw_steps", 1000, **STEPS),
        SEED,
    )
)


def adamw_summary(r: adamw.AdamWRun) -> dict:
    acc, norm = r.final("test_acc"), r.final("norm")
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "lam": r.lam,
        **{
            k: {"test_accuracy": float(acc[i]), "weight_norm": float(norm[i])}
            for i, k in enumerate(("adam", "adam_l2", "adamw"))
        },
        "shrink_by_gradient_scale": {"adam_l2": r.shrink[0], "adamw": r.shrink[1], "unmoved_weights": r.unmoved},
        "grid": {"lam": list(adamw.GRID), "adam_l2": r.grid("test_acc", "l2"), "adamw": r.grid("test_acc", "wd")},
    }


ADAMW = trained("adamw", ADAMW_PARAMS, adamw, adamw_summary)

# ---- dropout -----------------------------------------------------------------------------------------------

P = Float("p", 0.5, lo=0.0, hi=0.9, step=0.05)
MASKS_PARAMS = ParamSet((P, SEED))


def run_masks(v: dict) -> dropout.Masks:
    return dropout.masks(v["p"], v["seed"])


def masks_summary(r: dropout.Masks) -> dict:
    return {
        "p": r.p,
        "eval_output": r.eval_output,
        "train_mean": float(r.outputs.mean()),
        "train_std": float(r.outputs.std()),
        "theory_std": r.theory_std,
        "unscaled_mean": float(r.unscaled.mean()),
        "kept_share": r.kept,
        "kept_units_scaled_by_1_over_1_minus_p": r.scaled_values_ok,
    }


MASKS = Experiment("masks", MASKS_PARAMS, run_masks, masks_summary)

DROPOUT_PARAMS = ParamSet(
    (
        P,
        Int("drop_n", 100, lo=50, hi=N_DIGITS),
        Int("bags", 5, lo=2, hi=10),
        Int("drop_steps", 1500, **STEPS),
        LogFloat("drop_lr", 0.003, **LR),
        SEED,
    )
)


def dropout_summary(r: dropout.DropoutRun) -> dict:
    acc, d = r.test_acc[-1], len(r.rates)
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "test_accuracy_by_p": {f"{p:g}": float(a) for p, a in zip(r.rates, acc[:d], strict=True)},
        "chosen_p": r.p,
        "mc_dropout_accuracy": r.mc_acc,
        "bag_members": [float(a) for a in acc[d:]],
        "ensemble_accuracy": float(r.ensemble_acc[-1]),
    }


DROPOUT = trained("dropout", DROPOUT_PARAMS, dropout, dropout_summary)

# ---- early stopping, augmentation, memorization -------------------------------------------------------

EARLY_PARAMS = ParamSet(
    (
        Int("es_n", 400, lo=100, hi=N_DIGITS),
        Float("es_noise", 0.2, lo=0.0, hi=0.8, step=0.05),
        Int("patience", 10, lo=1, hi=50),
        Int("es_steps", 2000, lo=500, hi=5000, step=100),
        LogFloat("es_lr", 0.003, **LR),
        SEED,
    )
)


def early_summary(r: early.EarlyRun) -> dict:
    m = lambda name, i: float(r.metric(name)[i])
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "best_step": int(r.steps[r.best]),
        "stop_step": None if r.stop is None else int(r.steps[r.stop]),
        "restored_test_accuracy": r.restored_test_acc,
        "final_test_accuracy": m("test_acc", -1),
        "restored_test_loss": r.restored_test_loss,
        "final_test_loss": m("test_loss", -1),
        "val_loss_best": m("val_loss", r.best),
        "val_loss_final": m("val_loss", -1),
    }


EARLY = trained("early", EARLY_PARAMS, early, early_summary)

AUGMENT_PARAMS = ParamSet(
    (
        Int("aug_n", 100, lo=25, hi=N_DIGITS),
        Int("aug_shift", 1, lo=0, hi=3),
        Float("aug_rot", 10.0, lo=0.0, hi=45.0, step=5.0),
        Float("aug_noise", 0.0, lo=0.0, hi=0.5, step=0.05),
        Int("test_shift", 1, lo=0, hi=3),
        Int("aug_steps", 1500, **STEPS),
        LogFloat("aug_lr", 0.003, **LR),
        SEED,
    )
)


def augment_summary(r: augment.AugmentRun) -> dict:
    c, s = r.centred[-1], r.shifted[-1]
    worth = {k: dict(zip(("digits", "where"), r.worth(k), strict=True)) for k in ("centred", "shifted")}
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "n": r.n,
        "plain": {"centred": float(c[r.plain]), "shifted": float(s[r.plain])},
        "augmented": {"centred": float(c[-1]), "shifted": float(s[-1])},
        "by_real_digits": {int(n): {"centred": float(a), "shifted": float(b)} for n, a, b in zip(r.sizes, c, s)},
        "worth_in_real_digits": worth,
    }


AUGMENT = trained("augment", AUGMENT_PARAMS, augment, augment_summary)

MEMORIZE_PARAMS = ParamSet(
    (
        Float("mem_noise", 1.0, lo=0.0, hi=1.0, step=0.05),
        Int("mem_n", 300, lo=50, hi=N_DIGITS),
        Int("mem_steps", 2000, lo=500, hi=5000, step=100),
        LogFloat("mem_lr", 0.003, **LR),
        SEED,
    )
)


def memorize_summary(r: memorize.MemoRun) -> dict:
    fit = r.fitted_at()
    return {
        "steps": int(r.steps[-1]),
        "finite": r.finite,
        "rows": [
            {
                "label_noise": float(q),
                "labels_changed": float(c),
                "train_accuracy": float(r.metric("train_acc")[-1, i]),
                "test_accuracy": float(r.metric("test_acc")[-1, i]),
                "fitted_at_step": fit[i],
            }
            for i, (q, c) in enumerate(zip(r.shares, r.changed, strict=True))
        ],
    }


MEMORIZE = trained("memorize", MEMORIZE_PARAMS, memorize, memorize_summary)

# ---- k-fold cross-validation, input scaling --------------------------------------------------------------


def _kfold_rules(v: dict) -> list[Notice]:
    if v["k"] > v["cv_n"]:
        raw, v["k"] = v["k"], v["cv_n"]
        return [Notice("k", "conflict", str(raw), {"why": "k_over_n", "used": str(v["k"])})]
    return []


KFOLD_PARAMS = ParamSet(
    (
        Int("k", 5, lo=2, hi=20),
        Int("cv_n", 40, lo=10, hi=200),
        Float("cv_noise", 0.3, lo=0.0, hi=1.0, step=0.05),
        Int("cv_deg", 3, lo=0, hi=kfold.DEG_MAX),
        SEED,
    ),
    rules=_kfold_rules,
)


def run_kfold(v: dict) -> kfold.KFold:
    return kfold.kfold(v["cv_n"], v["cv_noise"], v["k"], v["cv_deg"], v["seed"])


def kfold_summary(r: kfold.KFold) -> dict:
    d = r.degree
    return {
        "k": r.k,
        "degree": d,
        "fold_sizes": np.bincount(r.fold, minlength=r.k),
        "per_fold_mse": r.per_fold[:, d],
        "cv_mse": float(r.cv[d]),
        "cv_fold_std": float(r.per_fold[:, d].std()),
        "one_split_mse": float(r.one_split[d]),
        "true_mse": float(r.truth[d]),
        "best_degree": {"true": r.best_true, "cv": int(np.argmin(r.cv)), "one_split": int(np.argmin(r.one_split))},
        "repeats": {
            "cv_estimate_std": float(r.cv_repeats.std()),
            "one_split_estimate_std": float(r.split_repeats.std()),
            "cv_picks_best": float(np.mean(r.cv_picks == r.best_true)),
            "one_split_picks_best": float(np.mean(r.split_picks == r.best_true)),
        },
    }


KFOLD = Experiment("kfold", KFOLD_PARAMS, run_kfold, kfold_summary)

SCALING_PARAMS = ParamSet(
    (
        LogFloat("scale", 10.0, lo=1.0, hi=1000.0),
        Float("offset", 2.0, lo=0.0, hi=20.0, step=0.5),
        LogFloat("tol", 1e-3, lo=1e-8, hi=0.1, mantissas=(1.0,)),
        SEED,
    )
)


def run_scaling(v: dict) -> scaling.Scaling:
    return scaling.scaling(v["scale"], v["offset"], v["tol"], v["seed"])


def scaling_summary(r: scaling.Scaling) -> dict:
    return {
        "kappa": {"raw": r.kappa_raw, "standardized": r.kappa_std},
        "steps_to_tol": {"raw": r.steps_raw, "standardized": r.steps_std},
        "tol": r.tol,
        "same_best_fit": r.same_fit < 1e-9,
        "digits": r.digits,
    }


SCALING = Experiment("scaling", SCALING_PARAMS, run_scaling, scaling_summary)

# ---- presets ---------------------------------------------------------------------------------------------

PRESETS = {
    "interpolate": {"n": 10, "degree": 9},
    "double_descent": {"n": 15, "degree": 40, "noise": 0.3},
    "plain_basis": {"n": 15, "degree": 40, "noise": 0.3, "basis": "plain"},
    "ridge_tames": {"n": 15, "degree": 14, "noise": 0.3, "ridge_on": True, "ridge": 1e-2},
    "more_data": {"n": 30, "degree": 9},
    "wide_mlp": {"n": 10, "noise": 0.3, "width": 256, "depth": 3, "steps": 3000},
    "strong_l1": {"lam": 1e-2},
    "l1_in_adam": {"pen_opt": "adam"},
    "adamw_strong": {"aw_lam": 1.0},
    "heavy_dropout": {"p": 0.8, "bags": 10},
    "noisy_labels": {"es_noise": 0.4, "patience": 5},
    "big_shifts": {"aug_shift": 2, "test_shift": 2, "aug_rot": 0.0},
    "half_random": {"mem_noise": 0.5},
    "leave_one_out": {"k": 20, "cv_n": 20},
    "badly_scaled": {"scale": 1000.0, "offset": 20.0},
}


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). The light
# ones read claims.light() (the concept's numbers); those of claims.NETWORK read claims.network(), passed by the
# page once its button asked for the trainings. tests/regularization/test_claims.py checks every verdict.
CARDS = (
    Claim("more_data", "true", "fit", "more_data", bars(few="few_test", many="many_test")),
    Claim("complexity", "false", "fit", "ridge_tames", bars(plain="ridge_norm_0", ridge="ridge_norm_1")),
    Claim("decay_sign", "false", "geometry", None, bars(plain="norm_plain", plus="norm_plus", minus="norm_minus")),
    Claim("l2_squared", "partly", "geometry", None,
          bars(norm_small="pull_norm_small", norm_big="pull_norm_big", sq_small="pull_sq_small", sq_big="pull_sq_big")),
    Claim("l1_params", "false", "penalty", "strong_l1", bars(small="l1_small_pct", zero="l1_zero_pct")),
    Claim("decay_late", "false", "adamw", None, bars(first="factor_first", last="factor_last")),
    Claim("dropout_params", "false", "dropout", None, bars(plain="ms_plain", dropout="ms_dropout")),
    Claim("bagging", "partly", "dropout", "heavy_dropout",
          bars(dropout="acc_p", member="acc_bag_member", ensemble="acc_ensemble")),
    Claim("dropout_small", claims.dropout_small, "dropout", "heavy_dropout",
          bars(none="acc_p0", best="acc_best", half="acc_p")),
    Claim("transfer", claims.transfer_verdict, "augment", None,
          bars(scratch="scratch", tuned="transfer", frozen="frozen")),
    Claim("random_slower", "true", "memorize", "half_random", bars(true="fit_true", random="fit_random")),
    Claim("cv", "partly", "kfold", "leave_one_out", bars(cv="cv_right", split="split_right")),
    Claim("norm_cost", "partly", "scaling", "badly_scaled", bars(raw="steps_raw", std="steps_std")),
)  # fmt: skip
NETWORK_SECTIONS = tuple(dict.fromkeys(c.section for c in CARDS if c.key in claims.NETWORK))

CONCEPT = Concept(
    "regularization",
    "🛡️",
    (FIT, MLP, PENALTY, GEOMETRY, ADAMW, MASKS, DROPOUT, EARLY, AUGMENT, MEMORIZE, KFOLD, SCALING),
    PRESETS,
    claims=CARDS,
    numbers=claims.light,
)


@lru_cache(maxsize=1)
def defaults() -> dict:
    """The page's default values (what the claims' trainings use)."""
    return CONCEPT.params.defaults()
