"""How much of a slider press is the page's own chart? In one run, in a real browser: the bare page
(bench/bare_app.py); the *floor* — the first chart the page's first section sends, replayed alone on a bare page
(bench/chart_floor_app.py: one slider, that chart, nothing else, nothing computed); the same chart updated *in
place* (a component that keeps its <div> and calls Plotly.react, where st.plotly_chart builds a new chart for every
changed spec); and the page itself.

    python bench/chart_floor.py [--pages activations,losses] [--presses 8] [--rounds 2]

The floor's specs are captured under AppTest: the chart the page sends for 12 positions of its light slider (the one
bench/page_latency.py presses), each serialised as Streamlit sends it. Pressing the floor's slider swaps one for
the next, so the browser redraws the same figures the page's press redraws. Printed per page and round: slider →
changed chart median / p90 (ms) for bare, floor, in place and page, and the ratios to bare. Reading it: floor / bare
is what the figure itself costs the browser (plotly.js, Streamlit's chart element); in place / bare what it would
cost drawn without a new chart each time; page / floor is everything else a press of the page does (the section's
rerun on the server, its other elements in the browser).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import ROOT, app_server, pct
from page_latency import label_of, med, presses, slider_param

from core import registry
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS

POSITIONS = 12


def capture(key: str, name: str) -> list[dict]:
    """The first chart of page `key` for POSITIONS values of its slider `name`, as Streamlit sends it."""
    from core.ui import live
    from core.ui.widgets import wkey
    from tests.conftest import open_page

    live.FIRST_CHUNK_ONLY = True  # the sections below the first train nothing here
    concept = registry.get(key)
    param = concept.params[name]
    at = open_page(key)
    default = at.session_state[wkey(key, name)]
    values = sorted({param.nearest(default + (i - POSITIONS // 2) * param.step) for i in range(POSITIONS)})  # clamped
    specs = []
    for v in values:
        at.session_state[wkey(key, name)] = v
        at.run()
        specs.append(json.loads(at.get("plotly_chart")[0].proto.spec))
    return specs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default="activations,losses")
    ap.add_argument("--presses", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    for key in args.pages.split(","):
        concept = registry.get(key)
        name = slider_param(concept)
        spec_file = Path(tempfile.mkstemp(suffix=".json")[1])
        spec_file.write_text(json.dumps(capture(key, name)))
        env = {"DLP_FLOOR_SPECS": str(spec_file)}
        with (
            app_server() as (app, log),
            app_server(ROOT / "bench/bare_app.py") as (bare, _),
            app_server(ROOT / "bench/chart_floor_app.py", env) as (floor, _),
            app_server(ROOT / "bench/chart_floor_app.py", {**env, "DLP_FLOOR_DRAW": "inplace"}) as (inplace, _),
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for r in range(args.rounds):
                got = {}
                for side, url, label in (("bare", bare + "/", "a"), ("floor", floor + "/", "a"),
                                         ("inplace", inplace + "/", "a"),
                                         ("page", f"{app}/{key}", label_of(concept, name))):  # fmt: skip
                    times = [t for t in presses(browser, url, label, args.presses, None)[0] if t == t]
                    got[side] = (med(times), pct(times, 0.9) if times else float("nan"))
                rows.append((f"{key} ({name}), round {r + 1}", got))
                print(rows[-1], flush=True)
            browser.close()
        spec_file.unlink(missing_ok=True)
    sides = ("bare", "floor", "inplace", "page")
    heads = " ".join(f"{s:>11s}" for s in sides)
    print(f"\n{'page':32s} {heads}   floor/bare  inplace/bare  page/bare  page/floor")
    for label, g in rows:
        cells = " ".join(f"{g[s][0]:5.0f}/{g[s][1]:<5.0f}" for s in sides)
        b, f, ip, pg = (g[s][0] for s in sides)
        print(f"{label:32s} {cells}   {f / b:9.2f}× {ip / b:11.2f}× {pg / b:9.2f}× {pg / f:9.2f}×")


if __name__ == "__main__":
    main()
