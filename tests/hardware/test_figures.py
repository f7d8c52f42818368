"""Every figure builds and validates from real results, and from results whose points were all skipped."""

import math

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from core.hardware import axes, figures, matmul, memory, parallel, step, words
from core.hardware.timing import Series
from core.text import Text

CPU = torch.device("cpu")
T = Text("hardware", "en")
LAB, WHERE = T.section("fig"), {k: T(f"where.{k}") for k in figures.COLORS}
PHASES = {k: T(f"phase.{k}") for k in figures.PHASE_COLORS}


def check(fig) -> go.Figure:
    go.Figure(fig.to_dict())  # plotly's validators: raises on a malformed trace or layout
    for trace in fig.data:
        for axis in ("x", "y"):
            v = getattr(trace, axis, None)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                assert v.dtype == np.float32, (trace.name, axis)
    return fig


@pytest.fixture(scope="module")
def results():
    return {
        "mm": matmul.run({"sizes": ("16", "128"), "dtypes": ("float32",), "mm_cpu": ("one", "all")}, CPU, 0.5),
        "mem": memory.run({"mem_n": 256, "mem_dtype": "float32"}, CPU, 0.5),
        "step": step.run({"model": "cnn", "opt": "adam", "batches": ("1", "4")}, CPU, 1.0),
        "par": parallel.run({"par_op": "add", "par_n": 256, "par_over": True}, 0.5),
    }


def test_figures_from_real_measurements(results):
    mm = check(figures.matmul(results["mm"], LAB, WHERE))
    assert any("1 thread" in (t.name or "") for t in mm.data)
    roof = check(figures.roofline(results["mem"], LAB, WHERE))
    assert any(t.marker.symbol == "diamond" for t in roof.data if t.mode and "markers" in t.mode)
    check(figures.bandwidth(results["mem"], LAB, WHERE))
    st = check(figures.step(results["step"], LAB, WHERE, PHASES))
    assert {t.name for t in st.data if t.type == "bar"} == set(PHASES.values())
    par = check(figures.parallel(results["par"], LAB, "add"))
    assert "n = 256" in par.layout.title.text


def test_figures_survive_results_with_nothing_measured(results):
    def skipped(s: Series) -> Series:
        return Series.of(s.x, ["budget"] * len(s.x))

    mm = results["mm"]
    empty_mm = matmul.MatmulResult(
        tuple(matmul.Curve(c.where, c.dtype, c.threads, skipped(c.series), c.peak, np.nan, np.nan) for c in mm.curves),
        {k: None for k in mm.crossings},
        mm.cores,
        None,
    )
    check(figures.matmul(empty_mm, LAB, WHERE))
    p = results["mem"].places[0]
    empty_place = memory.Place(p.where, p.itemsize, skipped(p.ops), skipped(p.sweep), skipped(p.mm), None, None)
    empty_mem = memory.MemoryResult(256, "float32", (empty_place,), {})
    check(figures.roofline(empty_mem, LAB, WHERE))
    check(figures.bandwidth(empty_mem, LAB, WHERE))
    sp = results["step"].places[0]
    empty_step = step.StepResult("cnn", "adam", 1, 1, 1, (step.Place(sp.where, skipped(sp.steps), (None, None)),))
    check(figures.step(empty_step, LAB, WHERE, PHASES))
    par = results["par"]
    check(figures.parallel(parallel.ParallelResult(par.op, par.n, par.cores, skipped(par.series), np.nan), LAB, "add"))


@pytest.mark.parametrize("lang", ("en", "zh"))
def test_every_sentence_under_the_figures_is_filled_in_both_languages(results, lang):
    t = Text("hardware", lang)
    where = {k: t(f"where.{k}") for k in figures.COLORS}
    summaries = {
        "matmul": matmul.summary(results["mm"]),
        "memory": memory.summary(results["mem"]),
        "step": step.summary(results["step"]),
        "parallel": parallel.summary(results["par"]),
    }
    lines = words.matmul(summaries["matmul"], where) + words.memory(summaries["memory"], where)
    lines += words.step(summaries["step"], where) + words.parallel(summaries["parallel"])
    for s in summaries.values():
        lines += words.skipped(words.points(s, where))
    lines += words.skipped([("x", "budget"), ("y", "busy"), ("z", "memory"), ("w", "unsupported")])
    keys = {k for k, _ in lines}
    assert {"matmul.curve", "memory.reading", "step.flops", "step.reading", "step.copy_cpu", "parallel.reading"} <= keys
    for key, fields in lines:
        assert t.has(key), key
        text = t(key, **fields)
        assert "{" not in text and "nan" not in text.lower().replace("n/a", ""), (key, text)


def test_points_name_every_skipped_point():
    s = {"curves": {"cpu1/float32": {"sizes": [16, 4096], "status": ["ok", "budget"]}}, "threads": [1, 2],
         "status": ["ok", "busy"]}  # fmt: skip
    lines = words.skipped(words.points(s, WHERE))
    assert lines == [
        ("skipped.budget", {"items": "CPU, 1 thread · float32 n=4096"}),
        ("skipped.busy", {"items": "p=2"}),
    ]


def test_log_axes_are_labelled_where_a_label_reads_as_its_value():
    sizes = axes.log_axis("n", at=[16, 64, 1024, 64])
    assert sizes["tickvals"] == [16, 64, 1024] and sizes["ticktext"] == ["16", "64", "1,024"]
    near = axes.log_axis("samples/s", [900, 3600])  # within two decades: 1-2-5 steps
    assert near["ticktext"] == ["100", "200", "500", "1,000", "2,000", "5,000", "10,000"]
    far = axes.log_axis("I", [0.02, 2000])  # beyond: decades only
    assert far["ticktext"] == ["0.01", "0.1", "1", "10", "100", "1,000", "10,000"]
    assert "tickvals" not in axes.log_axis("empty", [math.nan]) and axes.log_axis("no sizes", [1.0, 10.0], at=[])
    assert axes.log_axis("no sizes", [1.0, 10.0], at=[])["ticktext"][:3] == ["1", "2", "5"]


def test_a_long_legend_gets_rows_under_the_title_not_over_it():
    row = axes.ROW_PX
    short = axes.titled("t", [dict(name="CPU, 1 thread")], 400)
    grid = axes.titled("t", [dict(name=n) for n in ("copy", "forward", "backward", "optimizer", "other", "CPU")], 400)
    long = axes.titled("t", [dict(name=f"roof with cache bandwidth (CPU, 1 thread) {i}") for i in range(4)], 400)
    hidden = axes.titled("t", [dict(name="x" * 400, showlegend=False)], 400)
    assert short["margin"]["t"] == axes.TITLE_PX + row and hidden["margin"]["t"] == axes.TITLE_PX
    assert grid["margin"]["t"] == axes.TITLE_PX + 2 * row  # six short entries: two rows of four columns at most
    assert long["margin"]["t"] == axes.TITLE_PX + 4 * row  # entries wider than half the plot: one a row
    assert short["height"] == grid["height"] - row == long["height"] - 3 * row == 400  # the plot keeps its size
    assert short["title"]["yref"] == "container"
