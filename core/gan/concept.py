"""The GAN page: a live 2-D GAN lab (core.gan.lab) and a digits GAN (core.gan.digits).

Experiments
    lab      2-D GAN, streamed per chunk: samples, D's output, G's gradient field, losses, coverage
    digits   the conv GAN on 8×8 digits, streamed per chunk: a fixed-noise sample grid, classifier scores
    interp   latent interpolation between two seeds with the finished digits generator
Bounds are hard caps, and `_budget` caps the estimated work of a 2-D run (multiply–adds), so no link
can ask for more than about a minute of one CPU core.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import torch

from core import budget
from core.experiment import Claim, Concept, Experiment, drain, streaming
from core.gan import claims, digits, judges, lab, metrics, protocol, rejection, targets
from core.gan.losses import LOSSES
from core.params import Bool, Choice, Float, FloatList, Int, LogFloat, Notice, ParamSet, When, when, when_not

# multiply–adds of one 2-D run that fit core.budget.CPU_S: 6.5e-11 CPU s per multiply–add on one thread, measured
# (bench/link_budget.py: 5.6e11 took 35.6 s; the PacGAN ring recipe 3.7e11 took 24.4 s) — ≈ 18× the default run
MAX_WORK = 4.6e11


def work(cfg: lab.Config) -> float:
    """Estimated multiply–adds of a run: forward ≈ 1, backward ≈ 2 per layer; a WGAN-GP D step ≈ 2×."""

    def macs(sizes):
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    g = macs([cfg.z_dim] + [cfg.g_width] * cfg.g_depth + [2])
    d = macs([2 * cfg.pack] + [cfg.d_width] * cfg.d_depth + [1])  # per pack of m samples
    packs = cfg.batch / cfg.pack
    d_step = 2 * packs * 3 * d * (2 if cfg.loss == "wgan_gp" else 1)
    g_step = cfg.batch * 3 * g + packs * 3 * d
    d_phase = {"d": cfg.k, "d_g": cfg.k}.get(cfg.phase, 0)
    g_phase = {"g": cfg.k, "d_g": cfg.k}.get(cfg.phase, 0)
    # rejection by D: every snapshot runs G and D over a pool of DRS_POOL × the evaluated samples
    pool = (cfg.snapshots + 1) * lab.DRS_POOL * cfg.eval_samples * (g + d) if cfg.rejects else 0
    return cfg.steps * (cfg.d_steps * d_step + g_step) + d_phase * d_step + g_phase * (g_step + packs * d) + pool


def _budget(v: dict) -> list[Notice]:
    """A run estimated above MAX_WORK gets fewer steps and a shorter teaching phase, in proportion; if even
    100 steps are too many, a smaller batch. Every changed value is reported."""
    cfg = lab.Config(v)
    total = work(cfg)
    if total <= MAX_WORK:
        return []
    shrink = MAX_WORK / total
    raw = {name: v[name] for name in ("steps", "k", "batch")}
    v["steps"] = max(100, int(v["steps"] * shrink) // 100 * 100)
    if v["phase"] != "none":
        v["k"] = max(10, int(v["k"] * shrink) // 10 * 10)
    over = work(lab.Config(v)) / MAX_WORK
    if over > 1:  # even the shortest run is too big: smaller batches (work is linear in the batch)
        v["batch"] = max(16, int(v["batch"] / over) // 16 * 16)
    return [
        Notice(name, "conflict", f"{name}={raw[name]}", {"why": "budget", "used": str(v[name])})
        for name in ("steps", "k", "batch")
        if v[name] != raw[name]
    ]


ADAM = When(lambda v: "adam" in (v["g_opt"], v["d_opt"]), "g_opt=adam or d_opt=adam")

LAB_PARAMS = ParamSet(
    (
        Choice("target", "ring", choices=targets.TARGETS),
        LogFloat("width", 0.05, lo=0.01, hi=0.5, when=when_not("target", *targets.PROTOCOL)),
        FloatList(
            "pts",
            targets.DEFAULT_POINTS,
            lo=-3.0,
            hi=3.0,
            lengths=tuple(range(2, 2 * targets.MAX_POINTS + 1, 2)),
            when=when("target", "points"),
        ),
        Choice("loss", "nonsat", choices=LOSSES),
        LogFloat("gp", 1.0, lo=0.01, hi=100.0, when=when("loss", "wgan_gp")),
        LogFloat("clip", 0.1, lo=0.001, hi=1.0, when=when("loss", "wgan")),
        Int("g_depth", 2, lo=1, hi=4),
        Int("g_width", 128, lo=8, hi=256, step=8),
        Int("d_depth", 2, lo=1, hi=4),
        Int("d_width", 128, lo=8, hi=256, step=8),
        Int("z_dim", 2, lo=1, hi=16),
        Choice("noise", "gauss", choices=lab.NOISES),
        Choice("act", "relu", choices=lab.ACTS),
        Choice("g_opt", "adam", choices=lab.OPTS),
        LogFloat("g_lr", 1e-3, lo=1e-5, hi=0.1),
        Choice("d_opt", "adam", choices=lab.OPTS),
        LogFloat("d_lr", 1e-3, lo=1e-5, hi=0.1),
        Float("beta1", 0.5, lo=0.0, hi=0.95, step=0.05, when=ADAM),
        Float("beta2", 0.99, lo=0.9, hi=0.999, step=0.001, when=ADAM),
        Int("d_steps", 1, lo=1, hi=10),
        Int("pack", 1, lo=1, hi=8),
        Bool("decay", False),
        Bool("norm", False),
        Bool("drs", False, when=when("pack", 1) & when("loss", *rejection.LOGISTIC_LIKE)),
        Int("batch", 128, lo=16, hi=512, step=16),
        Int("steps", 1000, lo=100, hi=10000, step=100),
        Int("seed", 0, lo=0, hi=999),
        Choice("phase", "none", choices=lab.PHASES),
        Int("k", 200, lo=10, hi=2000, step=10, when=when_not("phase", "none")),
    ),
    rules=_budget,
)


def lab_config(**changes) -> lab.Config:
    """A lab run's config from the declared defaults and `changes` to the knobs (steps=300); other keywords are
    recording settings (snapshots=3). Not validated: tests and benches may go below the page's bounds."""
    knobs = {k: v for k, v in changes.items() if k in LAB_PARAMS.names}
    rest = {k: v for k, v in changes.items() if k not in knobs}
    return lab.Config({**LAB_PARAMS.defaults(), **knobs}, **rest)


def lab_stream(v: dict):
    yield from lab.train(lab.Config(dict(v)))


def _f(x: float, nd: int = 4):
    return round(float(x), nd) if np.isfinite(x) else float(x)


COVERAGE_DEFINITIONS = {  # what the two counts in the JSON mean (the page says it in words)
    "modes_covered": f"≥ {metrics.MIN_SHARE:g} of a mode's fair share of high-quality samples (this page)",
    "modes_covered_published": "≥ 1 high-quality sample (VEEGAN / PacGAN tables)",
    "high_quality": f"share of samples within {metrics.HQ_STDS:g}σ of their nearest mode",
}


def lab_summary(r: lab.GanResult) -> dict:
    """Per snapshot: step, D and G loss (mean over the iterations since the previous snapshot), modes
    covered, high-quality share; plus the run's totals and speed."""
    rows, prev, published = [], 0, r.covered_published
    for i, s in enumerate(r.snap_steps):
        s = int(s)
        window = slice(prev, s)
        rows.append(
            {
                "step": s,
                "d_loss": _f(r.d_loss[window].mean()) if s > prev else None,
                "g_loss": _f(r.g_loss[window].mean()) if s > prev else None,
                "modes_covered": int(r.covered[i]),
                "modes_covered_published": int(published[i]),
                "high_quality": _f(r.hq[i]),
                "g_grad_norm": _f(r.grad_norm[i], 6),
            }
        )
        prev = s
    return {
        "target": r.target.key,
        "modes": r.target.regions,
        "mode_std": _f(r.target.std),
        "loss": r.config.loss,
        "phases": [list(p) for p in r.phases],
        "steps_run": r.done,
        "diverged_at": r.diverged_at,
        "modes_covered": int(r.covered[-1]),
        "modes_covered_published": int(published[-1]),
        "high_quality": _f(r.hq[-1]),
        "eval_samples": r.config.eval_samples,
        "rejection_kept": _f(r.kept[-1]) if r.config.rejects else None,
        "coverage_definitions": COVERAGE_DEFINITIONS,
        "first_full_coverage_step": first_full_coverage(r),
        "train_s": round(r.train_s, 3),
        "steps_per_s": round(r.done / r.train_s, 1) if r.train_s > 0 else None,
        "snapshots": rows,
    }


def first_full_coverage(r: lab.GanResult) -> int | None:
    hit = np.flatnonzero(r.covered >= r.target.regions)
    return int(r.snap_steps[hit[0]]) if len(hit) else None


def lab_cost(v: dict) -> float:
    """CPU seconds of one 2-D run on one thread: 6.5e-11 s per estimated multiply–add (see MAX_WORK)."""
    return 6.5e-11 * work(lab.Config(v))


LAB = streaming("lab", LAB_PARAMS, lab_stream, lab_summary, cost=lab_cost)


# ---- digits ---------------------------------------------------------------------------------------

DIGITS_PARAMS = ParamSet(
    (
        Int("dg_steps", 1500, lo=100, hi=4000, step=100),
        Int("dg_z", 16, lo=2, hi=64),
        LogFloat("dg_lr", 2e-3, lo=1e-4, hi=1e-2),
        Float("dg_beta1", 0.0, lo=0.0, hi=0.9, step=0.1),
        Choice("dg_loss", "lsgan", choices=digits.DIGIT_LOSSES),
        Int("dg_batch", 64, lo=16, hi=256, step=16),
        Int("dg_seed", 0, lo=0, hi=999),
        Bool("dg_cond", True),
    ),
    rules=lambda v: _digits_budget(v),
)


def digits_cost(v: dict) -> float:
    """CPU seconds of one digits run on one torch thread: 4.5 s of fixed work (data, the two judges) plus, per
    step, 0.6 ms + 85 µs per sample of the batch — fitted to time.process_time() at 500 steps × batch 64
    (7.1 s), 500 × 256 (14.9 s) and 1,000 × 256 (25.6 s) with z = 64, then raised 15 % after
    bench/link_budget.py measured 32.8 s for a run this model put at 29.1 s; the defaults (1,500 × 64) ≈ 16 s."""
    return 1.15 * (4.5 + v["dg_steps"] * (0.6e-3 + 85e-6 * v["dg_batch"]))


def _digits_budget(v: dict) -> list[Notice]:
    return budget.cut(v, digits_cost, "dg_steps", lo=100, step=100, why="digits_budget")


def digits_config(**changes) -> digits.DigitsConfig:
    """A digits run's config from the declared defaults and `changes` (dg_steps=120); not validated."""
    assert set(changes) <= set(DIGITS_PARAMS.names), changes
    return digits.DigitsConfig({**DIGITS_PARAMS.defaults(), **changes})


_KEPT: OrderedDict[tuple, digits.DigitsResult] = OrderedDict()  # finished digits runs of this process, newest last
_KEPT_LOCK = threading.Lock()


def _digits_key(v: dict) -> tuple:
    return tuple(sorted((name, v[name]) for name in DIGITS_PARAMS.names))


def digits_stream(v: dict):
    """The digits training, chunk by chunk; its finished run is kept (a few per process) for INTERP."""
    for fraction, r in digits.train(digits.DigitsConfig(dict(v))):
        if r.g_state is not None:
            with _KEPT_LOCK:
                _KEPT[_digits_key(v)] = r
                while len(_KEPT) > 4:
                    _KEPT.popitem(last=False)
        yield fraction, r


def digits_run(v: dict) -> digits.DigitsResult:
    """The finished run for these values: the one this process trained last (the page's live run, or a
    headless one), else trained now. So the interpolation never trains twice what the page just trained."""
    with _KEPT_LOCK:
        kept = _KEPT.get(_digits_key(v))
    return kept if kept is not None else drain(digits_stream(v))


def digits_summary(r: digits.DigitsResult) -> dict:
    rows, prev = [], 0
    for i, s in enumerate(r.snap_steps):
        s = int(s)
        rows.append(
            {
                "step": s,
                "d_loss": _f(r.d_loss[prev:s].mean()) if s > prev else None,
                "g_loss": _f(r.g_loss[prev:s].mean()) if s > prev else None,
                "confident_share": _f(r.confident[i]),
                "classes": int(r.classes[i]),
                "mlp_confident_share": _f(r.mlp_confident[i]),
                "mlp_classes": int(r.mlp_classes[i]),
                "class_counts": r.class_counts[i].tolist(),
            }
        )
        prev = s
    return {
        "steps_run": r.done,
        "diverged_at": r.diverged_at,
        "confident_share": _f(r.confident[-1]),
        "classes": int(r.classes[-1]),
        "mlp_confident_share": _f(r.mlp_confident[-1]),
        "mlp_classes": int(r.mlp_classes[-1]),
        "real_test_confident_share": _f(r.real_confident),
        "real_test_classes": r.real_classes,
        "classifier_test_acc": _f(r.clf_test_acc),
        "real_test_mlp_confident_share": _f(r.real_mlp_confident),
        "mlp_test_acc": _f(r.mlp_test_acc),
        "judges": {
            "confident_share": "p ≥ 0.9 for one digit by the page's strict 11-class MLP (with a not-a-digit class)",
            "mlp_confident_share": "p ≥ 0.9 for one digit by an independent 10-class MLP trained on the real digits",
        },
        "train_s": round(r.train_s, 3),
        "steps_per_s": round(r.done / r.train_s, 1) if r.train_s > 0 else None,
        "snapshots": rows,
    }


DIGITS = Experiment(
    "digits", DIGITS_PARAMS, digits_run, digits_summary, heavy=True, stream=digits_stream, cost=digits_cost
)

INTERP_PARAMS = ParamSet(
    (*DIGITS_PARAMS.params, Int("dg_a", 1, lo=0, hi=999), Int("dg_b", 2, lo=0, hi=999)), rules=_digits_budget
)


def interp_run(v: dict) -> tuple[np.ndarray, np.ndarray]:
    return digits.interpolate(digits_run(v), v["dg_a"], v["dg_b"])


def interp_summary(out: tuple[np.ndarray, np.ndarray]) -> dict:
    _, probs = out
    top = probs.argmax(1)
    return {
        "path": [
            {"class": "not_a_digit" if k == judges.NOT_A_DIGIT else int(k), "p": _f(p[k])} for k, p in zip(top, probs)
        ]
    }


INTERP = Experiment("interp", INTERP_PARAMS, interp_run, interp_summary, heavy=True, cost=digits_cost)  # trains once


# ---- what the page says about a run ------------------------------------------------------------

LATEX = (
    r"\min_G \max_D\; \mathbb{E}_{x\sim p_{data}}[\log D(x)] + \mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))]",
    r"\text{minimax: } L_G = \log(1-\sigma(f(G(z))))\qquad \text{nonsat: } L_G = -\log \sigma(f(G(z)))",
    r"\text{WGAN: } L_D = f(G(z)) - f(x),\; w \in [-c, c]\qquad"
    r"\text{WGAN-GP: } +\,\lambda\,(\lVert\nabla_{\hat x} f(\hat x)\rVert_2 - 1)^2,\;"
    r" \hat x = \epsilon x + (1-\epsilon) G(z)",
    r"\text{LSGAN: } L_D = \tfrac12(f(x)-1)^2 + \tfrac12 f(G(z))^2,\; L_G = \tfrac12(f(G(z))-1)^2\qquad"
    r"\text{hinge: } L_D = [1-f(x)]_+ + [1+f(G(z))]_+,\; L_G = -f(G(z))",
    r"\text{high quality: } \lVert x - \mu_{nearest} \rVert \le 3\sigma,\qquad "
    r"P(\chi^2_2 \le 9) = 1 - e^{-4.5} \approx 0.989",
)


def _phase_change(r: lab.GanResult, kind: str) -> dict | None:
    """Numbers for one teaching phase: losses just before vs at its end, coverage before vs after."""
    for k, a, b in r.phases:
        if k != kind or r.done < b:
            continue
        before, after = np.searchsorted(r.snap_steps, a - 1), np.searchsorted(r.snap_steps, b)
        win = max(1, min(20, (b - a + 1) // 4))
        return {
            "k": b - a + 1,
            "d_before": float(np.mean(r.d_loss[max(0, a - 1 - win) : a - 1])) if a > 1 else float("nan"),
            "d_after": float(np.mean(r.d_loss[b - win : b])),
            "g_before": float(np.mean(r.g_loss[max(0, a - 1 - win) : a - 1])) if a > 1 else float("nan"),
            "g_after": float(np.mean(r.g_loss[b - win : b])),
            "cov_before": int(r.covered[before]),
            "cov_after": int(r.covered[after]),
            "gn_before": float(r.grad_norm[before]),
            "gn_after": float(r.grad_norm[after]),
        }
    return None


def lab_verdict(r: lab.GanResult) -> list[tuple[str, dict]]:
    """The sentences the page shows for a finished 2-D run: (catalogue key, numbers) pairs."""
    if r.diverged_at is not None:
        return [("verdict.diverged", {"step": r.diverged_at})]
    t = r.target
    n, hq, regions = int(r.covered[-1]), float(r.hq[-1]), t.regions
    nums = {
        "covered": n,
        "regions": regions,
        "hq": f"{hq:.0%}",
        "steps": r.done,
        "perfect": f"{metrics.expected_hq_share():.1%}" if not t.is_curve else "99.7%",
        "std": f"{t.std:.3g}",
        "speed": f"{r.done / r.train_s:.0f}" if r.train_s > 0 else "—",
        "secs": f"{r.train_s:.1f}",
    }
    out = []
    if n == regions:
        first = first_full_coverage(r)
        out.append(("verdict.all", {**nums, "first": first}))
    elif n <= max(1, regions // 4) and hq >= 0.5:
        out.append(("verdict.collapsed", nums))
    elif hq < 0.3:
        out.append(("verdict.spread", nums))
    else:
        out.append(("verdict.partial", nums))
    worst = np.flatnonzero(r.covered <= max(1, regions // 4))
    if n == regions and len(worst) and r.snap_steps[worst[-1]] > r.done // 2:
        out.append(("verdict.wobbly", {"step": int(r.snap_steps[worst[-1]])}))
    if r.config.rejects:
        pool = lab.DRS_POOL * r.config.eval_samples
        out.append(
            (
                "verdict.rejection",
                {"pool": f"{pool:,}", "kept": f"{float(r.kept[-1]):.0%}", "samples": f"{r.config.eval_samples:,}"},
            )
        )
    if r.config.loss == "wgan" and np.isfinite(r.clipped[-1]):
        out.append(("verdict.clipped", {"share": f"{float(r.clipped[-1]):.0%}", "c": f"{r.config.clip:g}"}))
    for kind in ("d", "g"):
        change = _phase_change(r, kind)
        if change is not None:
            out.append(
                (f"verdict.phase_{kind}", {k: (f"{v:.3g}" if isinstance(v, float) else v) for k, v in change.items()})
            )
    if (line := protocol.verdict(r)) is not None:
        out.append(line)
    out.append(("verdict.speed", nums))
    return out


def digits_verdict(r: digits.DigitsResult) -> list[tuple[str, dict]]:
    if r.diverged_at is not None:
        return [("verdict.diverged", {"step": r.diverged_at})]
    return [
        (
            "digits.verdict",
            {
                "steps": r.done,
                "conf": f"{float(r.confident[-1]):.0%}",
                "mlp": f"{float(r.mlp_confident[-1]):.0%}",
                "mlp_classes": int(r.mlp_classes[-1]),
                "real_mlp": f"{r.real_mlp_confident:.0%}",
                "classes": int(r.classes[-1]),
                "real": f"{r.real_confident:.0%}",
                "real_classes": r.real_classes,
                "acc": f"{r.clf_test_acc:.1%}",
                "secs": f"{r.train_s:.0f}",
                "speed": f"{r.done / r.train_s:.0f}" if r.train_s > 0 else "—",
            },
        )
    ]


# ---- target preview for the points editor ------------------------------------------------------------


def preview_points(t: targets.Target, n: int = 400) -> np.ndarray:
    """A fixed sample of the target (seeded), for the preview chart."""
    return lab.sample_target(t, n, torch.Generator().manual_seed(0)).numpy()


def click_axis(t: targets.Target, n: int = 31) -> np.ndarray:
    """Coordinates of the clickable grid (rounded to 0.05) inside the plotted square."""
    return np.round(np.linspace(-t.extent + 0.2, t.extent - 0.2, n) / 0.05) * 0.05


TTUR = {"g_lr": 1e-4, "d_lr": 1e-3, "beta2": 0.9, "steps": 1500}  # D learns 10× faster than G
# PacGAN4-style packing, a linear decay of both learning rates to 0 and a large batch: the ring of the protocol
RING_PROTOCOL = {"target": "ring_pacgan", "pack": 4, "decay": True, "batch": 512, "steps": 8000}
# standardised coordinates, faster rates decaying to 0 (D's half G's), no momentum (β₁ = 0), no packing, and D's
# rejection sampling of G's samples: the grid of the protocol
GRID_PROTOCOL = {
    "target": "grid_pacgan",
    "norm": True,
    "decay": True,
    "g_lr": 2e-3,
    "d_lr": 1e-3,
    "beta1": 0.0,
    "batch": 256,
    "steps": 8000,
    "drs": True,
}
PRESETS: dict[str, dict] = {
    # same networks and optimizers, three losses: collapse, dropped modes, full coverage (seed 0)
    "ring_collapse": {**TTUR, "loss": "lsgan"},
    "ring_drops": {**TTUR, "loss": "nonsat"},
    "ring_wgan_gp": {**TTUR, "loss": "wgan_gp", "gp": 1.0},
    "grid": {"target": "grid", "z_dim": 8, "steps": 2000},
    # a confident D (10 fast steps per G step) and plain SGD for G: the saturating loss's gradient vanishes (below
    # 1e-8 for seeds 0–4), the non-saturating one's does not
    "stall": {"loss": "minimax", "g_opt": "sgd", "g_lr": 0.05, "d_lr": 5e-3, "d_steps": 10, "steps": 300},
    "stall_fixed": {"loss": "nonsat", "g_opt": "sgd", "g_lr": 0.05, "d_lr": 5e-3, "d_steps": 10, "steps": 300},
    # "a too strong D stops G", checked: with Adam even the saturating loss covers the ring against 5 D steps per G step
    "strong_d_adam": {"loss": "minimax", "d_steps": 5, "steps": 300},
    # WGAN's weight clipping: many of the critic's weights pile up at ±c (the verdict under the plot says how many)
    "wgan_clip": {"loss": "wgan", "clip": 0.05, "d_steps": 2},
    "teach": {"phase": "d_g", "k": 200},
    "spiral": {"target": "spiral", "steps": 1500},
    "digits_minute": {"dg_steps": 3000},
    # the published protocol (core.gan.protocol): the recipe on one CPU thread, and each without one ingredient
    "ring_pacgan": RING_PROTOCOL,
    "ring_pacgan_no_decay": {**RING_PROTOCOL, "decay": False},
    # unpacked, D reads 4× the inputs per iteration: the budget allows 4,400 iterations (bench/gan_protocol.py)
    "ring_pacgan_no_pack": {**RING_PROTOCOL, "pack": 1, "steps": 4400},
    "ring_pacgan_small_batch": {**RING_PROTOCOL, "batch": 128},
    "grid_pacgan": GRID_PROTOCOL,
    "grid_pacgan_no_norm": {**GRID_PROTOCOL, "norm": False},
    "grid_pacgan_packed": {**GRID_PROTOCOL, "pack": 4},
    "grid_pacgan_momentum": {**GRID_PROTOCOL, "beta1": 0.5},
    "grid_pacgan_equal_rates": {**GRID_PROTOCOL, "d_lr": 2e-3},
    "grid_pacgan_no_drs": {**GRID_PROTOCOL, "drs": False},
}


# The lab's default covers the ring; beside it, by default, the collapse preset's run (same networks, least squares, a
# 10× slower G): coverage and collapse side by side without touching anything. Only at the page's defaults, so a
# link costs at most one lab run plus this fixed one (pair_cost: about 8 CPU-s, far below core.budget.CPU_S).
PAIR = "ring_collapse"


def pair_values() -> dict:
    """The collapse run drawn beside the default one: the lab's defaults with the PAIR preset."""
    values, _ = LAB_PARAMS.validate({**LAB_PARAMS.defaults(), **PRESETS[PAIR]})
    return values


def pair_shown(values: dict) -> bool:
    """Whether the lab's values are its defaults (the collapse run is then drawn beside the default one)."""
    return values == LAB_PARAMS.defaults()


def pair_cost() -> float:
    """CPU seconds of the default page's two lab runs."""
    return lab_cost(LAB_PARAMS.defaults()) + lab_cost(pair_values())


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number of claims.numbers() it shows."""
    return tuple(numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). What a
# training shows is a preset's run on the page (tests/gan/test_lab.py checks each behaviour over seeds).
CLAIMS = (
    Claim("diverse", "depends", "lab", "ring_collapse"),
    Claim("saturate", "partly", "lab", "stall", bars(sat="sat", non="non")),
    Claim("strong_d", "depends", "lab", "stall"),
    Claim("adam", "depends", "lab", "strong_d_adam",
          bars(sgd_sat="sgd_sat", sgd_non="sgd_non", adam_sat="adam_sat", adam_non="adam_non")),
    Claim("wgan_clip", "false", "lab", "wgan_clip"),
    Claim("probability", "false", "lab", "ring_wgan_gp"),
    Claim("no_real", "false", "lab", "teach"),
    Claim("compute", "depends", "digits", "digits_minute"),
)  # fmt: skip

CONCEPT = Concept("gan", "🎭", (LAB, DIGITS, INTERP), PRESETS, claims=CLAIMS, numbers=claims.numbers)
