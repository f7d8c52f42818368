"""The numbers the page's sentences are filled with (formatted strings), its tables, and its formulas.

`*_numbers(result)` returns a dict for a catalogue sentence (`cemse.verdict`, `calibration.verdict`,
`kl.verdict`; `card_numbers`: the claim cards' `claims.<key>.why`); `*_text(t, …, result)` returns a section's
Markdown (sentence + table) in the page's language `t`. The words are in text.toml, the numbers come from the
results; nothing a user typed goes into these tables.
"""

from __future__ import annotations

import math

import numpy as np

from core.losses import kl
from core.losses.functions import CLASSIFICATION, REGRESSION
from core.text import Text

LATEX = tuple(f"\\text{{{k}:}}\\quad {loss.latex}" for k, loss in {**REGRESSION, **CLASSIFICATION}.items())
CEMSE_LATEX = (
    r"\text{CE: } \ell = -\log p_y,\qquad \frac{\partial \ell}{\partial z_k} = p_k - [k=y]",
    r"\text{MSE on } p: \ \ell = \sum_k (p_k - [k=y])^2,\qquad "
    r"\frac{\partial \ell}{\partial z_j} = \sum_k 2\,(p_k - [k=y])\; p_k\,([k=j] - p_j)",
    r"p_{\text{wrong}} \to 1 \;\Rightarrow\; p_k([k=j]-p_j) \to 0 \text{ for every } k, j"
    r"\;\Rightarrow\; \text{MSE's gradient vanishes, CE's stays } \approx 1",
)
IMBALANCE_LATEX = (
    r"\text{CE: } -\log p_t \qquad \text{weighted CE: } -w_y \log p_t,\ \ w_c = \frac{N}{2\,n_c}",
    r"\text{focal: } -\alpha_y\,(1-p_t)^\gamma \log p_t \qquad "
    r"\text{AP} = \sum_k (R_k - R_{k-1})\,P_k",
)
CALIBRATION_LATEX = (
    r"\text{label smoothing: } q = (1-\varepsilon)\,\text{onehot}(y) + \varepsilon/K,\quad \ell = -\sum_k q_k \log p_k",
    r"\text{temperature: } p = \operatorname{softmax}(z / T)\qquad "
    r"\text{ECE} = \sum_b \frac{|B_b|}{N}\,\bigl|\operatorname{acc}(B_b) - \operatorname{conf}(B_b)\bigr|",
)
KL_LATEX = (
    r"p(x) = w\,\mathcal N(x;-d,s^2) + (1-w)\,\mathcal N(x;d,s^2),\qquad q(x) = \mathcal N(x;\mu,\sigma^2)",
    r"\mathrm{KL}(p\|q) = \int p \log\frac{p}{q}\,dx \qquad \mathrm{KL}(q\|p) = \int q \log\frac{q}{p}\,dx",
    r"\arg\min_q \mathrm{KL}(p\|q):\ \mu^* = \mathbb E_p[x],\ \sigma^{*2} = \operatorname{Var}_p[x]\qquad"
    r"\mathrm{JS} = \tfrac12\mathrm{KL}(p\|m) + \tfrac12\mathrm{KL}(q\|m),\ m = \tfrac{p+q}2",
)


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _num(x: float, digits: int = 2) -> str:
    """Fixed decimals without a negative zero ("-0.00" reads as a sign that is not there)."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def cemse_numbers(r) -> dict:
    tail = max(1, r.done // 10)
    return {
        "steps": r.done,
        "acc_ce": _pct(r.test_acc[-1, 0]),
        "acc_mse": _pct(r.test_acc[-1, 1]),
        "g_ce": f"{r.grad_out[0, 0]:.3g}",
        "g_mse": f"{r.grad_out[0, 1]:.3g}",
        "ratio": f"{r.grad_out[0, 0] / max(r.grad_out[0, 1], 1e-30):.3g}",
        "p_ce": _pct(r.p_wrong[-tail:, 0].mean()),
        "p_mse": _pct(r.p_wrong[-tail:, 1].mean()),
    }


def calibration_numbers(r, rep: dict) -> dict:
    return {
        "acc": _pct(rep["ce"].acc),
        "conf": _pct(rep["ce"].mean_confidence),
        "ece": f"{rep['ce'].ece:.3f}",
        "acc_s": _pct(rep["smoothed"].acc),
        "conf_s": _pct(rep["smoothed"].mean_confidence),
        "ece_s": f"{rep['smoothed'].ece:.3f}",
        "t": f"{rep['ce_temp'].temperature:.2f}",
        "ece_t": f"{rep['ce_temp'].ece:.3f}",
        "best": f"{rep['ce_best'].temperature:.2f}",
        "ece_best": f"{rep['ce_best'].ece:.3f}",
        "norm": f"{r.logit_norm[-1, 0]:.1f}",
        "norm_s": f"{r.logit_norm[-1, 1]:.1f}",
        "nll": f"{rep['ce'].nll:.3f}",
        "nll_s": f"{rep['smoothed'].nll:.3f}",
    }


def kl_numbers(r) -> dict:
    mu, sigma = kl.moment_match(r.d, r.w)
    out = {"mm_mu": _num(mu), "mm_sigma": _num(sigma), "d": f"{r.d:g}", "s": f"{kl.S:g}"}
    for i, key in enumerate(kl.KEYS):
        dist = kl.distances(*r.end[i], r.d, r.w)
        out |= {
            f"{key}_mu": _num(r.end[i, 0]),
            f"{key}_sigma": _num(r.end[i, 1]),
            f"{key}_fkl": f"{dist['forward_kl']:.3f}",
            f"{key}_rkl": f"{dist['reverse_kl']:.3f}",
            f"{key}_js": f"{dist['js']:.3f}",
            f"{key}_w1": f"{dist['w1']:.3f}",
        }
    return out


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v == 0:
        return "0"  # never "-0" (autograd's gradient of a flat piece can be a negative zero)
    if not math.isfinite(v):
        return f"{v:g}"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.1e}"


PERCENT = {
    "acc_ce",
    "acc_mse",
    "acc_ce_fair",
    "acc_mse_fair",
    "acc_ce_adam",
    "acc_mse_adam",
    "recall_ce",
    "recall_wce",
    "precision_ce",
}
PERCENT |= {"precision_wce", "hinge_silent", "share"}


def card_numbers(numbers: dict) -> dict:
    """What the claim cards quote (core.losses.claims.measure's numbers, flattened): `<claim>_<name>` as text
    for the sentences (percentages as %), `raw.<claim>_<name>` as a float for the evidence charts (percentages
    in %), and `<claim>_verdict`, the verdict the experiment reached."""
    out: dict = {}
    for claim, nums in numbers.items():
        for name, v in nums.items():
            key = f"{claim}_{name}"
            if name == "verdict":
                out[key] = v
                continue
            pct = name in PERCENT
            out[key] = _pct(v) if pct else _fmt(v)
            out[f"raw.{key}"] = float(v) * (100 if pct else 1)
    return out


def table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of the page's own words and numbers."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def curve_text(t: Text, names: dict, c) -> str:
    """The probe's line and table of the curves section, then a note per chosen loss."""
    rows = [[names[k], f"{c.loss0[i]:.4g}", f"{c.grad0[i]:.4g}", f"`{c.torch_calls[i]}`"] for i, k in enumerate(c.keys)]
    head = [t(f"curves.col_{col}") for col in ("loss", "l", "g", "torch")]
    probe = t("curves.probe" if c.family == "reg" else "curves.probe_m", x=f"{c.x0:g}", thresh=f"{c.thresh:g}")
    notes = "\n".join(f"- **{names[k]}** — {t('notes.' + k)}" for k in c.keys)
    return probe + "\n\n" + table(head, rows) + "\n\n" + notes


def outlier_text(t: Text, names: dict, r) -> str:
    pull, targets, below = r.pull(), r.targets(), r.share_below()
    rows = []
    for i, k in enumerate(r.keys):
        row = [names[k], f"{r.const[i]:.3f}", f"{below[i]:.0%}"]
        row += [f"{pull[kind][i]:+.3f}" for kind in ("line", "mlp")] if pull else ["—", "—"]
        rows.append(row)
    head = [t(f"outliers.col_{col}") for col in ("loss", "const", "below", "pull_line", "pull_mlp")]
    nums = {k: f"{v:.3f}" for k, v in targets.items()} | {"tau": f"{r.tau:g}"}
    return t("outliers.targets" if pull else "outliers.targets_points", **nums) + "\n\n" + table(head, rows)


def imbalance_text(t: Text, models: dict, r) -> str:
    rec, prec, acc = r.recall(), r.precision(), r.accuracy()
    rows = [
        [models[k], _pct(acc[i]), _pct(rec[i, 0]), _pct(rec[i, 1]), _pct(prec[i]), f"{c[2]:.3f}"]
        for i, (k, c) in enumerate(zip(r.keys, r.curves()))
    ]
    head = [t(f"imbalance.col_{c}") for c in ("model", "acc", "common", "rare", "precision", "ap")]
    counts = t("imbalance.counts", n0=r.counts[0], n1=r.counts[1], t0=r.test_counts[0], t1=r.test_counts[1])
    return counts + "\n\n" + table(head, rows) + "\n\n" + t("imbalance.reading")


def kl_text(t: Text, models: dict, r) -> str:
    nums = kl_numbers(r)
    cells = ("mu", "sigma", "fkl", "rkl", "js", "w1")
    rows = [[models[k]] + [nums[f"{k}_{m}"] for m in cells] for k in kl.KEYS]
    head = [t(f"kl.col_{c}") for c in ("fit", *cells)]
    return t("kl.verdict", **nums) + "\n\n" + table(head, rows)
