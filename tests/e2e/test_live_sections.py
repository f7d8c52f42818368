"""In a real browser: while one section of a page trains, a slider in another section of the same page
answers at once (the training runs in the background and keeps going), and the training still ends."""

import re

import pytest

from tests.e2e.helpers import POLL_MS, RECORD_TITLES, slider_thumb, wait_for_probe, wait_for_xmax, wait_idle

pytestmark = pytest.mark.browser

# a training of some seconds (2,000 points, 6 × 64 units, batches of 256, 5,000 steps)
LONG = "/activations?x0=1.5&data=spiral2&steps=5000&n=2000&width=64&depth=6&batch=256&act=mish&d_steps=100"
# The titles of the charts on screen (a replaced chart stays in the page for a while, hidden at zero size).
TITLES = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(gd => gd.getBoundingClientRect().height > 0)
    .map(gd => gd.layout && gd.layout.title ? String(gd.layout.title.text) : '')"""


def steps_seen(page) -> list[int]:
    """Every step the trainer's chart has shown so far ("step N of 5000"), recorded every 50 ms."""
    seen = page.evaluate("() => Array.from(window.__titles || [])")
    return [int(m.group(1)) for t in seen if (m := re.search(r"step (\d+) of 5000", t))]


def test_a_slider_answers_while_another_section_trains(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_init_script(RECORD_TITLES)
    page = ctx.new_page()
    page.goto(server + LONG)
    wait_idle(page, timeout=180_000)  # the link's own training has finished
    wait_for_probe(page, 1.5)
    # a new training, started from the training section's own select box (a section rerun)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Activation").first
    box.click()
    page.keyboard.type("ELU")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => ({TITLES})().some(t => /step [1-9][0-9]* of 5000/.test(t) && !t.includes('5000 of 5000'))",
        timeout=120_000,
        polling=POLL_MS,
    )
    page.evaluate("() => window.__titles.clear()")  # forget the link's own run (it showed step 5000 of 5000)
    thumb = slider_thumb(page, "x to")  # a server-side slider of the explorer (the probe moves in the browser)
    thumb.focus()
    page.keyboard.press("ArrowRight")
    wait_for_xmax(page, 6.5, timeout=30_000)  # the explorer answered …
    # The training had not ended when the explorer answered. (What the chart shows at that instant is not
    # the check: a section rerun may be drawing it anew, so its title can be missing for a moment.)
    during = steps_seen(page)
    assert during and 5000 not in during, "the explorer had to wait for the training to end"
    page.wait_for_function(  # … and the training went on to its end
        f"() => ({TITLES})().some(t => t.includes('step 5000 of 5000'))", timeout=180_000, polling=POLL_MS
    )
    page.wait_for_url(re.compile(r"xmax=6\.5"), timeout=30_000)
    assert re.search(r"act=elu", page.url) and re.search(r"xmax=6\.5", page.url)
    ctx.close()
