"""DL Playground — the router: page config, navigation over the concept registry, shared sidebar."""

import plotly.graph_objects  # noqa: F401  - heavy imports first, so gc.freeze() covers them
import streamlit as st

from core import boot, registry  # noqa: F401  - registry imports every concept module (and torch)
from core.text import Text
from core.ui import chrome, plot_draws, state

boot.once()  # device and thread settings, gc.freeze() after the heavy imports (once per process)

st.set_page_config(page_title="DL Playground", page_icon="🧠", layout="wide")
shell_notices = chrome.language()
page = st.navigation(chrome.pages())
state.pending_switch()  # a lesson's previous / next asked for another view
if state.enter_page(page.url_path):  # a fresh visit: presenter mode, lesson and step from the link
    shell_notices += state.read_shell()
chrome.style()
plot_draws.install()  # charts drawn once, in one pass (core/ui/plot_draws.py)
if shell_notices:
    chrome.notices(Text(None, state.lang()), state.GLOBALS, state.GLOBALS.defaults(), shell_notices)
chrome.lesson_bar()
with boot.timed():  # a no-op unless $DLP_TIMING_LOG is set (bench/)
    page.run()
chrome.footer()
