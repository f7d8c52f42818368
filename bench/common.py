"""What the bench scripts share: percentiles, timing, a server with a timing log, key-press loops.

    from bench.common import fmt, timed, app_server, section_times, press_times

Every script prints its figures; none asserts on them (timings belong in notes, not in tests).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import free_port, start_server  # noqa: E402


def pct(xs, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def fmt(xs, unit: str = "ms") -> str:
    return f"median {statistics.median(xs):7.1f} {unit}   p90 {pct(xs, 0.9):7.1f} {unit}   (n={len(xs)})"


def verdict(xs, target_ms: float) -> str:
    return f"median vs {target_ms:.0f} ms target: {'OK' if statistics.median(xs) <= target_ms else 'OVER'}"


def timed(fn, n: int = 7) -> list[float]:
    """Milliseconds of `n` calls of fn after one warm-up call (imports, first-call dispatch, caches)."""
    fn()
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs


@contextmanager
def app_server(script: Path | None = None, env: dict | None = None):
    """A Streamlit server for `script` (the app by default) writing its timing log; yields (url, log)."""
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    port = free_port()
    proc = start_server(script or ROOT / "streamlit_app.py", port, {"DLP_TIMING_LOG": str(log), **(env or {})})
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.unlink(missing_ok=True)


def section_times(log: Path, kind: str = "section") -> list[float]:
    """Server milliseconds per rerun of `kind` ("section": one st.fragment; "page": a whole page run)."""
    rows = [line.split() for line in log.read_text().splitlines() if line.strip()]
    return [float(ms) for k, ms in rows if k == kind]


def press_times(page, thumb, steps, presses: int, warmup: int = 6, pause_ms: int = 500) -> list[float]:
    """Focus a slider thumb and press keys in turn; `steps` is a list of (key, wait(page)) pairs used
    round-robin, wait(page) returning once the page shows that press's result. Milliseconds per press
    after `warmup` presses, with `pause_ms` between presses (as between a person's key presses)."""
    times = []
    for i in range(warmup + presses):
        key, wait = steps[i % len(steps)]
        thumb.focus()
        t = time.perf_counter()
        page.keyboard.press(key)
        wait(page)
        if i >= warmup:
            times.append((time.perf_counter() - t) * 1000)
        page.wait_for_timeout(pause_ms)
    return times


def wait_bare(a: float):
    """For bench/bare_app.py: wait until its chart shows slider value a."""
    return lambda page: page.wait_for_function(
        "(a) => { const gd = document.querySelector('.js-plotly-plot');"
        " return !!gd && gd.data && gd.data[0].name === 'a=' + a.toFixed(1); }",
        arg=a,
        polling="raf",
    )


def slider_presses(browser, url: str, label: str, waits, presses: int) -> list[float]:
    """Open `url` in a fresh context and time key presses on the slider labelled `label`, alternating right and left;
    waits = (wait for the first value, wait for the next one), each wait(page) returning once it is drawn."""
    from tests.e2e.helpers import slider_thumb

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a cold server imports torch first
    waits[0](page)
    steps = [("ArrowRight", waits[1]), ("ArrowLeft", waits[0])]
    times = press_times(page, slider_thumb(page, label), steps, presses, pause_ms=600)
    ctx.close()
    return times


__all__ = [
    "ROOT",
    "pct",
    "fmt",
    "verdict",
    "timed",
    "app_server",
    "section_times",
    "press_times",
    "wait_bare",
    "slider_presses",
]
