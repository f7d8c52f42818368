"""Real-browser fixtures: a Streamlit server on a free port and Debian's chromium via Playwright.

Without a browser these tests skip with the reason; with DLP_REQUIRE_BROWSER=1 (set by .ci/run) a
missing browser is a failure instead, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, free_port, start_server

ARTIFACTS = ROOT / "test-artifacts"


def _missing(reason: str):
    if os.environ.get("DLP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server():
    port = free_port()
    proc = start_server(ROOT / "streamlit_app.py", port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
