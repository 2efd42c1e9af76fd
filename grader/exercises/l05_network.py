"""Exercises of lesson 05, backprop through a two-layer network: the full backward pass, and
one training step that uses it.

The network is dense → activation → dense, with the forward pass the lesson gives the student.
Every gradient is compared with nnlib's; when it is wrong, the message also says how far it is
from central differences of the forward pass, and names the mistake when the student's result
is what a known mistake would produce.
"""

from __future__ import annotations

import numpy as np

from grader.checks import check_gradient, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l05_backprop import (
    ACTIVATION_DERIVATIVES,
    ACTIVATION_FUNCTIONS,
    HIDDEN_ACTIVATIONS,
)
from grader.kit import expect_dict, expect_tuple
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import sigmoid_binary_cross_entropy

PARAMETER_NAMES = ("W1", "b1", "W2", "b2")


def random_parameters(rng, n_in, n_hidden, n_out):
    """Small random weights and biases of a two-layer network, as a dict of float64 arrays."""
    return {
        "W1": rng.normal(0, 0.8, (n_in, n_hidden)),
        "b1": rng.normal(0, 0.5, n_hidden),
        "W2": rng.normal(0, 0.8, (n_hidden, n_out)),
        "b2": rng.normal(0, 0.5, n_out),
    }


def mlp_forward(X, params, activation):
    """Forward pass of dense → activation → dense, as the lesson gives it to the student.

    Inputs:  X (m, n_in); params {"W1" (n_in, h), "b1" (h,), "W2" (h, n_out), "b2" (n_out,)};
             activation, a name in HIDDEN_ACTIVATIONS.
    Returns: Z2 (m, n_out), and the cache {"X", "Z1", "A1"} the backward pass needs.
    """
    Z1 = dense_forward(X, params["W1"], params["b1"])
    A1 = ACTIVATION_FUNCTIONS[activation](Z1)
    Z2 = dense_forward(A1, params["W2"], params["b2"])
    return Z2, {"X": X, "Z1": Z1, "A1": A1}


def mlp_gradients(dZ2, params, cache, activation, skip_activation=False, derivative_at_A1=False):
    """Backward pass of mlp_forward, optionally with one of two known mistakes.

    Inputs:  dZ2 (m, n_out); params and cache as mlp_forward; activation, its name;
             skip_activation: pass dA1 on as dZ1 (the activation backward forgotten);
             derivative_at_A1: take f' at A1 = f(Z1) rather than at Z1.
    Returns: {"W1", "b1", "W2", "b2"}: the gradients, each the shape of its parameter.
    """
    dA1, dW2, db2 = dense_backward(dZ2, cache["A1"], params["W2"])
    if skip_activation:
        dZ1 = dA1
    else:
        at = cache["A1"] if derivative_at_A1 else cache["Z1"]
        dZ1 = dA1 * ACTIVATION_DERIVATIVES[activation](at)
    _, dW1, db1 = dense_backward(dZ1, cache["X"], params["W1"])
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def forward_in(key, X, params, activation):
    """mlp_forward's Z2 as a function of one parameter alone, the others held fixed.

    key: one of PARAMETER_NAMES; X, params, activation: as mlp_forward.
    Returns forward(value) -> Z2 (m, n_out), value having the shape of params[key].
    """

    def forward(value):
        return mlp_forward(X, {**params, key: value}, activation)[0]

    return forward


@register
class MLPBackward(Exercise):
    """mlp_backward(dZ2, params, cache, activation) -> {"W1", "b1", "W2", "b2"} gradients."""

    name = "mlp_backward"
    reference = ("nnlib.model.Sequential.backward",)

    def cases(self, rng, hidden):
        if not hidden:
            sizes = [(4, 2, 3, 1, "tanh")]
        else:
            sizes = [
                (*(int(k) for k in rng.integers(2, 7, size=4)), name) for name in HIDDEN_ACTIVATIONS
            ]
        cases = []
        for m, n_in, n_hidden, n_out, name in sizes:
            params = random_parameters(rng, n_in, n_hidden, n_out)
            X = rng.normal(size=(m, n_in))
            _, cache = mlp_forward(X, params, name)
            dZ2 = rng.normal(size=(m, n_out)) / m
            cases.append(
                Case(
                    {"dZ2": dZ2, "params": params, "cache": cache, "activation": name},
                    label=f"{n_in}-{n_hidden}-{n_out} network, {name}, m={m}",
                )
            )
        return cases

    def judge(self, case, outputs):
        grads = expect_dict("mlp_backward", outputs, PARAMETER_NAMES)
        dZ2, params, cache, name = case.inputs.values()
        expected = mlp_gradients(dZ2, params, cache, name)
        skipped = mlp_gradients(dZ2, params, cache, name, skip_activation=True)
        at_A1 = mlp_gradients(dZ2, params, cache, name, derivative_at_A1=True)
        dZ1 = dZ2 @ params["W2"].T * ACTIVATION_DERIVATIVES[name](cache["Z1"])
        wrong_input = {
            "W2": {"layer 2's input is A1, not X: dW2 = A1ᵀ dZ2": cache["X"].T @ dZ2},
            "W1": {"layer 1's input is X, not A1: dW1 = Xᵀ dZ1": cache["A1"].T @ dZ1},
        }
        # Layer 2 first: a mistake there explains the layer-1 errors that follow from it.
        for key in ("W2", "b2", "W1", "b1"):
            check_gradient(
                f"grads['{key}']",
                grads[key],
                forward_in(key, cache["X"], params, name),
                params[key],
                dZ2,
                expected=expected[key],
                mistakes={
                    "the hidden activation's backward was skipped: dZ1 = dA1 ∘ f'(Z1), "
                    "not dA1": skipped[key],
                    f"f' was taken at A1 = {name}(Z1) instead of at Z1": at_A1[key],
                    **wrong_input.get(key, {}),
                },
            )


@register
class MLPTrainStep(Exercise):
    """mlp_train_step(params, X, Y, lr, activation) -> (J, new_params), one gradient step."""

    name = "mlp_train_step"
    reference = ("nnlib.training.train_epoch", "nnlib.training.fit")

    def cases(self, rng, hidden):
        if not hidden:
            sizes, rates = [(6, 2, 3, "tanh")], [0.5]
        else:
            sizes = [
                (*(int(k) for k in rng.integers(2, 9, size=3)), name) for name in HIDDEN_ACTIVATIONS
            ]
            rates = [float(rate) for rate in rng.uniform(0.05, 2.0, size=len(sizes))]
        cases = []
        for (m, n_in, n_hidden, name), lr in zip(sizes, rates, strict=True):
            params = random_parameters(rng, n_in, n_hidden, 1)
            X = rng.normal(size=(m, n_in))
            Y = (rng.random((m, 1)) < 0.5).astype(np.float64)
            cases.append(
                Case(
                    {"params": params, "X": X, "Y": Y, "lr": lr, "activation": name},
                    label=f"{n_in}-{n_hidden}-1 network, {name}, m={m}, lr={lr:.3g}",
                )
            )
        return cases

    def judge(self, case, outputs):
        J, new_params = expect_tuple("mlp_train_step", outputs, ("J", "new_params"))
        new_params = expect_dict("mlp_train_step", new_params, PARAMETER_NAMES, item="new_params")
        params, X, Y, lr, name = case.inputs.values()
        Z2, cache = mlp_forward(X, params, name)
        expected_J, dZ2 = sigmoid_binary_cross_entropy(Z2, Y)
        grads = mlp_gradients(dZ2, params, cache, name)
        expected = {key: params[key] - lr * grads[key] for key in PARAMETER_NAMES}
        after = {key: params[key] + lr * grads[key] for key in PARAMETER_NAMES}
        J_after = sigmoid_binary_cross_entropy(mlp_forward(X, expected, name)[0], Y)[0]
        compare(
            "J",
            J,
            expected_J,
            mistakes={
                "J was computed after the update: report the cost of the parameters "
                "you were given (the one the gradient belongs to)": J_after,
            },
        )
        for key in PARAMETER_NAMES:
            compare(
                f"new_params['{key}']",
                new_params[key],
                expected[key],
                mistakes={
                    f"{key} was not updated": params[key],
                    "the step went uphill: subtract lr × gradient, W ← W − lr ∂J/∂W": after[key],
                    "the learning rate is missing: W ← W − lr ∂J/∂W": params[key] - grads[key],
                },
            )
