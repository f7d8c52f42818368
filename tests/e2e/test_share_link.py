"""In a real browser: a key press on the probe's slider moves the chart and rewrites the URL, and that URL
opened in a fresh browser context reproduces the same view."""

import re

import pytest

from tests.e2e.helpers import probe_slider, query, scrub_label, trace_names, wait_for_probe

pytestmark = pytest.mark.browser


def test_slider_key_press_updates_chart_and_url_and_the_link_reproduces_it(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{server}/activations?fns=sigmoid,relu&x0=1.5")
    wait_for_probe(page, 1.5)
    assert trace_names(page)[:2] == ["Sigmoid", "ReLU"]

    probe_slider(page).focus()
    page.keyboard.press("ArrowRight")
    wait_for_probe(page, 1.6)  # moved in the browser; the link follows once the keys pause
    page.wait_for_url(re.compile(r"x0=1\.6"))
    shared = page.url
    assert query(shared) == {"fns": "sigmoid,relu", "x0": "1.6"}
    page.screenshot(path=str(artifacts / "activations-after-keypress.png"), full_page=True)
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    page2 = fresh.new_page()
    page2.goto(shared)
    wait_for_probe(page2, 1.6)
    assert trace_names(page2)[:2] == ["Sigmoid", "ReLU"]
    assert scrub_label(page2, "act.explorer") == "1.6" and probe_slider(page2).get_attribute("aria-valuetext") == "1.6"
    assert query(page2.url) == {"fns": "sigmoid,relu", "x0": "1.6"}
    page2.screenshot(path=str(artifacts / "activations-shared-link.png"), full_page=True)
    fresh.close()


def test_a_bad_link_shows_the_notice_in_the_browser_and_chinese_text(server, browser):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{server}/activations?x0=999&lang=zh")
    wait_for_probe(page, 1.0)  # the default probe: 999 was refused
    body = page.inner_text("body")
    assert "x0=999" in body and "激活函数" in body
    assert query(page.url) == {"lang": "zh"}
    ctx.close()
