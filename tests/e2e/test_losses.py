"""The Losses page in a real browser: dragging the probe's scrub slider moves it along the curves in the browser
(nothing sent to the server) and the release rewrites the URL, which reproduces the view in a fresh context;
the KL fit streams to its end by itself; a training section trains from its button and explains the result;
every section's figure and knobs share one screen (issue 19).

Waits poll on a timer (POLL_MS), never on requestAnimationFrame (a hidden page runs no animation frames)."""

import re

import pytest

from tests.e2e.helpers import (
    POLL_MS,
    assert_sections_fit,
    query,
    scrub_label,
    scrub_point,
    scrub_slider,
    wait_drawn,
    wait_idle,
)

pytestmark = pytest.mark.browser


def wait_for_probe(page, x0: float, timeout: float = 30_000, polling: float | str = POLL_MS) -> None:
    """Until the first chart (the regression curves) has its probe line at x0. The probe is a layout shape
    (the curves keep their data when it moves: layout.datarevision), not a marker trace."""
    page.wait_for_function(
        """(x0) => { const gd = document.querySelector('.js-plotly-plot');
                     return !!gd && !!gd.layout && (gd.layout.shapes || []).some(s => s.type === 'line'
                            && Math.abs(s.x0 - x0) < 1e-6); }""",
        arg=x0,
        timeout=timeout,
        polling=polling,
    )


def wait_for_text(page, needle: str, timeout: float = 120_000) -> None:
    page.wait_for_function(
        "(needle) => document.body.innerText.includes(needle)", arg=needle, timeout=timeout, polling=POLL_MS
    )


def test_the_probe_scrubs_in_the_browser_and_the_link_reproduces_it(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    sent = []
    page.goto(f"{server}/losses?r0=1.5")
    wait_for_probe(page, 1.5, timeout=120_000)  # the first chart is the regression curves chart
    wait_idle(page)
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(f)))  # a new socket would be caught too
    point = scrub_point(page, "losses.reg_curves", 55 - 6)  # r0 = 1.5 is position 55 of −4…4: 0.9 is 49
    page.mouse.move(point["x"], point["y"])
    sent.clear()
    page.mouse.down()  # dragging: the probe moves along the curves, nothing goes to the server until release
    wait_for_probe(page, 0.9, timeout=30_000)
    later = scrub_point(page, "losses.reg_curves", 56)
    page.mouse.move(later["x"], later["y"], steps=8)
    wait_for_probe(page, 1.6, timeout=30_000)
    assert sent == [] and query(page.url) == {"r0": "1.5"}  # no rerun while dragging: the link waits for the release
    page.mouse.up()
    page.wait_for_url(re.compile(r"r0=1\.6"), timeout=90_000)
    assert query(page.url) == {"r0": "1.6"}
    page.wait_for_url(re.compile(r"r0=1\.6"), timeout=90_000)
    assert query(page.url) == {"r0": "1.6"}
    wait_for_text(page, "At r₀ = 1.6")  # the probe table follows the chart
    probe = scrub_slider(page, "Probe residual r₀")  # the scrub is a keyboard slider too
    assert probe.get_attribute("aria-valuetext") == "1.6"
    probe.focus()
    page.keyboard.press("ArrowRight")
    wait_for_probe(page, 1.7, timeout=30_000)
    page.wait_for_url(re.compile(r"r0=1\.7"), timeout=90_000)  # a pause after the keys: the link follows
    page.keyboard.press("ArrowLeft")  # the focus stayed on the slider through the section's rerun
    wait_for_probe(page, 1.6, timeout=30_000)
    page.wait_for_url(re.compile(r"r0=1\.6"), timeout=90_000)
    page.screenshot(path=str(artifacts / "losses-probe.png"))
    shared = page.url
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1100})
    page2 = fresh.new_page()
    page2.goto(shared)
    wait_for_probe(page2, 1.6, timeout=120_000)
    assert scrub_label(page2, "losses.reg_curves") == "1.6"  # the chart's slider stands at the link's value
    assert scrub_slider(page2, "Probe residual r₀").get_attribute("aria-valuetext") == "1.6"
    fresh.close()


def test_the_kl_fit_streams_to_its_end_and_a_section_trains_from_its_button(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = ctx.new_page()
    page.goto(f"{server}/losses?kl_steps=200&kl_w=0.3")
    wait_idle(page, timeout=240_000)
    wait_for_text(page, "the closed-form optimum matches p's moments")
    page.wait_for_function(  # the densities chart of the finished run (a partial one's title ends in …)
        """() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => {
            const title = gd.layout && gd.layout.title ? String(gd.layout.title.text) : '';
            return title.includes('Step 200 of 200') && !title.includes('…'); })""",
        timeout=60_000,
        polling=POLL_MS,
    )
    assert "μ* = 1.00" in page.inner_text("body")  # (1 − 2w)·d with w = 0.3, d = 2.5
    page.get_by_role("button", name="▶ Train").first.click()  # the CE-vs-MSE section, first with a button
    wait_for_text(page, "After 600 steps", timeout=240_000)
    body = page.inner_text("body")
    acc_ce, acc_mse = (float(x) for x in re.search(r"cross-entropy ([\d.]+)%, squared error ([\d.]+)%", body).groups())
    assert acc_ce > 80 > 30 > acc_mse
    page.screenshot(path=str(artifacts / "losses-cemse.png"))
    assert query(page.url) == {"kl_steps": "200", "kl_w": "0.3"}  # pressing the button changes no setting
    ctx.close()


# A link that moves a knob of each section that otherwise waits for its button (CE vs MSE, the rare class,
# calibration): those train at once, so every section has its figure to measure.
TRAINED = "cm_steps=200&im_steps=200&ca_steps=300"
SECTIONS = ("curves", "outliers", "cemse", "imbalance", "calibration", "kl")


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    from core.text import Text

    t = Text("losses", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/losses?{TRAINED}")
    wait_drawn(page)
    assert_sections_fit(page, {s: t(f"{s}.heading") for s in SECTIONS}, "losses", artifacts)
    ctx.close()
