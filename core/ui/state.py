"""The URL is the state: seed widgets from the query string, write the query string from widgets.

Why not `bind="query-params"` alone: Streamlit's binding stores a select box by its *display
label* (`format_func`), so the same view would get a different link in English and in Chinese,
and a link made in one language would silently fall back to defaults in the other. It also drops
bad values without telling anyone. Here the URL always holds the declared stable keys, through the
same codec the CLI parses (core.params), and every rejected value produces a notice.

Rules:
- On the first run of a page (a fresh load, a shared link, arriving from another page), the page's
  widgets are seeded from the query string; bad entries become notices and fall back to defaults.
- On every later run of the same page the widgets are authoritative: their values are validated,
  and the query string is rewritten (defaults left out) before anything slow runs.
- `lang` is app-wide: read from the URL on the first run of the session, kept across pages.
- A link's value off a slider's grid is kept exactly: the widget shows the nearest position and the
  exact value is remembered beside it (`_EXACT`) until the user moves that widget.
- Leaving a page by the sidebar and coming back brings back the view the student left: the sidebar's
  link carries no settings, so a fresh visit whose URL names none of the page's keys takes the page's
  last view in this session (`_LAST`). A link with settings always wins; Reset returns to the defaults.
- After a language switch every widget of the page is seeded again, so select boxes and segmented
  controls show their options in the new language at once (the browser keeps a widget's old label
  otherwise, until the widget is touched).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.experiment import Concept
from core.params import GLOBALS, Notice, Param, ParamSet
from core.text import LANGS
from core.ui.widgets import from_widget, to_widget, wkey

LANG = GLOBALS["lang"]
_PAGE = "_dlp.page"  # page key of the previous run in this session
_FRESH = "_dlp.fresh"  # True while the current run is the first one of this page visit
_VISIT = "_dlp.visit"  # counts the page visits of this session
_EXACT = "_dlp.exact"  # widget key -> (exact declared value, the widget position that stands for it)
_LAST = "_dlp.last"  # page key -> its query (page keys only) at the end of its last run in this session
_RELABEL = "_dlp.relabel"  # set by the language switch: the next page run seeds its widgets again
_SHELL = "_dlp.shell"  # the app-wide keys besides the language: {"present": bool, "lesson": str, "step": int}


QUERY_FIELDS_MAX = 1000  # Streamlit drops a query string with more fields than this, silently


def dropped_link() -> list[Notice]:
    """A notice when Streamlit dropped the whole query string (more than 1,000 fields or 512 Ki characters),
    which it does without a word: the page would silently show its defaults."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        raw = get_script_run_ctx().query_string or ""
    except Exception:  # no script context (bare mode): nothing was dropped
        return []
    fields = raw.count("&") + 1 if raw else 0
    if raw and not st.query_params.to_dict() and (fields > QUERY_FIELDS_MAX or len(raw) > 512 * 1024):
        return [Notice("", "too_many", "", {"n": fields, "limit": QUERY_FIELDS_MAX})]
    return []


def _lesson_mark() -> tuple[str, str]:
    return st.query_params.get("lesson", ""), st.query_params.get("step", "")


def enter_page(page_key: str) -> bool:
    """Called by the shell before each page runs; remembers whether this run is a fresh visit (another page,
    or another step of a lesson: the next step may be the same page with other settings)."""
    mark = (page_key, _lesson_mark())
    fresh = st.session_state.get(_PAGE) != mark
    st.session_state[_PAGE] = mark
    if fresh:
        st.session_state[_VISIT] = st.session_state.get(_VISIT, 0) + 1
    st.session_state[_FRESH] = fresh
    return fresh


def visit() -> int:
    """A number that changes with every page visit of this session."""
    return st.session_state.get(_VISIT, 0)


def fresh() -> bool:
    """Whether this run is the first one of a page visit (before the page has read its values)."""
    return st.session_state.get(_FRESH, True)


def read_shell() -> list[Notice]:
    """On a fresh visit: presenter mode, lesson and step from the URL (presenter mode stays on until a link
    says present=0; a visit without a lesson leaves the lesson). Bad values become notices."""
    query = {k: v for k, v in st.query_params.to_dict().items() if k in ("present", "lesson", "step")}
    values, notices = ParamSet(tuple(GLOBALS[k] for k in ("present", "lesson", "step"))).decode(query)
    shell = st.session_state.setdefault(_SHELL, {"present": False, "lesson": "", "step": 1})
    if "present" in query:
        shell["present"] = values["present"]
    shell["lesson"], shell["step"] = values["lesson"], values["step"]
    return notices


_GO = "_dlp.go"  # a page and query to switch to at the start of the next run (a lesson's previous / next)


def go(page: str, query: dict[str, str]) -> None:
    """Button callback: open `page` with exactly `query` on the next run (see `pending_switch`)."""
    st.session_state[_GO] = (page, query)


def pending_switch() -> None:
    """Called by the shell after st.navigation: carry out a `go` (st.switch_page cannot run in a callback)."""
    target = st.session_state.pop(_GO, None)
    if target is not None:
        st.switch_page(target[0], query_params=target[1])


def shell() -> dict[str, Any]:
    return st.session_state.get(_SHELL, {"present": False, "lesson": "", "step": 1})


def set_present(on: bool) -> None:
    st.session_state.setdefault(_SHELL, dict(shell()))["present"] = on


def seed_lang() -> list[Notice]:
    """Put the language from the URL into session state on the session's first run."""
    if "lang" in st.session_state:
        return []
    raw = st.query_params.get("lang")
    try:
        st.session_state["lang"] = LANG.parse(raw) if raw is not None else LANG.default
        return []
    except Exception as err:  # ParamError
        st.session_state["lang"] = LANG.default
        return [Notice("lang", getattr(err, "code", "choice"), str(raw), getattr(err, "info", {}))]


def relabel() -> None:
    """Language switch callback: the next run re-seeds the page's widgets (see the module docstring)."""
    st.session_state[_RELABEL] = True


def lang() -> str:
    value = st.session_state.get("lang", LANG.default)
    return value if value in LANGS else LANG.default


def seed(page: str, params: ParamSet, values: dict[str, Any]) -> None:
    """Write declared values into the widgets' session state (before the widgets are drawn)."""
    exact = st.session_state.setdefault(_EXACT, {})
    for p in params:
        key, shown = wkey(page, p.name), to_widget(p, values[p.name])
        st.session_state[key] = shown
        if p.encode(p.nearest(values[p.name])) != p.encode(values[p.name]):
            exact[key] = (values[p.name], shown)
        else:
            exact.pop(key, None)


def exact_value(page: str, name: str) -> Any:
    """The exact value a slider stands for when it is off the slider's grid, else None."""
    kept = st.session_state.get(_EXACT, {}).get(wkey(page, name))
    return kept[0] if kept is not None else None


def _widget_value(page: str, p: Param) -> Any:
    key = wkey(page, p.name)
    shown, exact = st.session_state[key], st.session_state.get(_EXACT, {})
    kept = exact.get(key)
    if kept is not None:
        if shown == kept[1]:
            return kept[0]
        del exact[key]  # the user moved it: the widget's own value from now on
    return from_widget(p, shown)


def page_values(concept: Concept) -> tuple[dict[str, Any], list[Notice]]:
    """The page's current values (validated) and the notices to show for this run."""
    params, page = concept.params, concept.key
    if st.session_state.get(_FRESH, True):
        query = st.query_params.to_dict()
        last = st.session_state.get(_LAST, {}).get(page)
        if last and not set(query) - set(GLOBALS.names) and not shell()["lesson"]:  # back by the sidebar
            query = {**last, **query}
        values, notices = params.decode(query, known=GLOBALS.names)
        notices = dropped_link() + notices
        seed(page, params, values)
        st.session_state[_FRESH] = False
    else:
        raw = {p.name: _widget_value(page, p) for p in params if wkey(page, p.name) in st.session_state}
        values, notices = params.validate(raw)
        missing = {p.name for p in params} - raw.keys()
        if st.session_state.pop(_RELABEL, False):  # new language: every widget shows its new labels
            seed(page, params, values)
        elif missing:  # a widget not drawn in an interrupted run: seed it again
            seed(page, ParamSet(tuple(p for p in params if p.name in missing)), values)
    encoded = params.encode(values)
    st.session_state.setdefault(_LAST, {})[page] = encoded
    write_url(encoded)
    return values, notices


def shell_notices() -> list[Notice]:
    """The home page's link check: it has no settings of its own, so every key but the app-wide ones is unknown."""
    if not st.session_state.get(_FRESH, True):
        return []
    st.session_state[_FRESH] = False
    _, notices = GLOBALS.decode(st.query_params.to_dict())
    return dropped_link() + [n for n in notices if n.param not in GLOBALS.names]


def query_for(page_query: dict[str, str], lesson: bool = True) -> dict[str, str]:
    """Page query + the app-wide keys (only where they differ from their defaults); `lesson=False` for a link
    that leaves the lesson (the sidebar's)."""
    keys = shell() if lesson else {**shell(), "lesson": "", "step": 1}
    return {**page_query, **GLOBALS.encode({"lang": lang(), **keys})}


def write_url(page_query: dict[str, str]) -> None:
    wanted = query_for(page_query)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def apply_preset(page: str, params: ParamSet, preset: dict[str, Any]) -> None:
    """Button callback: set every widget of the page to defaults overridden by `preset`."""
    values, _ = params.validate({**params.defaults(), **preset})
    seed(page, params, values)


def fit(page: str, param: Param, span: Any) -> None:
    """Before a widget whose range depends on other values is drawn: move its value into `span` (`Param.fit`;
    Streamlit refuses a widget value outside the widget's range). The page's values were moved the same way
    by `ParamSet.apply_rules`."""
    if wkey(page, param.name) not in st.session_state:
        return
    value = _widget_value(page, param)
    fitted = param.fit(value, span)
    if fitted != value:
        seed(page, ParamSet((param,)), {param.name: fitted})
