"""Lesson 02's last exercise: gradient descent on the 2-2-1 sigmoid network that learns XOR.

The gradients are handed to the student (``nnlib.xor_net.xor_gradients``; lessons 04 and 05
derive them), so the exercise is the descent itself. It is graded on what its steps compute:
the parameters after a few steps from a given start must equal full-batch gradient descent's,
step for step. Whether XOR ends up solved is a second, separate case.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare, diagnose, failure
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib import data, init
from nnlib.xor_net import xor_forward, xor_gradients, xor_train

# With these, about three random starts in four solve XOR.
XOR_LR = 4.0
XOR_EPOCHS = 1000
PARAMETER_SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """XOR's truth table as a training set: X (4, 2), Y (4, 1)."""
    X, y = data.truth_table("xor")
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1, 1)


def solves_xor(A2: np.ndarray, Y: np.ndarray) -> bool:
    """True when every output is on its target's side of 0.5.  A2, Y: (m, 1)."""
    return bool(np.all((A2 > 0.5) == (Y > 0.5)))


def _steps_case(rng, lr: float, epochs: int, label: str) -> Case:
    """A few steps from a random start with non-zero biases, so that every parameter moves."""
    X, Y = xor_data()
    start = {
        "W1": rng.normal(scale=0.8, size=(2, 2)),
        "b1": rng.normal(scale=0.3, size=2),
        "W2": rng.normal(scale=0.8, size=(2, 1)),
        "b2": rng.normal(scale=0.3, size=1),
    }
    return Case({"X": X, "Y": Y, **start, "lr": lr, "epochs": epochs}, label=label)


def _solving_case(rng) -> Case:
    """A Glorot start from which XOR_EPOCHS steps of gradient descent solve XOR.

    About one start in four is a local minimum for gradient descent; those are skipped, so that
    a correct answer always passes.
    """
    X, Y = xor_data()
    while True:
        start = {
            "W1": init.glorot_uniform(2, 2, rng),
            "b1": np.zeros(2),
            "W2": init.glorot_uniform(2, 1, rng),
            "b2": np.zeros(1),
        }
        trained = xor_train(X, Y, **start, lr=XOR_LR, epochs=XOR_EPOCHS)
        if solves_xor(xor_forward(X, *trained)[1], Y):
            inputs = {"X": X, "Y": Y, **start, "lr": XOR_LR, "epochs": XOR_EPOCHS}
            label = f"{XOR_EPOCHS} steps: does it solve XOR?"
            return Case(inputs, secret={"trained": trained}, label=label)


def _slips(X, Y, start, lr, epochs) -> dict[str, list]:
    """{diagnosis: the parameters (W1, b1, W2, b2) that slip reaches}, for a descent of
    ``epochs`` steps with rate lr from start. "{}" in a diagnosis stands for the parameter."""
    first = xor_gradients(X, Y, *start)
    return {
        "{} did not change: assign each update back, e.g. `W1 = W1 - lr * dW1`, inside the "
        "loop, and return the updated arrays": start,
        "the steps went uphill: subtract the gradient, θ = θ - lr · dθ": xor_train(
            X, Y, *start, lr=-lr, epochs=epochs
        ),
        "the learning rate is missing: each step is lr times the gradient": xor_train(
            X, Y, *start, lr=1.0, epochs=epochs
        ),
        "one step too few: the loop should make `epochs` steps": xor_train(
            X, Y, *start, lr=lr, epochs=epochs - 1
        ),
        "one step too many: the loop should make `epochs` steps": xor_train(
            X, Y, *start, lr=lr, epochs=epochs + 1
        ),
        "every step used the gradients of the start: compute them again inside the loop, "
        "at the current parameters": [
            p - epochs * lr * g for p, g in zip(start, first, strict=True)
        ],
    }


@register
class TrainXor(Exercise):
    """train_xor(X, Y, W1, b1, W2, b2, lr, epochs) -> trained (W1, b1, W2, b2)."""

    name = "train_xor"
    reference = ("nnlib.xor_net.xor_train", "nnlib.model.Sequential", "nnlib.training.fit")
    hidden_trials = 3

    def cases(self, rng, hidden):
        if not hidden:
            steps = _steps_case(rng, lr=XOR_LR, epochs=3, label="3 steps from a given start")
            return [steps, _solving_case(rng)]
        found = []
        for _ in range(self.hidden_trials):
            lr, epochs = float(rng.uniform(0.5, 5.0)), int(rng.integers(2, 7))
            found.append(_steps_case(rng, lr, epochs, f"{epochs} steps with lr = {lr:.3g}"))
        return [*found, _solving_case(rng)]

    def judge(self, case, outputs):
        params = self._parameters(outputs)
        inputs = case.inputs
        X, Y, lr, epochs = inputs["X"], inputs["Y"], inputs["lr"], inputs["epochs"]
        start = [inputs[name] for name in PARAMETER_SHAPES]
        solving = epochs == XOR_EPOCHS
        if solving and solves_xor(xor_forward(X, *params.values())[1], Y):
            return  # solved: after this many steps, tiny rounding differences are no mistake
        expected = case.secret.get("trained") or xor_train(X, Y, *start, lr=lr, epochs=epochs)
        slips = _slips(X, Y, start, lr, epochs)
        if solving:
            self._judge_solved(X, Y, params, expected, slips)
        for index, name in enumerate(PARAMETER_SHAPES):
            compare(
                name,
                params[name],
                expected[index],
                mistakes={words.format(name): result[index] for words, result in slips.items()},
            )

    @staticmethod
    def _parameters(outputs) -> dict[str, np.ndarray]:
        """The four returned arrays by name, each checked for its shape."""
        trained = expect_tuple("train_xor", outputs, tuple(PARAMETER_SHAPES))
        params = {}
        for (name, shape), value in zip(PARAMETER_SHAPES.items(), trained, strict=True):
            array = np.asarray(value, dtype=np.float64) if value is not None else None
            if array is None or array.shape != shape:
                got = "None" if array is None else f"shape {array.shape}"
                raise CheckFailed(
                    f"train_xor returned {name} with {got}; expected shape {shape}, the shape "
                    f"of the {name} it was given."
                )
            params[name] = array
        return params

    @staticmethod
    def _judge_solved(X, Y, params, reached, slips) -> None:
        """Fail, with the four outputs, unless the trained network solves XOR.

        reached: the parameters that gradient descent reaches from the same start.
        slips:   {diagnosis: the parameters that slip reaches}; the one the student's parameters
                 match, all four, is named.
        """
        A2 = xor_forward(X, *params.values())[1]
        if solves_xor(A2, Y):
            return
        flat = np.concatenate([p.ravel() for p in params.values()])
        known = {
            words: np.concatenate([np.ravel(p) for p in result]) for words, result in slips.items()
        }
        rows = "\n".join(
            f"   {int(x[0])}  {int(x[1])} |   {int(t)}    | {a:.4f}"
            + ("" if (a > 0.5) == (t > 0.5) else "   <- wrong side of 0.5")
            for x, t, a in zip(X, Y.ravel(), A2.ravel(), strict=True)
        )
        right = np.round(xor_forward(X, *reached)[1].ravel(), 4).tolist()
        raise failure(
            "train_xor: after training, the network does not solve XOR.\n"
            f"  x1 x2 | target | your output\n{rows}\n"
            f"  From the same start, {XOR_EPOCHS} steps of gradient descent reach {right}.",
            diagnose(flat, known),
        )
