"""Normalization and skip connections: batch norm step by step, what each norm layer adds, learning-rate tolerance,
small batches, plain vs residual depth — trained live — and the notes' claims as cards beside their sections.

Every section: its heading, then its controls in a narrow column beside its figure (one screen at 1280×720), then
the explanation, the numbers and the claim cards."""

import math

import streamlit as st

from core.normalization import batch, claims, count, depth, figures, steps, sweep
from core.normalization import concept as nc
from core.normalization import train_figures as tf
from core.ui import PageView
from core.ui.live import finished, run_live
from core.ui.runner import freeze

view = PageView(nc.CONCEPT)
t = view.t
fig = t.section("fig")
view.header()


def pct(x: float) -> str:
    return f"{x:.1%}" if math.isfinite(x) else t("na")


def table(head: list[str], rows: list[list[str]]) -> None:
    """A markdown table (no DataFrame per rerun)."""
    st.markdown("\n".join("| " + " | ".join(r) + " |" for r in [head, ["---"] * len(head), *rows]))


def opening(key: str, narrow: float = 1.0):
    """A section's heading, and its two columns: the controls (narrow) and the figure (wide)."""
    st.header(t(f"{key}.heading"))
    return st.columns([narrow, 3], gap="medium")


def wanted(experiment, key: str) -> bool:
    """Whether to train (or replay) the section: a finished run exists for these values, or its train button was
    pressed for these values in this session — also on the section's later reruns (when another section's
    widget moved, this one steps aside and comes back: its training goes on)."""
    mark, values = f"_norm_started.{key}", freeze(view.values_for(experiment))
    if finished(view, experiment) is not None or st.session_state.get(mark) == values:
        return True
    if st.button(t(f"{key}.button"), key=f"norm_{key}_go", type="primary"):
        st.session_state[mark] = values
        return True
    seconds = experiment.cost(view.values_for(experiment))  # the cost model, after the budget cut
    st.caption(t(f"{key}.cost", s=f"{max(1, round(seconds)):.0f}", seeds=len(claims.SEEDS)))
    return False


def live(experiment, charts: list[tuple]):
    """Train (or replay) `experiment`, drawing each (slot, figure builder, key) after every chunk; the finished
    result, or None while the run is not whole (the section stepped aside for another one and comes back)."""

    def render(r, done):
        for slot, build, key in charts:
            slot.plotly_chart(build(r, fig), key=f"{key}_{r.done}_{done}")

    r = run_live(view, experiment, render)
    return r if r is not None and (r.done >= r.total or not r.finite) else None


@view.section
def steps_section():
    left, right = opening("steps", 1.35)  # room for the distribution's three choices
    r = view.run(steps.STEPS)
    with right:  # the batch size moves in the browser among batches computed once (a scrub knob, core/scrub.py)
        view.scrub(steps.STEPS, "n", lambda n: figures.steps(view.run_with(steps.STEPS, n=n), fig), chart="norm.steps")
    with left:  # after the figure (a figure-first section: core/ui/__init__.py)
        for name in ("layout", "feat", "dist", "x_mean", "x_std", "gamma", "beta"):
            view.controls(steps.STEPS, only=(name,))
    with right:
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
    st.markdown(t("steps.intro"))
    left, right = st.columns(2)
    left.latex(steps.FORMULAS["stats"])
    right.latex(steps.FORMULAS["normalize"])
    rows = [
        [t("fig.feature", c=c + 1), *(f"{v:.4f}" for v in (r.mean[c], r.var[c], r.std[c], r.out_std[c]))]
        + [f"{r.skew_in[c]:.3f} → {r.skew_out[c]:.3f}"]
        for c in range(len(r.mean))
    ]
    table([t(f"steps.col_{k}") for k in ("feature", "mean", "var", "std", "out_std", "skew")], rows)
    module = "BatchNorm2d" if r.layout == "2d" else "BatchNorm1d"
    st.markdown(t("steps.check", module=module, shape=" × ".join(map(str, r.shape)), n=r.x.shape[1], **_errs(r)))
    st.markdown(t("steps.std_note", n=r.x.shape[1], ratio=f"{r.seeds_ratio:.4f}", gap=f"{r.seeds_gap:.3g}"))
    st.subheader(t("steps.running_heading"))
    left, right = st.columns([1, 3], gap="medium")
    with left:
        for name in ("momentum", "batches", "eps", "s_seed"):
            view.controls(steps.STEPS, only=(name,))
    right.plotly_chart(figures.running(r, fig), key="norm_running_chart")
    st.latex(steps.FORMULAS["running"])  # one under the other: side by side, the first is cut
    st.latex(steps.FORMULAS["eval"])
    gap = float(abs(r.y_eval - r.y).max())
    st.markdown(t("steps.eval_note", k=len(r.batch_means), m=f"{r.momentum:g}", gap=f"{gap:.3g}"))
    view.claim_cards("steps")


def _errs(r) -> dict[str, str]:
    return {k: f"{getattr(r, 'err_' + k):.1e}" for k in ("train", "running", "eval")}


@view.section
def count_section():
    left, right = opening("count")
    with left:
        view.controls(count.COUNT)
        view.conflicts(count.COUNT)
    r = view.run(count.COUNT)
    right.plotly_chart(figures.axes(r, fig, count.LAYERS), key="norm_axes_chart")
    right.caption(t("count.axes_caption"))
    st.markdown(t("count.intro"))
    rows = [
        [
            t(f"fig.layer_{k}"),
            t(f"count.over_{k}"),
            count.PLAIN[k],
            f"{r.params[k]:,}",
            f"{r.torch_params[k]:,}" + (" ✓" if r.torch_params[k] == r.params[k] else " ✗"),
            f"{r.torch_buffers[k]:,}",
        ]
        for k in count.LAYERS
    ]
    table([t(f"count.col_{k}") for k in ("layer", "over", "formula", "params", "torch", "buffers")], rows)
    st.markdown(t("count.reading", c=r.c, bn=f"{r.params['bn']:,}", conv=f"{r.conv:,}", buffers=r.torch_buffers["bn"]))
    view.claim_cards("count")


def trained_section(key: str, experiment, charts, explain):
    """A training section's opening: its controls and train button (narrow column) beside the charts `charts(right)`
    draws as the run goes — (slot, figure builder, key) triples — with `explain()`'s prose under them (in their
    place until the section is trained). The finished result, or None (not trained, or not whole yet)."""
    left, right = opening(key)
    with left:
        view.controls(experiment)
        view.conflicts(experiment)
        go = wanted(experiment, key)
    with right:
        r = live(experiment, charts(right)) if go else None
        explain()
    return r


@view.section
def lr_section():
    def charts(right):
        left, mid = right.columns(2)
        return [
            (left.empty(), tf.sweep_accuracy, "norm_sweep_acc"),
            (mid.empty(), tf.sweep_curves, "norm_sweep_curves"),
        ]

    r = trained_section("lr", sweep.SWEEP, charts, lambda: st.markdown(t("lr.intro")))
    if r is None:
        return
    rows = [
        [f"{lr:g}"]
        + [pct(r.test_acc[-1, i, j]) + (" ✕" if r.diverged[i, j] >= 0 else "") for i in (0, 1)]
        + [pct(r.train_acc[-1, i, j]) for i in (0, 1)]
        for j, lr in enumerate(r.lrs)
    ]
    table([t(f"lr.col_{k}") for k in ("lr", "test_plain", "test_bn", "train_plain", "train_bn")], rows)
    st.markdown(t("lr.reading", plain=f"{r.params[0]:,}", bn=f"{r.params[1]:,}", norms=r.depth - 1))
    j = int(r.lrs.argmax())  # the largest learning rate: where the two nets differ most
    top = [pct(r.test_acc[-1, i, j]) + (" ✕" if r.diverged[i, j] >= 0 else "") for i in (0, 1)]
    st.markdown(t("lr.top", lr=f"{r.lrs[j]:g}", plain=top[0], bn=top[1]))


@view.section
def batch_section():
    def charts(right):
        left, mid = right.columns(2)
        return [
            (left.empty(), lambda r, fig: tf.batch_accuracy(r, fig, batch.KINDS), "norm_batch_acc"),
            (mid.empty(), lambda r, fig: tf.batch_curves(r, fig, batch.KINDS), "norm_batch_curves"),
            (right.empty(), lambda r, fig: tf.batch_mismatch(r, fig, batch.BINS), "norm_batch_mismatch"),
        ]

    def explain():
        st.markdown(t("batch.intro"))
        st.latex(batch.TWO)
        st.markdown(t("batch.intro_after"))

    r = trained_section("batch", batch.BATCH, charts, explain)
    if r is None:
        return
    bn = batch.KINDS.index("bn")
    st.markdown(
        t(
            "batch.reading",
            b=r.batch,
            eval=pct(r.acc_eval[-1, bn]),
            train=pct(r.acc_train[-1, bn]),
            ln=pct(r.acc_eval[-1, batch.KINDS.index("ln")]),
            gn=pct(r.acc_eval[-1, batch.KINDS.index("gn")]),
            std=f"{r.xhat_std[-1]:.2f}",
            layers=len(r.xhat_std),
            differ=pct(r.disagree[bn]),
        )
    )


@view.section
def depth_section():
    def charts(right):
        return [
            (right.empty(), tf.depth_curves, "norm_depth_curves"),
            (right.empty(), tf.depth_gradients, "norm_depth_grad"),
        ]

    def explain():
        st.markdown(t("depth.intro"))
        st.latex(depth.FORMULA)

    r = trained_section("depth", depth.DEPTH, charts, explain)
    if r is not None:
        rows = [
            [str(d), f"{r.params[i, 0]:,} = {r.params[i, 1]:,}"]
            + [f"{r.loss[-1, i, j]:.3f}" if math.isfinite(r.loss[-1, i, j]) else t("na") for j in (0, 1)]
            + [pct(r.test_acc[-1, i, j]) for j in (0, 1)]
            + [f"{r.grad0[i, j]:.3g}" for j in (0, 1)]
            for i, d in enumerate(r.depths)
        ]
        head = ("depth", "params", "loss_plain", "loss_res", "test_plain", "test_res", "grad_plain", "grad_res")
        table([t(f"depth.col_{k}") for k in head], rows)
        st.markdown(" ".join(t(f"depth.{key}", **numbers) for key, numbers in depth.reading(r)))
    view.claim_cards("depth")


@view.section
def trained_claims_section():
    """The claims that need the default trainings of sections 3 and 5 (and more seeds): cards once that run is done."""
    st.header(t("trained.heading"))
    st.markdown(t("trained.intro"))
    if not wanted(claims.CLAIMS, "trained"):
        return
    done = []
    run_live(view, claims.CLAIMS, lambda r, finished: done.append(r) if finished and r is not None else None)
    if done:
        view.claim_cards("claims", claims.trained(done[-1]))


steps_section()
count_section()
lr_section()
batch_section()
depth_section()
trained_claims_section()
