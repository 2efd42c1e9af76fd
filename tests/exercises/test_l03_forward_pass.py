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


def forward_with(choose=lambda names, layer: names[layer], cache=lambda A, W, Z, out: (A, W, Z)):
    """An mlp_forward whose layer ``layer`` uses the activation ``choose(names, layer)`` and
    caches ``cache(A_prev, W, Z, A)``."""

    def mlp_forward(X, params, activations):
        A, caches = X, []
        for layer, (W, b) in enumerate(params):
            Z = A @ W + b
            out = FUNCTIONS[choose(activations, layer)](Z)
            caches.append(cache(A, W, Z, out))
            A = out
        return A, caches

    return mlp_forward


def forward_in_a_while_loop(X, params, activations):
    """A right answer written with indices and a while loop, caches as lists."""
    A, caches, layer = X, [], 0
    while layer < len(params):
        W, b = params[layer]
        Z = np.einsum("mi,io->mo", A, W) + b[None, :]
        caches += [[A, W, Z]]
        A = FUNCTIONS[activations[layer]](Z)
        layer += 1
    return A, caches


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


def test_a_forward_pass_with_einsum_and_list_caches_passes(capsys):
    check("mlp_forward", forward_in_a_while_loop)
    for seed in SEEDS:
        check("mlp_forward", forward_in_a_while_loop, hidden=True, seed=seed)
    assert "✔ mlp_forward: 4 hidden checks passed" in capsys.readouterr().out


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
    (
        "mlp_forward",
        forward_with(cache=lambda A, W, Z, out: (A, W, out)),
        "the cache holds A = f(Z); lesson 05 needs the pre-activation Z",
    ),
    (
        "mlp_forward",
        forward_with(cache=lambda A, W, Z, out: (out, W, Z)),
        "the cache holds the layer's output A; it needs its input A_prev",
    ),
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
    "mlp_forward": lambda X, params, activations: (
        np.zeros((X.shape[0], params[-1][0].shape[1])),
        [],
    ),
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


def test_mlp_forward_without_caches_says_what_to_return():
    with pytest.raises(
        CheckFailed, match=r"mlp_forward should return 2 values, `return A, caches`"
    ):
        check(
            "mlp_forward", lambda X, params, activations: forward_with()(X, params, activations)[0]
        )
    with pytest.raises(CheckFailed, match="one entry per layer"):
        check(
            "mlp_forward",
            lambda X, params, activations: (forward_with()(X, params, activations)[0], []),
        )


# The playground of section 9: a 2-3-1 network on the four XOR inputs, every slider from -8
# to 8 in steps of 0.5.
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def playground_output(W1, b1, W2, b2, hidden):
    A, _ = forward_with()(CORNERS, [(W1, b1), (W2, b2)], [hidden, "sigmoid"])
    return A.ravel()


def solves_xor(out):
    return min(out[1], out[2]) > max(out[0], out[3])


def test_playground_starting_values_solve_xor_with_tanh():
    W1, b1 = np.array([[4.0, 4.0, 0.0], [4.0, 4.0, 0.0]]), np.array([-2.0, -6.0, 0.0])
    W2, b2 = np.array([[6.0], [-6.0], [0.0]]), np.array([-3.0])
    out = playground_output(W1, b1, W2, b2, "tanh")
    assert solves_xor(out)
    assert out[[1, 2]].min() > 0.9 and out[[0, 3]].max() < 0.1
    # unit 1 (b = -2) is on for any 1 in the input (OR), unit 2 (b = -6) only for both (AND)
    _, caches = forward_with()(CORNERS, [(W1, b1), (W2, b2)], ["tanh", "sigmoid"])
    hidden = caches[1][0]
    assert list(hidden[:, 0] > 0) == [False, True, True, True]
    assert list(hidden[:, 1] > 0) == [False, False, False, True]


def test_no_slider_setting_solves_xor_with_identity_hidden_units():
    rng = np.random.default_rng(0)
    steps = np.arange(-8, 8.5, 0.5)
    for _ in range(20_000):
        W1, b1 = rng.choice(steps, (2, 3)), rng.choice(steps, 3)
        W2, b2 = rng.choice(steps, (3, 1)), rng.choice(steps, 1)
        assert not solves_xor(playground_output(W1, b1, W2, b2, "identity"))
