"""Tests of lesson 01's exercise specs: right answers pass, known mistakes are named.

Each student function here is written the way a student would write it, not taken from nnlib,
so that the checks are tested against an independent answer.
"""

import numpy as np
import pytest

from grader import CheckFailed, check


def failure(name, fn, hidden=False, seed=None):
    """The message of the CheckFailed that check raises; fails the test if none is raised."""
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


def threshold_unit(w, X):
    return (X @ w[:-1] + w[-1] >= 0).astype(float)


def perceptron_update(w, x, y, lr):
    x1 = np.append(x, 1.0)
    return w + lr * (y - float(w @ x1 >= 0)) * x1


def train_perceptron(X, y, lr=1.0, max_epochs=100):
    w, mistakes = np.zeros(X.shape[1] + 1), []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y, strict=True):
            if threshold_unit(w, x_i[None])[0] != y_i:
                count += 1
                w = perceptron_update(w, x_i, y_i, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, mistakes


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("threshold_unit", threshold_unit),
        ("perceptron_update", perceptron_update),
        ("train_perceptron", train_perceptron),
    ],
)
@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_a_right_answer_passes_visible_and_hidden_checks(name, fn, seed, capsys):
    check(name, fn)
    check(name, fn, hidden=True, seed=seed)
    assert capsys.readouterr().out.count(f"✔ {name}") == 2


def test_threshold_unit_visible_case_is_the_one_in_the_lesson():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    # It is the AND gate, with z = 0 on the last row: the weights training finds in exercise 3.
    assert threshold_unit(np.array([2.0, 1.0, -3.0]), X).tolist() == [0.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize(
    ("wrong", "diagnosis"),
    [
        (lambda w, X: (X @ w[:-1] + w[-1] > 0).astype(float), "with >=, not >"),
        (lambda w, X: X @ w[:-1] + w[-1], "you returned the weighted sum"),
        (lambda w, X: np.where(X @ w[:-1] + w[-1] >= 0, 1.0, -1.0), "you returned -1/+1"),
        (lambda w, X: (X @ w[1:] + w[0] >= 0).astype(float), "the bias was taken from w[0]"),
        (lambda w, X: (X @ w[:-1] >= 0).astype(float), "the bias w0 = w[-1] was left out"),
    ],
)
def test_threshold_unit_names_each_known_mistake(wrong, diagnosis, hidden):
    # Seed 3's hidden cases contain a tie w·x' = 0, like the visible case.
    assert diagnosis in failure("threshold_unit", wrong, hidden=hidden, seed=3)


def test_threshold_unit_reports_a_wrong_shape():
    message = failure("threshold_unit", lambda w, X: threshold_unit(w, X)[:, None])
    assert "h has shape (4, 1), expected (4,)." in message


def test_threshold_unit_reports_a_plainly_wrong_value():
    message = failure("threshold_unit", lambda w, X: 1.0 - threshold_unit(w, X))
    assert "h is wrong at index (0,): expected 0, got 1." in message
    assert "Diagnosis" not in message


def update_with(h_of, change_of):
    """A perceptron_update built from a way to predict and a way to change the weights."""

    def update(w, x, y, lr):
        x1 = np.append(x, 1.0)
        return change_of(w, x1, y, lr, h_of(w, x1))

    return update


def strict(w, x1):
    return float(w @ x1 > 0)


def right(w, x1):
    return float(w @ x1 >= 0)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize(
    ("wrong", "diagnosis"),
    [
        (update_with(right, lambda w, x1, y, lr, h: w + lr * (h - y) * x1), "wrong sign"),
        (
            update_with(right, lambda w, x1, y, lr, h: w + lr * (y - h) * np.append(x1[:-1], 0)),
            "the bias (last weight) did not change",
        ),
        (update_with(right, lambda w, x1, y, lr, h: w + (y - h) * x1), "learning rate is missing"),
        (
            update_with(right, lambda w, x1, y, lr, h: w + lr * (y - w @ x1) * x1),
            "you used the weighted sum z",
        ),
        (update_with(right, lambda w, x1, y, lr, h: lr * (y - h) * x1), "you returned the change"),
        (
            lambda w, x, y, lr: (
                w + lr * (y - float(w @ np.insert(x, 0, 1.0) >= 0)) * np.insert(x, 0, 1.0)
            ),
            "the constant input 1 was put first",
        ),
    ],
)
def test_perceptron_update_names_each_known_mistake(wrong, diagnosis, hidden):
    assert diagnosis in failure("perceptron_update", wrong, hidden=hidden, seed=5)


def test_perceptron_update_visible_cases_have_the_lesson_numbers():
    assert perceptron_update(
        np.array([0.5, -1.0, 0.25]), np.array([1.0, 2.0]), 1, 0.5
    ).tolist() == [
        1.0,
        0.0,
        0.75,
    ]
    assert perceptron_update(np.array([1.0, 0.5, -0.5]), np.ones(2), 0, 0.5).tolist() == [
        0.5,
        0.0,
        -1.0,
    ]


def test_perceptron_update_that_changes_w_in_place_is_caught():
    def in_place(w, x, y, lr):
        w += lr * (y - float(w @ np.append(x, 1.0) >= 0)) * np.append(x, 1.0)
        return w

    message = failure("perceptron_update", in_place)
    assert "changed the w it was given" in message
    assert "case 1 of 4 (y = 1 but h = 0)" in message


def test_a_strict_threshold_in_the_update_is_named_on_the_tie():
    # The last visible case and the last hidden case are ties, w·x' = 0 with target 0.
    strict_update = update_with(strict, lambda w, x1, y, lr, h: w + lr * (y - h) * x1)
    message = failure("perceptron_update", strict_update)
    assert "case 4 of 4 (z = 0 exactly, so h = 1, but y = 0)" in message
    assert "not z > 0" in message
    for seed in range(20):
        assert "not z > 0" in failure("perceptron_update", strict_update, hidden=True, seed=seed)


def test_perceptron_update_reports_a_plainly_wrong_value():
    message = failure("perceptron_update", lambda w, x, y, lr: w + 1.0)
    assert "new w is wrong at index" in message
    assert "case 1 of 4" in message


def test_train_perceptron_on_and_gives_the_lesson_numbers():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    w, mistakes = train_perceptron(X, np.array([0.0, 0.0, 0.0, 1.0]), lr=1.0, max_epochs=20)
    assert mistakes == [2, 3, 3, 2, 1, 0]
    assert w.tolist() == [2.0, 1.0, -3.0]


def stop_late(X, y, lr=1.0, max_epochs=100):
    """Trains for every epoch, even after a clean one."""
    w, mistakes = np.zeros(X.shape[1] + 1), []
    for _ in range(max_epochs):
        count = 0
        for x_i, y_i in zip(X, y, strict=True):
            if threshold_unit(w, x_i[None])[0] != y_i:
                count += 1
                w = perceptron_update(w, x_i, y_i, lr)
        mistakes.append(count)
    return w, mistakes


def drop_last(X, y, lr=1.0, max_epochs=100):
    w, mistakes = train_perceptron(X, y, lr, max_epochs)
    return w, mistakes[:-1]


def running_totals(X, y, lr=1.0, max_epochs=100):
    w, mistakes = train_perceptron(X, y, lr, max_epochs)
    return w, list(np.cumsum(mistakes))


def without_lr(X, y, lr=1.0, max_epochs=100):
    return train_perceptron(X, y, 1.0, max_epochs)


@pytest.mark.parametrize(
    ("wrong", "diagnosis", "hidden"),
    [
        (stop_late, "training went on after an epoch with no mistakes", False),
        (drop_last, "the last epoch, the one with no mistakes, is missing", False),
        (running_totals, "the counts are running totals", False),
        (without_lr, "lr was not used in the updates", True),
    ],
)
def test_train_perceptron_names_each_known_mistake(wrong, diagnosis, hidden):
    # Seed 0's first hidden case has lr != 1, so that ignoring lr shows.
    assert diagnosis in failure("train_perceptron", wrong, hidden=hidden, seed=0)


def test_train_perceptron_must_stop_at_max_epochs_on_xor():
    def never_stops(X, y, lr=1.0, max_epochs=100):
        return train_perceptron(X, y, lr, max_epochs + 5)

    assert "mistakes has shape" in failure("train_perceptron", never_stops, hidden=True, seed=0)


def test_train_perceptron_that_returns_one_thing_is_told_to_return_two():
    message = failure("train_perceptron", lambda X, y, lr, max_epochs: np.zeros(3))
    assert message.startswith(
        "train_perceptron should return 2 values, `return w, mistakes`; got an array of shape (3,)."
    )
