"""Lesson 10's exercise specs on the data and the result: one-hot labels, accuracy, and the
digit classifier graded on three splits against a softmax-regression baseline.
(The network's pieces are in test_l10_pieces.py.)"""

import re

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import get
from grader.exercises import l10_digits
from grader.exercises.l10_digits import digit_split
from nnlib import classifier


def failure(name, fn, hidden=False, seed=None):
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


def right_one_hot(y, num_classes):
    return np.eye(num_classes)[y]


def right_accuracy(y, P):
    return float(np.mean(np.argmax(P, axis=1) == y))


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_right_answers_pass(hidden, seed, capsys):
    check("one_hot", right_one_hot, hidden=hidden, seed=seed)
    check("accuracy", right_accuracy, hidden=hidden, seed=seed)
    kind = "hidden check" if hidden else "check"
    assert len(re.findall(rf" \d+ {kind}s? passed", capsys.readouterr().out)) == 2


@pytest.mark.parametrize(
    "fn, diagnosis",
    [
        (lambda y, k: np.eye(y.max() + 1)[y], "Y has y.max() + 1 = 4 columns: use num_classes (5)"),
        (lambda y, k: np.eye(k)[y].T, "Y looks transposed"),
        (lambda y, k: np.eye(k)[y - 1], "the 1 is one column to the right"),
        (lambda y, k: np.eye(k)[(y + 1) % k], "the 1 is one column to the left"),
    ],
)
def test_one_hot_mistakes_are_named(fn, diagnosis):
    assert diagnosis in failure("one_hot", fn)


def test_one_hot_plainly_wrong_gets_a_value_message():
    message = failure("one_hot", lambda y, k: np.ones((len(y), k)))
    assert "Y is wrong at index" in message and "Diagnosis" not in message


@pytest.mark.parametrize(
    "fn, diagnosis",
    [
        (lambda y, P: 100 * np.mean(P.argmax(1) == y), "that is a percentage"),
        (lambda y, P: np.mean(P.argmax(1) != y), "that is the error rate"),
        (lambda y, P: np.sum(P.argmax(1) == y), "that is the number of right answers"),
        (lambda y, P: np.mean(np.argmax(P) == y), "np.argmax(P) without an axis"),
    ],
)
def test_accuracy_mistakes_are_named(fn, diagnosis):
    assert diagnosis in failure("accuracy", fn)


def test_accuracy_visible_value_is_four_of_six():
    case = get("accuracy").cases(np.random.default_rng(0), hidden=False)[0]
    assert right_accuracy(case.inputs["y"], case.inputs["P"]) == pytest.approx(4 / 6)


def test_accuracy_plainly_wrong_gets_a_value_message():
    message = failure("accuracy", lambda y, P: 0.5)
    assert "accuracy is wrong: expected 0.666667, got 0.5" in message


def test_a_trained_network_passes_visible_and_hidden(capsys, catalogue):
    small_network = catalogue("catalogue_l10").small_network
    check("train_digit_network", small_network)
    check("train_digit_network", small_network, hidden=True, seed=11)
    out = capsys.readouterr().out
    assert "train_digit_network: 1 check passed" in out
    assert "train_digit_network: 1 hidden check passed" in out


def test_a_hidden_check_trains_on_three_splits_and_sends_only_their_seeds():
    [case] = get("train_digit_network").cases(np.random.default_rng(0), hidden=True)
    assert list(case.inputs) == ["seeds"] and len(set(case.inputs["seeds"])) == 3
    (X_train, _), (X_val, _), (X_test, y_test) = digit_split(case.inputs["seeds"][0])
    assert X_train.shape == (1168, 64) and X_val.shape == (270, 64) and X_test.shape == (359, 64)
    assert X_train.max() <= 1.0 and len(y_test) == 359


def test_a_network_without_a_hidden_layer_is_named_even_trained_longer():
    def longer(X_train, y_train, X_val, y_val, seed=0):
        rng = np.random.default_rng(seed)
        Y, Y_val = np.eye(10)[y_train], np.eye(10)[y_val]
        start = classifier.glorot_params([64, 10], rng)
        return classifier.fit(start, X_train, Y, X_val, Y_val, 1.0, 0.0, 150, 32, 20, rng)

    with pytest.raises(CheckFailed) as caught:
        check("train_digit_network", longer)
    assert caught.value.diagnosis.startswith("the network has no hidden layer")


def test_the_baseline_is_softmax_regression_with_the_model_answers_settings():
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digit_split(0)
    params, history = classifier.softmax_regression(X_train, y_train, X_val, y_val, 0)
    assert [W.shape for W, _ in params] == [(64, 10)]
    cost = l10_digits.cost_and_accuracy(params, X_test, y_test)[0]
    assert l10_digits.baseline_test_cost(0) == cost


def judged(accuracies, costs, seconds=1.0, hidden=True):
    """The check's verdict on made-up test results (the trainings themselves are not run)."""
    exercise = get("train_digit_network")
    [case] = exercise.cases(np.random.default_rng(3), hidden=hidden)
    results = iter(zip(costs, accuracies, strict=True))
    params = classifier.glorot_params([64, 8, 10], np.random.default_rng(0))
    history = {"train_cost": [1.0], "val_cost": [1.0], "val_accuracy": [0.5], "best_epoch": 0}
    outputs = {"params": [params] * len(accuracies), "seconds": [seconds] * len(accuracies)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(l10_digits, "cost_and_accuracy", lambda *_: next(results))
        patch.setattr(l10_digits, "baseline_test_cost", lambda seed: 0.15)
        exercise.judge(case, outputs | {"history": history})


def test_the_mean_accuracy_is_compared_before_rounding():
    judged([338 / 359] * 3, [0.1] * 3)  # 94.15 %
    with pytest.raises(CheckFailed) as caught:
        judged([337.4 / 359] * 3, [0.1] * 3)
    assert str(caught.value).startswith(
        "test accuracy 93.9833 % over 3 splits (93.9833 %, 93.9833 %, 93.9833 %), below the "
        "required 94 %."
    )


def test_the_cost_must_beat_the_baseline_by_the_margin():
    judged([0.97] * 3, [0.142] * 3)  # below 95 % of the baseline's 0.15, 0.1425
    with pytest.raises(CheckFailed) as caught:
        judged([0.97] * 3, [0.143] * 3)
    assert str(caught.value).startswith(
        "test cross-entropy 0.143 over 3 splits, above 0.1425: 95 % of what softmax regression"
    )


def test_an_untrained_network_fails_with_its_accuracy():
    def untrained(X_train, y_train, X_val, y_val, seed=0):
        history = {"train_cost": [], "val_cost": [], "val_accuracy": []}
        return classifier.glorot_params([64, 16, 10], np.random.default_rng(seed)), history

    assert "below the required 94 %" in failure("train_digit_network", untrained)


def test_returning_only_the_parameters_says_what_to_return():
    def params_only(X_train, y_train, X_val, y_val, seed=0):
        return classifier.glorot_params([64, 16, 4, 10], np.random.default_rng(seed))

    message = failure("train_digit_network", params_only)
    assert "should return 2 values, `return params, history`; got a list of 3" in message


def test_forgetting_to_return_says_so():
    message = failure("train_digit_network", lambda *args: None)
    assert "nothing was returned" in message


def test_layers_that_do_not_chain_are_explained():
    def mismatched(X_train, y_train, X_val, y_val, seed=0):
        params = [(np.zeros((64, 8)), np.zeros(8)), (np.zeros((6, 10)), np.zeros(10))]
        return params, {"train_cost": [], "val_cost": [], "val_accuracy": []}

    message = failure("train_digit_network", mismatched)
    assert "layer 2 has W of shape (6, 10) and b of shape (10,); expected W (8, n_out)" in message


def test_the_time_budget_is_enforced():
    judged([0.97], [0.1], seconds=9.0, hidden=False)
    with pytest.raises(CheckFailed, match="the budget is 10 s"):
        judged([0.97], [0.1], seconds=10.5, hidden=False)


def test_diverged_training_is_explained():
    with pytest.raises(CheckFailed, match="training diverged"):
        judged([0.1] * 3, [np.nan] * 3)
