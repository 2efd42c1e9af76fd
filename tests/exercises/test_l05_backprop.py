"""Lesson 05's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check
from nnlib.losses import sigmoid_binary_cross_entropy

DERIVATIVES = {
    "sigmoid": lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2,
    "tanh": lambda Z: 1 - np.tanh(Z) ** 2,
    "relu": lambda Z: (Z > 0).astype(float),
}
FUNCTIONS = {
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0),
}


def right_dense_backward(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def right_activation_backward(dA, Z, activation):
    return dA * DERIVATIVES[activation](Z)


def mlp_backward_with(derivative_at="Z1", use_activation=True, layer2_input="A1"):
    """A mlp_backward built from the right layer backwards, optionally with a known mistake."""

    def mlp_backward(dZ2, params, cache, activation):
        dA1, dW2, db2 = right_dense_backward(dZ2, cache[layer2_input], params["W2"])
        at = cache[derivative_at]
        dZ1 = right_activation_backward(dA1, at, activation) if use_activation else dA1
        _, dW1, db1 = right_dense_backward(dZ1, cache["X"], params["W1"])
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    return mlp_backward


def mlp_forward(X, params, activation):
    Z1 = X @ params["W1"] + params["b1"]
    A1 = FUNCTIONS[activation](Z1)
    return A1 @ params["W2"] + params["b2"], {"X": X, "Z1": Z1, "A1": A1}


def train_step_with(sign=-1.0, update_biases=True, use_lr=True, cost_after=False):
    """A mlp_train_step from the right parts, optionally with a known mistake."""

    def mlp_train_step(params, X, Y, lr, activation):
        Z2, cache = mlp_forward(X, params, activation)
        J, dZ2 = sigmoid_binary_cross_entropy(Z2, Y)
        grads = mlp_backward_with()(dZ2, params, cache, activation)
        step = lr if use_lr else 1.0
        new = {
            key: params[key] + sign * step * grads[key]
            if update_biases or key.startswith("W")
            else params[key]
            for key in params
        }
        if cost_after:
            J = sigmoid_binary_cross_entropy(mlp_forward(X, new, activation)[0], Y)[0]
        return J, new

    return mlp_train_step


RIGHT = {
    "dense_backward": right_dense_backward,
    "activation_backward": right_activation_backward,
    "mlp_backward": mlp_backward_with(),
    "mlp_train_step": train_step_with(),
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
        "db is 4 times too small",
    ),
    "db keepdims": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)),
        "db kept the summed axis",
    ),
    "dW over m": (
        "dense_backward",
        lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)),
        "dW is 4 times too small",
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
    "activation skipped": (
        "mlp_backward",
        mlp_backward_with(use_activation=False),
        "the hidden activation's backward was skipped",
    ),
    "mlp derivative at A1": (
        "mlp_backward",
        mlp_backward_with(derivative_at="A1"),
        "f' was taken at A1 = tanh(Z1) instead of at Z1",
    ),
    "mlp layer 2 with X": (
        "mlp_backward",
        mlp_backward_with(layer2_input="X"),
        "layer 2's input is A1, not X",
    ),
    "uphill": ("mlp_train_step", train_step_with(sign=1.0), "the step went uphill"),
    "biases frozen": ("mlp_train_step", train_step_with(update_biases=False), "b1 was not updated"),
    "no lr": ("mlp_train_step", train_step_with(use_lr=False), "the learning rate is missing"),
    "cost after": ("mlp_train_step", train_step_with(cost_after=True), "J was computed after"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_mistakes_are_named(mistake):
    name, fn, diagnosis = MISTAKES[mistake]
    assert diagnosis in failure(name, fn)


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
    shape = failure("mlp_backward", lambda dZ2, params, cache, activation: {k: 0 for k in params})
    assert "has shape ()" in shape


def test_wrong_return_types_say_what_to_return():
    assert failure("dense_backward", lambda dZ, X, W: X.T @ dZ).startswith(
        "dense_backward should return 3 values, `return dX, dW, db`; got an array of shape (2, 3)."
    )
    assert failure(
        "mlp_backward", lambda dZ2, params, cache, activation: {"W1": 0, "b1": 0, "W2": 0}
    ).startswith(
        "mlp_backward should return a dict with the keys 'W1', 'b1', 'W2', 'b2'; "
        "the key 'b2' is missing."
    )
    assert failure("mlp_train_step", lambda params, X, Y, lr, activation: params).startswith(
        "mlp_train_step should return 2 values, `return J, new_params`; got a dict."
    )
    assert failure(
        "mlp_train_step", lambda params, X, Y, lr, activation: (0.7, [params])
    ).startswith(
        "mlp_train_step should return new_params as a dict with the keys 'W1', 'b1', 'W2', "
        "'b2'; got a list of 1 value."
    )


def test_a_gradient_left_as_none_is_not_taken_for_a_missing_return():
    def unfinished(dZ2, params, cache, activation):
        return {**RIGHT["mlp_backward"](dZ2, params, cache, activation), "W1": None}

    assert failure("mlp_backward", unfinished).startswith(
        "mlp_backward should return a dict with the keys 'W1', 'b1', 'W2', 'b2'; "
        "the value for key 'W1' is None."
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
