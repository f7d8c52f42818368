"""In a real browser: the Hardware page measures and draws its five charts and the claim cards' evidence charts; a
key press on the parallelism size slider re-measures that section only, redraws its chart and rewrites the link;
the link reproduces the view in a fresh context (from the store every session shares: nothing is measured twice).
At 1280×720 (a projector) and 1440×900 every section's figure and its first control are on one screen once its
heading is scrolled to the top (screenshots in test-artifacts/)."""

import pytest

from tests.e2e.helpers import POLL_MS, query, slider_thumb

pytestmark = pytest.mark.browser
QUICK = "sizes=16,64&mm_cpu=one&mem_n=256&batches=1,4&par_n=128"
SECTIONS = ("matmul", "memory", "step", "parallel")
CHARTS = 5 + 8  # the sections' five figures and one evidence chart per claim card
CONTROLS = ", ".join(
    f'[data-testid="{t}"]'
    for t in ("stSlider", "stMultiSelect", "stSelectbox", "stRadio", "stCheckbox", "stButtonGroup", "stToggle")
)


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


def section_boxes(page, heading: str) -> dict:
    """Scroll the section's heading to the top; the viewport's height and the boxes (top, bottom, in the viewport)
    of the heading, the section's first chart and first control (elements between this heading and the next)."""
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
    for section in SECTIONS:
        boxes = section_boxes(page, t(f"{section}.heading"))
        assert boxes and boxes["chart"] and boxes["control"], (section, boxes)
        page.wait_for_timeout(300)  # let the scroll settle before the picture
        page.screenshot(path=str(artifacts / f"hardware-{section}-{width}x{height}.png"))
        for part in ("chart", "control"):
            box = boxes[part]
            assert 0 <= box["top"] and box["bottom"] <= boxes["height"], (section, part, boxes)
    ctx.close()
