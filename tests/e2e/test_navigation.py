"""In a real browser: the language switch relabels every select box at once, and leaving a page by the
sidebar and coming back brings back the view the student left."""

import pytest

from tests.e2e.helpers import IDLE, POLL_MS, query, wait_for_probe, wait_idle

pytestmark = pytest.mark.browser

SELECTED = """() => Array.from(document.querySelectorAll('[data-testid="stSelectbox"]'))
    .map(e => (e.querySelector('input') || {}).value || '')"""


def test_the_language_switch_relabels_select_boxes_at_once(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(server + "/optimizers?surface=rosenbrock")
    wait_idle(page, 120_000)
    page.wait_for_function(f"() => ({SELECTED})().some(v => v.includes('Rosenbrock'))", timeout=60_000, polling=POLL_MS)
    before = page.evaluate(SELECTED)
    assert "Rosenbrock's banana valley" in before
    page.get_by_text("中文", exact=True).click()
    page.wait_for_function(
        f"() => ({SELECTED})().some(v => v.includes('香蕉'))", timeout=30_000, polling=POLL_MS
    )  # the selected option itself is in Chinese now, with no other control touched
    # … and, once that one rerun has drawn the whole page (the map comes between the column's first select box and
    # its last), every other one too
    page.wait_for_function(IDLE, timeout=60_000, polling=POLL_MS)
    after = page.evaluate(SELECTED)
    assert not any(
        v == b and b.isascii() and any(c.isalpha() for c in b) and b != "Adam" for v, b in zip(after, before)
    )
    assert query(page.url) == {"surface": "rosenbrock", "lang": "zh"} or query(page.url).get("lang") == "zh"
    ctx.close()


def test_the_sidebar_brings_a_student_back_to_the_view_they_left(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(server + "/activations?x0=1.1&fns=relu")
    wait_for_probe(page, 1.1, timeout=120_000)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Pooling").click()
    page.wait_for_url("**/pooling**", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    nav.get_by_text("Activations").click()
    page.wait_for_url("**/activations**", timeout=60_000)
    wait_for_probe(page, 1.1, timeout=60_000)  # not the default 1.0
    assert query(page.url) == {"x0": "1.1", "fns": "relu"}
    ctx.close()
