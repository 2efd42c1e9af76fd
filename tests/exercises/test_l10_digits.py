"""Lesson 10's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

import nnlib
from grader import CheckFailed, check
from grader.exercise import get
from grader.exercises.l10_digits import digit_split


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


def small_network(X_train, y_train, X_val, y_val, seed=0):
    """A right answer, kept small so the test is quick: 64-32-10 for 30 epochs."""
    rng = np.random.default_rng(seed)
    network = nnlib.Sequential(
        [nnlib.Dense(64, 32, rng=rng), nnlib.ReLU(), nnlib.Dense(32, 10, rng=rng), nnlib.Softmax()]
    )
    nnlib.fit(
        network,
        X_train,
        nnlib.one_hot(y_train, 10),
        loss="cce",
        lr=0.5,
        epochs=30,
        batch_size=32,
        validation=(X_val, nnlib.one_hot(y_val, 10)),
        patience=10,
        seed=seed,
    )
    return network


def test_a_trained_network_passes_visible_and_hidden(capsys):
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


def test_a_network_without_a_hidden_layer_is_named():
    def softmax_regression(X_train, y_train, X_val, y_val, seed=0):
        rng = np.random.default_rng(seed)
        network = nnlib.Sequential([nnlib.Dense(64, 10, rng=rng), nnlib.Softmax()])
        nnlib.fit(
            network,
            X_train,
            nnlib.one_hot(y_train, 10),
            loss="cce",
            lr=0.5,
            epochs=60,
            batch_size=32,
            seed=seed,
        )
        return network

    with pytest.raises(CheckFailed) as caught:
        check("train_digit_network", softmax_regression)
    assert caught.value.diagnosis.startswith("the network has no hidden layer")


def test_the_mean_accuracy_is_compared_before_rounding():
    exercise = get("train_digit_network")
    [case] = exercise.cases(np.random.default_rng(3), hidden=True)
    labels = [digit_split(seed)[2][1] for seed in case.inputs["seeds"]]
    # 341 of 359 right on every split: 94.986 %, just below 95 %.
    scores = []
    for y in labels:
        wrong = np.eye(10)[(y + 1) % 10]
        right = np.eye(10)[y]
        scores.append(np.vstack([right[:341], wrong[341:]]))
    with pytest.raises(CheckFailed) as caught:
        exercise.judge(case, {"scores": scores, "seconds": [1.0] * 3, "hidden_layers": 1})
    assert str(caught.value).startswith(
        "test accuracy 94.9861 % over 3 splits (94.9861 %, 94.9861 %, 94.9861 %), below the "
        "required 95 %."
    )


def test_an_untrained_network_fails_with_its_accuracy():
    def untrained(X_train, y_train, X_val, y_val, seed=0):
        rng = np.random.default_rng(seed)
        return nnlib.Sequential([nnlib.Dense(64, 10, rng=rng), nnlib.Softmax()])

    assert "below the required 95 %" in failure("train_digit_network", untrained)


def test_a_constant_answer_is_named():
    class AlwaysSeven:
        def forward(self, X):
            return np.tile(np.eye(10)[7], (len(X), 1))

    message = failure("train_digit_network", lambda *args: AlwaysSeven())
    assert "the network answers 7 for every image" in message


def test_forgetting_to_return_the_network_says_what_to_return():
    message = failure("train_digit_network", lambda *args: None)
    assert "should return the trained network" in message and "got NoneType" in message


def test_wrong_output_shape_is_explained():
    class Labels:
        def forward(self, X):
            return np.zeros(len(X))

    message = failure("train_digit_network", lambda *args: Labels())
    assert "has shape (359,), expected (359, 10)" in message


def judge_with(seconds, scores=None):
    exercise = get("train_digit_network")
    case = exercise.cases(np.random.default_rng(0), hidden=False)[0]
    if scores is None:
        scores = np.eye(10)[digit_split(0)[2][1]]
    exercise.judge(case, {"scores": [scores], "seconds": [seconds], "hidden_layers": 1})


def test_the_time_budget_is_enforced():
    judge_with(seconds=9.0)
    with pytest.raises(CheckFailed, match="the budget is 10 s"):
        judge_with(seconds=10.5)


def test_diverged_outputs_are_explained():
    with pytest.raises(CheckFailed, match="training diverged"):
        judge_with(seconds=1.0, scores=np.full((359, 10), np.nan))
