"""In a real browser (core/ui/plot_draws.py): a server-side slider's new figure starts from the margins its
previous draw ended with and the page then rests (no figure handed to plotly.js again and again); the same figure
handed back is not drawn again, and a chart changed in the browser since its last draw is (the skip never leaves a
stale chart).

Waits poll on a timer (POLL_MS), never on requestAnimationFrame (a hidden page runs no animation frames)."""

import re

import pytest

from tests.e2e.helpers import POLL_MS, wait_idle

pytestmark = pytest.mark.browser

# From the page's first script on: every plotly_afterplot of every chart node, with the chart's identity.
COUNT_DRAWS = """(() => {
  window.__draws = [];
  const hook = () => {
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      if (gd.__counted || !gd.on) continue;
      gd.__counted = true;
      gd.on('plotly_afterplot', () => window.__draws.push(JSON.stringify(gd.layout.meta || null)));
    }
  };
  new MutationObserver(hook).observe(document, { subtree: true, childList: true });
})();"""

CURVES = '{"dlp_scrub":"losses.reg_curves"}'
CHART = "document.querySelector('.js-plotly-plot')"  # the regression curves: the page's first chart


def losses_page(browser, server):
    """(context, page) on /losses with every plotly.js draw counted, once the page is idle."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    ctx.add_init_script(COUNT_DRAWS)
    page = ctx.new_page()
    page.goto(server + "/losses")
    page.wait_for_function(f"() => !!{CHART} && !!{CHART}._fullLayout", timeout=120_000)
    wait_idle(page)
    page.wait_for_timeout(1000)
    return ctx, page


def huber_slider(page):
    heading = page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile("^Huber δ"))
    return page.locator('[data-testid="stSlider"]').filter(has=heading).first.get_by_role("slider")


def curves_data(page) -> str:
    """The regression curves' traces, as text (the Huber curve changes with δ)."""
    return page.evaluate(f"() => JSON.stringify({CHART}.data.map(t => [t.name, t.y]))")


def test_a_new_figure_starts_from_the_margins_it_had_and_the_page_rests(server, browser):
    ctx, page = losses_page(browser, server)
    assert page.evaluate("() => !!(window.Plotly && window.Plotly.__dlpDraws)"), "plot_draws did not patch plotly.js"
    before = page.evaluate(f"() => ['l', 'r', 't', 'b'].map(s => Math.ceil({CHART}._fullLayout._size[s]))")
    data_before = curves_data(page)
    page.evaluate("() => { window.__draws.length = 0; }")
    thumb = huber_slider(page)
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(old) => JSON.stringify(document.querySelector('.js-plotly-plot').data.map(t => [t.name, t.y])) !== old",
        arg=data_before,
        timeout=30_000,
        polling=POLL_MS,
    )
    wait_idle(page)
    page.wait_for_timeout(1500)
    draws = page.evaluate("() => window.__draws")
    assert draws.count(CURVES) >= 1, f"the new curves figure was never drawn: {draws}"
    # Streamlit's identical copy is skipped (checked exactly in the test below); a second draw here can be a real
    # one (the column's width settled after the first draw: one CI run in two on a loaded box)
    calls = page.evaluate(  # and then it rests: no chart handed a figure again and again (a skip that loops)
        """async () => { const P = window.Plotly, react = P.react; let n = 0;
             P.react = function () { n += 1; return react.apply(this, arguments); };
             await new Promise(r => setTimeout(r, 1500)); P.react = react; return n; }"""
    )
    assert calls == 0, f"plotly.js was handed {calls} figures in 1.5 s after the page was idle"
    margin = page.evaluate(f"() => ['l', 'r', 't', 'b'].map(s => {CHART}.layout.margin[s])")
    assert all(m >= b for m, b in zip(margin, before)), f"margins {margin} start below the last draw's {before}"
    ctx.close()


def test_a_chart_changed_in_the_browser_is_drawn_again_when_handed_its_figure(server, browser):
    ctx, page = losses_page(browser, server)
    result = page.evaluate(
        """async () => {
          const gd = document.querySelector('.js-plotly-plot'), P = window.Plotly;  // Streamlit's plotly.js
          const copy = () => JSON.parse(JSON.stringify({ data: gd.data, layout: gd.layout }));
          const width = (i) => gd._fullData[i].line.width;
          const fig = copy(), was = width(1);
          window.__draws.length = 0;
          await P.react(gd, JSON.parse(JSON.stringify(fig)));  // the figure it shows: skipped
          const same = window.__draws.length;
          await P.restyle(gd, { 'line.width': was + 4 }, [1]);
          const restyled = width(1);
          window.__draws.length = 0;
          await P.react(gd, JSON.parse(JSON.stringify(fig)));  // its figure again: drawn
          return { same, restyled, was, now: width(1), redrawn: window.__draws.length };
        }"""
    )
    assert result["same"] == 0, result
    assert result["restyled"] == result["was"] + 4, result
    assert result["redrawn"] >= 1 and result["now"] == result["was"], result
    ctx.close()


def test_a_section_rerun_keeps_its_claim_cards_outside_it(server, browser):
    """The fixed claim cards are drawn by the page's run after their section (PageView.claim_cards): a rerun of
    the section alone (the focal γ slider, active once focal loss is shown) keeps every card, each once."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(server + "/losses?cls=zero_one,logistic,focal")
    claim = page.get_by_text("Log loss is the logarithmic form of cross-entropy.")
    claim.first.wait_for(timeout=120_000)
    wait_idle(page)
    heading = page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile("^Focal γ"))
    thumb = page.locator('[data-testid="stSlider"]').filter(has=heading).first.get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"[?&]gamma=2\.5"), timeout=30_000)  # the section reran: the link has the new γ
    wait_idle(page)
    page.wait_for_timeout(1000)
    assert claim.count() == 1, f"the card shows {claim.count()} times after the section's rerun"
    assert claim.first.is_visible() or claim.first.bounding_box() is not None
    ctx.close()
