"""Exercises of lesson 05 on a whole network: the backward pass of an MLP of any depth, from
the caches of lesson 03's forward pass, and one training step that uses it.

The network is nnlib.mlp's: a list of (W, b) pairs and one activation name per layer; the
forward pass returns (A, caches) with one cache (A_prev, W, Z) per layer. Every gradient is
compared with nnlib's; a wrong one's message also says how far it is from central differences
of the forward pass, and names the mistake when the student's result is what a known mistake
would produce.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import CheckFailed, check_gradient, compare, failure
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import (
    ACTIVATION_DERIVATIVES,
    ACTIVATION_FUNCTIONS,
    LARGE,
    NUMERICAL_HELPERS,
)
from grader.kit import expect_scalar, expect_tuple
from nnlib import mlp
from nnlib.layers import dense_backward
from nnlib.losses import sigmoid_binary_cross_entropy


def random_network(rng, sizes, m, scale=0.8):
    """Random parameters and inputs of an MLP, and its forward pass.

    sizes: units per layer, input first; m: examples; scale: the weights' spread.
    Returns (params, X): a list of (W, b) pairs, and X (m, sizes[0]).
    """
    params = [
        (rng.normal(0, scale, (n_in, n_out)), rng.normal(0, 0.5, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    return params, rng.normal(size=(m, sizes[0]))


def distinct_sizes(rng, count):
    """``count`` layer sizes that all differ (2 to 9), so that a transpose never fits."""
    return [int(k) for k in rng.choice(np.arange(2, 10), size=count, replace=False)]


def backward_variant(dA, caches, names, at_output=False, skip_activation=False):
    """The backward pass with one of two known mistakes, as a list of (dW, db).

    at_output: f' taken at the layer's output A = f(Z) rather than at Z.
    skip_activation: dZ = dA at every layer, as if no activation had a derivative.
    """
    grads = []
    for (A_prev, W, Z), name in zip(reversed(caches), reversed(names), strict=True):
        at = ACTIVATION_FUNCTIONS[name](Z) if at_output else Z
        dZ = dA if skip_activation else dA * ACTIVATION_DERIVATIVES[name](at)
        dA, dW, db = dense_backward(dZ, A_prev, W)
        grads.append((dW, db))
    return grads[::-1]


def forward_in(params, X, names, layer, index):
    """The network's output as a function of one parameter alone, the others held fixed.

    layer: which (W, b) pair (0 = the first layer); index: 0 for W, 1 for b.
    Returns forward(value) -> A (m, n_L), value having that parameter's shape.
    """

    def forward(value):
        trial = [list(pair) for pair in params]
        trial[layer][index] = value
        return mlp.mlp_forward(X, trial, names)[0]

    return forward


def expect_pairs(function_name, outputs, count, what):
    """The student's list of ``count`` pairs, one per layer, taken apart with the kit.

    what: the pair's two names without the layer number, e.g. ("dW", "db").
    Returns a list of (a, b); raises CheckFailed saying what came back instead, with a
    diagnosis when the list is short (a loop that missed layers).
    """
    __tracebackhide__ = True
    names = [f"({what[0]}{k}, {what[1]}{k})" for k in range(1, count + 1)]
    try:
        pairs = expect_tuple(function_name, outputs, names)
    except CheckFailed as wrong:
        short = type(outputs) in (list, tuple) and len(outputs) < count
        diagnosis = "A loop over the layers must visit every one of them" if short else None
        raise failure(str(wrong), diagnosis) from None
    return [
        expect_tuple(
            f"{function_name}'s entry for layer {k}", pair, (f"{what[0]}{k}", f"{what[1]}{k}")
        )
        for k, pair in enumerate(pairs, 1)
    ]


def check_layer_gradients(function_name, outputs, expected, network, variants) -> None:
    """Judge a backward pass's list of (dW, db), one pair per layer, layer 1 first.

    expected: nnlib's list of (dW, db).
    network:  (params, X, names, upstream): the network, its input and activations, and the
              gradient (m, n_L) the pass started from, for central differences of its output.
    variants: {diagnosis: the list of (dW, db) that mistake gives}.
    Raises CheckFailed for the list's length or order, then layer by layer, the last first: a
    mistake there explains the errors of the layers before it.
    """
    __tracebackhide__ = True
    params, X, names, upstream = network
    grads = expect_pairs(function_name, outputs, len(expected), ("dW", "db"))
    shapes = [(np.shape(dW), np.shape(db)) for dW, db in grads]
    right = [(dW.shape, db.shape) for dW, db in expected]
    if shapes != right and shapes == right[::-1]:
        raise failure(
            f"{function_name}'s pairs do not match the layers' shapes in this order.",
            "the list is in backward order, last layer first; the first pair must be "
            "layer 1's (dW, db): reverse the list before returning it",
        )
    m = upstream.shape[0]
    for layer in reversed(range(len(expected))):
        for index, label in enumerate(("dW", "db")):
            right = expected[layer][index]
            check_gradient(
                f"layer {layer + 1}'s {label}",
                grads[layer][index],
                forward_in(params, X, names, layer, index),
                params[layer][index],
                upstream,
                expected=right,
                mistakes={why: pairs[layer][index] for why, pairs in variants.items()}
                | known.batch_scale(label, right, m),
            )


@register
class MLPBackward(Exercise):
    """mlp_backward(dA, caches, activations) -> [(dW, db) per layer], for any depth."""

    name = "mlp_backward"
    reference = ("nnlib.mlp.mlp_backward", "nnlib.model.Sequential.backward", *NUMERICAL_HELPERS)

    def cases(self, rng, hidden):
        if not hidden:
            plans = [([2, 4, 3, 1], ["relu", "tanh", "identity"], 5, 0.0)]
        else:
            plans = [
                # one layer: logistic regression's backward pass
                (distinct_sizes(rng, 2), ["identity"], 6, 0.0),
                (distinct_sizes(rng, 3), ["sigmoid", "identity"], 7, 0.0),
                (distinct_sizes(rng, 4), ["relu", "tanh", "sigmoid"], 8, 0.0),
                # an output far from 0: central differences are measurably off there
                (distinct_sizes(rng, 5), ["tanh", "relu", "sigmoid", "identity"], 9, LARGE),
            ]
        cases = []
        for sizes, names, m, offset in plans:
            params, X = random_network(rng, sizes, m)
            params[-1][1][:] += offset  # the last layer's bias
            if names[0] == "relu":
                X[0] = 0.0  # the first layer's Z[0, 0] is then exactly b[0] = 0: relu's kink
                params[0][1][0] = 0.0
            caches = mlp.mlp_forward(X, params, names)[1]
            dA = rng.normal(size=(m, sizes[-1])) / m
            cases.append(
                Case(
                    {"dA": dA, "caches": caches, "activations": names},
                    secret={"params": params},
                    label=f"layer sizes {sizes}, activations {names}, m={m}",
                )
            )
        return cases

    def judge(self, case, outputs):
        dA, caches, names = case.inputs.values()
        params, X = case.secret["params"], caches[0][0]
        expected = mlp.mlp_backward(dA, caches, names)
        check_layer_gradients(
            "mlp_backward",
            outputs,
            expected,
            (params, X, names, dA),
            {
                "f' was taken at the layer's output A = f(Z); it belongs at the cached Z": (
                    backward_variant(dA, caches, names, at_output=True)
                ),
                "the activations' backward was skipped: dZ = dA ∘ f'(Z), not dA": (
                    backward_variant(dA, caches, names, skip_activation=True)
                ),
            },
        )


@register
class TrainStep(Exercise):
    """train_step(params, X, Y, lr, activations) -> (J, new_params), one gradient step."""

    name = "train_step"
    reference = ("nnlib.mlp.train_step", "nnlib.training.train_epoch", "nnlib.training.fit")

    def cases(self, rng, hidden):
        if not hidden:
            plans = [([2, 3, 1], ["tanh", "identity"], 6, 0.5)]
        else:
            plans = [
                ([int(rng.integers(2, 5)), 1], ["identity"], 8, float(rng.uniform(0.1, 2))),
                ([*distinct_sizes(rng, 2), 1], ["relu", "identity"], 7, float(rng.uniform(0.1, 2))),
                ([*distinct_sizes(rng, 3), 1], ["sigmoid", "tanh", "identity"], 9, 0.3),
            ]
        cases = []
        for sizes, names, m, lr in plans:
            params, X = random_network(rng, sizes, m)
            Y = np.zeros((m, 1))
            Y[rng.permutation(m)[: m // 2]] = 1.0  # both classes, always
            inputs = {"params": params, "X": X, "Y": Y, "lr": lr, "activations": names}
            cases.append(Case(inputs, label=f"layer sizes {sizes}, {names}, m={m}, lr={lr:.3g}"))
        return cases

    def judge(self, case, outputs):
        J, new_params = expect_tuple("train_step", outputs, ("J", "new_params"))
        J = expect_scalar("J", J)
        params, X, Y, lr, names = case.inputs.values()
        expected_J, expected = mlp.train_step(params, X, Y, lr, names)
        Z, caches = mlp.mlp_forward(X, params, names)
        grads = mlp.mlp_backward(sigmoid_binary_cross_entropy(Z, Y)[1], caches, names)
        # A sigmoid applied before a loss that applies it again: σ(σ(z)).
        twice_J, dA = sigmoid_binary_cross_entropy(ACTIVATION_FUNCTIONS["sigmoid"](Z), Y)
        twice = mlp.mlp_backward(dA * ACTIVATION_DERIVATIVES["sigmoid"](Z), caches, names)
        compare(
            "J",
            J,
            expected_J,
            mistakes={
                "J was computed after the update: report the cost of the parameters you "
                "were given (the one the gradient belongs to)": mlp.train_step(
                    expected, X, Y, lr, names
                )[0],
                "the sigmoid was applied twice: the last layer gives the logit z, and "
                "sigmoid_binary_cross_entropy applies σ itself": twice_J,
            },
        )
        new = expect_pairs("train_step", new_params, len(params), ("W", "b"))
        for layer, ((W, b), (dW, db)) in enumerate(zip(params, grads, strict=True)):
            for index, (value, gradient) in enumerate(((W, dW), (b, db))):
                which = f"layer {layer + 1}'s {'Wb'[index]}"
                compare(
                    f"{which}, after the step",
                    new[layer][index],
                    expected[layer][index],
                    mistakes={
                        f"{which} was not updated": value,
                        "the step went uphill: subtract lr × gradient, θ ← θ − lr ∂J/∂θ": (
                            value + lr * gradient
                        ),
                        "the learning rate is missing: θ ← θ − lr ∂J/∂θ": value - gradient,
                        "the sigmoid was applied twice: the last layer gives the logit z, "
                        "and sigmoid_binary_cross_entropy applies σ itself": (
                            value - lr * twice[layer][index]
                        ),
                    },
                )
