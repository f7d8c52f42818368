"""In a real browser: the Hardware page measures and draws its five charts and the claim cards' evidence charts; a
key press on the parallelism size slider re-measures that section only, redraws its chart and rewrites the link;
the link reproduces the view in a fresh context (from the store every session shares: nothing is measured twice).
At 1280×720 (a projector) and 1440×900 every section's figure and its first control are on one screen once its
heading is scrolled to the top (screenshots in test-artifacts/)."""

import pytest

from tests.e2e.helpers import POLL_MS, assert_sections_fit, query, slider_thumb

pytestmark = pytest.mark.browser
QUICK = "sizes=16,64&mm_cpu=one&mem_n=256&batches=1,4&par_n=128"
SECTIONS = ("matmul", "memory", "step", "parallel")
CHARTS = 5 + 8  # the sections' five figures and one evidence chart per claim card


def wait_idle(page, timeout: float = 180_000) -> None:
    """The whole page is drawn (the last section's claim card is there) and no run is in progress."""
    page.get_by_text("GPUs are highly parallel").first.wait_for(timeout=timeout)
    page.wait_for_function(
        "(n) => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('.js-plotly-plot').length >= n",
        arg=CHARTS,
        timeout=timeout,
        polling=POLL_MS,
    )


def wait_title(page, text: str, timeout: float = 120_000) -> None:
    """Wait until some chart's title contains `text`."""
    page.wait_for_function(
        """(want) => [...document.querySelectorAll('.js-plotly-plot')].some(
               gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes(want))""",
        arg=text,
        timeout=timeout,
        polling=POLL_MS,
    )


def test_a_size_key_press_remeasures_and_the_link_reproduces_it(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    page.goto(f"{server}/hardware?{QUICK}")
    wait_idle(page, timeout=180_000)
    wait_title(page, "n = 128")
    assert page.locator(".js-plotly-plot").count() == CHARTS
    assert page.get_by_text("no GPU here").count() >= 1  # the CPU-only server says so

    thumb = slider_thumb(page, "Size n (n×n data)")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    page.keyboard.press("ArrowRight")  # 128 → 192
    wait_title(page, "n = 192")
    page.wait_for_url(lambda url: query(url).get("par_n") == "192", timeout=60_000)
    shared = page.url
    assert query(shared) == query(f"{server}/hardware?{QUICK}") | {"par_n": "192"}  # the rest of the view kept
    page.screenshot(path=str(artifacts / "hardware-after-key.png"), full_page=True)
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1100})
    page2 = fresh.new_page()
    page2.goto(shared)
    wait_title(page2, "n = 192")
    assert query(page2.url) == query(shared)
    assert slider_thumb(page2, "Size n (n×n data)").get_attribute("aria-valuetext") == "192"
    page2.screenshot(path=str(artifacts / "hardware-shared-link.png"), full_page=True)
    fresh.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    from core.text import Text

    t = Text("hardware", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/hardware?{QUICK}")
    wait_idle(page)
    assert_sections_fit(page, {s: t(f"{s}.heading") for s in SECTIONS}, "hardware", artifacts)
    ctx.close()
