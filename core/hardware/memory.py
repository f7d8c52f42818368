"""Section 2, memory-bound vs compute-bound: element-wise kernels and a matmul on the same n×n data, placed on a
roofline drawn from the measured points.

    element-wise on N = n² items   FLOP/s = φ·N / t,   GB/s = (reads + writes)·N·s / t      (laws.ELEMENTWISE)
    matmul n×n                     FLOP/s = 2n³ / t,   intensity I = 2n³ / (3n²·s) = n / (1.5·s)
    roofline                       attainable(I) = min(P, I·B):   P = the best matmul rate measured,
                                   B = the bandwidth an add reaches on data bigger than the caches

An element-wise kernel does one or two FLOPs per 8–12 bytes it moves (I ≈ 0.1 FLOP/byte): however many FLOP/s
the hardware has, it waits for memory. A matmul reuses each loaded number n times: its intensity grows with n
until it meets the compute roof. A sweep of the add over working sets from 48 KiB up shows the caches: small
arrays stream from cache at several times the bandwidth of main memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.hardware import laws, matmul, specs
from core.hardware.timing import Budget, Series, point, section_cost, sweep

OPS = tuple(laws.ELEMENTWISE)  # copy, scale, add, triad
SWEEP_ITEMS = tuple(4**k for k in range(6, 13))  # 4 Ki … 16 Mi items per array
MM_MIN = 32


def kernel(op: str, items: int, dtype: torch.dtype, dev: torch.device):
    """One element-wise kernel on preallocated arrays (no allocation inside the timed call). The values do not
    change a streaming kernel's speed, so the arrays are filled, not drawn (drawing 16 Mi numbers costs more
    than timing the add)."""
    x = torch.full((items,), 0.5, dtype=dtype, device=dev)  # (N,)
    y = torch.full((items,), 0.25, dtype=dtype, device=dev)  # (N,)
    out = torch.empty(items, dtype=dtype, device=dev)
    return {
        "copy": lambda: out.copy_(x),
        "scale": lambda: torch.mul(x, 2.0, out=out),
        "add": lambda: torch.add(x, y, out=out),
        "triad": lambda: torch.add(y, x, alpha=2.0, out=out),  # z = y + 2x
    }[op]


def mm_sizes(n: int) -> list[int]:
    """The matmul sizes on the roofline: n, n/2, n/4, n/8 (at least MM_MIN), smallest first."""
    return sorted({max(MM_MIN, n >> k) for k in range(4)})


@dataclass(frozen=True)
class Place:
    """One device's measurements."""

    where: str  # cpu1 | gpu
    itemsize: int
    ops: Series  # x = position in OPS, on n² items
    sweep: Series  # x = items per array, the add
    mm: Series  # x = matmul size
    peak: float | None  # FLOP/s: the CPU estimate (one core) or the GPU datasheet
    bandwidth_spec: float | None  # bytes/s from a datasheet (GPU), else None

    def op_points(self, n: int) -> dict[str, np.ndarray]:
        """Per element-wise op on n² items: flops, bytes, intensity, FLOP/s and bytes/s (at the median time)."""
        items = n * n
        flops = np.array([laws.elementwise_flops(o, items) for o in OPS], dtype=np.float64)
        nbytes = np.array([laws.elementwise_bytes(o, items, self.itemsize) for o in OPS], dtype=np.float64)
        t = self.ops.t[:, 0]
        return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes, "flop_s": flops / t, "byte_s": nbytes / t}

    def mm_points(self) -> dict[str, np.ndarray]:
        n = self.mm.x
        flops = np.array([laws.matmul_flops(m, m, m) for m in n], dtype=np.float64)
        nbytes = np.array([laws.matmul_bytes(m, m, m, self.itemsize) for m in n], dtype=np.float64)
        return {"n": n, "flops": flops, "bytes": nbytes, "intensity": flops / nbytes, "flop_s": flops / self.mm.t[:, 0]}

    def sweep_points(self) -> dict[str, np.ndarray]:
        """The add's working set (bytes) and bandwidth at the median time and its quartiles, per array size."""
        nbytes = np.array([laws.elementwise_bytes("add", int(k), self.itemsize) for k in self.sweep.x], dtype=float)
        t = self.sweep.t
        return {"working_set": nbytes, "byte_s": nbytes / t[:, 0], "byte_s_iqr": nbytes[:, None] / t[:, 1:]}

    def roofs(self, caches: dict[str, int]) -> dict[str, float]:
        """Measured roofs: the peak P (best matmul FLOP/s), the bandwidth B (the add beyond twice the last cache,
        else at the largest working set measured), the cache bandwidth (the sweep's best) and the ridge P / B."""
        mm, sw = self.mm_points(), self.sweep_points()
        ok = np.isfinite(sw["byte_s"])
        out = {"peak": math.nan, "bandwidth": math.nan, "cache_bandwidth": math.nan, "ridge": math.nan}
        if np.isfinite(mm["flop_s"]).any():
            out["peak"] = float(np.nanmax(mm["flop_s"]))
        if ok.any():
            last = max(caches.values(), default=0)
            beyond = ok & (sw["working_set"] > 2 * last) if last else ok
            largest = np.flatnonzero(beyond if beyond.any() else ok)[-1]
            out["bandwidth"] = float(sw["byte_s"][largest])
            out["cache_bandwidth"] = float(np.nanmax(sw["byte_s"]))
        if math.isfinite(out["peak"]) and math.isfinite(out["bandwidth"]):
            out["ridge"] = laws.ridge(out["peak"], out["bandwidth"])
        return out


@dataclass(frozen=True)
class MemoryResult:
    n: int
    dtype: str
    places: tuple[Place, ...]
    caches: dict[str, int]  # CPU cache level -> bytes (e.g. "L2": 2 MiB per core, "L3")


def _place(where: str, dev: torch.device, n: int, dtype: str, budget: Budget) -> Place:
    dt = getattr(torch, dtype)
    ops = Series.of(range(len(OPS)), [point(lambda o=o: kernel(o, n * n, dt, dev), dev, 1, budget, 0.02) for o in OPS])
    itemsize = torch.empty((), dtype=dt).element_size()
    add_bytes = lambda items: 3 * items * itemsize
    part = Budget(budget.left / 3)  # the sweep gets a third of what is left; the matmuls the rest
    swept = sweep(SWEEP_ITEMS, lambda k: kernel("add", int(k), dt, dev), add_bytes, dev, 1, part)
    budget.spend(part.total - part.left)
    sizes = mm_sizes(n)
    mm = sweep(sizes, lambda m: matmul.operands(int(m), dt, dev), lambda m: 2 * m**3, dev, 1, budget)
    if where == "gpu":
        g = specs.gpu(dev)
        peak, bw = g.peaks[dtype], g.bandwidth
    else:
        peak, bw = specs.cpu().peak(dtype, 1), None
    return Place(where, itemsize, ops, swept, mm, peak, bw)


def run(values: dict, dev: torch.device, budget_s: float) -> MemoryResult:
    n, dtype = int(values["mem_n"]), values["mem_dtype"]
    budget = Budget(budget_s)
    places = [_place("cpu1", torch.device("cpu"), n, dtype, budget)]
    if dev.type == "cuda":
        places.append(_place("gpu", dev, n, dtype, Budget(budget_s)))
    return MemoryResult(n, dtype, tuple(places), specs.caches())


def summary(r: MemoryResult) -> dict:
    out = {"n": r.n, "dtype": r.dtype, "caches_bytes": r.caches, "places": {}}
    for p in r.places:
        ops, mm, sw = p.op_points(r.n), p.mm_points(), p.sweep_points()
        out["places"][p.where] = {
            "elementwise": {
                o: {
                    "gbytes_s": ops["byte_s"][i] / 1e9,
                    "gflops": ops["flop_s"][i] / 1e9,
                    "intensity": ops["intensity"][i],
                    "status": p.ops.status[i],
                }
                for i, o in enumerate(OPS)
            },
            "matmul": {
                "sizes": mm["n"].astype(int),
                "gflops": mm["flop_s"] / 1e9,
                "intensity": mm["intensity"],
                "status": list(p.mm.status),
            },
            "add_sweep": {
                "working_set_bytes": sw["working_set"].astype(np.int64),
                "gbytes_s": sw["byte_s"] / 1e9,
                "status": list(p.sweep.status),
            },
            "roofs": {k: v / 1e9 if k != "ridge" else v for k, v in p.roofs(r.caches).items()},
            "peak_estimate_gflops": p.peak / 1e9 if p.peak else None,
            "bandwidth_datasheet_gbytes_s": p.bandwidth_spec / 1e9 if p.bandwidth_spec else None,
        }
    return out


cost = section_cost("mem_budget", 0.5)  # outside the budget: filling the n×n arrays; measured < 0.3 CPU s at n = 4096
