"""Shared test helpers. Tests run on the CPU with one torch thread, like a 2-core class server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DLP_DEVICE", "cpu")

from core import device  # noqa: E402

device.setup()


def open_page(key: str, query: dict | None = None, lang: str | None = None, timeout: float = 120):
    """Run the app under Streamlit's AppTest as a browser opening /<key>?<query> would."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if key != "home":
        at.switch_page(f"views/{key}.py")
        at.query_params = {**(query or {}), **({"lang": lang} if lang else {})}
        at.run()
    return at


def clean(at) -> None:
    """The page ran without an exception or an error message (both listed on failure)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def page():
    return open_page
