"""One widget per parameter declaration. The widget's value lives in session state under `wkey`."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import streamlit as st

from core.params import Bool, Choice, Float, FloatList, Int, LogFloat, Multi, Param, Typed, _fmt
from core.text import LANGS, Text


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


SEGMENT_MAX, SEGMENTS_MAX = 12, 24  # characters of one option / of all options that fit a segmented control


def segmented(param: Choice, page: str | None) -> bool:
    """A few short options read best as a segmented control; longer ones are cut in a narrow column ("Digi…"),
    so they get a select box. Decided on the labels of every language, so the widget never changes kind with
    the language."""
    if len(param.choices) > 4:
        return False
    for lang in LANGS:
        labels = [Text(page, lang).choice(param.name, k) for k in param.choices]
        if max(map(len, labels)) > SEGMENT_MAX or sum(map(len, labels)) > SEGMENTS_MAX:
            return False
    return True


@lru_cache(maxsize=256)
def _labels(grid: tuple[float, ...]) -> dict[float, str]:
    """A LogFloat slider's position labels, written once (Streamlit formats every option on every run)."""
    return {v: _fmt(v) for v in grid}


def draw(
    param: Param,
    t: Text,
    key: str,
    *,
    disabled: bool = False,
    exact: Any = None,
    on_change: Callable | None = None,
    args: tuple = (),
    span: Any = None,
) -> None:
    """Draw the widget for `param` in the current container; its state is already seeded.

    `exact`: a value from a link that the slider cannot show (off its grid): the label says it, the slider
    shows the nearest position. `on_change(*args)` runs before the rerun when the user moves the widget.
    `span`: the part of the range the other values leave the knob (`Param.span`), which the widget offers
    instead of the declared range; its state must already lie inside it."""
    label, help_ = t.label(param.name), t.help(param.name)
    if exact is not None:
        label = f"{label} = {param.encode(exact)}"
    common = dict(key=key, help=help_, disabled=disabled, on_change=on_change, args=args or None)
    if isinstance(param, LogFloat):
        grid = param.grid()
        labels = _labels(grid)
        st.select_slider(label, options=grid, format_func=lambda v: labels.get(v) or _fmt(v), **common)
    elif isinstance(param, Float):
        lo, hi = span or (param.lo, param.hi)
        st.slider(label, min_value=float(lo), max_value=float(hi), step=float(param.step), **common)
    elif isinstance(param, Int):
        lo, hi = span or (param.lo, param.hi)
        st.slider(label, min_value=int(lo), max_value=int(hi), step=int(param.step), **common)
    elif isinstance(param, Choice):
        fmt = lambda k: t.choice(param.name, k)
        options = span or param.choices
        if segmented(param, t.page):  # decided on the declaration, so the kind never changes under a key
            st.segmented_control(label, options, format_func=fmt, required=True, default=None, **common)
        else:
            st.selectbox(label, options, format_func=fmt, **common)
    elif isinstance(param, Multi):
        fmt = lambda k: t.choice(param.name, k)
        st.multiselect(label, param.choices, format_func=fmt, max_selections=param.hi, **common)
    elif isinstance(param, Bool):
        st.toggle(label, **common)
    elif isinstance(param, (FloatList, Typed)):
        st.text_input(label, **common)
    else:  # pragma: no cover - a new Param kind must get a widget here
        raise TypeError(f"no widget for {type(param).__name__}")
