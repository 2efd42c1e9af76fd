"""Tests of lesson 02's exercise specs: right answers pass, known mistakes are named.

The student functions are written as a student would, independently of nnlib.
"""

import numpy as np
import pytest

from grader import CheckFailed, check
from nnlib.xor_net import xor_gradients


def failure(name, fn, hidden=False, seed=None):
    """The message of the CheckFailed that check raises; fails the test if none is raised."""
    with pytest.raises(CheckFailed) as raised:
        check(name, fn, hidden=hidden, seed=seed)
    return str(raised.value)


def step(z):
    return (z >= 0).astype(float)


def xor_network(X, w_or, w_nand, w_and):
    X1 = np.hstack([X, np.ones((len(X), 1))])
    H = step(X1 @ np.column_stack([w_or, w_nand]))
    return step(np.hstack([H, np.ones((len(H), 1))]) @ w_and)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train_xor(X, Y, W1, b1, W2, b2, lr=4.0, epochs=1000):
    # Written out by hand, with the same gradients as nnlib.xor_net.xor_gradients.
    m = len(X)
    for _ in range(epochs):
        A1 = sigmoid(X @ W1 + b1)
        A2 = sigmoid(A1 @ W2 + b2)
        dZ2 = (A2 - Y) / m
        dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
        dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
        dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


RIGHT = [
    ("and_weights", lambda: np.array([1.0, 1.0, -1.5])),
    ("and_weights", lambda: [1, 1, -2]),  # z = 0 on (1, 1) counts as 1
    ("or_weights", lambda: np.array([1.0, 1.0, -0.5])),
    ("or_weights", lambda: np.array([2.0, 2.0, -1.0])),
    ("nand_weights", lambda: np.array([-1.0, -1.0, 1.5])),
    ("xor_network", xor_network),
    ("train_xor", train_xor),
]


@pytest.mark.parametrize(("name", "fn"), RIGHT)
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_a_right_answer_passes_visible_and_hidden_checks(name, fn, seed, capsys):
    check(name, fn)
    check(name, fn, hidden=True, seed=seed)
    assert capsys.readouterr().out.count(f"✔ {name}") == 2


def with_gradients(gradients):
    """A train_xor that steps with its own gradients(X, Y, W1, b1, W2, b2) -> (dW1, ...)."""

    def train(X, Y, W1, b1, W2, b2, lr, epochs):
        params = (W1, b1, W2, b2)
        for _ in range(epochs):
            grads = gradients(X, Y, *params)
            params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
        return params

    return train


def own_gradients(bias="sum", extra_slope=False, cost="bce"):
    """Gradients written by hand: right, or with a bias gradient that is a mean over the batch,
    an extra σ' factor in dZ2, or the squared error instead of the cross-entropy."""

    def gradients(X, Y, W1, b1, W2, b2):
        A1 = sigmoid(X @ W1 + b1)
        A2 = sigmoid(A1 @ W2 + b2)
        dZ2 = (A2 - Y) / len(X)
        if extra_slope or cost == "mse":
            dZ2 = dZ2 * A2 * (1 - A2) * (2 if cost == "mse" else 1)
        dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
        total = (lambda d: d.mean(axis=0)) if bias == "mean" else (lambda d: d.sum(axis=0))
        return X.T @ dZ1, total(dZ1), A1.T @ dZ2, total(dZ2)

    return gradients


@pytest.mark.parametrize(
    "wrong",
    [own_gradients(bias="mean"), own_gradients(extra_slope=True), own_gradients(cost="mse")],
    ids=["bias gradient averaged", "extra sigmoid slope", "squared error"],
)
def test_train_xor_is_graded_on_its_steps_so_a_wrong_gradient_fails_every_seed(wrong):
    # Each of these still solves XOR from most starts: only the steps tell them apart.
    check("train_xor", with_gradients(own_gradients()))
    for seed in range(20):
        message = failure("train_xor", with_gradients(wrong), hidden=True, seed=seed)
        assert "is wrong at index" in message and "steps with lr =" in message


@pytest.mark.parametrize(
    ("name", "weights", "expected"),
    [
        ("and_weights", [1.0, 1.0, -0.5], "the unit computes OR"),
        ("or_weights", [1.0, 1.0, -1.5], "the unit computes AND"),
        ("nand_weights", [1.0, 1.0, -1.5], "the unit computes AND"),
        ("and_weights", [-1.5, 1.0, 1.0], "would work with the bias first"),
        ("or_weights", [1.0, 1.0, 0.0], "the unit computes the constant 1"),
        ("and_weights", [1.0, 1.0, -1.0], "the unit computes OR"),
    ],
)
def test_gate_weights_say_what_the_weights_compute(name, weights, expected):
    message = failure(name, lambda: np.array(weights))
    assert expected in message
    assert "does not compute" in message
    assert "<- wrong" in message


def test_gate_weights_with_several_diagnoses_give_them_on_one_line():
    with pytest.raises(CheckFailed) as raised:
        check("and_weights", lambda: np.array([-1.5, 1.0, 1.0]))
    first = "these weights would work with the bias first"
    second = "with w = [-1.5, 1.0, 1.0] the unit computes"
    assert raised.value.diagnosis.startswith(first) and f"; {second}" in raised.value.diagnosis
    assert f"\n  Diagnosis: {raised.value.diagnosis}.\n" in str(raised.value)


def test_gate_weights_show_the_truth_table_with_z():
    message = failure("and_weights", lambda: np.array([1.0, 1.0, -1.0]))
    assert "   0  1 |                       0 | 1 | 0   <- wrong" in message
    assert "a row with z = 0 exactly gives 1" in message


def test_gate_weights_of_the_wrong_size_are_reported():
    assert "three finite numbers [w1, w2, w0]" in failure("or_weights", lambda: np.ones(2))
    assert "or_weights returned None" in failure("or_weights", lambda: None)


def swapped(order):
    def network(X, w_or, w_nand, w_and):
        ws = {"or": w_or, "nand": w_nand, "and": w_and}
        return xor_network(X, *(ws[g] for g in order))

    return network


def linear_hidden(X, w_or, w_nand, w_and):
    X1 = np.hstack([X, np.ones((len(X), 1))])
    Z = X1 @ np.column_stack([w_or, w_nand])
    return step(np.hstack([Z, np.ones((len(Z), 1))]) @ w_and)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize(
    ("wrong", "diagnosis"),
    [
        (swapped(("or", "and", "nand")), "the output unit is AND of the two hidden outputs"),
        (swapped(("nand", "and", "or")), "OR is a hidden unit"),
        (linear_hidden, "apply the threshold in the hidden layer too"),
        (
            lambda X, w_or, w_nand, w_and: step(X @ w_and[:2] + w_and[2]),
            "you returned AND(x1, x2) of the inputs",
        ),
    ],
)
def test_xor_network_names_each_known_mistake(wrong, diagnosis, hidden):
    assert diagnosis in failure("xor_network", wrong, hidden=hidden, seed=4)


def test_xor_network_reports_a_plainly_wrong_value():
    message = failure("xor_network", lambda X, w_or, w_nand, w_and: np.zeros(len(X)))
    assert "h is wrong at index (1,): expected 1, got 0." in message


def untrained(X, Y, W1, b1, W2, b2, lr, epochs):
    return W1, b1, W2, b2


def stale_gradients(X, Y, W1, b1, W2, b2, lr, epochs):
    grads = xor_gradients(X, Y, W1, b1, W2, b2)
    params = (W1, b1, W2, b2)
    for _ in range(epochs):
        params = tuple(p - lr * g for p, g in zip(params, grads, strict=True))
    return params


def one_step_short(X, Y, W1, b1, W2, b2, lr, epochs):
    return train_xor(X, Y, W1, b1, W2, b2, lr, epochs - 1)


def no_lr(X, Y, W1, b1, W2, b2, lr, epochs):
    return train_xor(X, Y, W1, b1, W2, b2, 1.0, epochs)


def uphill(X, Y, W1, b1, W2, b2, lr, epochs):
    return train_xor(X, Y, W1, b1, W2, b2, -lr, epochs)


@pytest.mark.parametrize(
    ("wrong", "diagnosis"),
    [
        (untrained, "W1 did not change"),
        (uphill, "the steps went uphill"),
        (stale_gradients, "every step used the gradients of the start"),
        (one_step_short, "one step too few"),
        (no_lr, "the learning rate is missing"),
    ],
)
@pytest.mark.parametrize("seed", [None, 3])
def test_train_xor_names_each_known_mistake(wrong, diagnosis, seed):
    message = failure("train_xor", wrong, hidden=seed is not None, seed=seed)
    assert diagnosis in message


def test_train_xor_that_does_not_solve_xor_shows_the_outputs():
    def right_steps_then_nothing(X, Y, W1, b1, W2, b2, lr, epochs):
        return train_xor(X, Y, W1, b1, W2, b2, lr, min(epochs, 10))

    message = failure("train_xor", right_steps_then_nothing)
    assert "does not solve XOR" in message and "wrong side of 0.5" in message
    assert "From the same start, 1000 steps of gradient descent reach" in message


def test_train_xor_reports_wrong_shapes():
    def flat_w2(X, Y, W1, b1, W2, b2, lr, epochs):
        return W1, b1, W2.ravel(), b2

    assert "W2 with shape (2,); expected shape (2, 1), the shape of the W2" in failure(
        "train_xor", flat_w2
    )
    message = failure("train_xor", lambda X, Y, W1, b1, W2, b2, lr, epochs: (W1, W2))
    assert message.startswith(
        "train_xor should return 4 values, `return W1, b1, W2, b2`; got a tuple of 2 values."
    )
