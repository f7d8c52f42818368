"""The four measured sections on this CPU: structure, positive finite figures, the behaviour the page shows (with
generous margins: timings on a shared machine scatter), budgets honoured and thread counts restored."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from core.hardware import matmul, memory, parallel, step
from core.hardware.timing import Budget

CPU = torch.device("cpu")


def test_big_matrices_reach_far_more_gflops_than_tiny_ones():
    res = matmul.run({"sizes": ("8", "256"), "dtypes": ("float32",), "mm_cpu": ("one",)}, CPU, 60.0)
    (c,) = res.curves
    assert c.series.status == ("ok", "ok")
    g = c.gflops[:, 0]
    assert np.isfinite(g).all() and (g > 0).all()
    assert g[1] > 3 * g[0], g  # an 8×8 product is all call overhead
    np.testing.assert_allclose(c.flops, [2 * 8**3, 2 * 256**3])
    assert c.peak == pytest.approx(matmul.specs.cpu().peak("float32"))


def test_every_core_curve_restores_one_thread_and_reports_the_crossing_key():
    res = matmul.run({"sizes": ("16", "64"), "dtypes": ("float32",), "mm_cpu": ("one", "all")}, CPU, 0.5)
    assert torch.get_num_threads() == 1
    wheres = [c.where for c in res.curves]
    if matmul.cores() > 1:
        assert wheres == ["cpu1", "cpun"] and res.curves[1].threads == matmul.cores()
        assert "cpun/cpu1/float32" in res.crossings
    else:
        assert wheres == ["cpu1"]
    s = matmul.summary(res)
    assert set(s["curves"]) == {f"{w}/float32" for w in wheres}


def test_a_tiny_budget_skips_the_big_sizes_and_says_why():
    res = matmul.run({"sizes": ("16", "2048", "4096"), "dtypes": ("float32",), "mm_cpu": ("one",)}, CPU, 0.2)
    assert res.curves[0].series.status[1:] == ("budget", "budget")
    assert matmul.summary(res)["curves"]["cpu1/float32"]["status"][1:] == ["budget", "budget"]


def test_sixteen_bit_matmuls_run_or_say_unsupported():
    res = matmul.run({"sizes": ("16", "64"), "dtypes": ("bfloat16",), "mm_cpu": ("one",)}, CPU, 0.5)
    assert set(res.curves[0].series.status) <= {"ok", "unsupported", "budget"}


@pytest.mark.parametrize("op", memory.OPS)
def test_the_elementwise_kernels_compute_what_they_count(op):
    items = 1000
    fn = memory.kernel(op, items, torch.float32, CPU)
    out = fn()
    want = {"copy": 0.5, "scale": 1.0, "add": 0.75, "triad": 1.25}[op]  # x = 0.5, y = 0.25
    torch.testing.assert_close(out, torch.full((items,), want))


def test_memory_section_places_elementwise_left_of_the_ridge():
    res = memory.run({"mem_n": 256, "mem_dtype": "float32"}, CPU, 1.0)
    (p,) = res.places
    ops = p.op_points(256)
    np.testing.assert_allclose(ops["intensity"], [0.0, 1 / 8, 1 / 12, 1 / 6])
    np.testing.assert_allclose(ops["bytes"], np.array([2, 2, 3, 3]) * 256 * 256 * 4)
    assert np.all(ops["byte_s"][np.array(p.ops.status) == "ok"] > 1e8)  # more than 0.1 GB/s, whatever the load
    assert p.mm.x.tolist() == [32, 64, 128, 256]
    mm = p.mm_points()
    np.testing.assert_allclose(mm["intensity"], p.mm.x / 6)
    roofs = p.roofs(res.caches)
    if all(math.isfinite(v) for v in roofs.values()):
        assert roofs["ridge"] == pytest.approx(roofs["peak"] / roofs["bandwidth"])
        assert ops["intensity"][2] < roofs["ridge"]  # the add is memory-bound here
    s = memory.summary(res)
    assert s["places"]["cpu1"]["elementwise"]["add"]["intensity"] == pytest.approx(1 / 12)


def test_bfloat16_halves_the_bytes_and_doubles_the_intensity():
    res = memory.run({"mem_n": 256, "mem_dtype": "bfloat16"}, CPU, 0.3)
    assert res.places[0].itemsize == 2
    assert res.places[0].op_points(256)["intensity"][2] == pytest.approx(1 / 6)


@pytest.mark.parametrize("kind", step.MODELS)
def test_step_flops_match_torchs_flop_counter(kind):
    m = step.model(kind)
    x, y = step.batch(3, CPU)
    with FlopCounterMode(display=False) as fwd:
        loss = F.cross_entropy(m(x), y)
    with FlopCounterMode(display=False) as bwd:
        loss.backward()
    assert step.step_flops(kind) == (fwd.get_total_flops() // 3, bwd.get_total_flops() // 3)


def test_a_bigger_batch_trains_more_samples_per_second_and_the_profiler_sees_every_phase():
    for _ in range(3):  # wall-clock rates: a neighbour's burst on the shared machine can flatten one run; best of 3
        res = step.run({"model": "mlp", "opt": "sgd", "batches": ("1", "64")}, CPU, 60.0)  # a budget nothing skips
        (p,) = res.places
        assert p.steps.status == ("ok", "ok")
        rate = p.throughput()[:, 0]
        if rate[1] > 2 * rate[0]:
            break
    assert rate[1] > 2 * rate[0], rate
    for pt in p.points:
        assert pt.split["forward"] > 0 and pt.split["backward"] > 0 and pt.split["optimizer"] > 0
        assert pt.copy is None  # no copy on the CPU
        shares = pt.shares()
        assert sum(shares.values()) == pytest.approx(1.0) and all(v >= 0 for v in shares.values())
        assert pt.top_ops and all(name.startswith("aten::") for name, _ in pt.top_ops)
    assert res.params == sum(q.numel() for q in step.model("mlp").parameters())


def test_a_step_is_predicted_from_its_fixed_cost_and_its_cost_per_sample():
    assert step.predicted_step([], 64) is None
    assert step.predicted_step([(4, 0.004)], 64) == pytest.approx(0.064)  # one point: all per sample
    assert step.predicted_step([(1, 0.010), (16, 0.040)], 256) == pytest.approx(0.040 + 0.002 * 240)  # a + c·B
    assert step.predicted_step([(1, 0.010), (16, 0.009)], 256) == pytest.approx(0.009 + 0.009 / 16 / 4 * 240)


def test_thread_counts():
    assert parallel.thread_counts(1, False) == [1]
    assert parallel.thread_counts(2, False) == [1, 2]
    assert parallel.thread_counts(2, True) == [1, 2, 3, 4]
    assert parallel.thread_counts(16, False) == [1, 2, 4, 8, 16]
    assert parallel.thread_counts(16, True) == [1, 2, 4, 8, 16, 24, 32]
    assert parallel.thread_counts(12, False) == [1, 2, 4, 8, 12]


def test_parallel_section_measures_every_thread_count_and_restores_one():
    res = parallel.run({"par_op": "matmul", "par_n": 128, "par_over": False}, 1.0)
    assert torch.get_num_threads() == 1
    assert res.series.x.tolist() == parallel.thread_counts(parallel.cores(), False)
    assert res.speedup[0, 0] == 1.0
    assert math.isnan(res.f) or 0.0 <= res.f <= 1.0
    s = parallel.summary(res)
    assert s["flops_per_call"] == 2 * 128**3 and s["bytes_per_call"] == 3 * 128 * 128 * 4


def test_a_matmul_too_big_for_the_budget_is_not_started():
    res = parallel.run({"par_op": "matmul", "par_n": 4096, "par_over": False}, 0.2)
    assert set(res.series.status) == {"budget"}


def test_budget_share_leaves_room_for_the_larger_points():
    b = Budget(1.0)
    assert b.share(4) == pytest.approx(0.125) and b.share(1) == 0.25  # half an equal share, capped
