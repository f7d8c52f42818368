"""Every registered page under Streamlit's AppTest: defaults, shared links (presets as URLs), both
languages, bad links, widget interaction rewriting the URL, preset buttons and reset."""

import pytest

from core import registry
from core.params import to_query_string
from core.text import LANGS
from core.ui import live
from core.ui.widgets import from_widget, to_widget, wkey
from tests.conftest import open_page, pick, scrub_layouts

KEYS = [c.key for c in registry.CONCEPTS]
KINDS = ("slider", "select_slider", "multiselect", "selectbox", "toggle", "text_input", "segmented_control")


def widget(at, key):
    for kind in KINDS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise KeyError(key)


def shown(at, key: str, p) -> object:
    """What the page shows for knob `p`: its widget's value; a scrub knob's value is its state, and a scrub chart's
    slider stands at it."""
    k = wkey(key, p.name)
    if p.scrub:
        sliders = [layout["sliders"][0] for layout in scrub_layouts(at).values()]
        at_labels = [s["steps"][s["active"]]["label"] for s in sliders]
        assert p.encode(p.nearest(from_widget(p, at.session_state[k]))) in at_labels, p.name
        return at.session_state[k]
    return widget(at, k).value


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_every_registered_page_and_the_device(lang):
    at = open_page("home", lang=lang)
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    from core.text import Text

    for c in registry.CONCEPTS:
        assert Text(c.key, lang)("title") in text
    assert any("PyTorch" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_page_renders_with_defaults(key, lang):
    at = open_page(key, lang=lang)
    assert_clean(at)
    assert not at.warning
    assert len(at.get("plotly_chart")) >= 1
    concept = registry.get(key)
    for p in concept.params:
        assert shown(at, key, p) == to_widget(p, p.default), p.name
    assert at.query_params == ({"lang": lang} if lang != "en" else {})


PRESET_CASES = [(c.key, name) for c in registry.CONCEPTS for name in c.presets]


@pytest.mark.parametrize("key,preset", PRESET_CASES)
def test_a_shared_link_sets_every_widget(key, preset, monkeypatch):
    monkeypatch.setattr(live, "FIRST_CHUNK_ONLY", True)  # the controls and the link are checked, not the training
    concept = registry.get(key)
    values, _ = concept.params.validate({**concept.params.defaults(), **concept.presets[preset]})
    query = concept.params.encode(values)
    at = open_page(key, query=query, lang="zh")
    assert_clean(at)
    assert not at.warning
    for p in concept.params:
        assert shown(at, key, p) == to_widget(p, values[p.name]), p.name
    assert at.query_params == {**query, "lang": "zh"}  # the URL still says exactly this view


@pytest.mark.parametrize("key", KEYS)
def test_a_bad_link_shows_a_specific_notice_and_still_renders(key):
    concept = registry.get(key)
    first = concept.params.params[0]
    at = open_page(key, query={first.name: "%%bad%%", "no_such_knob": "1"})
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert first.name in warning and "no_such_knob" in warning
    assert shown(at, key, first) == to_widget(first, first.default)
    assert len(at.get("plotly_chart")) >= 1
    assert "no_such_knob" not in at.query_params  # the bad entries are dropped from the URL


def test_bad_language_in_the_link_is_reported_and_english_used():
    at = open_page("home", lang="klingon")
    assert not at.exception
    assert any("klingon" in w.value for w in at.warning)
    assert at.session_state["lang"] == "en"
    assert at.query_params == {}


def test_moving_a_widget_rewrites_the_url_and_the_chart():
    at = open_page("activations")
    before = at.get("plotly_chart")[0].proto.spec
    at.slider(key="activations.xmax").set_value(2.5).run()
    assert_clean(at)
    assert at.query_params["xmax"] == "2.5"
    assert at.get("plotly_chart")[0].proto.spec != before
    at.multiselect(key="activations.fns").set_value(["relu", "gelu"]).run()
    assert at.query_params["fns"] == "relu,gelu"


def test_moving_the_probe_out_of_the_range_explains_the_conflict():
    at = open_page("activations", query={"x0": "5"})
    at.slider(key="activations.xmax").set_value(3.0).run()
    assert not at.exception
    assert any("3" in i.value for i in at.info)
    assert at.query_params["x0"] == "3" and at.query_params["xmax"] == "3"


def test_preset_button_applies_the_preset_and_reset_returns_to_defaults():
    at = open_page("activations", query={"x0": "-4"})
    at.button(key="_preset.dead_relu").click().run()
    assert_clean(at)
    concept = registry.get("activations")
    expected, _ = concept.params.validate({**concept.params.defaults(), **concept.presets["dead_relu"]})
    assert at.query_params == concept.params.encode(expected)
    at.button(key="_reset").click().run()
    assert at.query_params == {}
    assert probe_label(at) == f"{concept.params['x0'].default:g}"


def test_share_box_holds_the_full_link():
    at = open_page("activations", query={"x0": "2", "fns": "relu"}, lang="zh")
    link = at.code[-1].value
    assert link.endswith("?" + to_query_string({"fns": "relu", "x0": "2", "lang": "zh"}))


def test_switching_language_keeps_the_view_and_translates_it():
    at = open_page("activations", query={"x0": "2"})
    assert at.title[0].value.endswith("Activations")
    at.segmented_control(key="lang").set_value("zh").run()
    assert_clean(at)
    assert at.title[0].value.endswith("激活函数")
    assert probe_label(at) == "2"
    assert at.query_params == {"x0": "2", "lang": "zh"}


def probe_label(at) -> str:
    """The position of the activations' probe x₀ (a scrub slider under the explorer's chart)."""
    slider = scrub_layouts(at)["act.explorer"]["sliders"][0]
    return slider["steps"][slider["active"]]["label"]


def test_a_value_off_the_slider_grid_is_kept_exactly_until_the_slider_moves():
    at = open_page("activations", query={"xmax": "3.3", "fns": "relu"})
    assert_clean(at)
    slider = at.slider(key="activations.xmax")
    assert slider.value == pytest.approx(3.5) and "3.3" in slider.label  # nearest position; the label says it
    assert at.query_params["xmax"] == "3.3"
    at.multiselect(key="activations.fns").set_value(["relu", "tanh"]).run()  # another widget: xmax stays exact
    assert at.query_params["xmax"] == "3.3" and at.query_params["fns"] == "tanh,relu"
    at.slider(key="activations.xmax").set_value(4.0).run()  # the user moves it: the slider's value from now on
    assert at.query_params["xmax"] == "4" and "3.3" not in at.slider(key="activations.xmax").label


def test_the_probe_off_its_grid_is_kept_exactly_until_a_pick():
    at = open_page("activations", query={"x0": "0.123", "fns": "relu"})
    assert_clean(at)
    prefix = scrub_layouts(at)["act.explorer"]["sliders"][0]["currentvalue"]["prefix"]
    assert probe_label(at) == "0.1" and "(0.123) ≈" in prefix and at.query_params["x0"] == "0.123"
    at.multiselect(key="activations.fns").set_value(["relu", "tanh"]).run()  # another widget: x0 stays exact
    assert at.query_params["x0"] == "0.123"
    pick(at, "activations", "x0", 0.5)  # the user lets go of the probe's slider at 0.5
    assert at.query_params["x0"] == "0.5" and probe_label(at) == "0.5"


def test_navigation_reads_in_order_pooling_after_convolution():
    keys = [c.key for c in registry.CONCEPTS]
    assert keys.index("convolution") < keys.index("pooling")
    assert keys[0] == "activations" and len(set(keys)) == len(keys)
