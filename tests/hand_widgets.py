"""Read a view's AST for widgets drawn by hand for a declared parameter.

Every declared knob is drawn by `view.controls` (core/ui), which takes its range, default and choices from
the declaration. A view that calls `st.slider(..., key=wkey(page, "x0"))` itself restates them: this finds
such calls — any Streamlit input widget (`st.slider`, `col.selectbox`, `st.sidebar.toggle`, …) whose `key` is
built with `wkey(...)` or is a parameter's widget key spelled out ("optimizers.x0") — and any view that
imports the widget-state helpers (`wkey`, `to_widget`, `from_widget`) to write a parameter's state itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

INPUT_WIDGETS = {
    "slider",
    "select_slider",
    "selectbox",
    "segmented_control",
    "pills",
    "multiselect",
    "radio",
    "toggle",
    "checkbox",
    "text_input",
    "number_input",
    "text_area",
    "color_picker",
    "date_input",
    "time_input",
}
STATE_HELPERS = {"wkey", "to_widget", "from_widget"}


def hand_drawn(source: str, page: str, names: Iterable[str]) -> list[str]:
    """'line N: what' for every hand-made widget or widget-state helper of a declared parameter in `source`."""
    keys = {f"{page}.{n}" for n in names}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "core.ui.widgets":
            used = sorted(a.name for a in node.names if a.name in STATE_HELPERS)
            if used:
                found.append(f"line {node.lineno}: imports {', '.join(used)} from core.ui.widgets")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in INPUT_WIDGETS:
            continue
        for kw in node.keywords:
            if kw.arg != "key":
                continue
            value = kw.value
            by_helper = isinstance(value, ast.Call) and getattr(value.func, "id", None) == "wkey"
            spelled = isinstance(value, ast.Constant) and value.value in keys
            if by_helper or spelled:
                found.append(f"line {node.lineno}: {node.func.attr}(key={ast.unparse(value)})")
    return found


def check_view(path: Path, page: str, names: Iterable[str]) -> list[str]:
    return hand_drawn(path.read_text(encoding="utf-8"), page, names)
