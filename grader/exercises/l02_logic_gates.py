"""Exercises of lesson 02 (AND, OR, XOR): gate weights by hand, XOR composed, XOR learned.

Gate weights follow lesson 01's perceptron convention, w = [w1, w2, w0] with the bias last, and
h = 1 if w·[x1, x2, 1] >= 0 else 0. Many weight vectors compute the same gate, so those checks
test what the weights compute, not the numbers. The trained 2-2-1 network is graded the same way:
the student's training runs from starting weights the grader chooses, and its four outputs must
fall on the right side of 0.5.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from grader.exercises.l01_perceptron import distinct
from nnlib import activations, data, init, layers, losses, perceptron

# The four input rows (0, 0), (0, 1), (1, 0), (1, 1), the same for every gate.
TRUTH_X = data.truth_table("and")[0]

# Gradient descent on the 2-2-1 network: with these, about three starts in four solve XOR.
XOR_LR = 4.0
XOR_EPOCHS = 1000


def _gate_outputs() -> dict[str, np.ndarray]:
    """{gate name: its outputs on the rows 00, 01, 10, 11}, with NOR and XNOR as negations."""
    tables = {gate: data.truth_table(gate)[1] for gate in ("and", "or", "nand", "xor")}
    return {**tables, "nor": 1.0 - tables["or"], "xnor": 1.0 - tables["xor"]}


def _what_it_computes(h: np.ndarray) -> str:
    """The name of the gate whose truth table is h, or a description of h."""
    for gate, outputs in _gate_outputs().items():
        if np.array_equal(h, outputs):
            return gate.upper()
    if np.all(h == h[0]):
        return f"the constant {int(h[0])}"
    return "no standard gate"


def _truth_table_text(w: np.ndarray, gate: str) -> str:
    """The four rows with z = w·x', the unit's output and the gate's, as aligned text."""
    target = _gate_outputs()[gate]
    lines = [f"  x1 x2 | z = w1*x1 + w2*x2 + w0 | h | {gate.upper()}"]
    for x, t in zip(TRUTH_X, target, strict=True):
        z = float(w[:2] @ x + w[2])
        h = int(z >= 0)
        flag = "" if h == t else "   <- wrong"
        lines.append(f"   {int(x[0])}  {int(x[1])} | {z:23.4g} | {h} | {int(t)}{flag}")
    return "\n".join(lines)


class GateWeights(Exercise):
    """<gate>_weights() -> w (3,): weights, bias last, for which the threshold unit is the gate."""

    gate: str

    def cases(self, rng, hidden):
        # The truth table is the whole specification of a gate, so hidden and visible agree.
        return [Case({}, label=f"the {self.gate.upper()} truth table")]

    def call(self, fn, inputs):
        return fn()

    def judge(self, case, outputs):
        if outputs is None:
            raise CheckFailed(f"{self.name} returned None: did you forget to `return` w?")
        w = np.asarray(outputs, dtype=np.float64).ravel()
        if w.shape != (3,) or not np.all(np.isfinite(w)):
            raise CheckFailed(
                f"{self.name} should return three finite numbers [w1, w2, w0] (the bias last); "
                f"got {np.asarray(outputs).shape} {np.asarray(outputs).tolist()}."
            )
        h = perceptron.perceptron_predict(w, TRUTH_X)
        if np.array_equal(h, _gate_outputs()[self.gate]):
            return
        bias_first = perceptron.perceptron_predict(np.roll(w, -1), TRUTH_X)
        diagnoses = []
        if np.array_equal(bias_first, _gate_outputs()[self.gate]):
            diagnoses.append(
                "these weights would work with the bias first; in this course the bias is the "
                "last entry, w = [w1, w2, w0]"
            )
        computes = _what_it_computes(h)
        diagnoses.append(f"with w = {w.tolist()} the unit computes {computes}")
        raise CheckFailed(
            f"{self.name}: the threshold unit does not compute {self.gate.upper()}.\n"
            + _truth_table_text(w, self.gate)
            + "\n  Remember h = 1 when z >= 0, so a row with z = 0 exactly gives 1."
            + "".join(f"\n  Diagnosis: {d}." for d in diagnoses)
        )


@register
class AndWeights(GateWeights):
    name, gate = "and_weights", "and"


@register
class OrWeights(GateWeights):
    name, gate = "or_weights", "or"


@register
class NandWeights(GateWeights):
    name, gate = "nand_weights", "nand"


def _valid_gate_weights(rng: np.random.Generator, gate: str) -> np.ndarray:
    """Random weights, bias last, that compute AND, OR or NAND on the four binary inputs.

    w1 and w2 are drawn positive; the bias is drawn from the open interval that makes the unit
    the gate (AND: -(w1 + w2) < w0 < -max(w1, w2); OR: -min(w1, w2) < w0 < 0); NAND negates AND.
    """
    w1, w2 = rng.uniform(0.5, 2.0, size=2)
    if gate == "or":
        low, high = -min(w1, w2), 0.0
    else:
        low, high = -(w1 + w2), -max(w1, w2)
    w0 = low + (high - low) * rng.uniform(0.1, 0.9)
    w = np.array([w1, w2, w0])
    return -w if gate == "nand" else w


def _compose(X, w_hidden_1, w_hidden_2, w_out, hidden_step=True) -> np.ndarray:
    """Two threshold units on X, then a third on their outputs.  X: (m, 2). Returns (m,)."""
    z1 = perceptron.add_bias_column(X) @ np.column_stack([w_hidden_1, w_hidden_2])
    H = (z1 >= 0).astype(np.float64) if hidden_step else z1
    return perceptron.perceptron_predict(w_out, H)


@register
class XorNetwork(Exercise):
    """xor_network(X, w_or, w_nand, w_and) -> h (m,): AND of the OR and NAND units' outputs."""

    name = "xor_network"

    def cases(self, rng, hidden):
        if not hidden:
            weights = {
                "w_or": np.array([1.0, 1.0, -0.5]),
                "w_nand": np.array([-1.0, -1.0, 1.5]),
                "w_and": np.array([1.0, 1.0, -1.5]),
            }
            return [Case({"X": TRUTH_X.copy(), **weights}, label="the four corners")]
        found = []
        for _ in range(self.hidden_trials):
            # Points between and around the corners too: the network is a function of the plane.
            X = np.vstack([TRUTH_X, rng.uniform(-0.5, 1.5, size=(int(rng.integers(20, 40)), 2))])
            weights = {f"w_{g}": _valid_gate_weights(rng, g) for g in ("or", "nand", "and")}
            found.append(Case({"X": X, **weights}, label=f"{len(X)} points of the plane"))
        return found

    def call(self, fn, inputs):
        return fn(inputs["X"], inputs["w_or"], inputs["w_nand"], inputs["w_and"])

    def judge(self, case, outputs):
        X, w_or, w_nand, w_and = (case.inputs[k] for k in ("X", "w_or", "w_nand", "w_and"))
        compare(
            "h",
            outputs,
            _compose(X, w_or, w_nand, w_and),
            mistakes=distinct(
                {
                    "the units are in the wrong places: the hidden layer is OR and NAND of the "
                    "inputs, and the output unit is AND of the two hidden outputs": (
                        _compose(X, w_or, w_and, w_nand)
                    ),
                    "the units are in the wrong places: OR is a hidden unit, and the output unit "
                    "is AND (not OR)": _compose(X, w_nand, w_and, w_or),
                    "the output unit received the hidden weighted sums z, not the hidden outputs "
                    "h = step(z): apply the threshold in the hidden layer too": (
                        _compose(X, w_or, w_nand, w_and, hidden_step=False)
                    ),
                    "you returned AND(x1, x2) of the inputs: the output unit should take the two "
                    "hidden outputs [h_or, h_nand] as its inputs": perceptron.perceptron_predict(
                        w_and, X
                    ),
                }
            ),
        )


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

    def call(self, fn, inputs):
        names = ("X", "Y", "W1", "b1", "W2", "b2", "lr", "epochs")
        return fn(*(inputs[name] for name in names))

    def judge(self, case, outputs):
        if not isinstance(outputs, (tuple, list)) or len(outputs) != 4:
            raise CheckFailed(
                "train_xor should `return W1, b1, W2, b2`, four arrays; got "
                f"{type(outputs).__name__}."
            )
        params = {}
        for (name, shape), value in zip(PARAMETER_SHAPES.items(), outputs, strict=True):
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
        diagnosis = self._diagnose(case, params)
        raise CheckFailed(message + (f"\n  Diagnosis: {diagnosis}." if diagnosis else ""))

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
