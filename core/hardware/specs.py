"""What this server is: the CPU, its vector units and clock (→ an estimated peak), and the GPU with its datasheet.

CPU peak, an estimate (the page says so):   P = cores × f × FLOPs per cycle per core
    float32 FLOPs/cycle/core = 2 (a fused multiply-add) × lanes × FMA pipes:
        AVX-512, two 512-bit FMA pipes (Intel Xeon since Skylake-SP; AMD Zen 5)     2·16·2 = 64
        AVX-512 executed as two 256-bit halves (AMD Zen 4)                          2·8·2  = 32
        AVX2 + FMA, two 256-bit pipes (Intel since Haswell, AMD Zen 2/3)            2·8·2  = 32
        AVX2 + FMA on AMD Zen 1 (two 128-bit pipes)                                 2·4·2  = 16
        AVX without FMA (one 8-lane multiply and one add per cycle)                         16
        SSE                                                                                  8
        ARM NEON (two 128-bit FMA pipes)                                            2·4·2  = 16
    bfloat16: ×2 with AVX512_BF16 (pairwise dot products), ×16 with AMX tiles; float16: ×2 with AVX512_FP16,
    ×16 with AMX-FP16; without them the CPU converts and computes in float32 (no peak of its own).
    f: the highest clock the kernel reports (cpufreq's maximum, else /proc/cpuinfo's "cpu MHz"). A virtual
    machine often reports only the base clock, so turbo can take a measurement past the estimate.
GPU peak: the vendor's datasheet (dense, no sparsity) for the GPUs in GPU_PEAKS; float32 matmuls run on the
CUDA cores unless torch.backends.cuda.matmul.allow_tf32 is set (then TF32 tensor cores: half the bf16 rate).
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import torch

from core.hardware.timing import cores

DTYPES = ("float32", "bfloat16", "float16")

# (name pattern, float32 TFLOP/s, fp16/bf16 tensor TFLOP/s dense, memory TB/s, has bf16); the first match wins
GPU_PEAKS: tuple[tuple[str, float, float, float, bool], ...] = (
    (r"H200", 67.0, 989.0, 4.8, True),
    (r"H100.*PCIe", 51.0, 756.0, 2.0, True),
    (r"H100.*NVL", 60.0, 835.0, 3.9, True),
    (r"H100", 67.0, 989.0, 3.35, True),  # SXM ("NVIDIA H100 80GB HBM3")
    (r"A100.*80GB", 19.5, 312.0, 2.0, True),
    (r"A100", 19.5, 312.0, 1.555, True),
    (r"L40S", 91.6, 362.0, 0.864, True),
    (r"\bL4\b", 30.3, 121.0, 0.3, True),
    (r"\bA10\b", 31.2, 125.0, 0.6, True),
    (r"\bT4\b", 8.1, 65.0, 0.32, False),
    (r"V100", 15.7, 125.0, 0.9, False),
)


@dataclass(frozen=True)
class Cpu:
    name: str
    vendor: str
    cores: int
    simd: str  # the widest vector extension found
    flops_per_cycle: int  # float32, per core
    ghz: float | None
    clock_source: str  # "cpufreq" | "cpuinfo" | ""
    flags: frozenset[str] = field(default_factory=frozenset)

    def peak(self, dtype: str, threads: int = 1) -> float | None:
        """Estimated FLOP/s of `threads` cores in `dtype` (None: no hardware rate for it, or no clock)."""
        if self.ghz is None:
            return None
        f32 = threads * self.ghz * 1e9 * self.flops_per_cycle
        if dtype == "float32":
            return f32
        amx, avx = {"bfloat16": ("amx_bf16", "avx512_bf16"), "float16": ("amx_fp16", "avx512_fp16")}[dtype]
        if amx in self.flags:
            return 16 * f32
        return 2 * f32 if avx in self.flags else None


def _field(text: str, name: str) -> str:
    m = re.search(rf"^{re.escape(name)}\s*:\s*(.*)$", text, re.MULTILINE)
    return m.group(1).strip() if m else ""


def flops_per_cycle(vendor: str, family: int, model: int, flags: frozenset[str], machine: str) -> tuple[str, int]:
    """(SIMD name, float32 FLOPs per cycle per core) from the CPU's flags (see the module docstring)."""
    amd = "AMD" in vendor.upper()
    if "avx512f" in flags:
        if amd and family < 0x1A:  # Zen 4 splits 512-bit work over its 256-bit pipes
            return "AVX-512", 32
        return "AVX-512", 64
    if "avx2" in flags and "fma" in flags:
        if amd and family == 0x17 and model < 0x30:  # Zen 1 / Zen+
            return "AVX2+FMA", 16
        return "AVX2+FMA", 32
    if "avx" in flags:
        return "AVX", 16
    if machine in ("aarch64", "arm64") or "asimd" in flags:
        return "NEON", 16
    return "SSE", 8


def parse_cpu(cpuinfo: str, max_khz: int | None, n_cores: int, machine: str = "x86_64") -> Cpu:
    """A Cpu from /proc/cpuinfo's text and cpufreq's maximum (kHz, or None)."""
    flags = frozenset((_field(cpuinfo, "flags") or _field(cpuinfo, "Features")).split())
    vendor = _field(cpuinfo, "vendor_id") or _field(cpuinfo, "CPU implementer")
    try:
        family, model = int(_field(cpuinfo, "cpu family") or 0), int(_field(cpuinfo, "model") or 0)
    except ValueError:
        family, model = 0, 0
    simd, fpc = flops_per_cycle(vendor, family, model, flags, machine)
    ghz, source = None, ""
    if max_khz:
        ghz, source = max_khz / 1e6, "cpufreq"
    else:
        try:
            ghz, source = float(_field(cpuinfo, "cpu MHz")) / 1e3, "cpuinfo"
        except ValueError:
            pass
    name = _field(cpuinfo, "model name") or platform.processor() or machine
    return Cpu(name, vendor, n_cores, simd, fpc, ghz, source, flags)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


@lru_cache(maxsize=1)
def cpu() -> Cpu:
    khz = _read("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").strip()
    return parse_cpu(_read("/proc/cpuinfo"), int(khz) if khz.isdigit() else None, cores(), platform.machine())


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: float
    sms: int
    capability: str
    peaks: dict[str, float | None]  # dtype -> FLOP/s (datasheet), None when unknown
    bandwidth: float | None  # bytes/s (datasheet)
    tf32: bool  # float32 matmuls on TF32 tensor cores


def gpu_peaks(name: str, tf32: bool) -> tuple[dict[str, float | None], float | None]:
    """Datasheet FLOP/s per dtype and bytes/s for a GPU name (None where the table does not know it)."""
    for pattern, f32, half, tbs, bf16 in GPU_PEAKS:
        if re.search(pattern, name):
            return {
                "float32": (half / 2 if tf32 and bf16 else f32) * 1e12,
                "bfloat16": half * 1e12 if bf16 else None,
                "float16": half * 1e12,
            }, tbs * 1e12
    return dict.fromkeys(DTYPES), None


def gpu(dev: torch.device) -> Gpu | None:
    if dev.type != "cuda":
        return None
    props = torch.cuda.get_device_properties(dev)
    tf32 = bool(torch.backends.cuda.matmul.allow_tf32)
    peaks, bandwidth = gpu_peaks(props.name, tf32)
    return Gpu(
        props.name,
        props.total_memory / 2**30,
        props.multi_processor_count,
        f"{props.major}.{props.minor}",
        peaks,
        bandwidth,
        tf32,
    )


def parse_size(text: str) -> int:
    """'2048K' / '32M' / '512' (sysfs cache sizes) -> bytes; 0 when unreadable."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", text or "")
    if not m:
        return 0
    return int(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[m.group(2)]


@lru_cache(maxsize=1)
def caches() -> dict[str, int]:
    """CPU data caches seen by core 0: level name ("L1", "L2", "L3") -> bytes."""
    out: dict[str, int] = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        kind = _read(str(index / "type")).strip()
        level = _read(str(index / "level")).strip()
        size = parse_size(_read(str(index / "size")).strip())
        if kind in ("Data", "Unified") and level.isdigit() and size:
            out[f"L{level}"] = size
    return out
