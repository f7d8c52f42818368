"""In a real browser: a key press on the batch-size slider redraws the batch-norm step-through and rewrites the link,
which reopens the same figure in a fresh context; two trainings started one after the other both run to their end
(the first one keeps going while the second section trains), and a trained link replays without its button; every
section's figure and controls fit one screen at 1280×720 and 1440×900."""

import pytest

from tests.e2e.helpers import IDLE, POLL_MS, assert_sections_fit, query, scrub_click, wait_drawn, wait_idle

pytestmark = pytest.mark.browser

STEPS_CHART = r"""() => {  // titles compared without the bold the theme adds
    const gd = [...document.querySelectorAll('.js-plotly-plot')]
        .find(g => g.layout && g.layout.title && /values per feature/.test(g.layout.title.text));
    return gd && gd._fullData ? {title: gd.layout.title.text.replace(/<\/?b>/g, ''),
                                 y: Array.from(gd._fullData[0].y).slice(0, 5)} : null; }"""


def steps_chart(page, contains: str) -> dict:
    page.wait_for_function(
        f"(c) => {{ const s = ({STEPS_CHART})(); return !!s && s.title.includes(c); }}",
        arg=contains,
        timeout=60_000,
        polling=POLL_MS,
    )
    return page.evaluate(STEPS_CHART)


def test_the_batch_size_slider_redraws_the_step_through_and_the_link_reproduces_it(server, browser, artifacts):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
    page = ctx.new_page()
    page.goto(f"{server}/normalization?n=4&dist=bimodal")
    before = steps_chart(page, "(4 values per feature")
    assert len(before["y"]) == 5  # the first value through the five stages
    scrub_click(page, "norm.steps", 3)  # the batch size's scrub slider: n = 2…32, 5 is position 3
    after = steps_chart(page, "(5 values per feature")
    assert after["y"] != before["y"]
    page.wait_for_url(lambda url: query(url).get("n") == "5", timeout=30_000)
    assert query(page.url) == {"n": "5", "dist": "bimodal"}
    page.screenshot(path=str(artifacts / "normalization-steps.png"))
    shared = page.url
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1200})
    page2 = fresh.new_page()
    page2.goto(shared)
    assert steps_chart(page2, "(5 values per feature") == after  # the same batch, the same numbers
    fresh.close()


def test_two_trainings_started_one_after_the_other_both_finish_and_the_link_replays(server, browser, artifacts):
    link = f"{server}/normalization?lrs=0.1,5&steps=600&depths=6,10&r_steps=200"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = ctx.new_page()
    page.goto(link)
    wait_idle(page)
    page.get_by_role("button", name="Train the sweep").click()  # a few seconds of training …
    page.get_by_role("button", name="Train plain and residual nets").click()  # … and another section starts
    page.get_by_text("the loss became NaN/inf").wait_for(timeout=240_000)  # the sweep finished …
    page.get_by_text("At 10 layers").first.wait_for(timeout=240_000)  # … and so did the depth run (its reading)
    assert page.get_by_text("| 5 |").count() == 0  # tables are rendered, not raw markdown
    page.screenshot(path=str(artifacts / "normalization-trained.png"), full_page=True)
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1400, "height": 1600})
    page2 = fresh.new_page()
    page2.goto(link)
    page2.get_by_text("the loss became NaN/inf").wait_for(timeout=60_000)  # replayed from the store, no click
    assert page2.get_by_role("button", name="Train the sweep").count() == 0
    fresh.close()


# Small trainings: a section's figure is drawn by its training. Section 6 (the claims that need the default
# trainings) is left out: its only control is its train button and its figures are its cards' charts, filled by a
# training of about a minute.
TRAINED = "lrs=0.1,1&steps=100&bs=8&b_steps=100&depths=6&r_steps=100"
TRAINS = {  # each section's train button, and a sentence of its reading (drawn once its training is done)
    "Train the sweep": "the loss became NaN/inf",
    "Train the four nets": "of the test digits get a different class",
    "Train plain and residual nets": "At 6 layers",
}


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    from core.text import Text

    t = Text("normalization", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/normalization?{TRAINED}")
    wait_idle(page)
    for name, reading in TRAINS.items():  # one after the other (a link trained once replays without its button)
        button, done = page.get_by_role("button", name=name), page.get_by_text(reading).first
        button.or_(done).first.wait_for(timeout=120_000)  # the section is drawn: its button, or its stored run
        if button.count():
            button.click()
        done.wait_for(timeout=240_000)
    wait_drawn(page)
    sections = {s: t(f"{s}.heading") for s in ("steps", "count", "lr", "batch", "depth")}
    assert_sections_fit(page, sections, "normalization", artifacts)
    ctx.close()


LRS = """() => [...document.querySelectorAll('[data-testid="stMultiSelect"]')].map(e => e.innerText)
    .filter(t => t.startsWith('Learning rates'))
    .map(t => t.split('\\n').map(s => s.trim()).filter(s => s && s !== 'Learning rates'))"""


def test_a_card_that_sets_another_sections_knobs_redraws_that_section(server, browser):
    """The trained claims' "faster" card sets the learning-rate section's rates: its button sits in another section
    (a section reruns alone when its own button is pressed), so the whole page must follow — the link and the
    learning-rate section both show the card's rates, with no other interaction."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{server}/normalization")
    wait_idle(page, 180_000)
    train = page.get_by_role("button", name="▶ Train the defaults and check")
    show = page.locator('[class*="st-key-_claim_preset-faster"] button')
    train.or_(show).first.wait_for(timeout=60_000)  # the button, or the cards of a run this server finished
    if train.count():
        train.scroll_into_view_if_needed()
        train.click()
    show.wait_for(timeout=400_000)
    page.wait_for_function(IDLE, timeout=60_000, polling=POLL_MS)
    assert page.evaluate(LRS) == [["0.01", "0.03", "0.1", "0.3", "1", "2"]]  # the defaults
    show.scroll_into_view_if_needed()
    show.click()
    page.wait_for_url(lambda url: query(url).get("lrs") == "0.01,0.1,0.5", timeout=30_000)
    page.wait_for_function(
        f"() => JSON.stringify(({LRS})()) === JSON.stringify([['0.01', '0.1', '0.5']])", timeout=30_000, polling=POLL_MS
    )
    ctx.close()
