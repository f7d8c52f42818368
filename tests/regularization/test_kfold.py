"""k-fold cross-validation: the folds partition the points, the batched scores equal fold-by-fold fits, and
k folds estimate more steadily than one split."""

import numpy as np
import pytest

from core.regularization import kfold, poly


@pytest.mark.parametrize("n,k", [(40, 5), (41, 5), (20, 20), (10, 3), (200, 7)])
def test_fold_indices_partition_the_data(n, k):
    fold = kfold.folds(n, k, seed=3)
    assert fold.shape == (n,) and set(np.unique(fold)) == set(range(k))  # every point in exactly one fold
    sizes = np.bincount(fold, minlength=k)
    assert sizes.sum() == n and sizes.max() - sizes.min() <= 1
    train = fold[None, :] != np.arange(k)[:, None]
    assert np.all((~train).sum(0) == 1)  # each point validated exactly once


def test_batched_scores_equal_one_least_squares_fit_per_fold():
    t = poly.task(30, 0.3, 0)
    phi = poly.features(t.x_train, kfold.DEG_MAX)
    fold = kfold.folds(30, 5, 0)
    train = fold[None, :] != np.arange(5)[:, None]
    got = kfold.split_scores(phi, t.y_train, train)
    for j in range(5):
        for d in (0, 3, 7):
            w = np.linalg.lstsq(phi[train[j], : d + 1], t.y_train[train[j]], rcond=None)[0]
            err = phi[~train[j], : d + 1] @ w - t.y_train[~train[j]]
            assert got[j, d] == pytest.approx(np.mean(err**2), rel=1e-6)


def test_k_folds_estimate_more_steadily_and_choose_better_than_one_split():
    r = kfold.kfold(40, 0.3, 5, 3, 0)
    assert r.cv_repeats.std() < 0.5 * r.split_repeats.std()
    assert np.mean(r.cv_picks == r.best_true) > np.mean(r.split_picks == r.best_true)
    np.testing.assert_allclose(r.cv, r.per_fold.mean(0))
    assert r.held_out.sum() == 40 // 5
