"""In a real browser: the Hardware page measures and draws its five charts; a key press on the parallelism size
slider re-measures that section only, redraws its chart and rewrites the link; the link reproduces the view in a
fresh context (from the store every session shares: nothing is measured twice)."""

import pytest

from tests.e2e.helpers import POLL_MS, query, slider_thumb, wait_idle

pytestmark = pytest.mark.browser
QUICK = "sizes=16,64&mm_cpu=one&mem_n=256&batches=1,4&par_n=128"


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
    assert page.locator(".js-plotly-plot").count() == 5
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
