"""The notes' claims against measurements: the small measurements of their own, and every verdict's wording filled
from real numbers in both languages (a GPU server's wording from numbers shaped like a GPU run's)."""

import math
import string

import pytest
import torch

from core.hardware import claims, matmul, memory, parallel, step
from core.hardware import concept as hw
from core.text import LANGS, Text

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def extras():
    return claims.extras()


@pytest.fixture(scope="module")
def numbers(extras):
    mm = matmul.run({"sizes": ("16", "64", "256"), "dtypes": ("float32",), "mm_cpu": ("one", "all")}, CPU, 0.6)
    mem = memory.run({"mem_n": 256, "mem_dtype": "float32"}, CPU, 0.6)
    for _ in range(3):  # far apart: a clear gain, unless a neighbour's burst flattens one run (best of 3)
        st = step.run({"model": "mlp", "opt": "sgd", "batches": ("1", "64")}, CPU, 1.0)
        if claims.verdicts(claims._step_numbers(st))["batch"] == "depends":
            break
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
def test_every_card_is_worded_and_charted_from_the_numbers(numbers, lang, gpu):
    n = _gpu_like(numbers) if gpu else numbers
    t, shown = Text("hardware", lang), claims.shown(n)
    for card in hw.CLAIMS:
        why = t.get(f"claims.{card.key}.why")
        assert why is not None and _fields(why) <= set(shown), (card.key, _fields(why) - set(shown))
        assert "{" not in t(f"claims.{card.key}.why", **shown)
        assert all(isinstance(shown[name], float) for _, name in card.evidence), card.key  # the chart's bars
    assert shown["copy_time"] == ("0.2 ms" if gpu else "n/a")  # the transfer card: a GPU's copy, or none to measure


def test_every_declared_verdict_is_the_one_the_measurement_reaches(numbers):
    reached = claims.verdicts(numbers)
    assert set(reached) == {c.key for c in hw.CLAIMS}
    for card in hw.CLAIMS:
        assert reached[card.key] in (card.verdict, None), (card.key, reached[card.key], card.verdict)
    assert reached["transfer"] is None  # no GPU here: the copy is not measured, the card says so
    assert all(reached[k] is not None for k in ("libraries", "adam", "weight_decay", "bn"))  # the extras: always
    assert sum(v is not None for v in reached.values()) >= 5  # a busy machine may skip a section's point, not most
    gpu = claims.verdicts(_gpu_like(numbers))
    assert gpu["transfer"] == next(c.verdict for c in hw.CLAIMS if c.key == "transfer")


def test_verdicts_follow_the_numbers():
    measured = {
        "small_ratio": 20.0,
        "add_pct": 4.0,
        "add_ai": 0.08,
        "ridge": 5.0,
        "lib_ratio": 100.0,
        "cpu1_batch_gain": 8.0,
        "adam_ratio": 3.0,
        "wd_ratio": 1.2,
        "bn_extra": 96,
        "bn_ratio": 1.3,
    }
    assert claims.verdicts(measured) == {c.key: c.verdict for c in hw.CLAIMS} | {"transfer": None}
    other = {
        "small_ratio": 1.2,  # small work as fast as big: parallel hardware would pay everywhere
        "add_pct": 60.0,  # an add near the matmul's rate: not memory-bound
        "lib_ratio": 1.5,
        "cpu1_batch_gain": 1.1,
        "adam_ratio": 0.5,  # an Adam update cheaper than SGD's would support the notes
        "wd_ratio": 0.9,
        "bn_extra": 0,
        "bn_ratio": 0.9,
    }
    flipped = claims.verdicts(measured | other)
    assert flipped == {
        "parallel": "true",
        "bandwidth": "partly",
        "libraries": "partly",
        "batch": "partly",
        "transfer": None,
        "adam": "partly",
        "weight_decay": "partly",
        "bn": "partly",
    }
    unmeasured = claims.verdicts({"small_ratio": math.nan, "lib_ratio": 100.0})
    assert unmeasured["parallel"] is None and unmeasured["libraries"] == "true" and unmeasured["adam"] is None


def test_numbers_are_shown_with_three_digits_and_missing_ones_as_na():
    shown = claims.text_numbers({"a": 1234567, "b": 0.012345, "c": math.nan, "d": math.inf, "e": 12345.6, "f": "add"})
    assert shown == {"a": "1,234,567", "b": "0.0123", "c": "n/a", "d": "∞", "e": "12,346", "f": "add"}
