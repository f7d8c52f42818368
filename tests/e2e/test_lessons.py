"""In a real browser: a lesson link walked step by step with Next lands on exactly each step's view (its
settings in the URL and in the page), and presenter mode on a 1280×720 projector has no sidebar."""

import pytest

from core import lessons
from tests.e2e.helpers import POLL_MS, query

pytestmark = pytest.mark.browser
NEXT_IS_ONE = "() => [...document.querySelectorAll('button')].filter(b => b.innerText.includes('Next ▶')).length === 1"


def test_walking_a_lesson_reproduces_every_step(server, browser, artifacts):
    lesson = lessons.load("cnn")
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(f"{server}/lessons?lesson=cnn")
    page.get_by_role("link", name="1.").first.click()
    for k in range(1, len(lesson.steps) + 1):
        page.wait_for_function(
            "(k) => document.body.innerText.includes(`step ${k} of`)", arg=k, timeout=120_000, polling=POLL_MS
        )
        expected = {**lesson.steps[k - 1].query, "lesson": "cnn", **({"step": str(k)} if k > 1 else {})}
        page.wait_for_function(  # the page settled on exactly the step's view and wrote it into the URL
            "(want) => { const p = new URL(location.href).searchParams;"
            " return [...p.keys()].length === Object.keys(want).length"
            " && Object.entries(want).every(([a, b]) => p.get(a) === b); }",
            arg=expected,
            timeout=120_000,
            polling=POLL_MS,
        )
        page.wait_for_selector(".js-plotly-plot", timeout=120_000)
        assert query(page.url) == expected, k
        if k < len(lesson.steps):  # once the previous step's bar is gone, Next
            page.wait_for_function(NEXT_IS_ONE, timeout=120_000, polling=POLL_MS)
            page.get_by_role("button", name="Next ▶").click()
    page.screenshot(path=str(artifacts / "lesson-last-step.png"))
    ctx.close()


def test_presenter_mode_fills_a_projector_without_the_sidebar(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.goto(f"{server}/convolution?present=1&lesson=cnn&step=3")
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    size = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20
    page.screenshot(path=str(artifacts / "presenter-1280x720.png"))
    page.get_by_text("Leave presenter mode").click()
    page.wait_for_function("() => !new URL(location.href).searchParams.has('present')", timeout=60_000, polling=POLL_MS)
    ctx.close()
