"""Page helpers shared by the browser tests and bench/ scripts (no pytest here)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from core.scrub import THUMB

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DLP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

CHART = ".js-plotly-plot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log = os.environ.get("DLP_E2E_SERVER_LOG")  # a file for the servers' output (debugging a browser test)
    out = open(log, "a") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=out, env={**os.environ, **(env or {})})
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 90 s")


POLL_MS = 50  # poll on a timer: Playwright's default (requestAnimationFrame) never fires in a page
# that headless Chromium considers hidden, e.g. a second browser context — the wait then times out


# Every chart title the page shows, from its first paint on (an init script runs before the page's own). Only
# charts drawn on the screen count: Streamlit keeps a replaced element in the page, hidden (zero size), for a
# while after a rerun, and its old title would read as shown.
RECORD_TITLES = """window.__titles = new Set();
    setInterval(() => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
        if (gd.layout && gd.layout.title && gd.layout.title.text && gd.getBoundingClientRect().height > 0)
            window.__titles.add(String(gd.layout.title.text)); }),
    50);"""


def wait_for_xmax(page, xmax: float, timeout: float = 30_000, polling: float | str = POLL_MS) -> None:
    """Wait until the explorer chart's curves end at xmax (the "x to" slider's value is drawn)."""
    page.wait_for_function(
        """(xmax) => { const gd = document.querySelector('.js-plotly-plot');  // _fullData: typed arrays decoded
                       const x = gd && gd._fullData && gd._fullData[0] && gd._fullData[0].x;
                       return !!x && x.length > 0 && Math.abs(x[x.length - 1] - xmax) < 1e-4; }""",
        arg=xmax,
        timeout=timeout,
        polling=polling,
    )


def wait_for_probe(page, x0: float, timeout: float = 30_000, polling: float | str = POLL_MS) -> None:
    """Wait until the explorer chart's probe markers sit at x0 (i.e. the chart shows this view)."""
    page.wait_for_function(
        """(x0) => { const gd = document.querySelector('.js-plotly-plot');
                     return !!gd && !!gd.data && gd.data.some(t => t.mode === 'markers' && t.x
                            && Math.abs(t.x[0] - x0) < 1e-6); }""",
        arg=x0,
        timeout=timeout,
        polling=polling,
    )


def slider_thumb(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider")


def probe_slider(page):
    """The activations explorer's probe x₀: the scrub slider under its chart (core/scrub.py), a keyboard slider too
    (it moves in the browser; the server hears the position once the keys pause)."""
    return scrub_slider(page, "Probe x₀")


def scrub_slider(page, label: str):
    """The keyboard slider of the scrub chart labelled `label` — the visible one: a chart that a rerun replaced
    stays in the page for a moment, at zero size."""
    return page.get_by_role("slider", name=label, exact=True).filter(visible=True).last


def trace_names(page) -> list[str]:
    return page.evaluate(
        "() => document.querySelector('.js-plotly-plot').data.filter(t => t.showlegend !== false).map(t => t.name)"
    )


def fresh_page(browser, url: str, width: int = 1400, height: int = 1200):
    """(context, page) showing `url` in a new browser context: a new session, as someone opening a shared link.
    Close the context when done."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(url)
    return ctx, page


def query(url: str) -> dict:
    """A page URL's query parameters, one value each."""
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


FOOTER = re.compile(
    "every figure on this page was computed by PyTorch|本页的每张图都由"
)  # the page's last line, en or zh


# No script running, and the page complete: on a fresh visit the first run draws only the first screen and a
# marker (core/ui/lazy.py) that reruns the page once the browser has drawn it; the marker is gone after that run.
IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[class*="st-key-_dlp-ready-"]')"""


def wait_idle(page, timeout: float = 90_000) -> None:
    """The page is complete (its last section drawn, the first-screen marker's rerun done, no running status): a
    button clicked earlier can wait out its actionability timeout while a busy machine is still rendering the page."""
    page.get_by_text(FOOTER).first.wait_for(timeout=timeout)
    page.wait_for_function(IDLE, timeout=timeout, polling=POLL_MS)


SCRUB_TICK = """([chart, i, thumb]) => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
    .find((g) => g.layout && g.layout.meta && g.layout.meta.dlp_scrub === chart);
  const input = gd && gd.querySelector('.dlp-scrub input');
  if (!input || !(+input.max > 0)) return null;
  input.scrollIntoView({block: 'center'});
  const r = input.getBoundingClientRect();
  return {x: r.x + thumb / 2 + (r.width - thumb) * i / +input.max, y: r.y + r.height / 2}; }"""


def scrub_point(page, chart: str, index: int, timeout: float = 60_000) -> dict:
    """Where to click on scrub chart `chart`'s slider (core/scrub.py) to pick position `index` (scrolled into view,
    once the chart and its slider are drawn)."""
    handle = page.wait_for_function(SCRUB_TICK, arg=[chart, index, THUMB], timeout=timeout, polling=POLL_MS)
    return handle.json_value()


def scrub_click(page, chart: str, index: int) -> None:
    """Click position `index` of scrub chart `chart`'s slider, as a person would."""
    point = scrub_point(page, chart, index)
    page.mouse.click(point["x"], point["y"])


def scrub_label(page, chart: str) -> str:
    """The label of the active position of scrub chart `chart`'s slider."""
    return page.evaluate(
        """(chart) => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
             .find((g) => g.layout && g.layout.meta && g.layout.meta.dlp_scrub === chart);
           const s = gd.layout.sliders[0]; return s.steps[s.active].label; }""",
        chart,
    )


CONTROLS = ", ".join(
    f'[data-testid="{t}"]'
    for t in ("stSlider", "stMultiSelect", "stSelectbox", "stRadio", "stCheckbox", "stButtonGroup", "stToggle")
)


def section_boxes(page, heading: str) -> dict | None:
    """Scroll the section's heading (an h2 starting with `heading`) to the top; the viewport's height and the
    boxes (top, bottom, in the viewport) of the heading, the section's first chart and first control (elements
    between this heading and the next h2). None when no such heading."""
    return page.evaluate(
        """([heading, controls]) => {
            const hs = [...document.querySelectorAll('h2')];
            const h = hs.find(e => e.textContent.trim().startsWith(heading));
            if (!h) return null;
            const next = hs[hs.indexOf(h) + 1];
            const inside = e => (h.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING)
                && (!next || (next.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING));
            h.scrollIntoView({block: 'start'});
            const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                               return {top: r.top, bottom: r.bottom}; };
            const chart = [...document.querySelectorAll('.js-plotly-plot')].find(inside);
            const control = [...document.querySelectorAll(controls)].find(inside);
            return {height: window.innerHeight, heading: box(h), chart: box(chart), control: box(control)};
        }""",
        [heading, CONTROLS],
    )


def headings(page) -> list[str]:
    """The page's section headings (h2), in order."""
    return page.evaluate("() => [...document.querySelectorAll('h2')].map(e => e.textContent.trim())")


def wait_drawn(page, timeout: float = 240_000) -> None:
    """The first run is complete (the footer is there, no run in progress) and every chart has been drawn by
    Plotly (no skeletons left): what a screenshot or a layout measurement needs."""
    wait_idle(page, timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
               && !document.querySelector('[data-testid="stSkeleton"]')
               && [...document.querySelectorAll('.stPlotlyChart')]
                    .every(c => c.querySelector('.js-plotly-plot .main-svg'))""",
        timeout=timeout,
        polling=POLL_MS,
    )


def assert_sections_fit(page, sections: dict[str, str], shot: str, artifacts) -> None:
    """Issue 19's reading rule: with each section's heading scrolled to the top, its first figure and its first
    control are both on the screen (the viewport is the page's). `sections`: a short name → the heading's start;
    a screenshot per section goes to artifacts/<shot>-<name>-<w>x<h>.png."""
    size = page.viewport_size
    for name, heading in sections.items():
        boxes = section_boxes(page, heading)
        assert boxes and boxes["chart"] and boxes["control"], (name, boxes)
        page.wait_for_timeout(300)  # let the scroll settle before the picture
        page.screenshot(path=str(artifacts / f"{shot}-{name}-{size['width']}x{size['height']}.png"))
        for part in ("chart", "control"):
            box = boxes[part]
            assert 0 <= box["top"] and box["bottom"] <= boxes["height"], (name, part, boxes)


PRESET_CUT = """() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stButton"] button')]
    .filter(b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
    .map(b => b.textContent)"""


def assert_presets_uncut(page, page_key: str, presets, lang: str) -> None:
    """Every preset of the page is one sidebar button showing its full name in `lang` (none cut with "…")."""
    from core.text import Text

    page.get_by_text(Text(None, lang)("footer")).first.wait_for(timeout=120_000)  # the first run is complete
    t = Text(page_key, lang)
    buttons = page.locator('[data-testid="stSidebar"] [data-testid="stButton"] button')
    for name in [t(f"presets.{k}") for k in presets]:  # (the sidebar may still be in the first run's language)
        buttons.filter(has_text=name).first.wait_for(timeout=60_000)
        assert buttons.filter(has_text=name).count() == 1
    assert page.evaluate(PRESET_CUT) == []  # no name cut with "…"
