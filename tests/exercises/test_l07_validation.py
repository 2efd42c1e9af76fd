"""Lesson 07's held-out-data exercises: choose_by_validation and cross_validate.

The right answers pass the visible case and hidden seeds; each way of choosing wrongly is
named; the cases are built so that it always can be (training, validation and test costs
each prefer a different candidate); the folds' mistakes are told apart.
"""

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import get
from grader.exercises.l07_choose import train
from nnlib.validation import choose_by_validation, cross_validate

SEEDS = range(6)


def chooser(by="val", test_every=False):
    """A choose_by_validation that chooses by the given set's cost ("train", "val", "test"),
    and, with test_every, measures every network on the test set."""

    def choose(candidates, train_network, data, loss):
        networks = [train_network(*pair) for pair in candidates]
        costs = {
            name: [loss(net.predict(data[name][0]), data[name][1])[0] for net in networks]
            for name in ("train", "val") + (("test",) if by == "test" or test_every else ())
        }
        best = int(np.argmin(costs[by]))
        test_cost = loss(networks[best].predict(data["test"][0]), data["test"][1])[0]
        return candidates[best], costs["val"], test_cost

    return choose


def test_nnlib_and_the_lesson_answer_pass_visible_and_hidden_checks(capsys):
    for answer in (choose_by_validation, chooser()):
        check("choose_by_validation", answer)
        for seed in SEEDS:
            check("choose_by_validation", answer, hidden=True, seed=seed)
    check("cross_validate", cross_validate)
    for seed in SEEDS:
        check("cross_validate", cross_validate, hidden=True, seed=seed)
    assert "✔ cross_validate: 5 hidden checks passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (chooser(by="train"), "chosen by the training cost"),
        (chooser(by="test"), "chosen by the test cost"),
        (chooser(test_every=True), "measured for more than one network"),
    ],
)
def test_choosing_by_the_wrong_set_is_named_on_every_seed(answer, diagnosis):
    for seed in [None, *SEEDS]:
        with pytest.raises(CheckFailed) as failure:
            check("choose_by_validation", answer, hidden=seed is not None, seed=seed)
        assert diagnosis in failure.value.diagnosis


def test_every_case_has_a_different_choice_for_each_set():
    exercise = get("choose_by_validation")
    for seed in range(30):
        for case in exercise.cases(np.random.default_rng(seed), hidden=True):
            costs = case.secret
            picks = {int(np.argmin(costs[name])) for name in ("train", "val", "test")}
            picks.add(int(np.argmax(costs["val"])))
            assert len(picks) == 4, seed
            assert np.argmin(costs["val"]) != len(costs["val"]) - 1


def test_the_networks_handed_out_count_their_test_evaluations():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 2)), (rng.random((8, 1)) < 0.5).astype(float)
    X_test = rng.normal(size=(5, 2))
    spec = {"hidden": 3, "epochs": 2, "seed": 1}
    network = train(spec, X, Y, 0.1, 3, X_test)
    network.predict(X)
    network.forward(X_test, training=True)  # training passes are not evaluations
    assert network.evaluations == 0
    network.predict(X_test.copy())
    network.forward(X_test, logits=True)
    assert network.evaluations == 2
    # Trained the same way twice, two networks are the same: a retrained choice is no mistake.
    again = train(spec, X, Y, 0.1, 3, X_test)
    assert np.array_equal(again.predict(X), network.predict(X))


def folds_with(mistake):
    """A cross_validate with one known mistake."""

    def cross_validate_wrong(X, Y, k, rng, fit_and_cost):
        m = len(X)
        order = np.arange(m) if mistake == "unshuffled" else rng.permutation(m)
        folds = np.array_split(order, k)
        costs = []
        for i, val_idx in enumerate(folds):
            train_idx = np.concatenate(folds[:i] + folds[i + 1 :])
            if mistake == "train on all":
                train_idx = order
            if mistake == "swapped":
                train_idx, val_idx = val_idx, train_idx
            costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
        return np.mean(costs) if mistake == "mean" else costs

    return cross_validate_wrong


@pytest.mark.parametrize(
    ("mistake", "diagnosis"),
    [
        ("unshuffled", "not shuffled"),
        ("train on all", "also in the training data"),
        ("swapped", "were swapped"),
        ("mean", "the mean of the k costs"),
    ],
)
def test_fold_mistakes_are_named(mistake, diagnosis):
    with pytest.raises(CheckFailed) as failure:
        check("cross_validate", folds_with(mistake))
    assert diagnosis in failure.value.diagnosis
