"""Lessons: packed into one link and unpacked with every check; built-in lessons name real presets; the
lesson bar on each step lands previous / next on exactly their views; a teacher's notes are shown as text."""

import base64
import zlib
from urllib.parse import parse_qsl

import pytest

from core import lessons, registry
from core.params import to_query_string
from tests.conftest import open_page


def test_a_packed_lesson_round_trips_and_fits_a_link():
    steps = [("activations", "x0=2", "Look at x₀ = 2"), ("gradients", "depth=50", "deep"), ("pooling", "", "n")]
    code = lessons.pack(steps)
    assert (
        code.startswith("~") and len(code) < 200 and code.replace("~", "").replace("-", "").replace("_", "").isalnum()
    )
    lesson = lessons.load(code)
    assert [(s.page, to_query_string(s.query), s.note) for s in lesson.steps] == list(steps)
    assert lesson.step_query(2, {"lang": "zh"}) == {"depth": "50", "lang": "zh", "lesson": code, "step": "2"}


@pytest.mark.parametrize(
    "code,why",
    [
        ("nosuchlesson", "unknown"),
        ("~not*base64", "damaged"),
        ("~" + base64.urlsafe_b64encode(b"plain").decode(), "damaged"),
        (lessons.pack([("nosuchpage", "", "x")]), "page"),
        (lessons.pack([("activations", "x0=99", "x")]), "query"),
        (lessons.pack([("activations", "", "y" * 201)]), "note"),
        (lessons.pack([("activations", "", str(i)) for i in range(21)]), "steps"),
        ("~" + base64.urlsafe_b64encode(zlib.compress(b"[" + b" " * 10_000_000 + b"]")).decode(), "long"),
        ("~" + base64.urlsafe_b64encode(zlib.compress(b'{"a": 1}')).decode(), "shape"),
    ],
)
def test_a_bad_lesson_link_is_refused_with_a_reason(code, why):
    with pytest.raises(lessons.LessonError) as err:
        lessons.load(code)
    assert err.value.code == why


@pytest.mark.parametrize("key", list(lessons.BUILTIN))
def test_every_built_in_lesson_names_real_presets_and_has_words(key):
    from core.text import LANGS, Text

    lesson = lessons.load(key)
    for k, (page, preset) in enumerate(lessons.BUILTIN[key], 1):
        assert preset in registry.get(page).presets
        for lang in LANGS:
            t = Text("lessons", lang)
            assert t.has(f"lessons.{key}.step{k}") and t.has(f"lessons.{key}.title")
    assert len(lesson.steps) == len(lessons.BUILTIN[key])


def test_a_teacher_makes_a_lesson_from_share_links():
    text = """http://host:8501/activations?x0=2&lang=zh | first note
    /gradients?depth=50&lesson=old&step=3 | second
    """
    assert lessons.from_links(text) == [("activations", "x0=2", "first note"), ("gradients", "depth=50", "second")]
    with pytest.raises(lessons.LessonError) as err:
        lessons.from_links("http://host/nosuch?x=1 | n")
    assert err.value.code == "page"


def links(at) -> list[tuple[str, dict]]:
    return [(pl.proto.label, dict(parse_qsl(pl.proto.query_string))) for pl in at.get("page_link")]


def test_the_lesson_bar_leads_to_exactly_the_neighbouring_steps():
    lesson = lessons.load("vanishing")
    at = open_page("gradients", query=lesson.step_query(3, {}))
    assert not at.exception and not at.warning
    assert any("3 of 6" in m.value for m in at.markdown)
    assert at.query_params == {**lesson.steps[2].query, "lesson": "vanishing", "step": "3"}  # the step's view
    at.button(key="_lesson_step_4").click().run()  # Next: step 4 is the same page with other settings
    assert not at.exception
    assert at.query_params == {**lesson.steps[3].query, "lesson": "vanishing", "step": "4"}
    assert any("4 of 6" in m.value for m in at.markdown)
    at.button(key="_lesson_step_3").click().run()  # and back
    assert at.query_params == {**lesson.steps[2].query, "lesson": "vanishing", "step": "3"}


def test_a_teachers_note_is_shown_as_text_only():
    code = lessons.pack([("activations", "x0=2", "**bold** [link](https://evil.example) $x$ <b>hi</b>")])
    at = open_page("activations", query={"x0": "2", "lesson": code})
    assert not at.exception
    html = [h.proto.body for h in at.get("html")]
    assert any("&lt;b&gt;hi&lt;/b&gt;" in body and "**bold**" in body for body in html)
    assert not any("evil.example" in m.value for m in at.markdown)


def test_a_damaged_lesson_link_still_shows_the_page_with_a_notice():
    at = open_page("activations", query={"x0": "2", "lesson": "~AAAA"})
    assert not at.exception and any("damaged" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) >= 1


def test_the_lessons_page_lists_the_built_in_lessons_and_makes_a_link():
    at = open_page("lessons")
    assert not at.exception
    starts = [q for label, q in links(at) if label == "Start the lesson"]
    assert {q["lesson"] for q in starts} == set(lessons.BUILTIN)
    at.text_area(key="_lesson_lines").set_value("/activations?x0=2 | a note\n/pooling | b").run()
    assert not at.exception and any("2 steps" in s.value for s in at.success)
    assert "lesson=~" in at.code[-1].value


def test_presenter_mode_from_the_link_hides_the_sidebar_and_can_be_left():
    at = open_page("activations", query={"present": "1"})
    assert any("stSidebar" in m.value and "display: none" in m.value for m in at.markdown)
    at.button(key="_present_off").click().run()
    assert not any("display: none" in m.value for m in at.markdown)
