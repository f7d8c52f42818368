"""Hardware: why deep learning runs on GPUs, answered with this server's own measurements (seed 004).

Sections (experiments), one URL namespace; every one measures, so every one is `heavy` and goes through the
process-wide store (core.hardware.cache): the first visitor pays, every other session reuses the figures, and
"measure again" is rate-limited. Keys name the device: a process measures the CPU and, when it computes on
one, the GPU beside it.
    matmul     GFLOP/s against n, per dtype, one thread / every core / the GPU; peaks; crossovers (matmul.py)
    memory     element-wise kernels vs a matmul on the same data, bandwidth sweep, roofline       (memory.py)
    step       a training step at several batch sizes: samples/s, copy, the profiler's split        (step.py)
    parallel   one operation on 1…N threads against Amdahl's law                                   (parallel.py)
    claims     the interview notes' claims against the four sections' numbers                     (claims.py)
Each section spends at most its `*_budget` CPU-seconds (one thread: its CPU time; several: wall × cores), and
as many GPU-seconds on a GPU: its cost model (`cost=`) is that budget plus what a run does outside it, so the
bounds (≤ 5 CPU-s a section) keep every link within core.budget.CPU_S without a cut: the claims, which read all
four sections, cost at most 4 × 5 + 3 + 0.5 = 23.5 CPU-s.

CLAIMS are the cards beside the sections (core.experiment.Claim): their numbers are the claims experiment at the
page's defaults (`card_numbers`, measured once per process and shared through the store with the sections at
their defaults); `claims.verdicts` decides each verdict from the numbers, and tests check it against the card's.
"""

from __future__ import annotations

from typing import Any

from core import device
from core.experiment import Claim, Concept, Experiment
from core.hardware import claims, matmul, memory, parallel, specs, step
from core.hardware.cache import AGAIN_S, Entry, store
from core.hardware.timing import cores
from core.params import Bool, Choice, Float, Int, Multi, ParamSet, merge


def budget(name: str) -> Float:
    """A section's work cap in CPU-seconds (all four at the top: 20 s, plus the claims' ~0.5 s, is the most a
    link may cost)."""
    return Float(name, 1.0, lo=0.2, hi=5.0, step=0.1)


MATMUL_PARAMS = ParamSet(
    (
        Multi("sizes", ("16", "32", "64", "128", "256", "512", "1024"), choices=matmul.SIZES, lo=2, hi=10),
        Multi("dtypes", ("float32",), choices=specs.DTYPES, lo=1, hi=3),
        Multi("mm_cpu", ("one", "all"), choices=("one", "all"), lo=1, hi=2),
        budget("mm_budget"),
    )
)
MEMORY_PARAMS = ParamSet(
    (
        Int("mem_n", 1024, lo=256, hi=4096, step=256),
        Choice("mem_dtype", "float32", choices=specs.DTYPES),
        budget("mem_budget"),
    )
)
STEP_PARAMS = ParamSet(
    (
        Choice("model", "mlp", choices=step.MODELS),
        Multi("batches", ("1", "16", "256"), choices=step.BATCHES, lo=1, hi=6),
        Choice("opt", "sgd", choices=step.OPTIMIZERS),
        budget("step_budget"),
    )
)
PARALLEL_PARAMS = ParamSet(
    (
        Choice("par_op", "matmul", choices=parallel.OPS),
        Int("par_n", 512, lo=64, hi=4096, step=64),
        Bool("par_over", False),
        budget("par_budget"),
    )
)
FORMULAS = {
    "matmul": r"\text{FLOPs} = 2n^3 \qquad \text{GFLOP/s} = \frac{2n^3}{t \cdot 10^9}"
    r"\qquad t(n) \approx t_0 + \frac{2n^3}{R}",
    "memory": r"I = \frac{\text{FLOPs}}{\text{bytes}} \qquad \text{attainable} = \min(P,\; I \cdot B)"
    r"\qquad I_\text{add} = \frac{N}{3Ns} \qquad I_\text{matmul} = \frac{2n^3}{3n^2 s}",
    "parallel": r"S(p) = \frac{t(1)}{t(p)} \qquad S_\text{Amdahl}(p) = \frac{1}{(1-f) + f/p}"
    r"\qquad e(p) = \frac{1/S - 1/p}{1 - 1/p}",
}
SECTIONS = (MATMUL_PARAMS, MEMORY_PARAMS, STEP_PARAMS, PARALLEL_PARAMS)
CLAIMS_PARAMS = merge(*SECTIONS)  # the claims read every section's numbers


def freeze(values: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


def key(section: str, values: dict[str, Any]) -> tuple:
    """The store's key: the device this process computes on, the section and its values."""
    return str(device.device()), section, freeze(values)


EXTRAS = "extras"  # the claims' own small measurements, one entry per device


def _claims(values: dict) -> dict:
    results = [measured(e, {n: values[n] for n in e.params.names}).result for e in (MATMUL, MEMORY, STEP, PARALLEL)]
    extras = store().measure(key(EXTRAS, {}), claims.extras).result
    numbers = claims.numbers(*results, extras)
    return {"numbers": numbers, "verdicts": claims.verdicts(numbers)}


MEASURE = {
    "matmul": lambda v: matmul.run(v, device.device(), v["mm_budget"]),
    "memory": lambda v: memory.run(v, device.device(), v["mem_budget"]),
    "step": lambda v: step.run(v, device.device(), v["step_budget"]),
    "parallel": lambda v: parallel.run(v, v["par_budget"]),
    "claims": _claims,
}


def measured(experiment: Experiment, values: dict[str, Any]) -> Entry:
    """The section's measurement for these values: from the store, or measured now (and stored for everyone)."""
    return store().measure(key(experiment.key, values), lambda: MEASURE[experiment.key](values))


def again(experiment: Experiment, values: dict[str, Any]) -> float:
    """Ask for a fresh measurement: 0.0 when granted, else the seconds until it may be repeated."""
    wait = store().again(key(experiment.key, values))
    if experiment.key == "claims" and wait == 0.0:
        store().again(key(EXTRAS, {}))
    return wait


def wait_s(experiment: Experiment, values: dict[str, Any]) -> float:
    return store().wait_s(key(experiment.key, values))


def _experiment(name: str, params: ParamSet, summary, cost) -> Experiment:
    run = lambda v: measured(CONCEPT.experiment(name), v).result
    return Experiment(name, params, run, summary, heavy=True, cost=cost)


def machine() -> dict[str, Any]:
    """What the page says about the server before any measurement."""
    cpu, dev = specs.cpu(), device.device()
    gpu = specs.gpu(dev)
    return {
        "cpu": cpu.name,
        "cores": cores(),
        "simd": cpu.simd,
        "ghz": cpu.ghz,
        "clock_source": cpu.clock_source,
        "flops_per_cycle": cpu.flops_per_cycle,
        "peak_core_gflops": (cpu.peak("float32") or 0) / 1e9,
        "peak_all_gflops": (cpu.peak("float32", cores()) or 0) / 1e9,
        "threads_per_run": device.describe()["threads"],
        "slots": device.describe()["slots"],
        "device": str(dev),
        "gpu": gpu,
        "again_s": AGAIN_S,
    }


def matmul_summary(r: matmul.MatmulResult) -> dict:
    m = machine()
    return {"machine": {k: v for k, v in m.items() if k != "gpu"}, **matmul.summary(r)}


def notes_cost(values: dict) -> float:
    """The claims read the four sections (each at most its cost) and time their own extras."""
    return sum(m.cost(values) for m in (matmul, memory, step, parallel)) + claims.EXTRAS_S


MATMUL = _experiment("matmul", MATMUL_PARAMS, matmul_summary, matmul.cost)
MEMORY = _experiment("memory", MEMORY_PARAMS, memory.summary, memory.cost)
STEP = _experiment("step", STEP_PARAMS, step.summary, step.cost)
PARALLEL = _experiment("parallel", PARALLEL_PARAMS, parallel.summary, parallel.cost)
NOTES = _experiment("claims", CLAIMS_PARAMS, lambda r: r, notes_cost)  # the CLI's view of the cards' numbers

PRESETS = {
    "low_precision": {"dtypes": ("float32", "bfloat16", "float16"), "sizes": ("16", "64", "256", "512")},
    "big_matrices": {"sizes": ("64", "256", "1024", "2048", "4096"), "mm_cpu": ("one",), "mm_budget": 4.0},
    "half_the_bytes": {"mem_dtype": "bfloat16", "mem_n": 2048},
    "cnn_adam": {"model": "cnn", "opt": "adam", "batches": ("1", "16", "64", "256")},
    "big_batches": {"batches": ("16", "64", "256", "1024"), "step_budget": 3.0},
    "mlp_adam": {"opt": "adam"},
    "beyond_the_caches": {"mem_n": 4096, "mem_budget": 2.0},
    "memory_bound_threads": {"par_op": "add", "par_n": 2048},
    "tiny_threads": {"par_n": 64, "par_over": True},
}


def card_numbers() -> dict:
    """What the claim cards quote: the claims experiment at the page's defaults, as text and as floats."""
    return claims.shown(NOTES.run(NOTES.params.defaults())["numbers"])


def bars(**numbers: str) -> tuple[tuple[str, str], ...]:
    """A card's evidence chart: label key under claims.<key>. → the number it shows (a float of `card_numbers`)."""
    return tuple((label, f"raw.{name}") for label, name in numbers.items())


# The notes' claims, each a card beside its section: (key, verdict, section, preset, evidence chart). The verdict
# is the one claims.verdicts reaches from this server's numbers (tests/hardware/test_claims.py checks it).
CLAIMS = (
    Claim("libraries", "true", "matmul", None, bars(naive="lib_naive", mm="lib_mm")),
    Claim("bandwidth", "true", "memory", "beyond_the_caches", bars(add="add_gflops", mm="mm_gflops")),
    Claim("batch", "depends", "step", "big_batches", bars(small="cpu1_sps_small", big="cpu1_sps_big")),
    Claim("transfer", "depends", "step", None, bars(copy="copy_pct", compute="fb_pct")),
    Claim("adam", "false", "step", "mlp_adam", bars(sgd="sgd_ms", adam="adam_ms")),
    Claim("weight_decay", "false", "step", None, bars(plain="sgd_ms", wd="sgd_wd_ms")),
    Claim("bn", "false", "step", None, bars(plain="plain_ms", bn="bn_ms")),
    Claim("parallel", "partly", "parallel", "tiny_threads", bars(small="small_gflops", big="best_gflops")),
)

CONCEPT = Concept(
    "hardware", "🖥️", (MATMUL, MEMORY, STEP, PARALLEL, NOTES), PRESETS, claims=CLAIMS, numbers=card_numbers
)
