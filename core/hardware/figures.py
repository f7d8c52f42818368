"""Hardware figures: GFLOP/s against matrix size, the roofline, bandwidth against working set, the training step,
and speed-up against threads. Built from the sections' results (numpy arrays; no torch here) with core.style.

Where a curve lives: one thread (blue), every core (orange), the GPU (green); dtype by line dash. Error bars are
the interquartile range of the repeats; skipped points are simply absent (the page lists why). Log axes are
labelled where a label reads as its value and legends sit in rows under the title (core.hardware.axes): the
figures stand in a narrow column beside their controls.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.hardware import laws
from core.hardware.axes import log_axis, titled
from core.style import figure

COLORS = {"cpu1": "#1f77b4", "cpun": "#ff7f0e", "gpu": "#2ca02c"}
DASH = {"float32": "solid", "bfloat16": "dash", "float16": "dot"}
PHASE_COLORS = {"copy": "#9467bd", "forward": "#1f77b4", "backward": "#d62728", "optimizer": "#2ca02c", "other": "#aaa"}
MIB = 2**20


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _errors(mid: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> dict:
    """Asymmetric error bars from the quartile rates (hi: at q1, the faster end)."""
    return dict(type="data", symmetric=False, array=_f32(hi - mid), arrayminus=_f32(mid - lo), thickness=1, width=3)


def _measured(x, rates: np.ndarray, name: str, color: str, hover: str, dash: str = "solid", **extra) -> dict:
    """A measured curve: the medians joined, the quartiles as error bars. rates: (S, 3) median, q1-, q3-based."""
    return dict(
        type="scatter",
        x=_f32(x),
        y=_f32(rates[:, 0]),
        mode="lines+markers",
        name=name,
        line=dict(color=color, dash=dash),
        error_y=_errors(rates[:, 0], rates[:, 1], rates[:, 2]),
        hovertemplate=hover,
        **extra,
    )


def _line(x, y, name: str, color: str, dash: str = "solid", width: float = 1.0, legend: bool = True) -> dict:
    """A drawn (not measured) line: a model, a roof, a peak."""
    return dict(
        type="scatter",
        x=_f32(x),
        y=_f32(y),
        mode="lines",
        line=dict(color=color, dash=dash, width=width),
        name=name,
        showlegend=legend,
        hovertemplate=f"{name}: %{{y:.3g}}<extra></extra>",
    )


def _points(x, y, text: list[str], name: str, symbol: str, color: str, where: str) -> dict:
    """Labelled points on the roofline (kernels, matmul sizes)."""
    return dict(
        type="scatter",
        name=name,
        x=_f32(x),
        y=_f32(y),
        mode="markers+text",
        text=text,
        textposition=where,
        marker=dict(color=color, size=10, symbol=symbol),
        hovertemplate="%{text}: I = %{x:.3g} FLOP/B, %{y:.3g} GFLOP/s<extra></extra>",
    )


def _ys(data: list[dict], axis: str = "y") -> np.ndarray:
    """Every y value drawn on `axis` (a log axis' labels span them)."""
    ys = [np.asarray(d["y"], dtype=np.float64) for d in data if d.get("yaxis", "y") == axis and d.get("type") != "bar"]
    return np.concatenate(ys) if ys else np.zeros(0)


def _xs(data: list[dict]) -> np.ndarray:
    xs = [np.asarray(d["x"], dtype=np.float64) for d in data if d.get("xaxis", "x") == "x" and d.get("type") != "bar"]
    return np.concatenate(xs) if xs else np.zeros(0)


def _note(x: float, text: str) -> dict:
    """A label at the foot of a vertical marker line (clear of the legend above the plot)."""
    return dict(x=x, y=0.01, yref="paper", text=text, showarrow=False, xanchor="left", yanchor="bottom")


def _hline(y: float, x0: float, x1: float, color: str, dash: str, name: str, width: float = 1.0) -> dict:
    return _line([x0, x1], [y, y], name, color, dash, width, legend=False)


def matmul(res, lab: Mapping[str, str], where: Mapping[str, str]) -> object:
    """GFLOP/s against n per curve, with the fitted t₀ + 2n³/R model (dotted), each curve's peak (thin dashed) and
    the sizes where the faster-at-scale hardware overtakes the other (vertical lines)."""
    data, shapes, notes = [], [], []
    sizes = [c.series.x for c in res.curves]
    x0 = float(min((s.min() for s in sizes), default=8))
    x1 = float(max((s.max() for s in sizes), default=4096))
    for c in res.curves:
        ok = c.series.ok
        if not ok.any():
            continue
        g = c.gflops[ok]
        name = f"{where[c.where]} · {c.dtype}"
        color, dash = COLORS[c.where], DASH[c.dtype]
        hover = f"{name}<br>n = %{{x}}: %{{y:.3g}} GFLOP/s<extra></extra>"
        data.append(_measured(c.series.x[ok], g, name, color, hover, dash))
        if np.isfinite(c.t0) and np.isfinite(c.rate):
            xs = np.geomspace(x0, x1, 60)
            model = laws.latency_rate(2.0 * xs**3, c.t0, c.rate) / 1e9
            data.append(_line(xs, model, f"{lab['model']} ({name})", color, "dot", legend=False))
        if c.peak:
            data.append(_hline(c.peak / 1e9, x0, x1, color, "dash", f"{lab['peak']} ({name})", 0.8))
    for k, n in res.crossings.items():
        if n is None:
            continue
        fast, slow, dtype = k.split("/")
        shapes.append(dict(type="line", x0=n, x1=n, y0=0, y1=1, yref="paper", line=dict(color="#555", dash="dot")))
        text = lab["crossing"].format(fast=where[fast], slow=where[slow], n=f"{n:.0f}", dtype=dtype)
        notes.append(_note(float(np.log10(n)), text))  # a log axis places annotations by log10(x)
    measured = [c.series.x[c.series.ok] for c in res.curves if c.series.ok.any()]
    at = np.concatenate(measured) if measured else None  # the sizes measured: labelled as themselves
    layout = dict(
        xaxis=log_axis(lab["mm_x"], at=at),
        yaxis=log_axis(lab["mm_y"], _ys(data)),
        shapes=shapes,
        annotations=notes,
        hovermode="closest",
        **titled(lab["mm_title"], data, 460),
    )
    return figure(data, layout, height=layout.pop("height"))


def roofline(res, lab: Mapping[str, str], where: Mapping[str, str]) -> object:
    """Measured points on the measured roofline: min(P, I·B) from the best matmul and the add's bandwidth beyond
    the caches; the cache bandwidth dashed; the estimated (CPU) or datasheet (GPU) peak dotted."""
    data = []
    xs = np.geomspace(0.02, 2000, 80)
    for p in res.places:
        color, name = COLORS[p.where], where[p.where]
        roofs = p.roofs(res.caches if p.where != "gpu" else {})
        if np.isfinite(roofs["peak"]) and np.isfinite(roofs["bandwidth"]):
            roof = laws.roofline(xs, roofs["peak"], roofs["bandwidth"]) / 1e9
            data.append(_line(xs, roof, f"{lab['roof']} ({name})", color, width=2))
        if np.isfinite(roofs["peak"]) and np.isfinite(roofs["cache_bandwidth"]):
            cache = laws.roofline(xs, roofs["peak"], roofs["cache_bandwidth"]) / 1e9
            data.append(_line(xs, cache, f"{lab['cache_roof']} ({name})", color, "dash"))
        if p.peak:
            data.append(_hline(p.peak / 1e9, xs[0], xs[-1], color, "dot", f"{lab['peak']} ({name})"))
        ops, mm = p.op_points(res.n), p.mm_points()
        keep = np.isfinite(ops["flop_s"]) & (ops["flops"] > 0)  # a copy does no arithmetic: not on this chart
        names = [lab[f"op_{o}"] for o in ("copy", "scale", "add", "triad")]
        text, label = [n for n, k in zip(names, keep) if k], f"{lab['elementwise']} ({name})"
        x, y = ops["intensity"][keep], ops["flop_s"][keep] / 1e9
        data.append(_points(x, y, text, label, "circle", color, "top center"))
        ok = np.isfinite(mm["flop_s"])
        text = [f"n={int(n)}" for n in mm["n"][ok]]
        label = f"{lab['matmuls']} ({name})"
        data.append(_points(mm["intensity"][ok], mm["flop_s"][ok] / 1e9, text, label, "diamond", color, "bottom right"))
    layout = dict(
        xaxis=log_axis(lab["roof_x"], xs),
        yaxis=log_axis(lab["roof_y"], _ys(data)),
        hovermode="closest",
        **titled(lab["roof_title"], data, 460),
    )
    return figure(data, layout, height=layout.pop("height"))


def bandwidth(res, lab: Mapping[str, str], where: Mapping[str, str]) -> object:
    """The add's GB/s against its working set (three arrays), with the CPU's cache sizes marked."""
    data, shapes, notes = [], [], []
    for p in res.places:
        sw = p.sweep_points()
        ok = np.isfinite(sw["byte_s"])
        if not ok.any():
            continue
        rates = np.column_stack([sw["byte_s"][ok], sw["byte_s_iqr"][ok]]) / 1e9
        hover = "%{x:.3g} MiB: %{y:.3g} GB/s<extra></extra>"
        data.append(_measured(sw["working_set"][ok] / MIB, rates, where[p.where], COLORS[p.where], hover))
    for level, size in res.caches.items():
        x = size / MIB
        shapes.append(dict(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line=dict(color="#888", dash="dot")))
        notes.append(_note(float(np.log10(x)), level))
    layout = dict(
        xaxis=log_axis(lab["bw_x"], _xs(data)),
        yaxis=dict(title=dict(text=lab["bw_y"]), rangemode="tozero"),
        shapes=shapes,
        annotations=notes,
        hovermode="closest",
        **titled(lab["bw_title"], data, 360),
    )
    return figure(data, layout, height=layout.pop("height"))


def step(res, lab: Mapping[str, str], where: Mapping[str, str], phases: Mapping[str, str]) -> object:
    """Left: samples per second against batch size. Right: each phase's share of a profiled step."""
    data = []
    for p in res.places:
        ok = p.steps.ok
        if not ok.any():
            continue
        hover = "B = %{x}: %{y:.3g} samples/s<extra></extra>"
        data.append(_measured(p.steps.x[ok], p.throughput()[ok], where[p.where], COLORS[p.where], hover))
    cats, shares = [], {k: [] for k in (*PHASE_COLORS,)}
    for p in res.places:
        for b, pt in zip(p.steps.x, p.points):
            if pt is None:
                continue
            cats.append(f"{where[p.where]} · B={int(b)}")
            s = pt.shares()
            for k in shares:
                shares[k].append(100 * s.get(k, 0.0))
    for k, values in shares.items():
        data.append(
            dict(
                type="bar",
                x=cats,
                y=_f32(values),
                name=phases[k],
                marker=dict(color=PHASE_COLORS[k]),
                xaxis="x2",
                yaxis="y2",
                hovertemplate=f"{phases[k]}: %{{y:.1f}} %<extra></extra>",
            )
        )
    batches = [p.steps.x[p.steps.ok] for p in res.places if p.steps.ok.any()]
    layout = dict(
        xaxis=log_axis(lab["step_x"], at=np.concatenate(batches) if batches else None) | dict(domain=[0, 0.4]),
        yaxis=log_axis(lab["step_y"], _ys(data)),
        xaxis2=dict(domain=[0.6, 1], anchor="y2", type="category", tickangle=-30),
        yaxis2=dict(anchor="x2", title=dict(text=lab["split_y"]), range=[0, 100]),
        barmode="stack",
        hovermode="closest",
        **titled(lab["step_title"], data, 440),
    )
    return figure(data, layout, height=layout.pop("height"))


def parallel(res, lab: Mapping[str, str], op_name: str) -> object:
    """Measured speed-up against threads, the ideal S = p, and Amdahl's law with the fitted f."""
    ok = res.series.ok
    s = res.speedup
    p_max = float(res.series.x.max())
    ps = np.linspace(1, p_max, 60)
    data = [_line([1, p_max], [1, p_max], lab["ideal"], "#999", "dash")]
    if np.isfinite(res.f):
        data.append(_line(ps, laws.amdahl(ps, res.f), lab["amdahl"].format(f=f"{res.f:.2f}"), "#d62728", width=2))
    hover = "p = %{x}: S = %{y:.2f}<extra></extra>"
    data.append(_measured(res.series.x[ok], s[ok], lab["measured"], COLORS["cpun"], hover, marker=dict(size=10)))
    shapes = [
        dict(type="line", x0=res.cores, x1=res.cores, y0=0, y1=1, yref="paper", line=dict(color="#555", dash="dot"))
    ]
    notes = [dict(x=res.cores, y=1, yref="paper", text=lab["cores"], showarrow=False, yanchor="bottom")]
    layout = dict(
        xaxis=dict(title=dict(text=lab["par_x"]), dtick=1 if p_max <= 16 else None),
        yaxis=dict(title=dict(text=lab["par_y"]), rangemode="tozero"),
        shapes=shapes,
        annotations=notes,
        hovermode="closest",
        **titled(lab["par_title"].format(op=op_name, n=res.n), data, 400),
    )
    return figure(data, layout, height=layout.pop("height"))
