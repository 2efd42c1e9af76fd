"""Lesson 03's exercise specs: right answers pass, known mistakes are named, nonsense fails."""

import re

import numpy as np
import pytest

from grader import CheckFailed, check

SEEDS = range(5)


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


FUNCTIONS = {
    "identity": lambda Z: Z,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0),
}


def forward_with(choose=lambda names, layer: names[layer]):
    """An mlp_forward whose layer ``layer`` uses the activation ``choose(names, layer)``."""

    def mlp_forward(X, params, activations):
        A = X
        for layer, (W, b) in enumerate(params):
            A = FUNCTIONS[choose(activations, layer)](A @ W + b)
        return A

    return mlp_forward


def count_with(weights=True, biases=True, input_biases=False):
    def count_parameters(sizes):
        pairs = list(zip(sizes[:-1], sizes[1:], strict=False))
        return (
            weights * sum(a * b for a, b in pairs)
            + biases * sum(b for _, b in pairs)
            + input_biases * sizes[0]
        )

    return count_parameters


RIGHT = {
    "neuron": lambda x, w, b: sigmoid(w @ x + b),
    "dense_forward": lambda X, W, b: X @ W + b,
    "sigmoid": sigmoid,
    "tanh": lambda Z: 2 * sigmoid(2 * Z) - 1,
    "relu": lambda Z: np.maximum(0, Z),
    "mlp_forward": forward_with(),
    "count_parameters": count_with(),
}


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_answer_passes_visible_and_hidden(name, capsys):
    check(name, RIGHT[name])
    for seed in SEEDS:
        check(name, RIGHT[name], hidden=True, seed=seed)
    assert f"✔ {name}:" in capsys.readouterr().out


MISTAKES = [
    ("neuron", lambda x, w, b: sigmoid(w @ x), "the bias b was left out"),
    ("neuron", lambda x, w, b: w @ x + b, "the sigmoid was not applied"),
    ("neuron", lambda x, w, b: sigmoid(-(w @ x + b)), "the sign in the exponent is flipped"),
    ("neuron", lambda x, w, b: sigmoid(w * x + b), "w * x was not summed"),
    ("dense_forward", lambda X, W, b: X @ W, "the bias b was not added"),
    ("dense_forward", lambda X, W, b: sigmoid(X @ W + b), "an activation was applied"),
    ("dense_forward", lambda X, W, b: X @ W - b, "the bias was subtracted"),
    ("dense_forward", lambda X, W, b: (X @ W + b).T, "Z looks transposed"),
    ("sigmoid", lambda Z: 1 / (1 + np.exp(Z)), "the sign in the exponent is flipped"),
    ("sigmoid", lambda Z: np.exp(-Z) / (1 + np.exp(-Z)), "equals 1 - sigmoid(Z)"),
    ("sigmoid", np.tanh, "this is tanh(Z)"),
    ("tanh", lambda Z: 2 * sigmoid(Z) - 1, "note the 2Z"),
    ("tanh", sigmoid, "this is sigmoid(Z), not tanh"),
    ("tanh", lambda Z: sigmoid(2 * Z), "this is sigmoid(2Z)"),
    ("relu", lambda Z: (Z > 0).astype(float), "ReLU's slope"),
    ("relu", lambda Z: np.minimum(0, Z), "this is min(0, Z)"),
    ("relu", np.abs, "this is |Z|"),
    ("relu", np.max, "the largest element"),
    ("mlp_forward", forward_with(lambda names, layer: "identity"), "no activation was applied"),
    (
        "mlp_forward",
        forward_with(lambda names, layer: "identity" if layer == len(names) - 1 else names[layer]),
        "the last layer's activation was not applied",
    ),
    ("mlp_forward", forward_with(lambda names, layer: names[::-1][layer]), "reverse order"),
    ("mlp_forward", forward_with(lambda names, layer: names[0]), "the first activation"),
    ("count_parameters", count_with(biases=False), "only the weights were counted"),
    ("count_parameters", count_with(input_biases=True), "the input layer was given biases"),
    ("count_parameters", count_with(weights=False), "only the biases were counted"),
    ("count_parameters", lambda sizes: sum(sizes), "this counts units"),
]


@pytest.mark.parametrize(("name", "mistake", "diagnosis"), MISTAKES)
def test_known_mistake_is_named_in_visible_and_hidden(name, mistake, diagnosis):
    with pytest.raises(CheckFailed, match=f"Diagnosis: .*{re.escape(diagnosis)}"):
        check(name, mistake)
    with pytest.raises(CheckFailed, match=f"Diagnosis: .*{re.escape(diagnosis)}"):
        check(name, mistake, hidden=True, seed=1)


WRONG = {
    "neuron": lambda x, w, b: 0.5,
    "dense_forward": lambda X, W, b: np.ones((X.shape[0], W.shape[1])),
    "sigmoid": lambda Z: Z / 2,
    "tanh": lambda Z: Z,
    "relu": lambda Z: Z + 1,
    "mlp_forward": lambda X, params, activations: np.zeros((X.shape[0], params[-1][0].shape[1])),
    "count_parameters": lambda sizes: 7,
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_plainly_wrong_answer_fails_with_values(name):
    with pytest.raises(CheckFailed, match=r"(?s)is wrong.*expected .*, got .*relative error"):
        check(name, WRONG[name])


def test_visible_examples_have_the_documented_values():
    # The numbers the lesson text quotes.
    assert RIGHT["count_parameters"]([784, 16, 16, 10]) == 13002
    assert RIGHT["neuron"](np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.25, 1.0]), 0.5) == (
        pytest.approx(1 / (1 + np.exp(0.5)), rel=1e-15)
    )


def test_missing_function_and_wrong_types_get_clear_messages():
    def unwritten(*args):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not written yet"):
        check("mlp_forward", unwritten)
    with pytest.raises(CheckFailed, match="did you forget to `return` it"):
        check("dense_forward", lambda X, W, b: None)
    with pytest.raises(
        CheckFailed, match=r"^the count should be one number; got a list of 1 value\."
    ):
        check("count_parameters", lambda sizes: [13])
    with pytest.raises(CheckFailed, match="shape"):
        check("dense_forward", lambda X, W, b: W.T @ X.T)
