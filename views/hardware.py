"""Hardware: why deep learning runs on GPUs, measured on this server — matrix multiply, the roofline, a training
step, threads against Amdahl's law, and the notes' claims against the numbers."""

import math
import time

import streamlit as st

from core.hardware import claims, figures
from core.hardware import concept as hw
from core.ui import PageView

view = PageView(hw.CONCEPT)
t = view.t
view.header()
fig = t.section("fig")
WHERE = {k: t(f"where.{k}") for k in figures.COLORS}


def g(v) -> str:
    """A number as the page prints it (3 significant digits; n/a for a point that was not measured)."""
    return claims.text_numbers({"v": v})["v"] if v is not None else "n/a"


def machine_box() -> None:
    m = hw.machine()
    st.markdown(
        t(
            "machine.cpu",
            cpu=m["cpu"],
            cores=m["cores"],
            simd=m["simd"],
            fpc=m["flops_per_cycle"],
            ghz=g(m["ghz"]),
            source=t(f"machine.clock_{m['clock_source'] or 'none'}"),
            peak1=g(m["peak_core_gflops"]),
            peakn=g(m["peak_all_gflops"]),
            threads=m["threads_per_run"],
            slots=m["slots"],
        )
    )
    gpu = m["gpu"]
    if gpu is None:
        st.info(t("machine.no_gpu", device=m["device"]), icon="ℹ️")
    else:
        peak = gpu.peaks["float32"] and gpu.peaks["float32"] / 1e9
        st.markdown(
            t(
                "machine.gpu",
                name=gpu.name,
                mem=g(gpu.memory_gb),
                sms=gpu.sms,
                cc=gpu.capability,
                peak=g(peak and peak / 1e9),
            )
        )
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


def skipped(items: list[tuple[str, str]]) -> None:
    """One caption per reason for the points that have no timing: (what, status) pairs."""
    by: dict[str, list[str]] = {}
    for what, status in items:
        if status != "ok":
            by.setdefault(status, []).append(what)
    for status, whats in by.items():
        st.caption(t(f"skipped.{status}", items=", ".join(whats)))


def columns(experiment, names: tuple[str, ...]) -> None:
    for col, name in zip(st.columns(len(names)), names):
        with col:
            view.controls(experiment, only=(name,))


@view.section
def matmul_section():
    st.header(t("matmul.heading"))
    st.markdown(t("matmul.intro"))
    columns(hw.MATMUL, ("sizes", "dtypes", "mm_cpu", "mm_budget"))
    res = measured(hw.MATMUL)
    st.plotly_chart(figures.matmul(res, fig, WHERE), key="mm_chart")
    st.latex(hw.FORMULAS["matmul"])
    s = hw.MATMUL.summary(res)
    lines = []
    for name, c in s["curves"].items():
        where, dtype = name.split("/")
        if math.isfinite(c["best_gflops"]):
            share = f"{c['share_of_peak']:.0%}" if c["share_of_peak"] else "n/a"
            lines.append(
                t(
                    "matmul.curve",
                    where=WHERE[where],
                    dtype=dtype,
                    best=g(c["best_gflops"]),
                    n=c["best_n"],
                    peak=g(c["peak_gflops"]),
                    share=share,
                    t0=g(c["fixed_cost_us"]),
                    knee=g(c["knee_n"]),
                )
            )
        skipped([(f"{WHERE[where]} · {dtype} n={n}", st_) for n, st_ in zip(c["sizes"], c["status"])])
    for k, n in s["crossings"].items():
        fast, slow, dtype = k.split("/")
        key = "matmul.cross" if n is not None else "matmul.no_cross"
        lines.append(t(key, fast=WHERE[fast], slow=WHERE[slow], dtype=dtype, n=g(n)))
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.caption(t("matmul.reading"))


@view.section
def memory_section():
    st.header(t("memory.heading"))
    st.markdown(t("memory.intro"))
    columns(hw.MEMORY, ("mem_n", "mem_dtype", "mem_budget"))
    res = measured(hw.MEMORY)
    st.plotly_chart(figures.roofline(res, fig, WHERE), key="roof_chart")
    st.latex(hw.FORMULAS["memory"])
    s = hw.MEMORY.summary(res)
    for where, p in s["places"].items():
        r, add = p["roofs"], p["elementwise"]["add"]
        st.markdown(
            t(
                "memory.reading",
                where=WHERE[where],
                bw=g(r["bandwidth"]),
                cache_bw=g(r["cache_bandwidth"]),
                peak=g(r["peak"]),
                ridge=g(r["ridge"]),
                ai=g(add["intensity"]),
                gbs=g(add["gbytes_s"]),
                gflops=g(add["gflops"]),
                n=res.n,
            )
        )
        rows = {o: v for o, v in p["elementwise"].items()}
        st.dataframe(
            {
                t("memory.col_op"): [t(f"fig.op_{o}") for o in rows],
                t("memory.col_gbs"): [g(v["gbytes_s"]) for v in rows.values()],
                t("memory.col_gflops"): [g(v["gflops"]) for v in rows.values()],
                t("memory.col_ai"): [g(v["intensity"]) for v in rows.values()],
            },
            hide_index=True,
        )
        mm, sw = p["matmul"], p["add_sweep"]
        skipped([(f"{WHERE[where]} matmul n={n}", x) for n, x in zip(mm["sizes"], mm["status"])])
        skipped([(f"{WHERE[where]} add {b / 2**20:.3g} MiB", x) for b, x in zip(sw["working_set_bytes"], sw["status"])])
    st.plotly_chart(figures.bandwidth(res, fig, WHERE), key="bw_chart")
    st.caption(t("memory.sweep_note"))


@view.section
def step_section():
    st.header(t("step.heading"))
    st.markdown(t("step.intro"))
    columns(hw.STEP, ("model", "batches", "opt", "step_budget"))
    res = measured(hw.STEP)
    phases = {k: t(f"phase.{k}") for k in figures.PHASE_COLORS}
    st.plotly_chart(figures.step(res, fig, WHERE, phases), key="step_chart")
    s = hw.STEP.summary(res)
    st.markdown(
        t(
            "step.flops",
            params=f"{s['parameters']:,}",
            fwd=g(s["flops_per_sample"]["forward"] / 1e6),
            bwd=g(s["flops_per_sample"]["backward"] / 1e6),
        )
    )
    for where, p in s["places"].items():
        done = [i for i, x in enumerate(p["status"]) if x == "ok"]
        skipped([(f"{WHERE[where]} B={b}", x) for b, x in zip(p["batches"], p["status"])])
        if not done:
            continue
        a, b = done[0], done[-1]
        words = dict(where=WHERE[where], b1=p["batches"][a], s1=g(p["samples_per_s"][a]), g1=g(p["gflops"][a]))
        words |= dict(b2=p["batches"][b], s2=g(p["samples_per_s"][b]), g2=g(p["gflops"][b]))
        st.markdown(t("step.reading", **words))
        copy = p["copy_ms"][b]
        st.markdown(t("step.copy_cpu") if copy is None else t("step.copy_gpu", ms=g(copy), b=p["batches"][b]))
        ops = p["top_ops_ms"][b]
        st.dataframe(
            {t("step.col_op"): [o for o, _ in ops], t("step.col_ms"): [g(ms) for _, ms in ops]},
            hide_index=True,
        )
        st.caption(t("step.top_ops", b=p["batches"][b], where=WHERE[where]))


@view.section
def parallel_section():
    st.header(t("parallel.heading"))
    st.markdown(t("parallel.intro"))
    columns(hw.PARALLEL, ("par_op", "par_n", "par_over", "par_budget"))
    res = measured(hw.PARALLEL)
    st.plotly_chart(figures.parallel(res, fig, t.choice("par_op", res.op)), key="par_chart")
    st.latex(hw.FORMULAS["parallel"])
    s = hw.PARALLEL.summary(res)
    if res.cores < 2:
        st.info(t("parallel.one_core"), icon="ℹ️")
    kf = ", ".join(f"e({p}) = {g(e)}" for p, e in zip(s["threads"], s["karp_flatt"]) if p > 1 and math.isfinite(e))
    words = dict(f=g(s["amdahl_parallel_fraction"]), limit=g(s["amdahl_limit"]), kf=kf or "n/a", cores=res.cores)
    st.markdown(t("parallel.reading", **words))
    skipped([(f"p={p}", x) for p, x in zip(s["threads"], s["status"])])


def claims_section():
    res = measured(hw.CLAIMS)
    view.claims(claims.text_numbers(res["numbers"]), res["verdicts"])


machine_box()
matmul_section()
memory_section()
step_section()
parallel_section()
claims_section()
