"""Lesson 05's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check

DERIVATIVES = {
    "identity": np.ones_like,
    "sigmoid": lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2,
    "tanh": lambda Z: 1 - np.tanh(Z) ** 2,
    "relu": lambda Z: (Z > 0).astype(float),
}
FUNCTIONS = {
    "identity": lambda Z: Z,
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0),
}


def right_dense_backward(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def right_activation_backward(dA, Z, activation):
    return dA * DERIVATIVES[activation](Z)


RIGHT = {
    "dense_backward": right_dense_backward,
    "activation_backward": right_activation_backward,
}


def failure(name, fn, hidden=False, seed=None):
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


@pytest.mark.filterwarnings("error")  # a warning printed while grading costs the points
@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_right_answers_pass(hidden, seed, capsys):
    for name, fn in RIGHT.items():
        check(name, fn, hidden=hidden, seed=seed)
    kind = "hidden check" if hidden else "check"
    assert len(re.findall(rf" \d+ {kind}s? passed", capsys.readouterr().out)) == len(RIGHT)


MISTAKES = {
    "dW transposed": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)),
        "dW looks transposed",
    ),
    "db not summed": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ),
        "db was not summed over the batch",
    ),
    "db averaged": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)),
        "times too small: it is divided by m",
    ),
    "db keepdims": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)),
        "db kept the summed axis",
    ),
    "dW over m": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)),
        "times too small: it is divided by m",
    ),
    "dX without dZ": (
        "dense_backward",
        lambda dZ, X, W: (np.ones_like(dZ) @ W.T, X.T @ dZ, dZ.sum(axis=0)),
        "dX was computed without the upstream gradient dZ",
    ),
    "missing upstream": (
        "activation_backward",
        lambda dA, Z, activation: DERIVATIVES[activation](Z),
        "is the local derivative alone",
    ),
    "derivative at A": (
        "activation_backward",
        lambda dA, Z, activation: dA * DERIVATIVES[activation](FUNCTIONS[activation](Z)),
        "applies σ' to A = σ(z) instead of to z",
    ),
    "sigmoid from Z": (
        "activation_backward",
        lambda dA, Z, activation: (
            dA * Z * (1 - Z)
            if activation == "sigmoid"
            else right_activation_backward(dA, Z, activation)
        ),
        "computes z(1 − z)",
    ),
    "relu wrong side": (
        "activation_backward",
        lambda dA, Z, activation: (
            dA * (Z < 0) if activation == "relu" else right_activation_backward(dA, Z, activation)
        ),
        "the ReLU derivative is taken on the wrong side",
    ),
    "tanh not squared": (
        "activation_backward",
        lambda dA, Z, activation: (
            dA * (1 - np.tanh(Z))
            if activation == "tanh"
            else right_activation_backward(dA, Z, activation)
        ),
        "this looks like 1 − tanh(Z)",
    ),
    "relu at zero": (
        "activation_backward",
        lambda dA, Z, activation: (
            dA * (Z >= 0) if activation == "relu" else right_activation_backward(dA, Z, activation)
        ),
        "relu'(0) is 0 in this course",
    ),
    "identity as zero": (
        "activation_backward",
        lambda dA, Z, activation: (
            0 * dA if activation == "identity" else right_activation_backward(dA, Z, activation)
        ),
        "the identity's derivative is 1, not 0",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_are_named(mistake):
    name, fn, diagnosis = MISTAKES[mistake]
    for hidden, seed in ((False, None), (True, 1), (True, 2)):
        assert diagnosis in failure(name, fn, hidden=hidden, seed=seed)


def test_hidden_checks_name_mistakes_too():
    message = failure("dense_backward", MISTAKES["dW transposed"][1], hidden=True, seed=7)
    assert "dW looks transposed" in message
    assert "seed 7" in message


def test_gradient_messages_quote_central_differences():
    message = failure("dense_backward", lambda dZ, X, W: (dZ @ W.T, 2 * X.T @ dZ, dZ.sum(axis=0)))
    assert "dW is wrong" in message
    assert "Central differences of the forward pass agree with the expected dW" in message
    assert "not with yours (relative error 3.3e-01)" in message


def test_plainly_wrong_answers_fail_with_values():
    message = failure("dense_backward", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ + 1.0, dZ.sum(0)))
    assert "dW is wrong at index" in message
    assert "threshold 1e-07" in message


def test_wrong_return_types_say_what_to_return():
    assert failure("dense_backward", lambda dZ, X, W: X.T @ dZ).startswith(
        "dense_backward should return 3 values, `return dX, dW, db`; got an array of shape (2, 3)."
    )


def test_unwritten_answer_says_so():
    def unwritten(dZ, X, W):
        raise NotImplementedError()

    assert "not written yet" in failure("dense_backward", unwritten)


@pytest.mark.filterwarnings("error")
def test_right_answers_pass_many_hidden_seeds(capsys):
    for seed in range(100, 130):
        for name, fn in RIGHT.items():
            check(name, fn, hidden=True, seed=seed)
    assert capsys.readouterr().out.count("hidden checks passed") == 30 * len(RIGHT)


def central_difference_activation_backward(dA, Z, activation):
    """What a student gets by differentiating numerically instead of analytically."""
    f = FUNCTIONS[activation]
    h = 1e-5
    return dA * (f(Z + h) - f(Z - h)) / (2 * h)


def test_central_differences_do_not_pass_for_an_analytic_gradient():
    for seed in range(5):
        message = failure("activation_backward", central_difference_activation_backward, True, seed)
        assert "is wrong" in message
