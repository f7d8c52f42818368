"""Hardware: why deep learning runs on GPUs, measured on this server — matrix multiply, the roofline, a training
step, threads against Amdahl's law, and the notes' claims against the numbers."""

import math
import time

import streamlit as st

from core.hardware import claims, figures, words
from core.hardware import concept as hw
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


def measured(experiment):
    """The section's measurement for the current values (from the store every session shares, or measured now),
    with when it was measured and the rate-limited "measure again" button."""
    values = view.values_for(experiment)
    with st.spinner(t("measuring")):
        entry = hw.measured(experiment, values)
    wait = hw.wait_s(experiment, values)
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(t("measured_at", ago=f"{max(0.0, time.time() - entry.at):.0f}", device=hw.machine()["device"]))
    right.button(
        t("again") if wait <= 0 else t("again_wait", s=math.ceil(wait)),
        key=f"again_{experiment.key}",
        disabled=wait > 0,
        on_click=hw.again,
        args=(experiment, values),
        help=t("again_help", s=int(hw.AGAIN_S)),
        width="stretch",
    )
    return entry.result


def opening(experiment, names: tuple[str, ...]):
    """A section's heading, introduction, one column per knob, and its measurement."""
    st.header(t(f"{experiment.key}.heading"))
    st.markdown(t(f"{experiment.key}.intro"))
    for col, name in zip(st.columns(len(names)), names):
        with col:
            view.controls(experiment, only=(name,))
    return measured(experiment)


def skipped(summary: dict) -> None:
    for key, fields in words.skipped(words.points(summary, WHERE)):
        st.caption(t(key, **fields))


@view.section
def matmul_section():
    res = opening(hw.MATMUL, ("sizes", "dtypes", "mm_cpu", "mm_budget"))
    st.plotly_chart(figures.matmul(res, fig, WHERE), key="mm_chart")
    st.latex(hw.FORMULAS["matmul"])
    s = hw.MATMUL.summary(res)
    say(words.matmul(s, WHERE), bullets=True)
    skipped(s)
    st.caption(t("matmul.reading"))


@view.section
def memory_section():
    res = opening(hw.MEMORY, ("mem_n", "mem_dtype", "mem_budget"))
    st.plotly_chart(figures.roofline(res, fig, WHERE), key="roof_chart")
    st.latex(hw.FORMULAS["memory"])
    s = hw.MEMORY.summary(res)
    say(words.memory(s, WHERE))
    for p in s["places"].values():
        ops = p["elementwise"]
        table = {"col_op": [t(f"fig.op_{o}") for o in ops]}
        for col, name in (("col_gbs", "gbytes_s"), ("col_gflops", "gflops"), ("col_ai", "intensity")):
            table[col] = [words.num(v[name]) for v in ops.values()]
        st.dataframe({t(f"memory.{k}"): v for k, v in table.items()}, hide_index=True)
    skipped(s)
    st.plotly_chart(figures.bandwidth(res, fig, WHERE), key="bw_chart")
    st.caption(t("memory.sweep_note"))


@view.section
def step_section():
    res = opening(hw.STEP, ("model", "batches", "opt", "step_budget"))
    phases = {k: t(f"phase.{k}") for k in figures.PHASE_COLORS}
    st.plotly_chart(figures.step(res, fig, WHERE, phases), key="step_chart")
    s = hw.STEP.summary(res)
    say(words.step(s, WHERE))
    skipped(s)
    for where, p in s["places"].items():
        done = [i for i, x in enumerate(p["status"]) if x == "ok"]
        if done:  # the largest batch measured: which operators its time went to
            ops = p["top_ops_ms"][done[-1]]
            table = {t("step.col_op"): [o for o, _ in ops], t("step.col_ms"): [words.num(ms) for _, ms in ops]}
            st.dataframe(table, hide_index=True)
            st.caption(t("step.top_ops", b=p["batches"][done[-1]], where=WHERE[where]))


@view.section
def parallel_section():
    res = opening(hw.PARALLEL, ("par_op", "par_n", "par_over", "par_budget"))
    st.plotly_chart(figures.parallel(res, fig, t.choice("par_op", res.op)), key="par_chart")
    st.latex(hw.FORMULAS["parallel"])
    if res.cores < 2:
        st.info(t("parallel.one_core"), icon="ℹ️")
    s = hw.PARALLEL.summary(res)
    say(words.parallel(s))
    skipped(s)


def claims_section():
    res = measured(hw.CLAIMS)
    view.claims(claims.text_numbers(res["numbers"]), res["verdicts"])


machine_box()
matmul_section()
memory_section()
step_section()
parallel_section()
claims_section()
