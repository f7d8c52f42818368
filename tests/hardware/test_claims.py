"""The notes' claims against measurements: the small measurements of their own, and every verdict's wording filled
from real numbers in both languages (a GPU server's wording from numbers shaped like a GPU run's)."""

import math
import string

import pytest
import torch

from core.hardware import claims, matmul, memory, parallel, step
from core.text import LANGS, Text

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def extras():
    return claims.extras()


@pytest.fixture(scope="module")
def numbers(extras):
    mm = matmul.run({"sizes": ("16", "64", "256"), "dtypes": ("float32",), "mm_cpu": ("one", "all")}, CPU, 0.6)
    mem = memory.run({"mem_n": 256, "mem_dtype": "float32"}, CPU, 0.6)
    st = step.run({"model": "mlp", "opt": "sgd", "batches": ("1", "16")}, CPU, 1.0)
    par = parallel.run({"par_op": "matmul", "par_n": 128, "par_over": False}, 0.4)
    return claims.numbers(mm, mem, st, par, extras)


def test_a_tuned_library_beats_the_textbook_formula_by_far(extras):
    n = claims._extras_numbers(extras)
    assert n["lib_ratio"] > 3, n  # typically 100× or more


def test_adam_costs_more_per_update_than_sgd(extras):
    n = claims._extras_numbers(extras)
    assert n["adam_ratio"] > 1.2, n  # Adam: ~3× the element-wise work and two state tensors per weight


def test_batch_norm_adds_parameters_and_statistics(extras):
    n = claims._extras_numbers(extras)
    assert n["bn_extra"] == 2 * (16 + 32) and n["bn_buffers"] == 2 * (16 + 32)  # γ, β / running mean, var
    assert n["cnn_params"] == sum(p.numel() for p in step.model("cnn").parameters())
    assert n["params"] == sum(p.numel() for p in step.model("mlp").parameters())  # weight decay removes none


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _gpu_like(n: dict) -> dict:
    return n | {
        "gpu_ratio": 30.0,
        "gpu_cross": 180.0,
        "gpu_t0_us": 6.0,
        "gpu_bw": 2500.0,
        "gpu_bw_ratio": 100.0,
        "gpu_b_big": 256,
        "gpu_copy_pct": 12.0,
        "copy_ms": 0.2,
        "h2d_gbs": 10.0,
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("gpu", [False, True])
def test_every_verdict_is_worded_from_the_numbers(numbers, lang, gpu):
    n = _gpu_like(numbers) if gpu else numbers
    keys = claims.verdicts(n)
    assert ("latency_gpu" in keys or "latency_gpu_na" in keys) == gpu
    assert ("transfer_gpu" in keys) == gpu and ("transfer_cpu" in keys) != gpu
    t, shown = Text("hardware", lang), claims.text_numbers(n)
    for key in keys:
        text = t.get(f"claims.{key}")
        assert text is not None, key
        assert _fields(text) <= set(shown), (key, _fields(text) - set(shown))
        assert "{" not in t(f"claims.{key}", **shown)


def test_verdicts_follow_the_numbers():
    base = {"cores": 4, "mt_big": 3.5, "mt_small": 0.4, "adam_ratio": 3.0, "wd_ratio": 1.2, "bn_ratio": 1.3}
    keys = claims.verdicts(base)
    assert keys[0] == "parallel" and {"adam", "weight_decay", "bn"} <= set(keys)
    assert "bandwidth_na" in keys and "latency_na" in keys and "batch_na" in keys
    slow = claims.verdicts(base | {"mt_big": 0.5, "adam_ratio": 1.0, "wd_ratio": 0.99, "bn_ratio": 1.01})
    assert slow[0] == "parallel_busy" and {"adam_even", "weight_decay_even", "bn_even"} <= set(slow)
    assert claims.verdicts(base | {"cores": 1})[0] == "parallel_one_core"


def test_numbers_are_shown_with_three_digits_and_missing_ones_as_na():
    shown = claims.text_numbers({"a": 1234567, "b": 0.012345, "c": math.nan, "d": math.inf, "e": 12345.6, "f": "add"})
    assert shown == {"a": "1,234,567", "b": "0.0123", "c": "n/a", "d": "∞", "e": "12,346", "f": "add"}
