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


def complete(page, timeout: float = 120_000) -> None:
    """No run in progress and the page complete (a fresh visit's first-screen marker has rerun it: core/ui/lazy.py),
    so that no press is timed against the page's own completion."""
    from tests.e2e.helpers import IDLE, POLL_MS

    page.wait_for_function(IDLE, timeout=timeout, polling=POLL_MS)


def slider_presses(browser, url: str, label: str, waits, presses: int) -> list[float]:
    """Open `url` in a fresh context and time key presses on the slider labelled `label`, alternating right and left;
    waits = (wait for the first value, wait for the next one), each wait(page) returning once it is drawn."""
    from tests.e2e.helpers import slider_thumb

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)  # a cold server imports torch first
    waits[0](page)
    complete(page)
    steps = [("ArrowRight", waits[1]), ("ArrowLeft", waits[0])]
    times = press_times(page, slider_thumb(page, label), steps, presses, pause_ms=600)
    ctx.close()
    return times


def scrub_presses(browser, url: str, label: str, waits, presses: int) -> list[float]:
    """Like slider_presses for a scrub slider (core/scrub.py: the range input under a chart, labelled `label`): key
    presses move it in the browser, and the section reruns once after each pause to write
    the link; milliseconds from the key press to the chart drawn."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    waits[0](page)
    complete(page)
    from tests.e2e.helpers import scrub_slider

    thumb = scrub_slider(page, label)
    thumb.wait_for(timeout=60_000)
    steps = [("ArrowRight", waits[1]), ("ArrowLeft", waits[0])]
    times = press_times(page, thumb, steps, presses, pause_ms=600)
    ctx.close()
    return times


def versus_bare(url: str, label: str, waits, presses: int, name: str, section: str, scrub: bool = False) -> None:
    """A page's slider against the bare one-slider page in the same run, printed: the server's time per rerun of
    `section` (from the timing log), the browser's key press -> chart for the bare page, the page (opened once
    first until idle, so what it computes once is cached) and the bare page again, and the ratio of medians."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, wait_idle

    results = {}
    with app_server() as (app, log), app_server(ROOT / "bench/bare_app.py") as (bare, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare_waits = (wait_bare(1.5), wait_bare(1.6))
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        warm = ctx.new_page()
        warm.goto(app + url)
        wait_idle(warm, timeout=240_000)
        ctx.close()
        results["bare page"] = slider_presses(browser, bare + "/?", "a", bare_waits, presses)
        press = scrub_presses if scrub else slider_presses
        results[name] = press(browser, app + url, label, waits, presses)
        results["bare page, again"] = slider_presses(browser, bare + "/?", "a", bare_waits, presses)
        browser.close()
        section_ms = section_times(log)[-presses:]
    kind = "after each scrub, when the user lets go" if scrub else "per slider rerun"
    print(f"server time {kind} ({section}, st.fragment): {fmt(section_ms)}")
    for key, xs in results.items():
        print(f"browser key press -> chart updated, {key:17s}: {fmt(xs)}")
    bare_ms = statistics.median(results["bare page"] + results["bare page, again"])
    ratio = statistics.median(results[name]) / bare_ms
    print(f"ratio {name} / bare page (medians): {ratio:.2f}x   (target <= 1.5x)")


__all__ = [
    "versus_bare",
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
    "scrub_presses",
]
