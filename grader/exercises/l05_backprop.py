"""Exercises of lesson 05, backprop in matrix form: the dense and activation backward passes.
(The backward pass through a two-layer network and a training step are in l05_network.)

Every gradient is compared with nnlib's backward pass; when it is wrong, the message also says
how far it is from central differences of nnlib's forward pass, and names the mistake when the
student's result is what a known mistake would produce.
"""

from __future__ import annotations

import numpy as np

from grader import mistakes as known
from grader.checks import check_gradient
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib import activations
from nnlib.layers import dense_backward, dense_forward

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
ACTIVATION_NAMES = ("identity", *HIDDEN_ACTIVATIONS)  # identity: the output layer's logit
ACTIVATION_FUNCTIONS = {name: getattr(activations, name) for name in ACTIVATION_NAMES}
ACTIVATION_DERIVATIVES = {
    name: getattr(activations, f"{name}_derivative") for name in ACTIVATION_NAMES
}
# Central differences of a nearly linear function far from 0 lose about 1e-5 of relative
# accuracy to rounding (the ulp of 1e6 is 1e-10, against h = 1e-5), a hundred times the
# threshold: an analytic gradient passes such cases and a numerical one cannot.
LARGE = 1e6
NUMERICAL_HELPERS = (
    "nnlib.gradcheck.numerical_gradient",
    "nnlib.gradcheck.numerical_gradient_array",
)


@register
class DenseBackward(Exercise):
    """dense_backward(dZ, X, W) -> (dX, dW, db) for Z = X W + b."""

    name = "dense_backward"
    reference = ("nnlib.layers.dense_backward",)

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0], [-2.0, 1.0]])
            W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
            dZ = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [0.0, -1.0, 1.0], [2.0, 1.0, 0.5]])
            return [Case({"dZ": dZ, "X": X, "W": W}, label="m=4, n_in=2, n_out=3")]
        cases = []
        for _ in range(self.hidden_trials):
            m, n_in, n_out = (int(k) for k in rng.integers(2, 9, size=3))
            cases.append(
                Case(
                    {
                        "dZ": rng.normal(size=(m, n_out)),
                        "X": rng.normal(size=(m, n_in)),
                        "W": rng.normal(size=(n_in, n_out)),
                    },
                    label=f"m={m}, n_in={n_in}, n_out={n_out}",
                )
            )
        return cases

    def judge(self, case, outputs):
        dX, dW, db = expect_tuple("dense_backward", outputs, ("dX", "dW", "db"))
        dZ, X, W = case.inputs.values()
        m = X.shape[0]
        b = np.zeros(W.shape[1])
        expected_dX, expected_dW, expected_db = dense_backward(dZ, X, W)
        check_gradient(
            "dX",
            dX,
            lambda x: dense_forward(x, W, b),
            X,
            dZ,
            expected=expected_dX,
            mistakes={
                "dX was computed without the upstream gradient dZ: dX = dZ Wᵀ, "
                "not a sum of W's rows": np.tile(W.sum(axis=1), (m, 1)),
            }
            | known.batch_scale("dX", expected_dX, m),
        )
        check_gradient(
            "dW",
            dW,
            lambda w: dense_forward(X, w, b),
            W,
            dZ,
            expected=expected_dW,
            mistakes={
                "dW looks transposed: dW = Xᵀ dZ has W's shape (n_in, n_out); "
                "dZᵀ X has (n_out, n_in)": expected_dW.T,
                "dW was computed without the upstream gradient dZ: "
                "dW = Xᵀ dZ, not a sum of X's rows": np.tile(X.sum(axis=0)[:, None], W.shape[1]),
            }
            | known.batch_scale("dW", expected_dW, m),
        )
        check_gradient(
            "db",
            db,
            lambda v: dense_forward(X, W, v),
            b,
            dZ,
            expected=expected_db,
            mistakes=known.bias_not_summed("db", dZ)
            | known.batch_scale("db", expected_db, m)
            | {
                "db kept the summed axis: sum without keepdims, so that db is a vector "
                "(n_out,) like b": expected_db[None, :],
            },
        )


@register
class ActivationBackward(Exercise):
    """activation_backward(dA, Z, activation) -> dZ = dA ∘ f'(Z)."""

    name = "activation_backward"
    reference = (
        "nnlib.activations.sigmoid_derivative",
        "nnlib.activations.tanh_derivative",
        "nnlib.activations.relu_derivative",
        "nnlib.activations.Sigmoid.backward",
        "nnlib.activations.Tanh.backward",
        "nnlib.activations.ReLU.backward",
        *NUMERICAL_HELPERS,
    )

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[-2.0, 0.0, 0.25], [1.0, 3.0, -1.5]])  # a 0: relu'(0) = 0
            dA = np.array([[0.5, -1.0, 2.0], [1.5, -0.5, 1.0]])
            return [
                Case({"dA": dA, "Z": Z, "activation": name}, label=name)
                for name in ACTIVATION_NAMES
            ]
        cases = []
        for name in ACTIVATION_NAMES:
            m, n = (int(k) for k in rng.choice(np.arange(2, 9), size=2, replace=False))
            Z = rng.normal(0, 2, size=(m, n))
            if name == "relu":
                # Exact zeros at the kink (relu'(0) = 0 is the convention), and values far
                # from 0, where central differences are measurably off.
                Z[0, :] = 0.0
                Z[-1, :] *= LARGE
            if name == "identity":
                Z = Z + LARGE
            cases.append(
                Case(
                    {"dA": rng.normal(size=(m, n)), "Z": Z, "activation": name},
                    label=f"{name}, shape ({m}, {n})",
                )
            )
        return cases

    def judge(self, case, outputs):
        dA, Z, name = case.inputs.values()
        f, derivative = ACTIVATION_FUNCTIONS[name], ACTIVATION_DERIVATIVES[name]
        expected = dA * derivative(Z)
        mistakes = {
            "identity": {
                "the identity's derivative is 1, so dZ = dA; this is A = Z itself": Z,
                "the identity's derivative is 1, not 0: dZ = dA": np.zeros_like(dA),
            }
            | known.missing_upstream("dZ", np.ones_like(Z)),
            "sigmoid": known.sigmoid_derivative("dZ", Z, dA),
            "relu": known.relu_derivative("dZ", Z, dA),
            "tanh": known.missing_upstream("dZ", derivative(Z)),
        }[name]
        mistakes["dZ = dA ∘ f(Z) uses the activation itself; you need its derivative f'(Z)"] = (
            dA * f(Z)
        )
        if name == "tanh":
            mistakes["f' was taken at A = tanh(Z) instead of at Z"] = dA * derivative(f(Z))
            mistakes["tanh' is 1 − tanh²(Z); this looks like 1 − tanh(Z)"] = dA * (1 - np.tanh(Z))
            mistakes["tanh' was computed from Z itself: it is 1 − tanh(Z)², not 1 − Z²"] = dA * (
                1 - Z**2
            )
        if name == "relu":
            mistakes["ReLU's derivative was read from dA's sign: it depends on Z > 0"] = dA * (
                dA > 0
            )
            mistakes[
                "relu'(0) is 0 in this course: the derivative is 1 where Z > 0, and this "
                "used Z >= 0"
            ] = dA * (Z >= 0)
        check_gradient("dZ", outputs, f, Z, dA, expected=expected, mistakes=mistakes)
