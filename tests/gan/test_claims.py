"""The GAN page's claim cards: the numbers they quote support their verdicts, and the presets they offer show what
the cards say (trainings over seeds, with margins: one trajectory changes with the CPU's vector kernels)."""

import numpy as np
import pytest

from core.gan import claims
from core.gan import concept as gan

CARDS = {c.key: c for c in gan.CLAIMS}


def test_the_saturating_gradient_vanishes_and_adam_moves_alike_on_both():
    n = claims.numbers()
    assert n["sat"] < 0.01 < 0.9 < n["non"] and n["ratio"] > 100  # "partly": the vanishing is real for minimax
    assert n["sgd_non"] > 100 * n["sgd_sat"]  # SGD's step follows the gradient's size ...
    assert n["adam_sat"] == pytest.approx(n["adam_non"], rel=0.01)  # ... Adam's does not: "depends" (on the optimizer)
    assert n["adam_sat"] > 10 * n["sgd_sat"]
    assert {CARDS[k].judged(n) for k in ("saturate",)} == {"partly"} and CARDS["adam"].judged(n) == "depends"


def test_every_card_sits_beside_a_section_and_the_lab_holds_all_but_the_compute_one():
    assert [c.key for c in gan.CLAIMS if c.section != "lab"] == ["compute"]
    assert CARDS["compute"].section == "digits" and CARDS["compute"].preset == "digits_minute"


def test_the_adam_cards_preset_is_the_run_the_lab_tests_check():
    """tests/gan/test_lab.py::test_with_adam_even_the_saturating_loss_covers_the_ring_against_a_strong_d runs it."""
    assert gan.PRESETS["strong_d_adam"] == {"loss": "minimax", "d_steps": 5, "steps": 300}
    assert gan.LAB_PARAMS.defaults()["g_opt"] == "adam"


def test_weight_clipping_pins_critic_weights_and_the_clipped_wgan_misses_modes():
    runs = []
    for seed in (0, 1):
        preset = {**gan.LAB_PARAMS.defaults(), **gan.PRESETS["wgan_clip"], "seed": seed}
        values, notices = gan.LAB_PARAMS.validate(preset)
        assert not notices
        runs.append(gan.LAB.run(values))
    # seeds 0–2 (avx2): 5–20 % of the critic's weights at ±c, 0 of 8 modes covered
    assert all(np.isfinite(r.clipped[-1]) and r.clipped[-1] > 0.01 for r in runs)
    assert max(int(r.covered[-1]) for r in runs) <= 5


def test_the_default_lab_draws_the_collapse_preset_beside_it_within_the_budget():
    from core import budget

    defaults = gan.LAB_PARAMS.defaults()
    assert gan.pair_shown(defaults) and not gan.pair_shown({**defaults, "seed": 1})
    assert gan.pair_values() == {**defaults, **gan.PRESETS[gan.PAIR]}
    assert gan.pair_cost() < budget.CPU_S / 2  # the default link: two lab runs
