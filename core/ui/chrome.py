"""The parts every page shares: navigation, language switch, notices, presets, reset, share box."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import registry
from core.experiment import Concept
from core.notices import notice_text
from core.params import Notice, ParamSet, to_query_string
from core.text import LANGS, Text
from core.ui import state

STYLE = """<style>
/* preset names are sentences: let sidebar buttons wrap instead of cutting them with "…" */
[data-testid="stSidebar"] [data-testid="stButton"] button * {
  white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
}
[data-testid="stSidebar"] [data-testid="stButton"] button { height: auto; text-align: left; }
</style>"""


def style() -> None:
    """The app's few style rules (a constant of ours, never user text)."""
    st.markdown(STYLE, unsafe_allow_html=True)


def language() -> list[Notice]:
    """The EN / 中文 switch at the top of the sidebar (seeded from the URL on the first run)."""
    notices = state.seed_lang()
    t = Text(None, state.lang())
    st.sidebar.segmented_control(
        t("sidebar.lang"),
        LANGS,
        format_func=lambda k: t.choice("lang", k),
        key="lang",
        required=True,
        default=None,
        on_change=state.relabel,
    )
    return notices


def pages() -> list:
    """st.Page objects for the home page and every registered concept, titled in the current language."""
    lang = state.lang()
    home = st.Page("views/home.py", title=Text("home", lang)("nav"), icon="🏠", default=True)
    return [home] + [
        st.Page(c.page, title=Text(c.key, lang)("title"), icon=c.icon, url_path=c.key) for c in registry.CONCEPTS
    ]


def notices(t: Text, params: ParamSet, values: dict[str, Any], items: list[Notice]) -> None:
    """Link problems as one warning (with a heading); value conflicts as an info line each."""
    bad_link = [notice_text(t, params, values, n) for n in items if n.code != "conflict"]
    if bad_link:
        st.warning(t("notice.heading") + "\n\n" + "\n".join(f"- {m}" for m in bad_link), icon="⚠️")
    for n in items:
        if n.code == "conflict":
            st.info(notice_text(t, params, values, n), icon="ℹ️")


def link(concept_key: str, page_query: dict[str, str]) -> str:
    """Absolute link to a page with the given page query (plus the language)."""
    base = st.context.url or f"/{concept_key}"
    qs = to_query_string(state.query_for(page_query))
    return f"{base}?{qs}" if qs else base


def sidebar(t: Text, concept: Concept) -> Any:
    """Presets (a button and a 🔗 link each), reset, and the share box; returns the share box slot."""
    params = concept.params
    with st.sidebar:
        if concept.presets:
            st.subheader(t("sidebar.presets"), help=t("sidebar.presets_help"))
            for section, names in concept.preset_groups().items():
                if t.has(f"{section}.heading"):
                    st.caption(t(f"{section}.heading"))
                for key in names:
                    preset = concept.presets[key]
                    left, right = st.columns([6, 1], vertical_alignment="center")
                    left.button(
                        t(f"presets.{key}"),
                        key=f"_preset.{key}",
                        width="stretch",
                        on_click=state.apply_preset,
                        args=(concept.key, params, dict(preset)),
                    )
                    values, _ = params.validate({**params.defaults(), **preset})
                    right.markdown(f"[{t('sidebar.preset_link')}]({link(concept.key, params.encode(values))})")
        st.button(
            t("sidebar.reset"),
            key="_reset",
            width="stretch",
            on_click=state.apply_preset,
            args=(concept.key, params, {}),
        )
        st.subheader(t("sidebar.share"), help=t("sidebar.share_help"))
        return st.empty()


def share_box(slot: Any, concept: Concept, values: dict[str, Any]) -> None:
    slot.code(link(concept.key, concept.params.encode(values)), language=None, wrap_lines=True)
