"""Statistics under a standard-normal input, for every activation, against an independent reference:
closed forms where they exist, else the functions and derivatives written out here in NumPy (not autograd),
integrated with scipy.integrate.quad split at the kinks, and the sets {|f′| < t}, {f′ = 0} bounded by
scipy.optimize.brentq roots."""

import math

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.special import ndtr

from core.activation_fns import FUNCTIONS
from core.activations import concept as act
from core.activations import stats

V = act.EXPLORER_PARAMS.defaults()
SELU_A, SELU_L = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
C = 0.044715
# The page's statistics are exact to ~1e-12 for the f′ autograd gives; the issue asked for 1e-6. One difference
# is torch's, not the integration's: HardSigmoid's backward uses the float32 constant 1/6 (0.16666667163),
# so its E[f′] sits 5e-9 above erf(3/√2)/6.
TOL = 1e-8


def sig(z):
    return 0.5 * (1 + math.tanh(z / 2))  # no overflow for large |z|


def phi(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def softplus(z, b):
    return z if b * z > 20 else math.log1p(math.exp(b * z)) / b  # torch's threshold: linear above βz = 20


def reference(key: str, v: dict):
    """(f, f′, kinks) written out by hand, for the knob values v."""
    a, p, al, sb, pb = v["leak"], v["prelu_a"], v["elu_alpha"], v["swish_beta"], v["softplus_beta"]
    k = math.sqrt(2 / math.pi)
    table = {
        "identity": (lambda z: z, lambda z: 1.0, ()),
        "step": (lambda z: float(z > 0), lambda z: 0.0, (0.0,)),
        "sigmoid": (sig, lambda z: sig(z) * (1 - sig(z)), ()),
        "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2, ()),
        "relu": (lambda z: max(z, 0.0), lambda z: float(z > 0), (0.0,)),
        "leaky_relu": (lambda z: z if z > 0 else a * z, lambda z: 1.0 if z > 0 else a, (0.0,)),
        "prelu": (lambda z: z if z > 0 else p * z, lambda z: 1.0 if z > 0 else p, (0.0,)),
        "elu": (lambda z: z if z > 0 else al * math.expm1(z), lambda z: 1.0 if z > 0 else al * math.exp(z), (0.0,)),
        "selu": (
            lambda z: SELU_L * (z if z > 0 else SELU_A * math.expm1(z)),
            lambda z: SELU_L * (1.0 if z > 0 else SELU_A * math.exp(z)),
            (0.0,),
        ),
        "gelu": (lambda z: z * ndtr(z), lambda z: ndtr(z) + z * phi(z), ()),
        "gelu_tanh": (
            lambda z: z / 2 * (1 + math.tanh(k * (z + C * z**3))),
            lambda z: (
                (1 + math.tanh(k * (z + C * z**3))) / 2
                + z / 2 * (1 - math.tanh(k * (z + C * z**3)) ** 2) * k * (1 + 3 * C * z * z)
            ),
            (),
        ),
        "silu": (lambda z: z * sig(sb * z), lambda z: sig(sb * z) * (1 + sb * z * (1 - sig(sb * z))), ()),
        "softplus": (lambda z: softplus(z, pb), lambda z: 1.0 if pb * z > 20 else sig(pb * z), ()),
        "mish": (
            lambda z: z * math.tanh(softplus(z, 1.0)),
            lambda z: math.tanh(softplus(z, 1.0)) + z * (1 - math.tanh(softplus(z, 1.0)) ** 2) * sig(z),
            (),
        ),
        "hardsigmoid": (lambda z: min(1.0, max(0.0, z / 6 + 0.5)), lambda z: 1 / 6 if -3 < z < 3 else 0.0, (-3.0, 3.0)),
        "hardtanh": (lambda z: min(1.0, max(-1.0, z)), lambda z: 1.0 if -1 < z < 1 else 0.0, (-1.0, 1.0)),
    }
    return table[key]


def expect(g, kinks) -> float:
    """∫ g(z) φ(z) dz by adaptive quadrature, split at the kinks."""
    return integrate.quad(
        lambda z: g(z) * phi(z), -12, 12, points=kinks or None, limit=400, epsabs=1e-14, epsrel=1e-13
    )[0]


def inside(a: float, b: float) -> float:
    """A point inside the piece (a, b); either end may be infinite."""
    if math.isinf(a) and math.isinf(b):
        return 0.0
    return b - 1 if math.isinf(a) else a + 1 if math.isinf(b) else (a + b) / 2


def probability(df, kinks, holds, levels) -> float:
    """P(holds(f′(z))): f′ crosses the given levels at brentq roots (found per smooth piece on a fine grid)
    or jumps across them at the kinks; the predicate is constant between those points."""
    cuts = [-12.0, *kinks, 12.0]
    points = list(kinks)
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        z = np.linspace(lo, hi, 20001)[1:-1]
        d = np.array([df(x) for x in z])
        for level in levels:
            g = d - level
            for i in np.flatnonzero(np.sign(g[1:]) * np.sign(g[:-1]) < 0):
                points.append(optimize.brentq(lambda x, c=level: df(x) - c, z[i], z[i + 1], xtol=1e-15, rtol=1e-15))
    edges = [-math.inf, *sorted(points), math.inf]
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if holds(df(inside(a, b))):
            total += ndtr(b) - ndtr(a)
    return total


KNOB_CASES = [
    {},
    {"leak": 0.0, "prelu_a": -0.3, "elu_alpha": 2.5, "swish_beta": 10.0, "softplus_beta": 0.1},
    {"leak": 0.5, "prelu_a": 1.0, "elu_alpha": 0.1, "swish_beta": 0.0, "softplus_beta": 10.0},
]


@pytest.mark.parametrize("thresh", [0.05, 1e-3, 0.3])
@pytest.mark.parametrize("knobs", KNOB_CASES, ids=["defaults", "knobs_a", "knobs_b"])
def test_every_function_matches_the_independent_reference(knobs, thresh):
    v = {**V, **knobs}
    keys = tuple(FUNCTIONS)
    got = stats.normal_stats(keys, v, thresh)
    for i, key in enumerate(keys):
        f, df, kinks = reference(key, v)
        want = {
            "mean": expect(f, kinks),
            "mean_grad": expect(df, kinks),
            "saturated_share": probability(df, kinks, lambda d: abs(d) < thresh, (thresh, -thresh)),
            "zero_grad_share": probability(df, kinks, lambda d: d == 0, (0.0,)),
        }
        for name, value in want.items():
            assert got[name][i] == pytest.approx(value, abs=TOL), (key, name, knobs, thresh)


def test_closed_forms():
    keys = ("relu", "leaky_relu", "hardtanh", "hardsigmoid", "identity", "step", "sigmoid", "tanh")
    s = stats.normal_stats(keys, {**V, "leak": 0.1}, thresh=0.05)
    mean, grad, sat, zero = (dict(zip(keys, s[k])) for k in ("mean", "mean_grad", "saturated_share", "zero_grad_share"))
    r2pi = math.sqrt(2 * math.pi)
    assert mean["relu"] == pytest.approx(1 / r2pi, abs=1e-12) and grad["relu"] == pytest.approx(0.5, abs=1e-12)
    assert mean["leaky_relu"] == pytest.approx(0.9 / r2pi, abs=1e-12)
    assert grad["leaky_relu"] == pytest.approx(0.55, abs=1e-12)
    assert grad["hardtanh"] == pytest.approx(math.erf(1 / math.sqrt(2)), abs=1e-12)  # 0.6826895, not 0.6829718
    assert [sat["hardtanh"], zero["hardtanh"]] == pytest.approx([math.erfc(1 / math.sqrt(2))] * 2, abs=1e-12)
    assert grad["hardsigmoid"] == pytest.approx(math.erf(3 / math.sqrt(2)) / 6, abs=TOL)  # torch's float32 1/6
    assert zero["hardsigmoid"] == pytest.approx(math.erfc(3 / math.sqrt(2)), abs=1e-12)
    assert [mean["hardsigmoid"], mean["sigmoid"], mean["step"]] == pytest.approx([0.5] * 3, abs=1e-12)
    assert mean["tanh"] == pytest.approx(0.0, abs=1e-12) and grad["identity"] == pytest.approx(1.0, abs=1e-12)
    assert zero["relu"] == pytest.approx(0.5, abs=1e-12) and zero["step"] == pytest.approx(1.0, abs=1e-12)
    p = (1 - math.sqrt(1 - 4 * 0.05)) / 2  # σ′ = p(1 − p) < 0.05  ⇔  σ(z) < p or > 1 − p
    assert sat["sigmoid"] == pytest.approx(2 * ndtr(math.log(p / (1 - p))), abs=1e-12)
    assert sat["tanh"] == pytest.approx(2 * ndtr(-math.atanh(math.sqrt(1 - 0.05))), abs=1e-12)


def test_a_narrow_interval_around_a_zero_of_the_derivative_is_found():
    """GELU's f′ crosses 0 near z = −0.75: with t = 2e-4 the set |f′| < t there is narrower than the
    locating grid's step, and it is still counted (f′ changes sign across it). (The rest of the share is the
    far-left tail, where f′ = Φ(z) + zφ(z) rises back towards 0 from below.)"""
    t = 2e-4
    df = reference("gelu", V)[1]
    root = optimize.brentq(df, -1, -0.5, xtol=1e-15)
    slope = (df(root + 1e-6) - df(root - 1e-6)) / 2e-6
    width = 2 * t / abs(slope)
    tail = ndtr(optimize.brentq(lambda z: df(z) + t, -12, -2, xtol=1e-15))  # P(z below where f′ = −t)
    share = stats.normal_stats(("gelu",), V, t)["saturated_share"][0]
    assert width < stats.STEP
    assert share - tail == pytest.approx(width * phi(root), rel=1e-4)
