"""The arithmetic of performance: exact work counts, the roofline, Amdahl's law and the fits, on known data."""

import math

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from core.hardware import laws


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (8, 8, 8), (3, 5, 7), (128, 64, 32)])
def test_matmul_flops_match_torchs_flop_counter(m, k, n):
    a, b = torch.zeros(m, k), torch.zeros(k, n)
    with FlopCounterMode(display=False) as counter:
        torch.mm(a, b)
    assert laws.matmul_flops(m, k, n) == counter.get_total_flops() == 2 * m * k * n


def test_matmul_bytes_and_the_square_intensity_n_over_six_in_float32():
    assert laws.matmul_bytes(3, 5, 7, 4) == (15 + 35 + 21) * 4
    for n in (16, 256, 4096):
        ai = laws.intensity(laws.matmul_flops(n, n, n), laws.matmul_bytes(n, n, n, 4))
        assert ai == pytest.approx(n / 6)
        assert laws.intensity(laws.matmul_flops(n, n, n), laws.matmul_bytes(n, n, n, 2)) == pytest.approx(n / 3)


@pytest.mark.parametrize(
    "op,flops,moved",
    [("copy", 0, 2), ("scale", 1, 2), ("add", 1, 3), ("triad", 2, 3)],  # FLOPs per item, arrays read + written
)
def test_elementwise_counts(op, flops, moved):
    n = 1000
    assert laws.elementwise_flops(op, n) == flops * n
    assert laws.elementwise_bytes(op, n, 4) == moved * n * 4
    assert laws.intensity(laws.elementwise_flops(op, n), laws.elementwise_bytes(op, n, 4)) == pytest.approx(
        flops / (moved * 4)
    )


def test_add_intensity_is_a_twelfth_of_a_flop_per_byte_in_float32():
    ai = laws.intensity(laws.elementwise_flops("add", 10), laws.elementwise_bytes("add", 10, 4))
    assert ai == pytest.approx(1 / 12)


def test_roofline_is_the_minimum_of_the_two_roofs_and_meets_at_the_ridge():
    peak, bw = 100e9, 20e9
    ridge = laws.ridge(peak, bw)
    assert ridge == 5.0
    ai = np.array([0.1, 1.0, ridge, 50.0])
    np.testing.assert_allclose(laws.roofline(ai, peak, bw), [2e9, 20e9, 100e9, 100e9])


@pytest.mark.parametrize("f", [0.0, 0.5, 0.9, 0.99, 1.0])
def test_amdahl_fit_recovers_the_parallel_fraction_and_karp_flatt_is_constant(f):
    p = np.array([1, 2, 3, 4, 8, 16], dtype=float)
    s = laws.amdahl(p, f)
    assert s[0] == pytest.approx(1.0)
    assert laws.fit_amdahl(p, s) == pytest.approx(f, abs=1e-12)
    for pi, si in zip(p[1:], s[1:]):
        assert laws.karp_flatt(pi, si) == pytest.approx(1 - f, abs=1e-12)


def test_amdahl_limit_and_edge_cases():
    assert laws.amdahl(1e9, 0.95) == pytest.approx(20, rel=1e-6)  # 1 / (1 − f)
    assert math.isnan(laws.fit_amdahl([1], [1.0]))  # one thread: nothing to fit
    assert laws.fit_amdahl([1, 2], [1.0, 0.5]) == 0.0  # slower on two threads: clipped to 0, not negative
    assert laws.fit_amdahl([1, 2], [1.0, 5.0]) == 1.0  # superlinear (caches): clipped to 1


def test_latency_fit_recovers_the_fixed_cost_and_the_rate():
    t0, rate = 5e-6, 80e9
    n = np.array([8, 16, 32, 64, 128, 256, 512], dtype=float)
    work = 2 * n**3
    t = t0 + work / rate
    got_t0, got_rate = laws.fit_latency(work, t)
    assert got_t0 == pytest.approx(t0, rel=1e-6) and got_rate == pytest.approx(rate, rel=1e-6)
    np.testing.assert_allclose(laws.latency_rate(work, got_t0, got_rate), work / t, rtol=1e-6)


def test_latency_fit_keeps_both_terms_non_negative():
    work = np.array([1e3, 1e6, 1e9])
    t0, rate = laws.fit_latency(work, work / 1e9)  # pure throughput
    assert t0 == pytest.approx(0.0, abs=1e-15) and t0 >= 0 and rate == pytest.approx(1e9)
    t0, rate = laws.fit_latency(work, np.array([2e-6, 2e-6, 2e-6]))  # pure latency
    assert t0 == pytest.approx(2e-6) and rate == math.inf
    assert all(math.isnan(v) for v in laws.fit_latency([1.0], [math.nan]))


def test_crossing_is_where_b_stays_above_a_interpolated_on_log_scales():
    x = [10, 100, 1000]
    one = [1.0, 1.0, 1.0]
    assert laws.crossing(x, one, [0.1, 10.0, 100.0]) == pytest.approx(10**1.5)  # log ratio −1 → +1
    assert laws.crossing(x, one, [0.5, 0.5, 0.5]) is None  # never above
    assert laws.crossing(x, one, [2.0, 3.0, 4.0]) == 10.0  # above everywhere
    assert laws.crossing(x, one, [2.0, 0.1, 10.0]) == pytest.approx(10**2.5)  # a lucky first point does not count
    assert laws.crossing(x, one, [2.0, 3.0, 0.5]) is None  # ends below: never overtakes for good
    with_nan = laws.crossing(x, [1.0, math.nan, 1.0], [0.5, 9.0, 2.0])  # the NaN point is left out
    assert with_nan == pytest.approx(math.sqrt(10 * 1000))
