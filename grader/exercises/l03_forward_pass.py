"""Graded exercises of lesson 03, the forward pass: one neuron, a dense layer and the
activations. (The network's forward pass and counting parameters are in l03_network.)

Every exercise follows the course's row form: X (m, n_in), W (n_in, n_out), b (n_out,),
Z = X W + b, A = f(Z).
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from nnlib import activations, layers

HIDDEN_NAMES = ("identity", "sigmoid", "tanh", "relu")


def _activation(name: str):
    """nnlib's activation function called ``name`` (one of HIDDEN_NAMES)."""
    return {
        "identity": activations.identity,
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "relu": activations.relu,
    }[name]


@register
class Neuron(Exercise):
    """neuron(x, w, b) -> a = sigmoid(w . x + b), one neuron on one example."""

    name = "neuron"

    def cases(self, rng, hidden):
        if not hidden:
            return [
                Case(
                    {"x": np.array([1.0, 2.0, -1.0]), "w": np.array([0.5, -0.25, 1.0]), "b": 0.5},
                    label="x = [1, 2, -1], w = [0.5, -0.25, 1], b = 0.5",
                )
            ]
        cases = []
        for _ in range(self.hidden_trials):
            n = int(rng.integers(2, 7))
            cases.append(
                Case(
                    {
                        "x": rng.normal(size=n),
                        "w": rng.normal(size=n),
                        "b": float(rng.normal()) + 0.5,
                    }
                )
            )
        return cases

    def judge(self, case, outputs):
        x, w, b = case.inputs.values()
        sigmoid = activations.sigmoid
        z = w @ x + b
        compare(
            "a",
            outputs,
            sigmoid(z),
            mistakes={
                "the bias b was left out: this is sigmoid(w . x)": sigmoid(w @ x),
                "this is z = w . x + b, the weighted sum; the sigmoid was not applied": z,
                "the sign in the exponent is flipped: sigmoid(z) = 1 / (1 + exp(-z))": sigmoid(-z),
                "w * x was not summed: the neuron's z is the dot product w . x": sigmoid(w * x + b),
            },
        )


@register
class DenseForward(Exercise):
    """dense_forward(X, W, b) -> Z = X W + b for m examples at once."""

    name = "dense_forward"
    reference = ("nnlib.layers.dense_forward",)

    def cases(self, rng, hidden):
        if not hidden:
            X = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 1.0], [2.0, -1.0, 0.0]])
            W = np.array([[0.5, -1.0], [2.0, 0.0], [-0.5, 1.0]])
            b = np.array([0.1, -0.2])
            return [Case({"X": X, "W": W, "b": b}, label="4 examples, 3 inputs, 2 units")]
        cases = []
        for _ in range(self.hidden_trials):
            m, n_in, n_out = (int(k) for k in rng.integers(2, 8, size=3))
            if n_out == n_in:
                n_out += 1  # keeps a transposed W from fitting by accident
            cases.append(
                Case(
                    {
                        "X": rng.normal(size=(m, n_in)),
                        "W": rng.normal(size=(n_in, n_out)),
                        "b": rng.normal(size=n_out),
                    }
                )
            )
        return cases

    def judge(self, case, outputs):
        X, W, b = case.inputs.values()
        Z = layers.dense_forward(X, W, b)
        compare(
            "Z",
            outputs,
            Z,
            mistakes={
                "the bias b was not added: this is X @ W": X @ W,
                "an activation was applied: dense_forward returns Z, before any activation": (
                    activations.sigmoid(Z)
                ),
                "the bias was subtracted, not added": X @ W - b,
            },
        )


class _Activation(Exercise):
    """An elementwise activation f(Z) -> A of the same shape; subclasses name it."""

    hidden_trials = 3

    def cases(self, rng, hidden):
        if not hidden:
            Z = np.array([[-3.0, -1.0, -0.5, 0.0], [0.25, 1.0, 2.0, 40.0]])
            return [Case({"Z": Z}, label="Z = [[-3, -1, -0.5, 0], [0.25, 1, 2, 40]]")]
        shapes = [(int(rng.integers(1, 6)), int(rng.integers(1, 6))) for _ in range(2)]
        shapes.append((int(rng.integers(2, 9)),))
        return [Case({"Z": 3 * rng.normal(size=shape)}) for shape in shapes]

    def judge(self, case, outputs):
        Z = case.inputs["Z"]
        compare("A", outputs, _activation(self.name)(Z), mistakes=self.mistakes(Z))

    def mistakes(self, Z: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError


@register
class Sigmoid(_Activation):
    """sigmoid(Z) = 1 / (1 + exp(-Z)), elementwise."""

    name = "sigmoid"
    reference = ("nnlib.activations.sigmoid",)

    def mistakes(self, Z):
        return {
            "this is 1 / (1 + exp(Z)), which equals 1 - sigmoid(Z): the sign in the exponent "
            "is flipped; sigmoid(Z) = 1 / (1 + exp(-Z))": 1 / (1 + np.exp(Z)),
            "this is tanh(Z), not the sigmoid": np.tanh(Z),
        }


@register
class Tanh(_Activation):
    """tanh(Z), elementwise; equal to 2 sigmoid(2Z) - 1."""

    name = "tanh"
    reference = ("nnlib.activations.tanh",)

    def mistakes(self, Z):
        sigmoid = activations.sigmoid
        return {
            "this is 2 sigmoid(Z) - 1; tanh(Z) = 2 sigmoid(2Z) - 1 (note the 2Z)": 2 * sigmoid(Z)
            - 1,
            "this is sigmoid(Z), not tanh": sigmoid(Z),
            "this is sigmoid(2Z); tanh(Z) = 2 sigmoid(2Z) - 1": sigmoid(2 * Z),
        }


@register
class Relu(_Activation):
    """relu(Z) = max(0, Z), elementwise."""

    name = "relu"
    reference = ("nnlib.activations.relu",)

    def mistakes(self, Z):
        return {
            "this is 1 where Z > 0 and 0 elsewhere (ReLU's slope); ReLU keeps the value Z": (
                (Z > 0).astype(float)
            ),
            "this is min(0, Z); ReLU is max(0, Z)": np.minimum(0, Z),
            "this is |Z|; ReLU sets negative values to 0": np.abs(Z),
            "this is one number, the largest element (np.max); np.maximum(0, Z) compares "
            "elementwise": np.max(Z),
        }
