"""Target distributions for the 2-D GAN lab, and the user's own points (validated uploads).

Every target is "anchors + Gaussian noise": a real sample is a uniformly chosen anchor plus
σ·ε, ε ~ N(0, I₂), where σ = width · RADIUS (the mode-width slider is relative to the ring radius).

    ring     8 anchors on a circle of radius R = 2 (the mixture of Metz et al., 2017)
    grid     5×5 anchors at {-2, -1, 0, 1, 2}²
    gauss    one anchor at (1, 1)
    points   the user's points (each one a mode)
    moons    two interleaving half circles (scikit-learn's shape, centred, scaled by 1.6)
    spiral   one arm r = 0.3 + 1.9·θ/3π, θ ∈ [0, 3π]
    circle   the whole circle of radius R
The published mode-collapse protocol (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018) fixes its
own geometry, whatever the mode-width slider says:
    ring_pacgan   8 modes on a circle of radius 1, σ = 0.01
    grid_pacgan   25 modes at {−4, −2, 0, 2, 4}², σ = 0.05
and scores 2,500 samples (PROTOCOL_SAMPLES): a mode counts when at least one sample lies within 3σ of it,
a sample is "high quality" within 3σ of its nearest mode (core.gan.metrics: both definitions).
For the curves the anchors are CURVE_ANCHORS points equally spaced by arc length, so drawing an
anchor uniformly is drawing uniformly along the curve.

Mode coverage (core.gan.metrics) needs regions: for a mixture each mode is a region; a curve is cut
into CURVE_REGIONS pieces of equal length, and a piece counts as a "mode".

User points arrive as a CSV of x,y rows (`parse_points`): size, row count, column count, numbers and
finiteness are checked with one clear error each; the points are then centred and scaled so their
largest coordinate is RADIUS, and thinned by farthest-point sampling to at most MAX_POINTS so they fit
in a link.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RADIUS = 2.0
MIXTURES = ("ring", "grid", "gauss", "points", "ring_pacgan", "grid_pacgan")
CURVES = ("moons", "spiral", "circle")
PROTOCOL = {"ring_pacgan": 0.01, "grid_pacgan": 0.05}  # target -> its fixed σ (absolute, not relative to RADIUS)
PROTOCOL_SAMPLES = 2500
TARGETS = ("ring", "grid", "moons", "spiral", "circle", "gauss", "points", "ring_pacgan", "grid_pacgan")
CURVE_ANCHORS = 2048
CURVE_REGIONS = 8
MAX_POINTS = 48  # points a link can hold (96 numbers)
DEFAULT_POINTS = (-1.5, -1.0, 0.0, 1.5, 1.5, -1.0, 0.0, -0.3)  # three corners of a triangle and its centre

MAX_UPLOAD_BYTES = 200_000
MAX_UPLOAD_ROWS = 5000
MAGNITUDE = (1e-12, 1e12)  # |coordinate| an upload may hold (or 0): beyond it, centring and scaling lose the shape


@dataclass(frozen=True)
class Target:
    key: str
    std: float  # σ of the Gaussian noise around each anchor
    anchors: np.ndarray  # (A, 2) float64
    region: np.ndarray  # (A,) int64: the mode / curve piece each anchor belongs to
    regions: int
    extent: float  # plots show [-extent, extent]²

    @property
    def is_curve(self) -> bool:
        return self.key in CURVES

    @property
    def scale(self) -> float:
        """The real samples' root-mean-square coordinate, √(E[x₁² + x₂²] / 2): the unit in which networks can
        work when the lab standardises coordinates (grid of 25: 2.83; ring of 8 (PacGAN): 0.71)."""
        return float(np.sqrt((self.anchors**2).sum(1).mean() / 2 + self.std**2))

    @property
    def is_protocol(self) -> bool:
        """Scored as the published tables are (2,500 samples; both coverage definitions side by side)."""
        return self.key in PROTOCOL

    @property
    def modes(self) -> np.ndarray:
        """The mode centres of a mixture (for a curve: the middle anchor of each piece)."""
        if not self.is_curve:
            return self.anchors
        mids = [np.flatnonzero(self.region == r) for r in range(self.regions)]
        return np.stack([self.anchors[m[len(m) // 2]] for m in mids])


def _by_arc_length(path: np.ndarray, n: int) -> np.ndarray:
    """n points equally spaced along the polyline `path` (P, 2)."""
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, s[-1], n, endpoint=False) + s[-1] / (2 * n)
    return np.stack([np.interp(t, s, path[:, 0]), np.interp(t, s, path[:, 1])], 1)


def _curve(key: str) -> np.ndarray:
    """A dense polyline of the curve (before spacing by arc length)."""
    if key == "circle":
        a = np.linspace(0, 2 * np.pi, 4001)
        return RADIUS * np.stack([np.cos(a), np.sin(a)], 1)
    th = np.linspace(0, 3 * np.pi, 4001)  # the spiral
    r = 0.3 + 1.9 * th / (3 * np.pi)
    return np.stack([r * np.cos(th), r * np.sin(th)], 1)


def _moons_anchors() -> np.ndarray:
    """The two moons are separate arcs: space each by arc length on its own (half the anchors each)."""
    t = np.linspace(0, np.pi, 2001)
    upper = (np.stack([np.cos(t), np.sin(t)], 1)[::-1] - [0.5, 0.25]) * 1.6
    lower = (np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1) - [0.5, 0.25]) * 1.6
    half = CURVE_ANCHORS // 2
    return np.concatenate([_by_arc_length(upper, half), _by_arc_length(lower, half)])


def _ring(radius: float) -> np.ndarray:
    a = 2 * np.pi * np.arange(8) / 8
    return radius * np.stack([np.cos(a), np.sin(a)], 1)


def _grid(spacing: float) -> np.ndarray:
    g = spacing * np.arange(-2, 3, dtype=np.float64)
    return np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)


def make(key: str, width: float, points: tuple[float, ...] = DEFAULT_POINTS) -> Target:
    """The target `key` with mode width σ = width · RADIUS (the protocol targets: their own σ); `points`
    (x1, y1, x2, y2, …) for "points"."""
    std = PROTOCOL.get(key, float(width) * RADIUS)
    if key in ("ring", "ring_pacgan"):
        anchors = _ring(1.0 if key == "ring_pacgan" else RADIUS)
    elif key in ("grid", "grid_pacgan"):
        anchors = _grid(2.0 if key == "grid_pacgan" else 1.0)
    elif key == "gauss":
        anchors = np.array([[1.0, 1.0]])
    elif key == "points":
        anchors = np.asarray(points, np.float64).reshape(-1, 2)
        _, first = np.unique(anchors, axis=0, return_index=True)
        anchors = anchors[np.sort(first)]  # a repeated point is one mode, not two (one of which no sample could own)
    elif key in CURVES:
        anchors = _moons_anchors() if key == "moons" else _by_arc_length(_curve(key), CURVE_ANCHORS)
    else:
        raise ValueError(f"unknown target '{key}'")
    if key in CURVES:
        region = np.arange(len(anchors)) * CURVE_REGIONS // len(anchors)
        regions = CURVE_REGIONS
    else:
        region, regions = np.arange(len(anchors)), len(anchors)
    reach = float(np.abs(anchors).max()) + 3 * std
    extent = 1.5 if key == "ring_pacgan" else max(3.0, math.ceil(reach * 2 + 0.5) / 2)  # the small ring: zoom in
    return Target(key, std, anchors, region.astype(np.int64), regions, extent)


# ---- the user's points -----------------------------------------------------------------------


class PointsError(ValueError):
    """An upload that cannot be used. `code` picks the message (catalogue `upload.<code>`)."""

    def __init__(self, code: str, **info):
        super().__init__(code, info)
        self.code = code
        self.info = info


def _rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c for c in line.replace(";", ",").replace("\t", ",").replace(" ", ",").split(",") if c]
        rows.append(cells)
    return rows


def parse_points(data: bytes) -> np.ndarray:
    """CSV bytes of x,y rows (a header row allowed) -> (N, 2) float64. Raises PointsError."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PointsError("too_big", kb=MAX_UPLOAD_BYTES // 1000)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsError("not_text") from None
    rows = _rows(text)
    if rows and not _is_number(rows[0][0]):
        rows = rows[1:]  # a header such as "x,y"
    if len(rows) > MAX_UPLOAD_ROWS:
        raise PointsError("too_many", n=len(rows), max=MAX_UPLOAD_ROWS)
    if not rows:
        raise PointsError("empty")
    out = np.empty((len(rows), 2))
    for i, cells in enumerate(rows):
        if len(cells) != 2:
            raise PointsError("columns", line=i + 1, n=len(cells))
        for j, cell in enumerate(cells):
            if not _is_number(cell):
                raise PointsError("number", line=i + 1, cell=cell[:20])
            out[i, j] = float(cell)
    if not np.isfinite(out).all():
        raise PointsError("finite", line=int(np.argmin(np.isfinite(out).all(1))) + 1)
    size = np.abs(out)
    odd = ((size > MAGNITUDE[1]) | ((size > 0) & (size < MAGNITUDE[0]))).any(1)
    if odd.any():
        raise PointsError("magnitude", line=int(np.argmax(odd)) + 1, lo=f"{MAGNITUDE[0]:g}", hi=f"{MAGNITUDE[1]:g}")
    return out


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def fit_points(points: np.ndarray, max_points: int = MAX_POINTS) -> tuple[float, ...]:
    """Centre, scale (largest |coordinate| → RADIUS), thin to `max_points` by farthest-point sampling
    (deterministic: starts from the point nearest the centre), round to 2 decimals; flat (x1, y1, …)."""
    p = np.unique(np.asarray(points, np.float64), axis=0)
    top = np.abs(p).max()
    p = p / top if top > 0 else p  # to |x| ≤ 1 first: centring 1e308-sized values overflows, scaling 1e-320 ones too
    p = p - (p.max(0) + p.min(0)) / 2
    top = np.abs(p).max()
    p = p * (RADIUS / top) if top > 0 else p
    if not np.isfinite(p).all():  # a spread no float can scale (subnormal steps): refused, never silently replaced
        raise PointsError("scale")
    if len(p) > max_points:
        chosen = [int(np.argmin(np.linalg.norm(p, axis=1)))]
        dist = np.linalg.norm(p - p[chosen[0]], axis=1)
        while len(chosen) < max_points:
            nxt = int(np.argmax(dist))
            chosen.append(nxt)
            dist = np.minimum(dist, np.linalg.norm(p - p[nxt], axis=1))
        p = p[sorted(chosen)]
    return tuple(float(v) for v in np.round(p, 2).reshape(-1))
