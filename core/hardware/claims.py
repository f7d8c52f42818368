"""The interview notes' claims (seed 004) checked against this server's measurements: the cards beside the sections.

    extras()              three small comparisons of their own, each timed in turns by one thread's CPU clock
                          (timing.in_turns: a busy machine cannot tilt them; ≤ EXTRAS_S CPU s): torch.mm against the
                          same product written as broadcast-multiply-sum; one optimizer update (SGD, SGD with weight
                          decay, Adam) of the MLP's weights; a forward + backward pass of the CNN with and without
                          batch norm
    numbers(mm, mem, st, par, ex)   plain numbers from the four sections' results and the extras
    verdicts(numbers)     each claim's verdict as the numbers decide it (None where they cannot: no GPU, a point
                          skipped by the budget); the cards declare theirs and tests check the two agree
    shown(numbers)        the numbers as the cards quote them: text for the sentences, floats for the charts

The notes claim: GPUs win by parallelism and memory bandwidth and through libraries tuned to the hardware;
deep learning needs massive parallel computation; transfers between CPU and GPU are worth optimizing;
Adam/RMSprop "reduce computational complexity"; L1/L2 regularization and batch norm "reduce the number of
parameters and the computation".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core import device
from core.hardware import memory, step
from core.hardware.matmul import MatmulResult
from core.hardware.parallel import ParallelResult
from core.hardware.timing import Timing, gated, in_turns

LIB_N = 128  # the naive product materialises n³ numbers: 8 MiB at this size
EXTRAS_S = 0.5  # CPU seconds of extras() on one thread: measured 0.3–0.4 (bench/hardware_cost.py)
BN_BATCH = 32


@dataclass(frozen=True)
class Extras:
    lib: dict[str, Timing]  # "mm", "naive": one n×n product
    update: dict[str, Timing]  # "sgd", "sgd_wd", "adam": one optimizer.step() of the MLP
    params: int  # the MLP's weights
    pass_: dict[str, Timing]  # "plain", "bn": forward + backward of the CNN
    bn_params: dict[str, int]  # parameters of the CNN without / with batch norm
    bn_buffers: int  # running statistics batch norm keeps besides its parameters


def _updates() -> tuple[dict[str, Timing], int]:
    """One optimizer.step() of the MLP with SGD + momentum, the same with weight decay, and Adam, in turns."""
    steps, params = {}, 0
    for name, kind, wd in (("sgd", "sgd", 0.0), ("sgd_wd", "sgd", 5e-4), ("adam", "adam", 0.0)):
        with device.seeded(0):
            m = step.model("mlp")
        for p in m.parameters():
            p.grad = torch.randn_like(p)
        steps[name] = step.optimizer(kind, m.parameters(), weight_decay=wd).step
        params = sum(p.numel() for p in m.parameters())
    return in_turns(steps), params


def _passes() -> tuple[dict[str, Timing], dict[str, int], int]:
    """A forward + backward pass of the small CNN without and with batch norm, in turns."""
    x, y = step.batch(BN_BATCH, torch.device("cpu"))
    passes, counts, buffers = {}, {}, 0
    for name, bn in (("plain", False), ("bn", True)):
        with device.seeded(0):
            m = step.model("cnn", bn=bn)

        def fwd_bwd(m=m):
            m.zero_grad(set_to_none=True)
            F.cross_entropy(m(x), y).backward()

        passes[name] = fwd_bwd
        counts[name] = sum(p.numel() for p in m.parameters())
        buffers = sum(b.numel() for b in m.buffers() if b.dtype.is_floating_point)
    return in_turns(passes), counts, buffers


def _lib() -> dict[str, Timing]:
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(LIB_N, LIB_N, generator=g), torch.rand(LIB_N, LIB_N, generator=g)  # (n, n)
    naive = lambda: (a[:, :, None] * b[None, :, :]).sum(1)  # (n, n, 1)·(1, n, n) → (n, n, n) → sum over k
    return in_turns({"mm": lambda: a @ b, "naive": naive})


def extras() -> Extras:
    with gated(torch.device("cpu"), 1, alone=True) as ok:
        if not ok:
            raise RuntimeError("the server is too busy to measure the claims now")
        lib = _lib()
        update, params = _updates()
        passes, bn_params, buffers = _passes()
    return Extras(lib, update, params, passes, bn_params, buffers)


def _ratio(a: float, b: float) -> float:
    return a / b if b and math.isfinite(a) and math.isfinite(b) else math.nan


def _curve(mm: MatmulResult, where: str):
    for c in mm.curves:
        if c.where == where and c.dtype == "float32":
            return c
    return next((c for c in mm.curves if c.where == where), None)


def _matmul_numbers(mm: MatmulResult) -> dict:
    out: dict = {"cores": mm.cores}
    one, many, gpu = _curve(mm, "cpu1"), _curve(mm, "cpun"), _curve(mm, "gpu")
    base = one or many
    if base is not None and base.series.ok.sum() >= 2:
        ok = np.flatnonzero(base.series.ok)
        g = base.gflops[:, 0]
        best = ok[np.argmax(g[ok])]
        out |= {
            "small_n": int(base.series.x[ok[0]]),
            "small_gflops": g[ok[0]],
            "best_n": int(base.series.x[best]),
            "best_gflops": g[best],
            "small_ratio": _ratio(g[best], g[ok[0]]),
            "t0_us": base.t0 * 1e6,
            "knee_n": base.knee() or math.nan,
            "peak_gflops": base.peak / 1e9 if base.peak else math.nan,
            "peak_pct": 100 * g[best] * 1e9 / base.peak if base.peak else math.nan,
        }
    if one is not None and many is not None:
        both = np.flatnonzero(one.series.ok & many.series.ok)
        if len(both):
            speed = many.gflops[:, 0] / one.gflops[:, 0]
            out |= {
                "mt_small_n": int(one.series.x[both[0]]),
                "mt_small": speed[both[0]],
                "mt_big_n": int(one.series.x[both[-1]]),
                "mt_big": speed[both[-1]],
            }
            cross = mm.crossings.get(f"cpun/cpu1/{one.dtype}")
            out["mt_cross"] = cross if cross is not None else math.nan
    if gpu is not None and gpu.series.ok.any() and base is not None and base.series.ok.any():
        out["gpu_ratio"] = _ratio(np.nanmax(gpu.gflops[:, 0]), np.nanmax(base.gflops[:, 0]))
        cross = next((v for k, v in mm.crossings.items() if k.startswith("gpu/")), None)
        out["gpu_cross"] = cross if cross is not None else math.nan
        out["gpu_t0_us"] = gpu.t0 * 1e6
    return out


def _memory_numbers(mem: memory.MemoryResult) -> dict:
    cpu = mem.places[0]
    roofs = cpu.roofs(mem.caches)
    ops = cpu.op_points(mem.n)
    add = memory.OPS.index("add")
    out = {
        "mem_n": mem.n,
        "bw": roofs["bandwidth"] / 1e9,
        "cache_bw": roofs["cache_bandwidth"] / 1e9,
        "add_gbs": ops["byte_s"][add] / 1e9,
        "add_gflops": ops["flop_s"][add] / 1e9,
        "add_ai": ops["intensity"][add],
        "mm_gflops": roofs["peak"] / 1e9,
        "ridge": roofs["ridge"],
    }
    out["add_pct"] = 100 * _ratio(out["add_gflops"], out["mm_gflops"])
    if len(mem.places) > 1:
        gpu_roofs = mem.places[1].roofs({})
        out["gpu_bw"] = gpu_roofs["bandwidth"] / 1e9
        out["gpu_bw_ratio"] = _ratio(gpu_roofs["bandwidth"], roofs["bandwidth"])
    return out


def _step_numbers(st: step.StepResult) -> dict:
    out: dict = {"model": st.model}
    for p in st.places:
        rate = p.throughput()[:, 0]
        ok = np.flatnonzero(p.steps.ok)
        if len(ok) >= 1:
            last = ok[-1]
            pt = p.points[last]
            shares = pt.shares()
            out[f"{p.where}_b_small"], out[f"{p.where}_b_big"] = int(p.steps.x[ok[0]]), int(p.steps.x[last])
            out[f"{p.where}_sps_small"], out[f"{p.where}_sps_big"] = rate[ok[0]], rate[last]
            out[f"{p.where}_batch_gain"] = _ratio(rate[last], rate[ok[0]]) if last != ok[0] else math.nan
            out[f"{p.where}_fb_pct"] = 100 * (shares["forward"] + shares["backward"])
            out[f"{p.where}_copy_pct"] = 100 * shares["copy"]
            if pt.copy is not None:
                nbytes = p.steps.x[last] * (28 * 28 * 4 + 8)
                out["copy_ms"], out["h2d_gbs"] = pt.copy.median * 1e3, nbytes / pt.copy.median / 1e9
    at = "gpu" if "gpu_copy_pct" in out else "cpu1"  # the transfer card: the GPU's copy, else the CPU's no-op
    out |= {"copy_ms": out.get("copy_ms", math.nan), "copy_b": out.get(f"{at}_b_big", math.nan)}
    out |= {"copy_pct": out.get(f"{at}_copy_pct", math.nan), "fb_pct": out.get(f"{at}_fb_pct", math.nan)}
    return out


def _parallel_numbers(par: ParallelResult) -> dict:
    s = par.speedup[:, 0]
    at_cores = np.flatnonzero((par.series.x <= par.cores) & par.series.ok)
    return {
        "par_op": par.op,
        "par_n": par.n,
        "par_f": par.f,
        "par_limit": 1 / (1 - par.f) if par.f < 1 else math.inf,
        "par_p": int(par.series.x[at_cores[-1]]) if len(at_cores) else 1,
        "par_speedup": s[at_cores[-1]] if len(at_cores) > 1 else math.nan,
    }


def _extras_numbers(ex: Extras) -> dict:
    flops = 2 * LIB_N**3
    u, p = ex.update, ex.pass_
    return {
        "lib_n": LIB_N,
        "lib_mm": flops / ex.lib["mm"].median / 1e9,
        "lib_naive": flops / ex.lib["naive"].median / 1e9,
        "lib_ratio": _ratio(ex.lib["naive"].median, ex.lib["mm"].median),
        "params": ex.params,
        "sgd_ms": u["sgd"].median * 1e3,
        "sgd_wd_ms": u["sgd_wd"].median * 1e3,
        "adam_ms": u["adam"].median * 1e3,
        "adam_ratio": _ratio(u["adam"].median, u["sgd"].median),
        "wd_ratio": _ratio(u["sgd_wd"].median, u["sgd"].median),
        "bn_batch": BN_BATCH,
        "plain_ms": p["plain"].median * 1e3,
        "bn_ms": p["bn"].median * 1e3,
        "bn_ratio": _ratio(p["bn"].median, p["plain"].median),
        "bn_extra": ex.bn_params["bn"] - ex.bn_params["plain"],
        "bn_buffers": ex.bn_buffers,
        "cnn_params": ex.bn_params["plain"],
    }


def numbers(mm: MatmulResult, mem: memory.MemoryResult, st: step.StepResult, par: ParallelResult, ex: Extras) -> dict:
    return _matmul_numbers(mm) | _memory_numbers(mem) | _step_numbers(st) | _parallel_numbers(par) | _extras_numbers(ex)


def _known(n: dict, *names: str) -> bool:
    return all(isinstance(n.get(k), (int, float)) and math.isfinite(n[k]) for k in names)


NOISE = 1.03  # a time ratio within 3 % of 1 is called even: the machine's noise is larger than that


def _verdict(n: dict, names: tuple[str, ...], holds, yes: str, no: str) -> str | None:
    """`yes` when the named numbers are measured and `holds(n)`, `no` when measured and not, None when not measured."""
    return (yes if holds(n) else no) if _known(n, *names) else None


def verdicts(n: dict) -> dict[str, str | None]:
    """Each claim's verdict as these numbers decide it (None: not measured here, e.g. no GPU or a skipped point).
    The cards declare their verdict (core.hardware.concept.CLAIMS); tests check that the measurement agrees."""
    dearer = 1 / NOISE  # "saves computation" is refuted by an update or a pass that is no cheaper
    memory_bound = lambda n: n["add_pct"] < 20 and n["add_ai"] < n["ridge"]  # left of the ridge, far below P
    bn_costs = lambda n: n["bn_extra"] > 0 or n["bn_ratio"] > dearer  # more parameters, or a dearer pass
    return {
        # parallel hardware pays for big work only: a small matmul runs far below a big one's rate on the same core
        "parallel": _verdict(n, ("small_ratio",), lambda n: n["small_ratio"] > 3, "partly", "true"),
        "bandwidth": _verdict(n, ("add_pct", "add_ai", "ridge"), memory_bound, "true", "partly"),
        "libraries": _verdict(n, ("lib_ratio",), lambda n: n["lib_ratio"] > 3, "true", "partly"),
        # the same network on the same core processes far more samples per second on a bigger batch
        "batch": _verdict(n, ("cpu1_batch_gain",), lambda n: n["cpu1_batch_gain"] > 1.5, "depends", "partly"),
        "transfer": _verdict(n, ("copy_ms",), lambda n: True, "depends", "depends"),  # a GPU's copy only
        "adam": _verdict(n, ("adam_ratio",), lambda n: n["adam_ratio"] > dearer, "false", "partly"),
        "weight_decay": _verdict(n, ("wd_ratio",), lambda n: n["wd_ratio"] > dearer, "false", "partly"),
        "bn": _verdict(n, ("bn_extra", "bn_ratio"), bn_costs, "false", "partly"),
    }


def shown(n: dict) -> dict:
    """What the claim cards quote: every number as text (`text_numbers`) for the sentences, and as a float under
    `raw.<name>` for the evidence charts."""
    raw = {
        f"raw.{k}": float(v)
        for k, v in n.items()
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    }
    text = text_numbers(n)
    text["copy_time"] = f"{text['copy_ms']} ms" if _known(n, "copy_ms") else "n/a"  # no "n/a ms" without a GPU
    return text | raw


def text_numbers(n: dict) -> dict[str, str]:
    """The numbers as the catalogue shows them: 3 significant digits, whole numbers with separators, n/a."""
    out = {}
    for k, v in n.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            out[k] = str(v)
        elif isinstance(v, (int, np.integer)):
            out[k] = f"{int(v):,}"
        elif not math.isfinite(v):
            out[k] = "∞" if v == math.inf else "n/a"
        else:
            out[k] = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    return out
