"""One widget per parameter declaration. The widget's value lives in session state under `wkey`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.params import Bool, Choice, Float, FloatList, Int, LogFloat, Multi, Param, Typed, _fmt
from core.text import Text


def wkey(page: str, name: str) -> str:
    return f"{page}.{name}"


def to_widget(param: Param, value: Any) -> Any:
    """Declared value -> the form the widget keeps in session state (a slider: its nearest position)."""
    if isinstance(param, Multi):
        return list(value)
    if isinstance(param, FloatList):
        return param.encode(value)
    return param.nearest(value)


def from_widget(param: Param, value: Any) -> Any:
    """Widget state -> declared value (validated afterwards by ParamSet.validate)."""
    if isinstance(param, Multi):
        return tuple(value or ())
    if isinstance(param, FloatList):
        try:
            return tuple(float(s) for s in str(value).split(","))
        except ValueError:
            return param.default
    return value


def draw(
    param: Param,
    t: Text,
    key: str,
    *,
    disabled: bool = False,
    exact: Any = None,
    on_change: Callable | None = None,
    args: tuple = (),
) -> None:
    """Draw the widget for `param` in the current container; its state is already seeded.

    `exact`: a value from a link that the slider cannot show (off its grid): the label says it, the slider
    shows the nearest position. `on_change(*args)` runs before the rerun when the user moves the widget."""
    label, help_ = t.label(param.name), t.help(param.name)
    if exact is not None:
        label = f"{label} = {param.encode(exact)}"
    common = dict(key=key, help=help_, disabled=disabled, on_change=on_change, args=args or None)
    if isinstance(param, LogFloat):
        st.select_slider(label, options=param.grid(), format_func=_fmt, **common)
    elif isinstance(param, Float):
        st.slider(label, min_value=float(param.lo), max_value=float(param.hi), step=float(param.step), **common)
    elif isinstance(param, Int):
        st.slider(label, min_value=int(param.lo), max_value=int(param.hi), step=int(param.step), **common)
    elif isinstance(param, Choice):
        fmt = lambda k: t.choice(param.name, k)
        if len(param.choices) <= 4:
            st.segmented_control(label, param.choices, format_func=fmt, required=True, default=None, **common)
        else:
            st.selectbox(label, param.choices, format_func=fmt, **common)
    elif isinstance(param, Multi):
        fmt = lambda k: t.choice(param.name, k)
        st.multiselect(label, param.choices, format_func=fmt, max_selections=param.hi, **common)
    elif isinstance(param, Bool):
        st.toggle(label, **common)
    elif isinstance(param, (FloatList, Typed)):
        st.text_input(label, **common)
    else:  # pragma: no cover - a new Param kind must get a widget here
        raise TypeError(f"no widget for {type(param).__name__}")
