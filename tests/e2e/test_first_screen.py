"""In a real browser: opening a link whose second section trains for some seconds, the first section's chart
and controls are drawn (not grey skeletons) while that training is still running below them (core/ui/lazy.py).

Without the first-screen marker the explorer stayed a skeleton until the whole script run ended."""

import pytest

from tests.e2e.helpers import POLL_MS, probe_slider

pytestmark = pytest.mark.browser

# the long link of test_live_sections.py with its own seed, so that no finished run of it is stored yet
LONG = "/activations?x0=1.5&data=spiral2&steps=5000&n=2000&width=64&depth=6&batch=256&act=mish&d_steps=100&seed=17"

# Once the training chart shows a step before the last one: is the explorer chart drawn and in view?
DURING = """() => {
  const charts = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const step = charts.map(gd => gd.layout && gd.layout.title ? String(gd.layout.title.text) : '')
    .map(t => t.match(/step (\\d+) of 5000/)).filter(m => m).map(m => Number(m[1]))[0];
  if (step === undefined || step >= 5000) return null;
  const explorer = charts.find(gd => gd.data && gd.data.some(t => t.mode === 'markers' && t.x
                                    && Math.abs(t.x[0] - 1.5) < 1e-6));
  const r = explorer ? explorer.getBoundingClientRect() : null;
  return {step, explorer: !!explorer && !!explorer.querySelector('.main-svg') && r.width > 0 && r.height > 0,
          skeletons: document.querySelectorAll('[data-testid=stSkeleton]').length};
}"""


def test_first_section_is_drawn_while_a_training_below_runs(server, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.goto(server + LONG)
    seen = page.wait_for_function(DURING, timeout=180_000, polling=POLL_MS).json_value()
    assert seen["explorer"], f"the explorer was not drawn while the training below was at step {seen['step']}"
    assert probe_slider(page).is_visible()
    page.wait_for_function(  # the training went on to its end, and the share box shows the link
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(gd => gd.layout && gd.layout.title && String(gd.layout.title.text).includes('step 5000 of 5000'))",
        timeout=180_000,
        polling=POLL_MS,
    )
    share = page.locator('[data-testid="stSidebar"] [data-testid="stCode"]')
    share.first.wait_for(timeout=30_000)
    assert "seed=17" in share.first.inner_text()
    ctx.close()
