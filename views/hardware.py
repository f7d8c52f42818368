"""Hardware: why deep learning runs on GPUs, measured on this server — matrix multiply, the roofline, a training
step, threads against Amdahl's law; the interview notes' claims as cards beside the section each is about.

Every section: its heading, then its controls beside its figure ([controls | figure], one screen at 1280×720),
then the reading of the numbers, the explanation and the claim cards."""

import math
import time

import streamlit as st

from core.hardware import concept as hw
from core.hardware import figures, words
from core.ui import PageView

view = PageView(hw.CONCEPT)
t = view.t
view.header()
fig = t.section("fig")
WHERE = {k: t(f"where.{k}") for k in figures.COLORS}


def say(lines, bullets: bool = False) -> None:
    texts = [t(key, **fields) for key, fields in lines]
    if texts:
        st.markdown("\n".join(f"- {x}" for x in texts) if bullets else "\n\n".join(texts))


def machine_box() -> None:
    m = hw.machine()
    source = t(f"machine.clock_{m['clock_source'] or 'none'}")
    fields = dict(cpu=m["cpu"], cores=m["cores"], simd=m["simd"], fpc=m["flops_per_cycle"], ghz=words.num(m["ghz"]))
    fields |= dict(peak1=words.num(m["peak_core_gflops"]), peakn=words.num(m["peak_all_gflops"]), source=source)
    st.markdown(t("machine.cpu", **fields, threads=m["threads_per_run"], slots=m["slots"]))
    gpu = m["gpu"]
    if gpu is None:
        st.info(t("machine.no_gpu", device=m["device"]), icon="ℹ️")
    else:
        peak = words.num(gpu.peaks["float32"] and gpu.peaks["float32"] / 1e9)
        fields = dict(name=gpu.name, mem=words.num(gpu.memory_gb), sms=gpu.sms, cc=gpu.capability, peak=peak)
        st.markdown(t("machine.gpu", **fields))
    st.caption(t("machine.shared", again=int(m["again_s"])))


def opening(experiment):
    """A section's heading, its controls in a narrow column and its measurement (from the store every session
    shares, or measured now) with the rate-limited "measure again" button; returns the result and the wide
    column beside the controls, where the figure goes."""
    st.header(t(f"{experiment.key}.heading"))
    left, right = st.columns([1.3, 3], gap="medium")
    values = view.values_for(experiment)
    with left:
        view.controls(experiment)
        with st.spinner(t("measuring")):
            entry = hw.measured(experiment, values)
        wait = hw.wait_s(experiment, values)
        st.button(
            t("again") if wait <= 0 else t("again_wait", s=math.ceil(wait)),
            key=f"again_{experiment.key}",
            disabled=wait > 0,
            on_click=hw.again,
            args=(experiment, values),
            help=t("again_help", s=int(hw.AGAIN_S)),
            width="stretch",
        )
    return entry, right


def beside(right, experiment, entry, chart) -> None:
    """The section's figure in the wide column, with when it was measured and what the figure shows under it."""
    with right:
        st.plotly_chart(chart, key=f"{experiment.key}_chart")
        ago = f"{max(0.0, time.time() - entry.at):.0f}"
        st.caption(t("measured_at", ago=ago, device=hw.machine()["device"]))
        view.fold()  # the rest of the section comes after the first screen (core/ui/lazy.py)
        st.markdown(t(f"{experiment.key}.intro"))


def skipped(summary: dict) -> None:
    for key, fields in words.skipped(words.points(summary, WHERE)):
        st.caption(t(key, **fields))


@view.section
def matmul_section():
    entry, right = opening(hw.MATMUL)
    beside(right, hw.MATMUL, entry, figures.matmul(entry.result, fig, WHERE))
    s = hw.MATMUL.summary(entry.result)
    say(words.matmul(s, WHERE), bullets=True)
    skipped(s)
    st.latex(hw.FORMULAS["matmul"])
    st.caption(t("matmul.reading"))
    view.claim_cards("matmul")


@view.section
def memory_section():
    entry, right = opening(hw.MEMORY)
    beside(right, hw.MEMORY, entry, figures.roofline(entry.result, fig, WHERE))
    s = hw.MEMORY.summary(entry.result)
    say(words.memory(s, WHERE))
    skipped(s)
    st.latex(hw.FORMULAS["memory"])
    for p in s["places"].values():
        ops = p["elementwise"]
        table = {"col_op": [t(f"fig.op_{o}") for o in ops]}
        for col, name in (("col_gbs", "gbytes_s"), ("col_gflops", "gflops"), ("col_ai", "intensity")):
            table[col] = [words.num(v[name]) for v in ops.values()]
        st.dataframe({t(f"memory.{k}"): v for k, v in table.items()}, hide_index=True)
    st.plotly_chart(figures.bandwidth(entry.result, fig, WHERE), key="bw_chart")
    st.caption(t("memory.sweep_note"))
    view.claim_cards("memory")


@view.section
def step_section():
    entry, right = opening(hw.STEP)
    phases = {k: t(f"phase.{k}") for k in figures.PHASE_COLORS}
    beside(right, hw.STEP, entry, figures.step(entry.result, fig, WHERE, phases))
    s = hw.STEP.summary(entry.result)
    say(words.step(s, WHERE))
    skipped(s)
    for where, p in s["places"].items():
        done = [i for i, x in enumerate(p["status"]) if x == "ok"]
        if done:  # the largest batch measured: which operators its time went to
            ops = p["top_ops_ms"][done[-1]]
            table = {t("step.col_op"): [o for o, _ in ops], t("step.col_ms"): [words.num(ms) for _, ms in ops]}
            st.dataframe(table, hide_index=True)
            st.caption(t("step.top_ops", b=p["batches"][done[-1]], where=WHERE[where]))
    view.claim_cards("step")


@view.section
def parallel_section():
    entry, right = opening(hw.PARALLEL)
    res = entry.result
    beside(right, hw.PARALLEL, entry, figures.parallel(res, fig, t.choice("par_op", res.op)))
    if res.cores < 2:
        st.info(t("parallel.one_core"), icon="ℹ️")
    s = hw.PARALLEL.summary(res)
    say(words.parallel(s))
    skipped(s)
    st.latex(hw.FORMULAS["parallel"])
    view.claim_cards("parallel")


machine_box()
matmul_section()
memory_section()
step_section()
parallel_section()
