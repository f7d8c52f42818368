"""The parts every page shares: navigation, language switch, notices, presets, reset, share box."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from core import lessons, registry
from core.experiment import Concept
from core.notices import notice_text
from core.params import Notice, ParamSet, to_query_string
from core.text import LANGS, Text, shown
from core.ui import state
from core.ui.live import in_section

STYLE = """<style>
/* preset names are sentences: let sidebar buttons wrap instead of cutting them with "…" */
[data-testid="stSidebar"] [data-testid="stButton"] button * {
  white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
}
[data-testid="stSidebar"] [data-testid="stButton"] button { height: auto; text-align: left; }
</style>"""


PRESENTER = """<style>
/* presenter mode: a projector at 1280×720 — no sidebar, large type, the page uses the whole width */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1rem 1.5rem 2rem; }
</style>"""


def style() -> None:
    """The app's few style rules (constants of ours, never user text); presenter mode adds its own."""
    st.markdown(STYLE + (PRESENTER if state.shell()["present"] else ""), unsafe_allow_html=True)


def footer() -> None:
    """The last line of every page, drawn after the page's script has run to its end (browser tests and benches
    wait for it: the first run is complete when it is there)."""
    st.divider()
    st.caption(Text(None, state.lang())("footer"))


def user_text(text: str) -> None:
    """A teacher's or a link's own words, shown as plain text: HTML-escaped, so no Markdown, HTML or LaTeX."""
    st.html(f"<p style='margin:0'>{html.escape(text)}</p>")


def lesson_bar() -> None:
    """On top of a lesson's step: the lesson, the step's note, previous / next (each lands on exactly its
    view), and a way out of presenter mode (whose sidebar is hidden)."""
    info = state.shell()
    if info["present"]:
        st.button(
            Text(None, state.lang())("sidebar.present_off"),
            key="_present_off",
            on_click=state.set_present,
            args=(False,),
        )
    if not info["lesson"]:
        return
    t = Text("lessons", state.lang())
    try:
        lesson = lessons.load(info["lesson"])
    except lessons.LessonError as err:
        st.warning(t(f"error.{err.code}", **{k: shown(v) for k, v in err.info.items()}), icon="⚠️")
        return
    k = min(info["step"], len(lesson.steps))
    step = lesson.steps[k - 1]
    title = t(f"lessons.{lesson.code}.title") if lesson.builtin else t("custom_title")
    with st.container(border=True):
        st.markdown(f"**📚 {title}** · {t('step_of', k=k, n=len(lesson.steps))}")
        if lesson.builtin:
            st.markdown(t(step.note))
        else:
            user_text(step.note)
        here = {"lang": state.lang(), "present": "1" if info["present"] else "0"}
        cols = st.columns(3)
        for col, target, label in ((cols[0], k - 1, t("previous")), (cols[2], k + 1, t("next"))):
            if 1 <= target <= len(lesson.steps):  # a button, not a page link: the next step may be this page
                page = registry.get(lesson.steps[target - 1].page).page
                col.button(
                    label,
                    key=f"_lesson_step_{target}",
                    width="stretch",
                    on_click=state.go,
                    args=(page, lean(lesson.step_query(target, here))),
                )
        cols[1].page_link("views/lessons.py", label=t("overview"), query_params=lean({**here, "lesson": lesson.code}))


def lean(query: dict[str, str]) -> dict[str, str]:
    """Drop app-wide keys at their defaults (a link lists only what differs)."""
    defaults = {"lang": "en", "present": "0", "step": "1"}
    return {k: v for k, v in query.items() if defaults.get(k) != v}


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
    lessons_page = st.Page("views/lessons.py", title=Text("lessons", lang)("nav"), icon="📚", url_path="lessons")
    return [home, lessons_page] + [
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


def link(concept_key: str, page_query: dict[str, str], shell: bool = True) -> str:
    """Absolute link to a page with the given page query (plus the app-wide keys, unless `shell=False`)."""
    base = st.context.url or f"/{concept_key}"
    qs = to_query_string(state.query_for(page_query) if shell else page_query)
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


BADGES = {"true": ("✅", "green"), "false": ("❌", "red"), "partly": ("◐", "orange"), "depends": ("⚖️", "blue")}


@st.cache_resource(show_spinner=False)
def _numbers(concept_key: str) -> dict[str, Any]:
    """What a page's claims quote, measured once per process (under the compute gate) and shared."""
    from core import device

    concept = registry.get(concept_key)
    with device.compute():
        return concept.numbers() if concept.numbers else {}


def within_section(concept: Concept, section: str, values: dict[str, Any]) -> bool:
    """Whether every knob in `values` belongs to the experiment of `section` (then a rerun of that section alone
    shows all that `values` changes; otherwise the whole page must rerun, or the other sections would keep
    showing their old knobs while the link already says the new ones)."""
    own = next((e.params.names for e in concept.experiments if e.key == section), ())
    return set(values) <= set(own)


def claim_cards(t: Text, concept: Concept, claims, numbers: dict[str, Any] | None = None, intro: bool = False) -> None:
    """Cards for `claims` (see core.experiment.Claim), in two columns, filled from `numbers` (default: the
    concept's own, measured once per process); `intro` introduces the interview notes above them."""
    from core import style

    if intro:
        st.caption(t("claims_about"))
    numbers = _numbers(concept.key) if numbers is None else numbers
    cols = st.columns(2)
    for i, claim in enumerate(claims):
        verdict = claim.judged(numbers)
        icon, colour = BADGES[verdict]
        with cols[i % 2].container(border=True):
            st.markdown(f":{colour}-badge[{icon} {t('verdict.' + verdict)}] **{t(f'claims.{claim.key}.claim')}**")
            st.markdown(t(f"claims.{claim.key}.why", **numbers))
            if claim.evidence:
                labels = [t(f"claims.{claim.key}.{label}") for label, _ in claim.evidence]
                values = [float(numbers[key]) for _, key in claim.evidence]
                st.plotly_chart(
                    style.evidence(labels, values), key=f"_claim_fig.{claim.key}", config={"displayModeBar": False}
                )
            if claim.preset:
                preset = dict(concept.presets[claim.preset])
                pressed = st.button(
                    t("claims_show"),
                    key=f"_claim_preset.{claim.key}",
                    on_click=state.apply_preset,
                    args=(concept.key, concept.params, preset),
                )
                if pressed and in_section() and not within_section(concept, claim.section, preset):
                    st.rerun(scope="app")  # a button in a section reruns that section only: the whole page follows
