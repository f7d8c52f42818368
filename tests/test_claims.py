"""The interview notes' claims: every declared claim is a card with words in both languages, a verdict, a
section that exists, a preset that exists, and at most ~50 words of evidence (issue 19)."""

import re
import string

import pytest

from core import registry
from core.experiment import VERDICTS, Claim
from core.text import LANGS, Text

CLAIMS = [(c.key, claim) for c in registry.CONCEPTS for claim in c.claims]


def words(text: str) -> int:
    text = re.sub(r"\{[^}]*\}", "N", text)  # a filled-in number is one word
    return len(re.findall(r"[\w.,%×−+/=≈≤≥°'’-]+", text))


@pytest.mark.parametrize("page,claim", CLAIMS, ids=[f"{p}.{c.key}" for p, c in CLAIMS])
def test_a_claim_is_a_complete_card(page, claim):
    concept = registry.get(page)
    assert callable(claim.verdict) or claim.verdict in VERDICTS  # a computed one is checked by its page's tests
    assert claim.section in [e.key for e in concept.experiments]
    assert claim.preset is None or claim.preset in concept.presets
    assert concept.numbers is not None
    for lang in LANGS:
        t = Text(page, lang)
        assert t.has(f"claims.{claim.key}.claim") and t.has(f"claims.{claim.key}.why"), lang
        for label, _ in claim.evidence:
            assert t.has(f"claims.{claim.key}.{label}"), (lang, label)
    why = Text(page, "en")(f"claims.{claim.key}.why")
    assert words(why) <= 55, (claim.key, words(why))
    zh = Text(page, "zh")(f"claims.{claim.key}.why")
    assert len(re.sub(r"\{[^}]*\}", "N", zh)) <= 160, claim.key  # about 50 English words


def test_the_card_rules_can_fail():  # a checker that cannot fail is a defect
    assert words("a b {x:.2f} c") == 4
    with pytest.raises(AssertionError):
        Claim("k", "maybe", "explorer")
    computed = Claim("k", lambda n: "true" if n["x"] > 1 else "maybe", "explorer")
    assert computed.judged({"x": 2}) == "true" and Claim("k", "false", "explorer").judged({}) == "false"
    with pytest.raises(AssertionError):
        computed.judged({"x": 0})
    fields = {f for _, f, _, _ in string.Formatter().parse("{a} and {b:.1f}") if f}
    assert fields == {"a", "b"}


def test_an_evidence_chart_over_decades_labels_powers_of_ten_only():
    from core import style

    wide = style.evidence(["a", "b"], [1e-8, 1.0]).layout.xaxis
    assert wide.type == "log" and wide.dtick == 2  # 8 decades, about five labels: no bare "2" and "5" between
    assert style.evidence(["a", "b"], [1.0, 3.0]).layout.xaxis.type == "linear"


def test_a_card_whose_preset_moves_another_sections_knobs_reruns_the_whole_page():
    """A button in a section reruns that section only: a card whose preset sets knobs of other sections reruns the
    page (core/ui/chrome.within_section), or those sections would keep their old knobs under a link that says the
    new ones. Today two cards do; the others set their own section's knobs."""
    from core.ui.chrome import within_section

    crossing = {
        (concept.key, claim.key)
        for concept in registry.CONCEPTS
        for experiment in concept.experiments
        for claim in concept.claims_for(experiment.key)
        if claim.preset and not within_section(concept, claim.section, dict(concept.presets[claim.preset]))
    }
    assert crossing == {("normalization", "faster"), ("normalization", "res_depth")}
    act = registry.get("activations")
    assert within_section(act, "explorer", {"x0": 2.0, "fns": ("relu",)})
    assert not within_section(act, "explorer", {"x0": 2.0, "steps": 100})  # a knob of the trainer
    assert not within_section(act, "no such section", {"x0": 2.0})
