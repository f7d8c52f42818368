"""The sentences under each section, as (catalogue key, fields) pairs filled from a section's summary: the view
looks each key up in the page's language. Numbers are formatted here, once (claims.text_numbers' style)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from core.hardware.claims import text_numbers

Line = tuple[str, dict]


def num(v) -> str:
    """A number as the page prints it (3 significant digits, separators; n/a when not measured)."""
    return "n/a" if v is None else text_numbers({"v": v})["v"]


def matmul(s: dict, where: dict[str, str]) -> list[Line]:
    lines: list[Line] = []
    for name, c in s["curves"].items():
        at, dtype = name.split("/")
        if math.isfinite(c["best_gflops"]):
            share = f"{c['share_of_peak']:.0%}" if c["share_of_peak"] else "n/a"
            fields = dict(where=where[at], dtype=dtype, best=num(c["best_gflops"]), n=c["best_n"], share=share)
            fields |= dict(peak=num(c["peak_gflops"]), t0=num(c["fixed_cost_us"]), knee=num(c["knee_n"]))
            lines.append(("matmul.curve" if c["knee_n"] else "matmul.curve_no_knee", fields))
    for k, n in s["crossings"].items():
        fast, slow, dtype = k.split("/")
        key = "matmul.cross" if n is not None else "matmul.no_cross"
        lines.append((key, dict(fast=where[fast], slow=where[slow], dtype=dtype, n=num(n))))
    return lines


def memory(s: dict, where: dict[str, str]) -> list[Line]:
    lines = []
    for at, p in s["places"].items():
        r, add = p["roofs"], p["elementwise"]["add"]
        fields = dict(where=where[at], bw=num(r["bandwidth"]), cache_bw=num(r["cache_bandwidth"]), peak=num(r["peak"]))
        fields |= dict(ridge=num(r["ridge"]), ai=num(add["intensity"]), gbs=num(add["gbytes_s"]))
        lines.append(("memory.reading", fields | dict(gflops=num(add["gflops"]), n=s["n"])))
    return lines


def step(s: dict, where: dict[str, str]) -> list[Line]:
    f = s["flops_per_sample"]
    flops = dict(params=f"{s['parameters']:,}", fwd=num(f["forward"] / 1e6), bwd=num(f["backward"] / 1e6))
    lines: list[Line] = [("step.flops", flops)]
    for at, p in s["places"].items():
        done = [i for i, x in enumerate(p["status"]) if x == "ok"]
        if not done:
            continue
        a, b = done[0], done[-1]
        fields = dict(where=where[at], b1=p["batches"][a], s1=num(p["samples_per_s"][a]), g1=num(p["gflops"][a]))
        fields |= dict(b2=p["batches"][b], s2=num(p["samples_per_s"][b]), g2=num(p["gflops"][b]))
        lines.append(("step.reading", fields))
        copy = p["copy_ms"][b]  # None on the CPU: there is no copy
        gpu = copy is not None
        lines.append(("step.copy_gpu", dict(ms=num(copy), b=p["batches"][b])) if gpu else ("step.copy_cpu", {}))
    return lines


def parallel(s: dict) -> list[Line]:
    kf = ", ".join(f"e({p}) = {num(e)}" for p, e in zip(s["threads"], s["karp_flatt"]) if p > 1 and math.isfinite(e))
    fields = dict(f=num(s["amdahl_parallel_fraction"]), limit=num(s["amdahl_limit"]), kf=kf or "n/a", cores=s["cores"])
    return [("parallel.reading", fields)]


def skipped(items: Iterable[tuple[str, str]]) -> list[Line]:
    """One line per reason for the points without a timing: (what, status) pairs → ("skipped.<status>", items)."""
    by: dict[str, list[str]] = {}
    for what, status in items:
        if status != "ok":
            by.setdefault(status, []).append(what)
    return [(f"skipped.{status}", dict(items=", ".join(whats))) for status, whats in by.items()]


def points(s: dict, where: dict[str, str]) -> list[tuple[str, str]]:
    """(what, status) for every point of a section's summary, for `skipped`."""
    out: list[tuple[str, str]] = []
    for name, c in s.get("curves", {}).items():
        at, dtype = name.split("/")
        out += [(f"{where[at]} · {dtype} n={n}", st) for n, st in zip(c["sizes"], c["status"])]
    for at, p in s.get("places", {}).items():
        if "batches" in p:
            out += [(f"{where[at]} B={b}", st) for b, st in zip(p["batches"], p["status"])]
            continue
        out += [(f"{where[at]} matmul n={n}", st) for n, st in zip(p["matmul"]["sizes"], p["matmul"]["status"])]
        ws = p["add_sweep"]
        out += [(f"{where[at]} add {b / 2**20:.3g} MiB", st) for b, st in zip(ws["working_set_bytes"], ws["status"])]
    out += [(f"p={p}", st) for p, st in zip(s.get("threads", ()), s.get("status", ()))]
    return out
