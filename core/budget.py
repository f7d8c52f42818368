"""The work budget of one link: no legal link may cost more than CPU_S seconds on one CPU thread.

A heavy experiment declares `cost(values)`, its estimated CPU seconds on one torch thread (measured once per
experiment and written as a formula in its own module). Its rules call `cut(...)`: when a link asks for more,
the named knob (usually the number of steps) is reduced in proportion, onto its grid, and a conflict notice
says how ("steps reduced to 1,200 to stay within the budget"); the page shows it as an info line and the CLI
applies the same cut and lists it under "adjusted" — so the page and the CLI run the same numbers.

bench/link_budget.py walks every experiment's costliest legal corner and prints CPU seconds and peak memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.params import Notice

CPU_S = 30.0  # seconds of one CPU thread per link
MEMORY_MB = 700  # above the idle process


def cut(
    values: dict[str, Any],
    cost: Callable[[dict], float],
    knob: str,
    lo: int,
    step: int = 1,
    why: str = "budget",
    limit: float = CPU_S,
) -> list[Notice]:
    """Reduce `values[knob]` (in place) to the largest value on `lo + k·step` whose cost fits `limit` (CPU_S
    seconds; for a memory model, MEMORY_MB) — never below `lo`; the cost must grow with the knob; returns the
    notice that says how, or nothing when the link fits."""
    if cost(values) <= limit:
        return []
    raw = values[knob]

    def fits(k: int) -> bool:
        return cost({**values, knob: lo + k * step}) <= limit

    good, bad = 0, max(1, (raw - lo) // step + 1)  # lo + good·step fits (or is the floor); lo + bad·step does not
    while bad - good > 1:  # bisection: the cost may be any increasing function of the knob
        mid = (good + bad) // 2
        good, bad = (mid, bad) if fits(mid) else (good, mid)
    values[knob] = fitted = min(raw, lo + good * step)
    return [Notice(knob, "conflict", str(raw), {"why": why, "used": str(fitted)})]
