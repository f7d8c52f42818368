"""The interview notes' backprop example (core/gradients/notes_code.py): as written it crashes; made to run, its
gradient is minus autograd's and its updates climb the loss; the corrected version matches autograd and converges."""

import numpy as np
import pytest

from core.gradients import notes_code as code


def test_as_written_it_stops_with_a_shape_error():
    err = code.as_written()
    assert err is not None and "not aligned" in err  # np.dot of (4, 1) by (4, 1)


@pytest.mark.parametrize("w0", [0.3, -2.0, 5.0])
def test_its_gradient_is_minus_autograds_and_the_fix_is_autograds(w0):
    w = np.array([[w0]])
    reference = code.autograd(w, mean=False)
    np.testing.assert_allclose(code.notes_gradient(w), -reference, rtol=1e-12)
    assert code.relative_error(code.notes_gradient(w), reference) == pytest.approx(2.0)
    assert code.relative_error(code.fixed_gradient(w), code.autograd(w, mean=True)) < 1e-12


def test_the_notes_updates_climb_the_loss_and_the_fixed_ones_reach_the_answer():
    notes = code.train(lambda w: w - code.notes_gradient(w), epochs=20)
    assert np.all(np.diff(notes) > 0) and notes[1] / notes[0] == pytest.approx(31.0)  # ×(1 + Σx²) per step
    sign_only = code.train(lambda w: w + code.notes_gradient(w), epochs=20)  # sign fixed, no learning rate
    assert sign_only[-1] > sign_only[0]  # a step of 1 on the sum still diverges: ×(1 − 30)
    fixed = code.train(lambda w: w - code.LR * code.fixed_gradient(w))
    assert fixed[-1] < 1e-12


def test_the_card_numbers_and_verdict():
    n = code.numbers()
    assert n["code_crashes"] == 1.0 and n["code_rel_err_notes"] == pytest.approx(2.0)
    assert n["code_rel_err_fixed"] < 1e-12 and n["code_growth_notes"] == pytest.approx(31.0)
    assert code.verdict(n) == "false"
    assert code.verdict({**n, "code_crashes": 0.0}) == "false"  # running is not enough: the sign is wrong
    assert code.verdict({**n, "code_crashes": 0.0, "code_rel_err_notes": 0.0}) == "true"
