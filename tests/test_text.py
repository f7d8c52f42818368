"""Every page's catalogue is complete in every language, and every declared knob has words."""

import string
from pathlib import Path

import pytest

from core import registry
from core.text import LANGS, Text, flatten, raw_catalogue

CORE = Path(registry.__file__).parent
CATALOGUES = sorted(
    [p.stem for p in (CORE / "text").glob("*.toml")] + [p.parent.name for p in CORE.glob("*/text.toml")]
)


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_language_has_the_same_keys_and_placeholders(name):
    tables = {lang: flatten(raw_catalogue(name).get(lang, {})) for lang in LANGS}
    keys = {lang: set(t) for lang, t in tables.items()}
    ref = keys[LANGS[0]]
    for lang in LANGS[1:]:
        assert keys[lang] == ref, (lang, sorted(ref ^ keys[lang]))
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}
    for key in ref:
        assert fields(tables["en"][key]) == fields(tables["zh"][key]), key


def test_every_registered_page_has_a_catalogue():
    assert {c.key for c in registry.CONCEPTS} | {"home", "common"} <= set(CATALOGUES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", [c.key for c in registry.CONCEPTS])
def test_every_param_choice_and_preset_has_text(key, lang):
    concept, t = registry.get(key), Text(key, lang)
    for k in ("title", "question", "intro"):
        assert t.has(k), k
    for p in concept.params:
        assert t.has(f"params.{p.name}.label"), p.name
        for choice in getattr(p, "choices", ()):
            assert t.has(f"choices.{p.name}.{choice}") or t.has(f"choices.{choice}"), (p.name, choice)
    for name in concept.presets:
        assert t.has(f"presets.{name}"), name


def test_text_lookup_formats_and_falls_back_to_common():
    t = Text("activations", "zh")
    assert t("sidebar.reset").startswith("↺")
    assert "2" in t("explorer.probe_heading", x0="2")
    assert t("no.such.key") == "no.such.key"
    assert Text("activations", "xx").lang == "en"
