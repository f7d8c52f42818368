"""The digits trainings show what the page says they show (generous margins; several seeds where one run could
be luck), and stream chunk by chunk to the same result the CLI drains."""

import numpy as np
import pytest
import torch

from core.experiment import drain
from core.regularization import adamw, augment, dropout, early, memorize, mlp1d, penalties
from core.regularization import concept as reg


def values(experiment, **over):
    v, notices = experiment.params.validate({**experiment.params.defaults(), **over})
    assert notices == []
    return v


def test_l1_piles_weights_below_the_threshold_and_l2_does_not():
    r = drain(penalties.stream(values(reg.PENALTY, pen_steps=600)))
    small = r.final("small")  # none, L2, L1
    assert small[2] > 0.5 and small[2] > 10 * small[1] and small[1] < 0.05 and small[0] < 0.05
    assert r.zeros[2] < 0.01 * r.n_weights  # a subgradient step almost never lands exactly on 0
    assert r.hist.sum(1).tolist() == [r.n_weights] * 3
    norm = r.path("norm", "l2")
    assert np.all(np.diff(norm) < 0.05 * norm[0])  # a stronger L2 never leaves larger weights (tolerance: noise)
    assert r.path("test_acc", "l1")[-1] < 0.2  # λ = 0.1 with L1 kills the network
    assert r.finite and r.steps[-1] == 600


def test_l2_with_sgd_equals_weight_decay_row_against_torch_formula():
    """The L2 row's penalty is g + λθ (torch.optim.SGD's weight_decay): a zero-gradient weight decays like
    SGD-with-momentum on λθ alone."""
    l2, l1 = penalties.coefficients(1e-3)
    assert l2[1] == pytest.approx(1e-3) and l1[2] == pytest.approx(1e-3) and l2[2] == 0 and l1[1] == 0
    assert torch.allclose(l2[3 : 3 + len(penalties.PATH)], torch.tensor(penalties.PATH))


@pytest.mark.parametrize("seed", [0, 1])
def test_adamw_shrinks_every_kind_of_weight_alike_and_l2_in_adam_does_not(seed):
    r = drain(adamw.stream(values(reg.ADAMW, aw_steps=600, seed=seed)))
    l2_in_adam, decoupled = r.shrink
    assert decoupled.max() / decoupled.min() < 1.6  # the same factor whatever the gradient scale
    assert l2_in_adam[0] < 1e-3 and l2_in_adam[-1] > 30 * l2_in_adam[0]  # unused weights die, busy ones survive
    assert r.unmoved > 0
    acc = r.final("test_acc")
    assert acc[2] > acc[1] + 0.03  # λ = 0.1: AdamW keeps its accuracy, L2 inside Adam loses it


@pytest.mark.parametrize("seed", [0, 1])
def test_dropout_rows_report_accuracy_per_rate_and_the_ensemble_beats_its_members(seed):
    r = drain(dropout.stream(values(reg.DROPOUT, drop_steps=600, seed=seed)))
    d = len(r.rates)
    acc = r.test_acc[-1]
    assert list(r.rates[:-1]) == list(dropout.P_GRID) and r.rates[-1] == pytest.approx(0.5)
    assert r.ensemble_acc[-1] > acc[d:].mean()
    assert 0.6 < r.mc_acc <= 1 and r.mc_probs.shape == (dropout.MC_SHOWN, dropout.MC)
    assert np.all((r.eval_probs >= 0) & (r.eval_probs <= 1))


def test_dropout_masks_are_torchs_and_their_mean_is_the_eval_output():
    m = dropout.masks(0.5, 0)
    assert m.scaled_values_ok and abs(m.kept - 0.5) < 0.02
    assert abs(m.outputs.mean() - m.eval_output) < 4 * m.theory_std / np.sqrt(len(m.outputs))
    assert m.outputs.std() == pytest.approx(m.theory_std, rel=0.05)
    assert m.unscaled.mean() == pytest.approx(0.5 * m.outputs.mean(), rel=1e-5)
    assert dropout.masks(0.0, 0).outputs.std() < 1e-6  # p = 0: no dropout at all


def test_early_stopping_restores_the_best_check_and_beats_training_to_the_end():
    gains = []
    for seed in (0, 1):
        r = drain(early.stream(values(reg.EARLY, es_steps=1500, seed=seed)))
        assert r.restored_test_acc == pytest.approx(float(r.metric("test_acc")[r.best]), abs=1e-6)
        assert r.stop is not None and r.best < r.stop and r.stop - r.best >= r.patience
        gains.append(r.restored_test_acc - float(r.metric("test_acc")[-1]))
    assert min(gains) > 0.02  # noisy labels and 1,500 steps: the end has overfitted


@pytest.mark.parametrize(
    "val,patience,want",
    [
        ([3, 2, 1, 2, 3, 4], 2, (2, 4)),
        ([3, 2, 1, 0.5, 0.4], 2, (4, None)),
        ([1, 2, 3], 1, (0, 1)),
        ([5, 4, 4, 4, 4], 3, (1, 4)),  # a tie is no improvement
        ([5, 4, 4, 4, 3], 3, (4, None)),  # improved at the last moment
    ],
)
def test_stopping_point(val, patience, want):
    assert early.stopping_point(np.array(val, dtype=float), patience) == want


def test_augmentation_keeps_labels_and_moves_pixels_as_declared():
    x, y, _, _ = (t[:50] for t in (*augment.nets.digits(0, "cpu"),))
    gen = torch.Generator().manual_seed(0)
    xa, ya = augment.augment(x, y, 2, 20.0, 0.1, gen)
    assert torch.equal(ya, y) and xa.shape == x.shape and xa.min() >= 0 and xa.max() <= 1
    img = torch.zeros(1, 64)
    img[0, 3 * 8 + 4] = 1.0  # one pixel at row 3, column 4
    moved = augment.shift(img, torch.tensor([2]), torch.tensor([-1]))  # 2 right, 1 up
    assert moved.view(8, 8)[2, 6] == 1 and moved.sum() == 1
    back = augment.shift(moved, torch.tensor([-2]), torch.tensor([1]))
    assert torch.equal(back, img)
    torch.testing.assert_close(augment.rotate(x, torch.zeros(len(x))), x, atol=1e-5, rtol=0)
    shifted = augment.shifted_test(x, 1, 0)
    assert bool((shifted != x).any(1).all())  # every test digit really moved


@pytest.mark.parametrize("seed", [0, 1])
def test_augmentation_buys_shifted_accuracy_and_the_worth_is_read_off_the_curve(seed):
    r = drain(augment.stream(values(reg.AUGMENT, aug_steps=800, seed=seed)))
    s = r.shifted[-1]
    assert s[-1] > s[r.plain] + 0.3  # shifted test digits: augmentation is what helps
    assert s[:-1].max() < 0.6  # more centred digits do not teach shifted ones
    assert r.worth("shifted")[1] == "above"
    sizes, acc = np.array([10, 100, 1000]), np.array([0.5, 0.7, 0.9])
    assert augment.worth(sizes, acc, 0.7) == (pytest.approx(100), "within")
    assert augment.worth(sizes, acc, 0.8)[0] == pytest.approx(np.sqrt(100 * 1000))
    assert augment.worth(sizes, acc, 0.95)[1] == "above" and augment.worth(sizes, acc, 0.4)[1] == "below"


def test_random_labels_are_memorized_with_chance_test_accuracy_and_later():
    r = drain(memorize.stream(values(reg.MEMORIZE, mem_n=150, mem_steps=1500)))
    train, test = r.metric("train_acc")[-1], r.metric("test_acc")[-1]
    assert train[-1] > 0.95 and test[-1] < 0.2  # all labels random: memorized, chance on test
    assert test[0] > 0.8 and test[0] > test[-1] + 0.6
    fit = r.fitted_at()
    assert fit[0] is not None and fit[-1] is not None and fit[-1] > 2 * fit[0]
    assert r.changed[0] == 0 and 0.8 < r.changed[-1] < 0.98


def test_noisy_labels_are_nested_over_shares():
    y = torch.arange(1000) % 10
    rows = memorize.labels(y, (0.0, 0.3, 0.6), 0)
    changed = rows != y
    assert not changed[0].any() and bool((changed[1] <= changed[2]).all())


def test_the_1d_mlp_overfits_in_time_and_streams_to_the_drained_result():
    v = values(reg.MLP, n=10, noise=0.3, width=128, steps=1500, lr=0.01)
    chunks = list(mlp1d.train(v))
    r = chunks[-1][1]
    assert [f for f, _ in chunks][-1] == 1.0 and len(chunks) > 3
    assert r.train_mse[-1] < 0.02 and r.test_mse[-1] > r.test_mse[r.best] * 1.1
    np.testing.assert_array_equal(drain(mlp1d.train(v)).test_mse, r.test_mse)  # seeded: the same run again
