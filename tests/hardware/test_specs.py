"""Reading the machine: SIMD width and clock → an estimated CPU peak; GPU names → datasheet peaks; cache sizes."""

import pytest

from core.hardware import specs


def cpuinfo(vendor: str, family: int, model: int, flags: str, mhz: str = "2600.000", name: str = "Test CPU") -> str:
    return (
        f"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n"
        f"model name\t: {name}\ncpu MHz\t\t: {mhz}\nflags\t\t: {flags}\n\n"
    )


@pytest.mark.parametrize(
    "vendor,family,model,flags,simd,fpc",
    [
        ("GenuineIntel", 6, 85, "sse avx avx2 fma avx512f", "AVX-512", 64),  # Skylake-SP: two 512-bit FMA pipes
        ("AuthenticAMD", 25, 17, "sse avx avx2 fma avx512f avx512_bf16", "AVX-512", 32),  # Zen 4: 256-bit halves
        ("AuthenticAMD", 26, 2, "sse avx avx2 fma avx512f", "AVX-512", 64),  # Zen 5
        ("GenuineIntel", 6, 63, "sse avx avx2 fma", "AVX2+FMA", 32),  # Haswell
        ("AuthenticAMD", 23, 1, "sse avx avx2 fma", "AVX2+FMA", 16),  # Zen 1: two 128-bit pipes
        ("AuthenticAMD", 23, 49, "sse avx avx2 fma", "AVX2+FMA", 32),  # Zen 2
        ("GenuineIntel", 6, 42, "sse avx", "AVX", 16),
        ("GenuineIntel", 6, 15, "sse sse2", "SSE", 8),
    ],
)
def test_flops_per_cycle_from_the_flags(vendor, family, model, flags, simd, fpc):
    cpu = specs.parse_cpu(cpuinfo(vendor, family, model, flags), None, 4)
    assert (cpu.simd, cpu.flops_per_cycle) == (simd, fpc)


def test_peak_is_cores_times_clock_times_flops_per_cycle_and_prefers_cpufreq():
    cpu = specs.parse_cpu(cpuinfo("GenuineIntel", 6, 85, "avx2 fma avx512f", mhz="2000.0"), 3_500_000, 8)
    assert cpu.ghz == 3.5 and cpu.clock_source == "cpufreq"
    assert cpu.peak("float32") == pytest.approx(3.5e9 * 64)
    assert cpu.peak("float32", threads=8) == pytest.approx(8 * 3.5e9 * 64)
    fallback = specs.parse_cpu(cpuinfo("GenuineIntel", 6, 85, "avx2 fma avx512f", mhz="2000.0"), None, 8)
    assert fallback.ghz == 2.0 and fallback.clock_source == "cpuinfo"


def test_sixteen_bit_peaks_only_with_hardware_support():
    plain = specs.parse_cpu(cpuinfo("GenuineIntel", 6, 63, "avx2 fma"), None, 1)
    assert plain.peak("bfloat16") is None and plain.peak("float16") is None  # converted to float32: no own rate
    zen4 = specs.parse_cpu(cpuinfo("AuthenticAMD", 25, 17, "avx2 fma avx512f avx512_bf16"), None, 1)
    assert zen4.peak("bfloat16") == pytest.approx(2 * zen4.peak("float32")) and zen4.peak("float16") is None
    spr = specs.parse_cpu(cpuinfo("GenuineIntel", 6, 143, "avx512f avx512_bf16 avx512_fp16 amx_bf16"), None, 1)
    assert spr.peak("bfloat16") == pytest.approx(16 * spr.peak("float32"))
    assert spr.peak("float16") == pytest.approx(2 * spr.peak("float32"))


def test_no_clock_no_peak_and_arm_is_read():
    arm = specs.parse_cpu("processor\t: 0\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: 0x41\n", None, 4, "aarch64")
    assert arm.simd == "NEON" and arm.flops_per_cycle == 16
    assert arm.ghz is None and arm.peak("float32") is None


@pytest.mark.parametrize(
    "name,fp32,bf16,bw",
    [
        ("NVIDIA H100 80GB HBM3", 67e12, 989e12, 3.35e12),
        ("NVIDIA H100 PCIe", 51e12, 756e12, 2.0e12),
        ("NVIDIA H200", 67e12, 989e12, 4.8e12),
        ("NVIDIA A100-SXM4-80GB", 19.5e12, 312e12, 2.0e12),
        ("NVIDIA A100-PCIE-40GB", 19.5e12, 312e12, 1.555e12),
        ("NVIDIA L4", 30.3e12, 121e12, 0.3e12),
        ("NVIDIA L40S", 91.6e12, 362e12, 0.864e12),
        ("Tesla T4", 8.1e12, None, 0.32e12),
    ],
)
def test_gpu_datasheet_peaks(name, fp32, bf16, bw):
    peaks, bandwidth = specs.gpu_peaks(name, tf32=False)
    assert peaks["float32"] == pytest.approx(fp32) and bandwidth == pytest.approx(bw)
    assert peaks["bfloat16"] == (pytest.approx(bf16) if bf16 else None)


def test_tf32_makes_float32_matmuls_tensor_core_work_and_unknown_gpus_have_no_peak():
    peaks, _ = specs.gpu_peaks("NVIDIA H100 80GB HBM3", tf32=True)
    assert peaks["float32"] == pytest.approx(989e12 / 2)
    peaks, bandwidth = specs.gpu_peaks("Some Future GPU", tf32=False)
    assert set(peaks.values()) == {None} and bandwidth is None


def test_cache_sizes_and_this_machine_is_readable():
    assert specs.parse_size("2048K") == 2 * 2**20 and specs.parse_size("32M") == 32 * 2**20
    assert specs.parse_size("512") == 512 and specs.parse_size("?") == 0
    cpu = specs.cpu()
    assert cpu.cores >= 1 and cpu.flops_per_cycle >= 8
    assert all(size > 0 for size in specs.caches().values())
