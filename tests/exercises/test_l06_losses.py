"""Lesson 06's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check
from grader.exercise import Case, get

EPS = 1e-12


def right_softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def right_bce(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(A)


def right_cce(A, Y):
    return -np.sum(Y * np.log(np.clip(A, EPS, 1 - EPS))) / len(A)


def right_softmax_ce(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_A = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_A) / len(Z), (np.exp(log_A) - Y) / len(Z)


def sigmoid(Z):
    return np.exp(-np.logaddexp(0, -Z))


def right_sigmoid_bce(Z, Y):
    return np.sum(np.logaddexp(0, Z) - Y * Z) / len(Z), (sigmoid(Z) - Y) / len(Z)


def right_choice(Y):
    if not np.all((Y == 0) | (Y == 1)):
        return "identity", "mse"
    if Y.shape[1] == 1:
        return "sigmoid", "binary_cross_entropy"
    if np.all(Y.sum(axis=1) == 1):
        return "softmax", "categorical_cross_entropy"
    return "sigmoid", "binary_cross_entropy"


def right_gradient_error(loss, Z, Y, h=1e-5):
    dZ = loss(Z, Y)[1]
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (loss(up, Y)[0] - loss(down, Y)[0]) / (2 * h)
    return np.max(np.abs(dZ - numeric) / np.maximum(np.abs(dZ) + np.abs(numeric), 1e-8))


def one_sided_gradient_error(loss, Z, Y, h=1e-5):
    J, dZ = loss(Z, Y)
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up = Z.copy()
        up[index] += h
        numeric[index] = (loss(up, Y)[0] - J) / h
    return np.max(np.abs(dZ - numeric) / (np.abs(dZ) + np.abs(numeric)))


RIGHT = {
    "gradient_error": right_gradient_error,
    "stable_softmax": right_softmax,
    "binary_cross_entropy": right_bce,
    "categorical_cross_entropy": right_cce,
    "softmax_cross_entropy": right_softmax_ce,
    "sigmoid_bce": right_sigmoid_bce,
    "choose_output_and_loss": right_choice,
}


def failure(name, fn, hidden=False, seed=None):
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


@pytest.mark.filterwarnings("error")  # a warning printed while grading costs the points
@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_right_answers_pass(hidden, seed, capsys):
    # A right answer never overflows nor takes log(0); exp() of a very negative number may
    # underflow to 0, harmlessly.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for name, fn in RIGHT.items():
            check(name, fn, hidden=hidden, seed=seed)
    kind = "hidden check" if hidden else "check"
    assert len(re.findall(rf" \d+ {kind}s? passed", capsys.readouterr().out)) == len(RIGHT)


def naive_softmax(Z):
    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def naive_bce(A, Y):
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(A)


MISTAKES = {
    "softmax overflow": ("stable_softmax", naive_softmax, "exp() overflowed"),
    "softmax wrong axis": (
        "stable_softmax",
        lambda Z: (
            np.exp(Z - Z.max(axis=1, keepdims=True))
            / np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=0, keepdims=True)
        ),
        "normalised over the wrong axis",
    ),
    "softmax global max": (
        "stable_softmax",
        lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True),
        "the max of the whole array was subtracted",
    ),
    "softmax no exp": (
        "stable_softmax",
        lambda Z: Z / Z.sum(axis=1, keepdims=True),
        "the exp() is missing",
    ),
    "bce log(0)": ("binary_cross_entropy", naive_bce, "log(0)"),
    "bce mean over all": (
        "binary_cross_entropy",
        lambda A, Y: right_bce(A, Y) / A.shape[1],
        "averaged over all m·k entries",
    ),
    "bce no 1/m": (
        "binary_cross_entropy",
        lambda A, Y: right_bce(A, Y) * len(A),
        "3 times too large: the 1/m of the mean over the batch",
    ),
    "bce one term": (
        "binary_cross_entropy",
        lambda A, Y: right_cce(A, Y),
        "only the y·log(a) term",
    ),
    "bce no minus": ("binary_cross_entropy", lambda A, Y: -right_bce(A, Y), "wrong sign"),
    "cce log(0)": (
        "categorical_cross_entropy",
        lambda A, Y: -np.sum(Y * np.log(A)) / len(A),
        "log(0)",
    ),
    "cce mean over all": (
        "categorical_cross_entropy",
        lambda A, Y: -np.mean(Y * np.log(np.clip(A, EPS, 1))),
        "averaged over all m·k entries",
    ),
    "cce as bce": ("categorical_cross_entropy", right_bce, "this is the binary cross-entropy"),
    "softmax ce overflow": (
        "softmax_cross_entropy",
        lambda Z, Y: (-np.sum(Y * np.log(naive_softmax(Z))) / len(Z), right_softmax_ce(Z, Y)[1]),
        "(log-sum-exp)",
    ),
    "softmax ce log of stable softmax": (
        "softmax_cross_entropy",
        lambda Z, Y: (-np.sum(Y * np.log(right_softmax(Z))) / len(Z), right_softmax_ce(Z, Y)[1]),
        "probability rounds to 0",
    ),
    "softmax ce no 1/m": (
        "softmax_cross_entropy",
        lambda Z, Y: (right_softmax_ce(Z, Y)[0], right_softmax(Z) - Y),
        "dZ is 3 times too large",
    ),
    "softmax ce logits": (
        "softmax_cross_entropy",
        lambda Z, Y: (right_softmax_ce(Z, Y)[0], (Z - Y) / len(Z)),
        "subtracted from the logits",
    ),
    "softmax ce sign": (
        "softmax_cross_entropy",
        lambda Z, Y: (right_softmax_ce(Z, Y)[0], (Y - right_softmax(Z)) / len(Z)),
        "dZ has the wrong sign everywhere",
    ),
    "sigmoid bce log(0)": (
        "sigmoid_bce",
        lambda Z, Y: (naive_bce(sigmoid(Z), Y), right_sigmoid_bce(Z, Y)[1]),
        "log(0)",
    ),
    "sigmoid bce clipped": (
        "sigmoid_bce",
        lambda Z, Y: (right_bce(sigmoid(Z), Y), right_sigmoid_bce(Z, Y)[1]),
        "the loss was clipped",
    ),
    "sigmoid bce extra derivative": (
        "sigmoid_bce",
        lambda Z, Y: (
            right_sigmoid_bce(Z, Y)[0],
            (sigmoid(Z) - Y) * sigmoid(Z) * (1 - sigmoid(Z)) / len(Z),
        ),
        "dZ has an extra factor σ'(Z)",
    ),
    "sigmoid bce no 1/m": (
        "sigmoid_bce",
        lambda Z, Y: (right_sigmoid_bce(Z, Y)[0], sigmoid(Z) - Y),
        "dZ is 5 times too large",
    ),
    "softmax for multi-label": (
        "choose_output_and_loss",
        lambda Y: (
            ("softmax", "categorical_cross_entropy")
            if Y.shape[1] > 1 and np.all((Y == 0) | (Y == 1))
            else right_choice(Y)
        ),
        "softmax would force them to compete",
    ),
    "checker one-sided": (
        "gradient_error",
        one_sided_gradient_error,
        "this is a one-sided difference",
    ),
    "checker divides by h": (
        "gradient_error",
        lambda loss, Z, Y, h=1e-5: right_gradient_error(
            lambda z, y: (2 * loss(z, y)[0], loss(z, y)[1]), Z, Y, h
        ),
        "divided by h, not by 2h",
    ),
    "sigmoid for regression": (
        "choose_output_and_loss",
        lambda Y: ("sigmoid", "mse"),
        "a regression, so an unbounded identity output",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_are_named(mistake):
    name, fn, diagnosis = MISTAKES[mistake]
    with np.errstate(all="ignore"):
        assert diagnosis in failure(name, fn)


@pytest.mark.parametrize("seed", [4, 5])
def test_hidden_cases_catch_overflow_and_log_zero(seed):
    with np.errstate(all="ignore"):
        assert "exp() overflowed" in failure("stable_softmax", naive_softmax, True, seed)
        assert "log(0)" in failure("binary_cross_entropy", naive_bce, True, seed)
        message = failure("sigmoid_bce", MISTAKES["sigmoid bce log(0)"][1], True, seed)
    assert "log(0)" in message


def test_a_max_without_keepdims_is_named_on_square_inputs():
    def unkept(Z):
        E = np.exp(Z - Z.max(axis=1))
        return E / E.sum(axis=1, keepdims=True)

    Z = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.0], [0.0, 0.0, 4.0]])
    exercise = get("stable_softmax")
    with pytest.raises(CheckFailed, match="without keepdims=True"):
        exercise.judge(Case({"Z": Z}), unkept(Z))


def test_overflow_message_points_at_the_element():
    with np.errstate(all="ignore"):
        message = failure("stable_softmax", naive_softmax)
    assert "A contains nan at index (1, 0) (expected 0.861" in message


def test_the_lessons_softmax_numbers_are_within_a_unit_of_the_last_place():
    """Lesson 06 quotes [0.8615, 0.1165, 0.0058, 0.0003, 0.0157] for z = [7, 5, 2, -1, 3];
    rounding gives 0.1166 and 0.0158 for the second and last (the lesson says so)."""
    A = right_softmax(np.array([[7.0, 5.0, 2.0, -1.0, 3.0]]))[0]
    quoted = np.array([0.8615, 0.1165, 0.0058, 0.0003, 0.0157])
    assert np.round(A, 4).tolist() == [0.8615, 0.1166, 0.0058, 0.0003, 0.0158]
    assert np.all(np.abs(A - quoted) < 1e-4)


def test_plainly_wrong_answers_fail_with_values():
    message = failure("categorical_cross_entropy", lambda A, Y: 1.0)
    assert "J is wrong: expected" in message
    assert failure("binary_cross_entropy", lambda A, Y: A - Y).startswith(
        "J should be one number; got an array of shape (3, 2)."
    )
    assert failure("sigmoid_bce", lambda Z, Y: 0.0).startswith(
        "sigmoid_bce should return 2 values, `return J, dZ`; got a float."
    )
    assert "returned 'sigmoid'" in failure("choose_output_and_loss", lambda Y: "sigmoid")


@pytest.mark.filterwarnings("error")
def test_right_answers_pass_many_hidden_seeds(capsys):
    for seed in range(100, 130):
        for name, fn in RIGHT.items():
            check(name, fn, hidden=True, seed=seed)
    assert capsys.readouterr().out.count("hidden checks passed") == 30 * len(RIGHT)


def test_a_checker_that_always_says_right_fails_on_the_planted_slips():
    message = failure("gradient_error", lambda loss, Z, Y, h=1e-5: 0.0)
    assert "whose dZ lacks the 1/m, Z (3, 4); central differences" in message
    assert "give 0.5 (a bug, by the table)" in message


@pytest.mark.parametrize("seed", [7, 8])
def test_every_planted_slip_is_in_the_hidden_cases_and_each_fails_a_lazy_checker(seed):
    labels = [case.label for case in get("gradient_error").cases(np.random.default_rng(seed), True)]
    assert [label.split(", Z")[0] for label in labels] == [
        "softmax + cross-entropy with the right dZ",
        "sigmoid + binary cross-entropy with the right dZ",
        "softmax + cross-entropy whose dZ lacks the 1/m",
        "softmax + cross-entropy whose dZ is transposed",
        "softmax + cross-entropy whose dZ forgot to subtract Y",
        "softmax + cross-entropy whose dZ takes the softmax down the columns",
    ]
    lazy = failure("gradient_error", lambda loss, Z, Y, h=1e-5: 0.0, True, seed)
    assert "case 3 of 6 (softmax + cross-entropy whose dZ lacks the 1/m" in lazy


def by_central_differences(cost):
    """A fused loss whose dZ is measured from ``cost(Z, Y)``, not derived."""

    def loss(Z, Y):
        dZ, h = np.zeros_like(Z), 1e-5
        for index in np.ndindex(Z.shape):
            up, down = Z.copy(), Z.copy()
            up[index] += h
            down[index] -= h
            dZ[index] = (cost(up, Y) - cost(down, Y)) / (2 * h)
        return cost(Z, Y), dZ

    return loss


@pytest.mark.parametrize("name", ["softmax_cross_entropy", "sigmoid_bce"])
def test_a_gradient_measured_by_central_differences_fails_every_hidden_seed(name):
    measured = by_central_differences(lambda Z, Y: RIGHT[name](Z, Y)[0])
    for seed in range(20):
        assert "dZ is wrong" in failure(name, measured, True, seed), seed
