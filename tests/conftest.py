"""Shared test helpers. Tests run on the CPU with one torch thread, like a 2-core class server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DLP_DEVICE", "cpu")
os.environ.pop("DLP_REDIS_URL", None)  # the suite clears its run store between tests: never a real Redis

from core import device  # noqa: E402

device.setup()


def isolate_runs() -> None:
    """Forget the finished and in-progress runs that earlier tests left in this process: each AppTest case
    trains (or replays) on its own, so no test's result depends on which test ran before it."""
    from core.ui import live

    live.finished_runs().clear()
    live.runs_in_progress().clear()


def open_page(key: str, query: dict | None = None, lang: str | None = None, timeout: float = 120):
    """Run the app under Streamlit's AppTest as a browser opening /<key>?<query> would."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    if key == "home":
        at.query_params = {**(query or {}), **({"lang": lang} if lang else {})}
        at.run()
        return at
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"views/{key}.py")
    at.query_params = {**(query or {}), **({"lang": lang} if lang else {})}
    at.run()
    return at


def pick(at, page: str, name: str, value) -> None:
    """What a scrub knob's component does when the user lets go of its chart's slider at `value`
    (core/ui/scrub_chart.py: the knob's state takes the value), then the rerun it asks for."""
    from core.ui.widgets import wkey

    at.session_state[wkey(page, name)] = value
    at.run()


def scrub_layouts(at) -> dict[str, dict]:
    """The layout of every scrub chart on the page (core/scrub.py), by chart name."""
    import json

    out = {}
    for chart in at.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        if (layout.get("meta") or {}).get("dlp_scrub"):
            out[layout["meta"]["dlp_scrub"]] = layout
    return out


def clean(at) -> None:
    """The page ran without an exception or an error message (both listed on failure)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture(autouse=True)
def _isolated_runs(request):
    """Every AppTest-using test starts with empty run stores (tests in one test may share runs, as sessions do)."""
    if "streamlit" in sys.modules:
        isolate_runs()
    yield


@pytest.fixture
def page():
    return open_page
