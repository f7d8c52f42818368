"""Regularization page in a real browser: a click on the degree's scrub slider shows that degree's fit and, on
release, rewrites the URL; the link reproduces the view (slider and chart) in a fresh context; a training section
trains live to its numbers after its button is pressed; every section's figure and knobs share one screen (issue 19)."""

import re

import pytest

from tests.e2e.helpers import IDLE, POLL_MS, assert_sections_fit, query, scrub_click, scrub_label, wait_drawn, wait_idle

pytestmark = pytest.mark.browser

FIT = "document.querySelectorAll('.js-plotly-plot')[0]"  # the first chart: the fitted polynomial


def slider(page, label: str):
    box = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text(label, exact=True))
    return box.get_by_role("slider")


def wait_for_degree(page, d: int, timeout=90_000, name="degree-{d} polynomial", polling: float | str = POLL_MS) -> None:
    """Until the fit chart draws the degree-d polynomial (its trace name in the page's language)."""
    page.wait_for_function(
        f"(name) => {{ const gd = {FIT}; return !!gd && !!gd.data && gd.data.some(t => t.name === name); }}",
        arg=name.format(d=d),
        timeout=timeout,
        polling=polling,
    )


def open_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    page.goto(url)
    return ctx, page


def test_the_degree_slider_refits_and_the_link_reproduces_it(server, browser, artifacts):
    ctx, page = open_page(browser, f"{server}/regularization?n=10")
    wait_for_degree(page, 9)
    wait_idle(page)
    assert "Degree **9**" not in page.inner_text("body")  # markdown is rendered, not shown raw
    assert "Degree 9: training MSE" in page.inner_text("body")

    scrub_click(page, "reg.fit", 8)  # the degree's scrub slider under the fit (degrees 0…30 are positions 0…30)
    wait_for_degree(page, 8)
    page.wait_for_url(re.compile(r"degree=8"))
    assert query(page.url) == {"n": "10", "degree": "8"}
    page.get_by_text("Degree 8: training MSE").first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "regularization-after-keypress.png"))
    shared = page.url
    ctx.close()

    fresh, page2 = open_page(browser, shared)
    wait_for_degree(page2, 8)
    assert scrub_label(page2, "reg.fit") == "8"
    assert slider(page2, "Training points n").get_attribute("aria-valuetext") == "10"
    assert query(page2.url) == {"n": "10", "degree": "8"}
    fresh.close()


def test_the_mlp_trains_live_after_its_button(server, browser, artifacts):
    ctx, page = open_page(browser, f"{server}/regularization?steps=200&width=16&lang=zh")
    wait_for_degree(page, 9, name="{d} 次多项式")
    page.get_by_text("本页的每张图都由这台服务器上的 PyTorch").first.wait_for(timeout=90_000)  # the footer: all drawn
    page.wait_for_function(IDLE, timeout=90_000, polling=POLL_MS)
    button = page.get_by_role("button", name="▶ 开始训练").first
    button.scroll_into_view_if_needed()
    button.click()
    try:
        page.get_by_text("训练 200 步").first.wait_for(timeout=90_000)
    finally:
        page.screenshot(path=str(artifacts / "regularization-mlp-trained.png"), full_page=True)
    assert query(page.url) == {"steps": "200", "width": "16", "lang": "zh"}
    ctx.close()


SECTIONS = ("fit", "penalty", "dropout", "early", "augment", "memorize", "kfold", "scaling")  # the h2 sections
WAITING = ("early", "augment", "memorize")  # sections whose first figure is a training's: pressed before measuring
# A section behind a train button is drawn: its button, or the finished run's chart (key reg_<chart>_<section>_<steps>
# _True, views/regularization.live)
DRAWN = """(key) => !!document.querySelector(`.st-key-reg_${key}_go`)
    || [...document.querySelectorAll('[class*="st-key-reg_"]')].some(e => [...e.classList].some(
        c => c.startsWith('st-key-reg_') && c.includes('_' + key + '_') && c.endsWith('_True')))"""


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    from core.text import Text

    t = Text("regularization", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/regularization?es_steps=500&aug_steps=300&mem_steps=500")
    wait_idle(page)
    for key in WAITING:  # one at a time: each button gives way to its training's progress and figure
        page.wait_for_function(DRAWN, arg=key, timeout=120_000)  # the section is drawn: its button or its run
        if not page.locator(f".st-key-reg_{key}_go").count():
            continue  # trained for this link before (the other screen size): replayed from the store
        page.locator(f".st-key-reg_{key}_go button").click()
        page.locator(f".st-key-reg_{key}_go").wait_for(state="detached", timeout=120_000)
        wait_idle(page, timeout=240_000)
    wait_drawn(page)
    assert_sections_fit(page, {s: t(f"{s}.heading") for s in SECTIONS}, "regularization", artifacts)
    ctx.close()
