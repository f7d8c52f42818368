"""Lessons: the built-in lessons, one lesson's steps (from its link), and a maker for a teacher's own."""

import streamlit as st

from core import lessons, registry
from core.text import Text, shown
from core.ui import chrome, state

lang = state.lang()
t = Text("lessons", lang)
chrome.notices(Text(None, lang), state.GLOBALS, state.GLOBALS.defaults(), state.shell_notices())
state.write_url({})
shell = state.shell()
here = {"lang": lang, "present": "1" if shell["present"] else "0"}

st.title(t("title"))
st.markdown(t("intro"))


def step_links(lesson: lessons.Lesson) -> None:
    """Every step of a lesson: its page, its note, a link that opens exactly its view."""
    for k, step in enumerate(lesson.steps, 1):
        page_text = Text(step.page, lang)
        concept = registry.get(step.page)
        with st.container(border=True):
            st.page_link(
                concept.page,
                label=f"{k}. {concept.icon} {page_text('title')}",
                query_params=chrome.lean(lesson.step_query(k, here)),
            )
            if lesson.builtin:
                st.markdown(t(step.note))
            else:
                chrome.user_text(step.note)


if shell["lesson"]:
    try:
        chosen = lessons.load(shell["lesson"])
        st.header(t(f"lessons.{chosen.code}.title") if chosen.builtin else t("custom_title"))
        step_links(chosen)
    except lessons.LessonError as err:
        st.warning(t(f"error.{err.code}", **{k: shown(v) for k, v in err.info.items()}), icon="⚠️")

st.header(t("builtin_heading"))
for key in lessons.BUILTIN:
    lesson = lessons.builtin(key)
    with st.container(border=True):
        st.subheader(t(f"lessons.{key}.title"))
        st.markdown(t(f"lessons.{key}.description"))
        first = registry.get(lesson.steps[0].page).page
        st.page_link(first, label=t("start"), icon="▶️", query_params=chrome.lean(lesson.step_query(1, here)))

st.header(t("make_heading"))
st.markdown(t("make_intro"))
text = st.text_area(t("make_label"), placeholder=t("make_placeholder"), key="_lesson_lines", height=160)
present = st.toggle(t("present_label"), key="_lesson_present", value=bool(shell["present"]))
if text.strip():
    try:
        steps = lessons.from_links(text)
        code = lessons.pack(steps)
        made = lessons.unpack(code)
        st.success(t("made", n=len(made.steps)), icon="📚")
        query = chrome.lean({"lang": lang, "present": "1" if present else "0", "lesson": code})
        st.code(chrome.link("lessons", query, shell=False), language=None, wrap_lines=True)
        step_links(made)
    except lessons.LessonError as err:
        st.warning(t(f"error.{err.code}", **{k: shown(v) for k, v in err.info.items()}), icon="⚠️")
