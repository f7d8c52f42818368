"""Optimizers page in a real browser: a slider key press redraws the paths and rewrites the URL, a click
on the map sets the start point, ▶ animates the runs client-side, and the network race trains to the end. At
1280×720 (a projector) and 1440×900 each section's figure and its first control are on one screen once its heading
is scrolled to the top (screenshots in test-artifacts/), and the claim cards sit in their sections."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import POLL_MS, assert_sections_fit, query, wait_drawn, wait_idle

pytestmark = pytest.mark.browser

MAP = "document.querySelectorAll('.js-plotly-plot')[0]"


def slider(page, label: str):
    """The slider whose label is exactly `label` (\"Steps\" must not match \"Training steps\")."""
    box = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text(label, exact=True))
    return box.get_by_role("slider")


def wait_for_steps(page, steps: int) -> None:
    """Until the map's animation slider ends at `steps`, i.e. the map shows runs of that length."""
    page.wait_for_function(
        f"(n) => {{ const gd = {MAP}; return !!gd && !!gd.layout && !!gd.layout.sliders &&"
        " gd.layout.sliders[0].steps.at(-1).label === String(n); }",
        arg=steps,
        timeout=60_000,
        polling=POLL_MS,
    )


def start_marker(page) -> list[float]:
    """Plotly keeps numpy arrays as typed-array specs in gd.data; the decoded values are in gd._fullData."""
    return page.evaluate(
        f"() => {{ const t = {MAP}._fullData.find(t => t.name === 'start'); return [t.x[0], t.y[0]]; }}"
    )


def open_page(browser, url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = ctx.new_page()
    page.goto(url)
    return ctx, page


def test_slider_redraws_the_paths_a_click_sets_the_start_and_play_animates(server, browser, artifacts):
    ctx, page = open_page(browser, f"{server}/optimizers?steps=300")
    wait_for_steps(page, 300)

    # a key press on the steps slider: new paths on the map, the URL says so
    slider(page, "Steps").focus()
    page.keyboard.press("ArrowRight")
    wait_for_steps(page, 310)
    page.wait_for_url(re.compile(r"steps=310"))
    assert query(page.url) == {"steps": "310"}
    page.screenshot(path=str(artifacts / "optimizers-after-keypress.png"))

    # a click on the map: the start point moves there, slider and URL follow
    assert start_marker(page) == pytest.approx([-1.2, 1.0])
    target = (0.5, 2.0)  # a node of the map's 121 × 121 grid on Rosenbrock's plot (−2…2 × −1…3)
    box = page.locator(".js-plotly-plot").first.bounding_box()
    px, py = page.evaluate(
        f"""([x, y]) => {{ const l = {MAP}._fullLayout;
            return [l.xaxis._offset + l.xaxis.l2p(x), l.yaxis._offset + l.yaxis.l2p(y)]; }}""",
        list(target),
    )
    page.mouse.move(box["x"] + px, box["y"] + py)
    page.wait_for_timeout(300)  # let Plotly register the hover that a click selects
    page.mouse.click(box["x"] + px, box["y"] + py)
    page.wait_for_url(re.compile(r"x0=0\.5.*y0=2"), timeout=30_000)
    assert query(page.url) == {"steps": "310", "x0": "0.5", "y0": "2"}
    page.wait_for_function(
        f"() => {MAP}._fullData.find(t => t.name === 'start').x[0] === 0.5", timeout=30_000, polling=POLL_MS
    )
    assert start_marker(page) == pytest.approx(list(target))
    # the knobs are written after the map (figure first, core/ui/__init__.py): the slider follows a moment later
    expect(slider(page, "Start x")).to_have_attribute("aria-valuetext", "0.50", timeout=10_000)
    page.screenshot(path=str(artifacts / "optimizers-click-start.png"))

    # ▶ play: the optimizers' heads leave the start, in the browser (no server round trip)
    heads = (
        "() => { const t = " + MAP + "._fullData.find(t => t.name === 'play');"
        " return [...t.x].map((x, i) => [x, t.y[i]]); }"
    )
    before = page.evaluate(heads)
    assert len(before) == 3 and all(h == pytest.approx(list(target)) for h in before)
    page.get_by_text("▶ play", exact=True).click()
    page.wait_for_function(
        f"(b) => ({heads})().some((h, i) => h[0] !== b[i][0])", arg=before, timeout=30_000, polling=POLL_MS
    )
    ctx.close()


def test_the_network_race_trains_to_the_end_in_the_browser(server, browser, artifacts):
    ctx, page = open_page(browser, f"{server}/optimizers?net_opts=sgd,adam&net_steps=200&batch=16&width=16")
    wait_idle(page)
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.layout && gd.layout.updatemenus"
        " && gd.layout.updatemenus.length && gd.layout.updatemenus[0].buttons[0].label.includes('Replay'))",
        timeout=120_000,
        polling=POLL_MS,
    )
    # the summary line is written after the finished figure: wait for it rather than read at once
    page.wait_for_function(
        "() => document.body.innerText.includes('passes over the training digits')", timeout=30_000, polling=POLL_MS
    )
    page.screenshot(path=str(artifacts / "optimizers-race.png"))
    ctx.close()


def test_choosing_a_surface_loads_it_and_its_knobs_and_the_link_reopens_the_same_view(server, browser, artifacts):
    ctx, page = open_page(browser, f"{server}/optimizers?steps=100")
    wait_for_steps(page, 100)
    kappa = slider(page, "Condition number κ (quadratic)")
    assert kappa.is_disabled()  # κ only matters on the quadratic (its declared `when`)
    assert slider(page, "Start x").get_attribute("min") == "-2"  # Rosenbrock's plot: −2…2

    # the surface select box (drawn by view.controls with an on_change): the quadratic's start and rates load
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Surface").first.click()
    page.get_by_role("option", name="Ill-conditioned quadratic").click()
    page.wait_for_url(re.compile(r"surface=quadratic"), timeout=30_000)
    page.wait_for_function(
        "() => document.body.innerText.includes('Theory on the quadratic')", timeout=60_000, polling=POLL_MS
    )
    link = query(page.url)
    assert link["surface"] == "quadratic" and link["x0"] == "-2.5" and link["lr_sgd"] == "0.5"
    assert not slider(page, "Condition number κ (quadratic)").is_disabled()
    assert slider(page, "Start x").get_attribute("min") == "-3"  # the start spans the quadratic's plot
    page.screenshot(path=str(artifacts / "optimizers-quadratic.png"))

    # the same link in a fresh browser: the same view
    ctx2, fresh = open_page(browser, page.url)
    fresh.wait_for_function(
        "() => document.body.innerText.includes('Theory on the quadratic')", timeout=60_000, polling=POLL_MS
    )
    assert query(fresh.url) == link
    assert slider(fresh, "Start x").get_attribute("aria-valuetext") == "-2.50"
    ctx2.close()
    ctx.close()


TRAIN = '[class*="st-key-race_go"] button'  # the race's ▶ Train button (its widget key)
RACE_DONE = (
    "() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.layout && gd.layout.updatemenus"
    " && gd.layout.updatemenus.length && gd.layout.updatemenus[0].buttons[0].label.includes('Replay'))"
)


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_sections_figure_and_controls_fit_one_screen(server, browser, artifacts, width, height):
    """The race draws its figure once trained (a button), so a small race is trained first."""
    from core.text import Text

    t = Text("optimizers", "en")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{server}/optimizers?net_opts=sgd,adam&net_steps=100&batch=16&width=16")
    wait_idle(page)
    # the race section comes after the first screen: wait for its button, or for the stored race an earlier test of
    # this server trained (drawn at once, no button)
    page.wait_for_function(f"() => !!document.querySelector('{TRAIN}') || ({RACE_DONE})()", timeout=120_000)
    if page.locator(TRAIN).count():
        page.locator(TRAIN).click()
    page.wait_for_function(RACE_DONE, timeout=120_000, polling=POLL_MS)
    wait_drawn(page)
    assert page.get_by_text("Momentum helps escape local minima").count() == 1  # a card in the paths section
    assert_sections_fit(page, {s: t(f"{s}.heading") for s in ("paths", "race")}, "optimizers", artifacts)
    ctx.close()
