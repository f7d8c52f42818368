"""Section 3, one training step of a small network at several batch sizes: samples per second, the host-to-device
copy, and where the time goes (copy, forward, backward, optimizer) by torch.profiler.

    step:  x, y = batch.to(device)  →  loss = CE(model(x), y)  →  loss.backward()  →  optimizer.step()
    samples/s = B / t_step          (t_step: the median of timed steps, no profiler, one sync per step)
    GFLOP/s   = B · FLOPs_sample / t_step  (the matmuls' and convolutions' FLOPs of forward and backward, counted
                as torch.utils.flop_counter counts them: step_flops; tests compare the two)
    split     = each phase's time inside torch.profiler.record_function ranges, over PROFILED steps; on a GPU each
                range ends with a synchronize, so it holds the kernels it launched, not only their launch.

On the CPU the batch already lies in host memory: there is no copy (the page says so). On a GPU the batch comes
from pinned host memory (`non_blocking=True`), as a DataLoader with pin_memory=True delivers it.
Models: "mlp" 784-512-512-10 and "cnn" conv(1→16, 3×3)-pool-conv(16→32, 3×3)-pool-linear(1568→10), on 28×28 inputs.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile, record_function

from core import device
from core.hardware.timing import MIN_REPEATS, Budget, Series, Timing, gated, measure, section_cost

MODELS = ("mlp", "cnn")
OPTIMIZERS = ("sgd", "adam")
BATCHES = ("1", "4", "16", "64", "256", "1024")
PHASES = ("copy", "forward", "backward", "optimizer")
PROFILED = 2  # profiled steps per batch size
TOP_OPS = 6
_PROFILER = threading.Lock()  # the profiler is one per process: one session profiles at a time


def profiler(activities) -> profile:
    """torch.profiler.profile without Kineto's log lines: on every start and stop it writes "USDT: …
    SyncActivityProfilerHandler.cpp … profiler_start" (and "STAGE: …") to stderr, noise in the server's log and
    the CLI's. Kineto reads KINETO_LOG_LEVEL when the first profiler starts (not when torch is imported), so
    setting it here, before this page's first profile, leaves app start-up and every other page alone; 6 is
    above its last level (USDT = 5, after ERROR = 4). An operator who sets the variable keeps their level."""
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    return profile(activities=activities)


def model(kind: str, bn: bool = False) -> nn.Module:
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
        )
    norm = (lambda c: nn.BatchNorm2d(c)) if bn else (lambda c: nn.Identity())
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), norm(16), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 14, 14)
        nn.Conv2d(16, 32, 3, padding=1), norm(32), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 7, 7)
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )  # fmt: skip


def optimizer(kind: str, params, weight_decay: float = 0.0) -> torch.optim.Optimizer:
    if kind == "adam":
        return torch.optim.Adam(params, lr=1e-3, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=weight_decay)


def batch(b: int, dev: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """A host batch: (B, 1, 28, 28) float32 images and (B,) labels, pinned when a GPU will read it."""
    g = torch.Generator().manual_seed(b)
    x, y = torch.rand(b, 1, 28, 28, generator=g), torch.randint(0, 10, (b,), generator=g)
    if dev.type == "cuda":
        x, y = x.pin_memory(), y.pin_memory()
    return x, y


def layer_macs(m: nn.Module) -> list[int]:
    """Multiply-adds per sample of each Linear / Conv2d layer, in order (a batch-1 forward reads the shapes)."""
    macs: list[int] = []

    def hook(layer, _inputs, out):
        if isinstance(layer, nn.Linear):
            macs.append(layer.in_features * layer.out_features)
        else:  # (1, C_out, H_out, W_out) from C_in/groups · k_h · k_w inputs each
            k = layer.in_channels // layer.groups * layer.kernel_size[0] * layer.kernel_size[1]
            macs.append(out[0].numel() * k)

    handles = [layer.register_forward_hook(hook) for layer in m.modules() if isinstance(layer, (nn.Linear, nn.Conv2d))]
    with torch.no_grad():
        m(torch.zeros(1, 1, 28, 28))
    for h in handles:
        h.remove()
    return macs


def step_flops(kind: str) -> tuple[int, int]:
    """(forward, backward) FLOPs per sample of a training step, counting the matmuls and convolutions (what
    torch.utils.flop_counter counts): forward 2·MACs per layer; backward 2·MACs for the weight gradient plus
    2·MACs for the input gradient, except at the first layer (its input, the data, needs no gradient)."""
    with device.seeded(0):
        macs = layer_macs(model(kind))
    return 2 * sum(macs), 2 * sum(macs) + 2 * sum(macs[1:])


class Trainer:
    """One model, optimizer and host batch on a device; `step()` for timing, `profiled()` for the split."""

    def __init__(self, kind: str, opt: str, b: int, dev: torch.device):
        with device.seeded(0):
            self.model = model(kind).to(dev)
        self.opt = optimizer(opt, self.model.parameters())
        self.x, self.y = batch(b, dev)
        self.dev = dev

    def step(self) -> None:
        x, y = self.x.to(self.dev, non_blocking=True), self.y.to(self.dev, non_blocking=True)
        loss = F.cross_entropy(self.model(x), y)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def copy(self) -> None:
        self.x.to(self.dev, non_blocking=True), self.y.to(self.dev, non_blocking=True)

    def profiled(self) -> tuple[dict[str, float], list[tuple[str, float]], float]:
        """Seconds per step in each phase, the top operators by own time (name, seconds per step), and the
        wall seconds per profiled step."""
        sync = (lambda: torch.cuda.synchronize(self.dev)) if self.dev.type == "cuda" else (lambda: None)
        acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if self.dev.type == "cuda" else [])
        with _PROFILER, profiler(acts) as prof:
            begin = time.perf_counter()
            for _ in range(PROFILED):
                with record_function("hw.copy"):
                    x, y = self.x.to(self.dev, non_blocking=True), self.y.to(self.dev, non_blocking=True)
                    sync()
                with record_function("hw.forward"):
                    loss = F.cross_entropy(self.model(x), y)
                    sync()
                with record_function("hw.backward"):
                    self.opt.zero_grad(set_to_none=True)
                    loss.backward()
                    sync()
                with record_function("hw.optimizer"):
                    self.opt.step()
                    sync()
            wall = (time.perf_counter() - begin) / PROFILED
        events = prof.key_averages()
        split = dict.fromkeys(PHASES, 0.0)
        ops: list[tuple[str, float]] = []
        for e in events:
            if e.key.startswith("hw.") and e.key[3:] in split:
                split[e.key[3:]] = e.cpu_time_total / 1e6 / PROFILED
            elif e.key.startswith("aten::"):
                own = _device_time(e) if self.dev.type == "cuda" else e.self_cpu_time_total
                ops.append((e.key, own / 1e6 / PROFILED))
        ops.sort(key=lambda kv: -kv[1])
        return split, ops[:TOP_OPS], wall


def _device_time(event) -> float:
    """An operator's own GPU time in µs (the attribute was renamed from `cuda` to `device` in torch 2.4)."""
    for name in ("self_device_time_total", "self_cuda_time_total"):
        if hasattr(event, name):
            return float(getattr(event, name))
    return 0.0


@dataclass(frozen=True)
class Point:
    split: dict[str, float]  # phase -> seconds per step (profiled)
    top_ops: list[tuple[str, float]]
    profiled_step: float  # wall seconds of a profiled step (syncs and profiler included)
    copy: Timing | None  # host-to-device copy alone (GPU), None on the CPU

    def shares(self) -> dict[str, float]:
        """Each phase's share of the profiled step, and "other" (Python, bookkeeping, the profiler itself)."""
        total = max(self.profiled_step, sum(self.split.values()), 1e-12)
        out = {k: v / total for k, v in self.split.items()}
        out["other"] = max(0.0, 1.0 - sum(out.values()))
        return out


@dataclass(frozen=True)
class Place:
    where: str  # cpu1 | gpu
    steps: Series  # x = batch size, t = seconds per step
    points: tuple[Point | None, ...]  # per batch size (None where not measured)

    def throughput(self) -> np.ndarray:
        """(S, 3) samples per second at the median step time, at q1 (faster) and at q3 (slower)."""
        return self.steps.rate(self.steps.x)


@dataclass(frozen=True)
class StepResult:
    model: str
    opt: str
    flops_fwd: int  # per sample
    flops_bwd: int
    params: int
    places: tuple[Place, ...]


def _batch_point(kind: str, opt: str, b: int, dev: torch.device, share: float) -> tuple[Timing | str, Point | None]:
    try:
        with gated(dev, 1) as ok:
            if not ok:
                return "busy", None
            tr = Trainer(kind, opt, b, dev)
            timing = measure(tr.step, dev, share)
            copy = measure(tr.copy, dev, min(share, 0.05)) if dev.type == "cuda" else None
            split, ops, wall = tr.profiled()
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return "memory", None
    return timing, Point(split, ops, wall, copy)


def predicted_step(measured: list[tuple[int, float]], b: int) -> float | None:
    """Seconds of one step at batch b from the steps measured so far: t = a + c·B through the last two (a step's
    fixed cost plus its cost per sample), or through the origin from one point (an over-estimate: no fixed
    cost shared). None before any."""
    if not measured:
        return None
    if len(measured) == 1 or measured[-1][0] == measured[-2][0]:
        b1, t1 = measured[-1]
        return t1 * b / b1
    (b1, t1), (b2, t2) = measured[-2:]
    c = max((t2 - t1) / (b2 - b1), t2 / b2 / 4)  # never less than a quarter of the per-sample cost measured
    return t2 + c * (b - b2)


def _place(where: str, kind: str, opt: str, batches: list[int], dev: torch.device, budget: Budget) -> Place:
    results: list[tuple[Timing | str, Point | None]] = []
    measured: list[tuple[int, float]] = []
    steps = 2 + MIN_REPEATS + PROFILED + (2 + MIN_REPEATS if dev.type == "cuda" else 0)  # the calls a point makes
    for i, b in enumerate(batches):
        t = predicted_step(measured, b)
        if t is not None and not budget.allows(t * steps):
            results.append(("budget", None))
            continue
        with budget.charge(dev):
            results.append(_batch_point(kind, opt, b, dev, budget.share(len(batches) - i)))
        if isinstance(results[-1][0], Timing):
            measured.append((b, results[-1][0].median))
    return Place(where, Series.of(batches, [t for t, _ in results]), tuple(pt for _, pt in results))


@lru_cache(maxsize=1)
def _imported() -> None:
    """Once per process, not this section's cost: the first optimizer imports torch._dynamo (~1.5 CPU s) and the
    first profiler starts Kineto (~0.3 CPU s)."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with _PROFILER, profiler([ProfilerActivity.CPU]):
        torch.zeros(1).add_(1)


def run(values: dict, dev: torch.device, budget_s: float) -> StepResult:
    _imported()
    kind, opt = values["model"], values["opt"]
    batches = sorted(int(b) for b in values["batches"])
    fwd, bwd = step_flops(kind)
    with device.seeded(0):
        params = sum(p.numel() for p in model(kind).parameters())
    places = [_place("cpu1", kind, opt, batches, torch.device("cpu"), Budget(budget_s))]
    if dev.type == "cuda":
        places.append(_place("gpu", kind, opt, batches, dev, Budget(budget_s)))
    return StepResult(kind, opt, fwd, bwd, params, tuple(places))


def summary(r: StepResult) -> dict:
    out = {"model": r.model, "optimizer": r.opt, "parameters": r.params, "places": {}}
    out["flops_per_sample"] = {"forward": r.flops_fwd, "backward": r.flops_bwd}
    for p in r.places:
        rate = p.throughput()
        flops = (r.flops_fwd + r.flops_bwd) * rate[:, 0]
        out["places"][p.where] = {
            "batches": p.steps.x.astype(int),
            "step_ms": p.steps.t[:, 0] * 1e3,
            "samples_per_s": rate[:, 0],
            "gflops": flops / 1e9,
            "status": list(p.steps.status),
            "split_ms": [{k: v * 1e3 for k, v in pt.split.items()} if pt else None for pt in p.points],
            "shares": [pt.shares() if pt else None for pt in p.points],
            "copy_ms": [pt.copy.median * 1e3 if pt and pt.copy else None for pt in p.points],
            "top_ops_ms": [[(k, v * 1e3) for k, v in pt.top_ops] if pt else None for pt in p.points],
        }
    return out


cost = section_cost("step_budget", 1.5)  # outside: first run's dynamo import, profiler start (1.2 CPU s)
