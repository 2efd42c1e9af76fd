"""Lesson 02's last exercise: XOR learned by a 2-2-1 sigmoid network.

Many weights solve XOR, so the trained network is graded by what it computes: the student's
training runs from starting weights the grader chooses, and its four outputs must fall on the
right side of 0.5. When they do not, the parameters that moved (and which way) name the mistake.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, failure
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib import activations, data, init, layers, losses

# Gradient descent on the 2-2-1 network: with these, about three starts in four solve XOR.
XOR_LR = 4.0
XOR_EPOCHS = 1000


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """XOR's truth table as a training set: X (4, 2), Y (4, 1)."""
    X, y = data.truth_table("xor")
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)


def xor_logits(X, W1, b1, W2, b2) -> np.ndarray:
    """The 2-2-1 sigmoid network up to its output's weighted sum.

    X: (m, 2), W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,).
    Returns Z2 of shape (m, 1); the network's output is A2 = σ(Z2).
    """
    A1 = activations.sigmoid(layers.dense_forward(X, W1, b1))
    return layers.dense_forward(A1, W2, b2)


def xor_forward(X, W1, b1, W2, b2) -> np.ndarray:
    """A2 = σ(Z2) of shape (m, 1), the 2-2-1 network's outputs (arguments as xor_logits)."""
    return activations.sigmoid(xor_logits(X, W1, b1, W2, b2))


def train_xor_reference(X, Y, W1, b1, W2, b2, lr=XOR_LR, epochs=XOR_EPOCHS):
    """Full-batch gradient descent on the mean binary cross-entropy of the 2-2-1 network.

    X: (m, 2), Y: (m, 1) in {0, 1}; W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,): the start.
    lr: the learning rate; epochs: the number of steps.
    Returns the trained (W1, b1, W2, b2), new arrays of the same shapes.
    """
    for _ in range(epochs):
        A1 = activations.sigmoid(layers.dense_forward(X, W1, b1))
        _, dZ2 = losses.sigmoid_binary_cross_entropy(layers.dense_forward(A1, W2, b2), Y)
        dA1, dW2, db2 = layers.dense_backward(dZ2, A1, W2)
        _, dW1, db1 = layers.dense_backward(dA1 * A1 * (1.0 - A1), X, W1, input_grad=False)
        W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
    return W1, b1, W2, b2


def solves_xor(A2: np.ndarray, Y: np.ndarray) -> bool:
    """True when every output is on its target's side of 0.5.  A2, Y: (m, 1)."""
    return bool(np.all((A2 > 0.5) == (Y > 0.5)))


PARAMETER_SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}


@register
class TrainXor(Exercise):
    """train_xor(X, Y, W1, b1, W2, b2, lr, epochs) -> trained (W1, b1, W2, b2)."""

    name = "train_xor"
    reference = ("nnlib.layers.dense_backward", "nnlib.model.Sequential", "nnlib.training.fit")
    hidden_trials = 3

    def cases(self, rng, hidden):
        X, Y = xor_data()
        found = []
        while len(found) < (self.hidden_trials if hidden else 1):
            # Glorot-uniform weights and zero biases, as nnlib's Dense starts; about one start in
            # four is a local minimum for gradient descent, and those are skipped so that a
            # correct answer always passes.
            start = {
                "W1": init.glorot_uniform(2, 2, rng),
                "b1": np.zeros(2),
                "W2": init.glorot_uniform(2, 1, rng),
                "b2": np.zeros(1),
            }
            trained = train_xor_reference(X, Y, **start)
            if solves_xor(xor_forward(X, *trained), Y):
                inputs = {"X": X, "Y": Y, **start, "lr": XOR_LR, "epochs": XOR_EPOCHS}
                found.append(Case(inputs, secret={"trained": trained}))
        return found

    def judge(self, case, outputs):
        trained = expect_tuple("train_xor", outputs, tuple(PARAMETER_SHAPES))
        params = {}
        for (name, shape), value in zip(PARAMETER_SHAPES.items(), trained, strict=True):
            array = np.asarray(value, dtype=np.float64) if value is not None else None
            if array is None or array.shape != shape:
                got = "None" if array is None else f"shape {array.shape}"
                raise CheckFailed(
                    f"train_xor returned {name} with {got}; expected shape {shape}. Every "
                    "gradient has the shape of its parameter (dW2 is (2, 1), like W2); a gradient "
                    "of another shape is silently broadcast by `W2 - lr * dW2` into a wrong one."
                )
            params[name] = array
        X, Y = case.inputs["X"], case.inputs["Y"]
        A2 = xor_forward(X, *params.values())
        if solves_xor(A2, Y):
            return
        rows = "\n".join(
            f"   {int(x[0])}  {int(x[1])} |   {int(t)}    | {a:.4f}"
            + ("" if (a > 0.5) == (t > 0.5) else "   <- wrong side of 0.5")
            for x, t, a in zip(X, Y.ravel(), A2.ravel(), strict=True)
        )
        reached = xor_forward(X, *case.secret["trained"]).ravel()
        message = (
            "train_xor: after training, the network does not solve XOR.\n"
            f"  x1 x2 | target | your output\n{rows}\n"
            f"  From the same start, {case.inputs['epochs']} steps of gradient descent with "
            f"lr = {case.inputs['lr']} reach outputs {np.round(reached, 4).tolist()}."
        )
        raise failure(message, self._diagnose(case, params))

    @staticmethod
    def _diagnose(case, params) -> str | None:
        """Name the mistake, judging by which parameters moved and which way."""
        start = {name: case.inputs[name] for name in PARAMETER_SHAPES}
        moved = {name: not np.allclose(params[name], start[name]) for name in PARAMETER_SHAPES}
        if not any(moved.values()):
            return (
                "no parameter changed: assign the updates back, e.g. `W1 = W1 - lr * dW1`, "
                "inside the loop over epochs, and return the updated arrays"
            )
        if not (moved["W1"] or moved["b1"]):
            return "the hidden layer (W1, b1) never changed: update it too, with dW1 and db1"
        if not (moved["b1"] or moved["b2"]):
            return "the biases never changed: update b1 and b2 with db1 and db2"
        X, Y = case.inputs["X"], case.inputs["Y"]
        lr, epochs = case.inputs["lr"], case.inputs["epochs"]
        uphill = train_xor_reference(X, Y, **start, lr=-lr, epochs=epochs)
        if all(np.allclose(p, q) for p, q in zip(params.values(), uphill, strict=True)):
            return "the steps went uphill: subtract the gradient, W = W - lr * dW"
        J_start, _ = losses.sigmoid_binary_cross_entropy(xor_logits(X, **start), Y)
        J_end, _ = losses.sigmoid_binary_cross_entropy(xor_logits(X, **params), Y)
        if J_end > J_start:
            return (
                f"the cost went up, from {J_start:.4f} to {J_end:.4f}: check the sign of each "
                "update and each gradient against the formulas above"
            )
        if np.all(np.abs(xor_forward(X, *params.values()) - 0.5) < 0.05):
            return (
                "all four outputs stayed near 0.5, so the cost hardly moved from log 2 = 0.693: "
                "some gradient is wrong. Compare each line with the formulas; a missing "
                "A1 * (1 - A1) in dZ1 is the usual cause"
            )
        return None
