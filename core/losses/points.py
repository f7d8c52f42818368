"""The user's own regression points: typed as "x,y,x,y,…" (the link's form) or uploaded as a CSV of x,y rows.

Both are checked here, before anything trains, and refused with a reason the page shows (catalogue
`points.<code>`, the offending text shown back as an inert one-line code span, never as Markdown):
    type    an entry that is not a finite number      odd     an x without its y
    few     fewer than MIN_POINTS points              range   a coordinate beyond ±LIMIT
    flat    every x the same (no line to fit)         too_big / not_text / columns / cell   (uploads)
An upload with more than MAX_POINTS rows is thinned to MAX_POINTS evenly spaced in x (the link has to hold
them) and rounded to 4 significant digits; the page says how many were kept.
"""

from __future__ import annotations

import re

import numpy as np

MIN_POINTS, MAX_POINTS = 3, 100
LIMIT = 10_000.0
MAX_UPLOAD_BYTES = 200_000
MAX_UPLOAD_ROWS = 20_000
_SPLIT = re.compile(r"[,;\s]+")


class PointsError(ValueError):
    """Input that cannot be used: `code` picks the message, `info` fills it in (shown escaped)."""

    def __init__(self, code: str, **info):
        super().__init__(code, info)
        self.code = code
        self.info = info


def _number(cell: str, code: str, n: int) -> float:
    """A finite float, or PointsError(code) naming the cell and where it stands (entry or line n)."""
    try:
        v = float(cell)
    except ValueError:
        v = float("nan")
    if not np.isfinite(v):
        raise PointsError(code, cell=cell[:20], n=n)
    return v


def check(points: np.ndarray) -> np.ndarray:
    """(N, 2) points -> the same, or PointsError: enough of them, in range, not all at one x."""
    if len(points) < MIN_POINTS:
        raise PointsError("few", n=len(points), min=MIN_POINTS)
    if len(points) > MAX_POINTS:
        raise PointsError("many", n=len(points), max=MAX_POINTS)
    if np.abs(points).max() > LIMIT:
        raise PointsError("range", limit=f"{LIMIT:g}")
    if np.ptp(points[:, 0]) <= 0:
        raise PointsError("flat")
    return points


def parse_text(raw: str) -> np.ndarray:
    """'x1,y1,x2,y2,…' (commas, semicolons or white space between numbers) -> (N, 2) float64."""
    cells = [c for c in _SPLIT.split(str(raw).strip()) if c]
    values = [_number(c, "type", i + 1) for i, c in enumerate(cells)]
    if len(values) % 2:
        raise PointsError("odd", n=len(values))
    return check(np.asarray(values, np.float64).reshape(-1, 2))


def thin(points: np.ndarray, keep: int = MAX_POINTS) -> np.ndarray:
    """At most `keep` points, evenly spaced through the points sorted by x."""
    points = points[np.argsort(points[:, 0], kind="stable")]
    if len(points) <= keep:
        return points
    return points[np.round(np.linspace(0, len(points) - 1, keep)).astype(int)]


def parse_csv(data: bytes) -> tuple[np.ndarray, int]:
    """CSV bytes of x,y rows (a header row allowed) -> (points thinned to MAX_POINTS, rows read)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PointsError("too_big", kb=MAX_UPLOAD_BYTES // 1000)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsError("not_text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and not re.match(r"^\s*[-+.\d]", lines[0]):
        lines = lines[1:]  # a header such as "x,y"
    if len(lines) > MAX_UPLOAD_ROWS:
        raise PointsError("many", n=len(lines), max=MAX_UPLOAD_ROWS)
    rows = []
    for i, line in enumerate(lines):
        cells = [c.strip() for c in re.split(r"[,;\t]", line)]
        if len(cells) != 2:
            raise PointsError("columns", line=i + 1, n=len(cells))
        rows.append([_number(c, "cell", i + 1) for c in cells])
    if not rows:
        raise PointsError("few", n=0, min=MIN_POINTS)
    raw = np.asarray(rows, np.float64)
    kept = thin(raw)
    return check(np.asarray([[float(f"{v:.4g}") for v in row] for row in kept])), len(raw)


def flat(points: np.ndarray) -> tuple[float, ...]:
    """(N, 2) -> the link's flat tuple x1, y1, x2, y2, …"""
    return tuple(float(v) for v in points.reshape(-1))
