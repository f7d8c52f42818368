"""In a real browser: a shared link trains the 2-D classifier live to the end, the page states the final
accuracy, the finished run replays from its snapshots in the browser (Plotly frames + slider), and a
slider moved during a training cancels it in favour of the new values.

Waits poll on a timer (POLL_MS), never on requestAnimationFrame: a page that headless Chromium treats
as hidden runs no animation frames, and such a wait would only notice a chart long after it changed."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.helpers import POLL_MS, RECORD_TITLES, slider_thumb

pytestmark = pytest.mark.browser

LINK = "/activations?data=xor&act=relu&steps=300&d_steps=100"
TRAIN_CHART = """(needle) => Array.from(document.querySelectorAll('.js-plotly-plot')).find(
    gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes(needle))"""


def chart_title(page, needle: str, timeout: float = 120_000) -> str:
    """Wait for the chart whose title contains `needle`; return its whole title."""
    found = f"(needle) => {{ const gd = ({TRAIN_CHART})(needle); return gd ? String(gd.layout.title.text) : null; }}"
    # one evaluation finds and reads the chart: a rerun may replace the chart between two evaluations
    return page.wait_for_function(found, arg=needle, timeout=timeout, polling=POLL_MS).json_value()


def test_training_runs_to_the_end_shows_final_accuracy_and_replays(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = ctx.new_page()
    page.goto(server + LINK)
    title = chart_title(page, "step 300 of 300")
    test_acc = re.search(r"test (\d+%)", title).group(1)
    page.wait_for_function(
        "() => document.body.innerText.includes('ReLU: test accuracy')", timeout=60_000, polling=POLL_MS
    )
    body = page.inner_text("body")
    assert f"ReLU: test accuracy {test_acc}" in body  # the words quote the chart's final number
    assert int(test_acc.rstrip("%")) >= 90  # ReLU solves XOR
    frames = page.evaluate(f"() => ({TRAIN_CHART})('step 300 of 300')._transitionData._frames.length")
    assert frames >= 10
    # the explorer stays the first chart on the page (other browser tests read it)
    assert page.evaluate("() => document.querySelector('.js-plotly-plot').data.some(t => t.mode === 'markers')")

    # the training's replay slider (the explorer above has a slider too: its probe's scrub)
    sliders = page.locator(".js-plotly-plot").filter(has=page.locator(".slider-container"))
    chart = sliders.filter(has_text="of 300").first
    chart.scroll_into_view_if_needed()
    rail = chart.locator(".slider-rail-touch-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # scrub to the first snapshot
    chart_title(page, "step 0 of 300", timeout=15_000)
    page.screenshot(path=str(artifacts / "activations-training-replay.png"), full_page=True)
    assert parse_qs(urlparse(page.url).query) == parse_qs(urlparse(LINK).query)  # replay does not touch the URL
    ctx.close()


# The long run is half-way: its progress bar is on screen, a chunk of it has been drawn, the last step has not.
TRAINING = """() => { const seen = Array.from(window.__titles || []);
    return !!document.querySelector('[data-testid="stProgress"]') && seen.some(t => / of 5000/.test(t))
        && !seen.some(t => t.includes('step 5000 of 5000')); }"""
# The page has finished its first run: the dead-ReLU section (the last live one) has stated its result.
IDLE = """() => document.body.innerText.includes('ReLU ended with')
    && !document.querySelector('[data-testid="stProgress"]')"""
# The heaviest network a link may ask for, first with a short run. Its slider then asks for 5000 steps (about
# 10–40 s on a 2-core CPU, depending on load), and moves back while that run is going.
HEAVY = "/activations?depth=6&width=64&batch=256&steps=100&seed=11&d_steps=100"


def test_moving_a_slider_during_training_cancels_the_old_run(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
    ctx.add_init_script(RECORD_TITLES)
    page = ctx.new_page()
    page.goto(server + HEAVY)
    # The long run is started from the drawn page, not by opening a long link: in a fresh tab Streamlit 1.67
    # leaves widgets drawn before a training as grey placeholders until that training ends.
    chart_title(page, "step 100 of 100", timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000, polling=POLL_MS)  # so the next progress bar is the long run's
    thumb = slider_thumb(page, "Training steps")
    thumb.focus(timeout=60_000)
    page.keyboard.press("End")  # 100 -> 5000 steps: a long run starts
    page.wait_for_url(re.compile(r"steps=5000\b"), timeout=60_000)
    page.wait_for_function(TRAINING, timeout=120_000, polling=POLL_MS)
    thumb.focus(timeout=30_000)
    page.keyboard.press("Home")  # back to 100 steps while the long run is going (replayed from the store)
    chart_title(page, "step 100 of 100", timeout=120_000)
    page.wait_for_url(re.compile(r"steps=100\b"), timeout=60_000)
    seen = page.evaluate("() => Array.from(window.__titles)")
    old = [int(m.group(1)) for t in seen if (m := re.search(r"step (\d+) of 5000", t))]
    assert old and max(old) < 5000, seen  # the old run was drawn part-way and stopped unfinished
    assert "step 5000 of 5000" not in page.inner_text("body")
    page.screenshot(path=str(artifacts / "activations-training-cancelled.png"), full_page=True)
    ctx.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    """Issue 19: with a section's heading scrolled to the top, its figure and its first control are both on the
    screen (controls in a narrow column beside the figure). Small trainings: the layout, not the training."""
    from core.text import Text
    from tests.e2e.helpers import assert_sections_fit, wait_drawn

    t = Text("activations", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/activations?steps=200&d_steps=100")
    wait_drawn(page)
    sections = {s: t(f"{s}.heading") for s in ("explorer", "train", "dead", "softmax")}
    assert_sections_fit(page, sections, "activations", artifacts)
    ctx.close()
