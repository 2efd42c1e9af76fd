"""nnlib's additions for lesson 07: one epoch over given batches, the playground's learning
curves, choosing by validation cost and k-fold cross-validation."""

import numpy as np
import pytest

from nnlib import learning_curves as lc
from nnlib.losses import binary_cross_entropy
from nnlib.training import minibatches, train_batches, train_epoch
from nnlib.validation import choose_by_validation, cross_validate, k_fold_splits


def test_train_batches_makes_the_steps_of_train_epoch_and_returns_the_batch_costs():
    data = lc.overlapping_clouds()
    X, Y = data["train"]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    ours, theirs = lc.new_network(3), lc.new_network(3)
    costs = train_batches(
        ours, X, Y, minibatches(30, 8, np.random.default_rng(2)), 0.5, binary_cross_entropy
    )
    J, _ = train_epoch(theirs, X, Y, loss="bce", lr=0.5, batch_size=8, rng=np.random.default_rng(2))
    sizes = np.array([8, 8, 8, 6])
    assert np.sum(np.array(costs) * sizes) / 30 == pytest.approx(J, rel=1e-9)
    for (_, a, _), (_, b, _) in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_learning_curves_measure_both_sets_after_every_epoch_at_evaluation():
    data = lc.overlapping_clouds()
    assert [len(X) for X, _ in data.values()] == [30, 200, 200]
    (X, Y), (X_val, Y_val) = data["train"], data["val"]
    assert np.ptp(X[:, 1]) > 10 * np.ptp(X[:, 0]) and 50 < X[:, 1].mean() < 150  # careless
    rates = [0.3, 0.2, 0.1]
    model, copy = lc.new_network(), lc.new_network()
    train_costs, val_costs = lc.learning_curves(
        model, (X, Y), (X_val, Y_val), 4, rates, np.random.default_rng(1)
    )
    order = np.random.default_rng(1)
    for lr in rates:
        train_batches(copy, X, Y, minibatches(30, 4, order), lr, binary_cross_entropy)
    assert train_costs[-1] == binary_cross_entropy(copy.predict(X), Y)[0]
    assert val_costs[-1] == binary_cross_entropy(copy.predict(X_val), Y_val)[0]
    assert train_costs.shape == val_costs.shape == (3,)


def test_choose_by_validation_picks_the_lowest_and_measures_only_it():
    measured = []

    class Net:
        def __init__(self, value):
            self.value = value

        def predict(self, X):
            measured.append((self.value, len(X)))
            return np.full((len(X), 1), self.value)

    Y = np.ones((3, 1))
    data = {"train": (np.zeros((4, 1)), np.ones((4, 1))), "val": (np.zeros((3, 1)), Y)}
    data["test"] = (np.zeros((2, 1)), np.ones((2, 1)))
    candidates = [(0.1, 1), (0.3, 2), (1.0, 4)]
    outputs = {0.1: 0.5, 0.3: 0.9, 1.0: 0.7}
    best, val_costs, test_cost = choose_by_validation(
        candidates, lambda lr, b: Net(outputs[lr]), data, binary_cross_entropy
    )
    assert best == (0.3, 2)
    assert val_costs == pytest.approx([-np.log(0.5), -np.log(0.9), -np.log(0.7)])
    assert test_cost == pytest.approx(-np.log(0.9))
    assert [m for m in measured if m[1] == 2] == [(0.9, 2)]  # the test set, once


def test_k_fold_splits_validate_every_example_once_in_array_split_sizes():
    splits = list(k_fold_splits(10, 3, np.random.default_rng(0)))
    assert [len(val) for _, val in splits] == [4, 3, 3]
    assert sorted(np.concatenate([val for _, val in splits]).tolist()) == list(range(10))
    for train_idx, val_idx in splits:
        assert sorted(np.concatenate([train_idx, val_idx]).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="2 <= k <= m"):
        list(k_fold_splits(3, 4, np.random.default_rng(0)))


def test_cross_validate_calls_once_per_fold_in_fold_order():
    X = np.arange(7.0).reshape(-1, 1)
    seen = []

    def fit_and_cost(X_train, Y_train, X_val, Y_val):
        seen.append(X_val[:, 0].tolist())
        return float(X_val.sum())

    costs = cross_validate(X, X, 3, np.random.default_rng(5), fit_and_cost)
    folds = np.array_split(np.random.default_rng(5).permutation(7), 3)
    assert seen == [fold.tolist() for fold in folds]
    assert costs.tolist() == [float(fold.sum()) for fold in folds]
