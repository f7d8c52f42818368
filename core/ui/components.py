"""Custom components v2 that are JavaScript only (no HTML), each declared once per process on first use."""

from __future__ import annotations

from functools import cache

import streamlit as st


@cache
def js_component(name: str, js: str):
    """The component `name` whose `js` runs in the page (declared on the first call, the same one after it)."""
    return st.components.v2.component(name, js=js)
