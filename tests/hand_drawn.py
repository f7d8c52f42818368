"""Which declared parameters a view draws by hand, read from its AST.

A declared knob is drawn through `view.controls`, which takes its label, range, default, choices and `when`
from the declaration; a hand-made `st.slider(..., 3, 7, step=2, key=...)` restates them. This finds every
value widget (st.slider, col.selectbox, st.sidebar.text_input, ...) whose key names a declared parameter:
`key="page.name"`, `key=wkey(PAGE, "name")`, or a key it cannot read (an f-string, a variable), which it
reports too, since it cannot tell that it is not one.

    hand_drawn(Path("views/pooling.py"), {"layers", ...})  ->  ['line 177: text_input for layers']
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

VALUE_WIDGETS = {
    "slider",
    "select_slider",
    "selectbox",
    "multiselect",
    "segmented_control",
    "pills",
    "radio",
    "toggle",
    "checkbox",
    "text_input",
    "text_area",
    "number_input",
}


def key_name(call: ast.Call) -> str | None:
    """The parameter a widget call's key names ('?' when the key cannot be read), None without a key."""
    key = next((k.value for k in call.keywords if k.arg == "key"), None)
    if key is None:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value.split(".", 1)[-1]
    if isinstance(key, ast.Call) and getattr(key.func, "id", getattr(key.func, "attr", "")) == "wkey":
        name = key.args[1] if len(key.args) > 1 else None
        return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else "?"
    return "?"


def hand_drawn(path: Path, names: Iterable[str]) -> list[str]:
    names = set(names)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in VALUE_WIDGETS:
            name = key_name(node)
            if name == "?" or name in names:
                out.append(f"line {node.lineno}: {node.func.attr} for {name}")
    return out
