"""Exercises of lesson 02 (AND, OR, XOR): gate weights by hand, and XOR composed of gates.

Gate weights follow lesson 01's perceptron convention, w = [w1, w2, w0] with the bias last, and
h = 1 if w·[x1, x2, 1] >= 0 else 0. Many weight vectors compute the same gate, so those checks
test what the weights compute, not the numbers. XOR learned by a 2-2-1 network is graded in
l02_train_xor.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare, failure
from grader.exercise import Case, Exercise, register
from grader.exercises.l01_perceptron import distinct
from nnlib import data, perceptron

# The four input rows (0, 0), (0, 1), (1, 0), (1, 1), the same for every gate.
TRUTH_X = data.truth_table("and")[0]


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

    def judge(self, case, outputs):
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
        flipped_and = perceptron.perceptron_predict(-w, TRUTH_X)
        ties = perceptron.add_bias_column(TRUTH_X) @ w == 0
        if (
            self.gate == "nand"
            and np.array_equal(flipped_and, _gate_outputs()["and"])
            and any(ties)
        ):
            diagnoses.append(
                "these are AND weights with every sign flipped, but they put a row exactly on "
                "the line (z = 0), and a tie counts as 1 before and after the flip: flip AND "
                "weights that leave no row at z = 0"
            )
        computes = _what_it_computes(h)
        diagnoses.append(f"with w = {w.tolist()} the unit computes {computes}")
        raise failure(
            f"{self.name}: the threshold unit does not compute {self.gate.upper()}.\n"
            + _truth_table_text(w, self.gate)
            + "\n  Remember h = 1 when z >= 0, so a row with z = 0 exactly gives 1.",
            "; ".join(diagnoses),
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
        while len(found) < self.hidden_trials:
            # Points between and around the corners too: the network is a function of the plane.
            X = np.vstack([TRUTH_X, rng.uniform(-0.5, 1.5, size=(int(rng.integers(20, 40)), 2))])
            weights = {f"w_{g}": _valid_gate_weights(rng, g) for g in ("or", "nand", "and")}
            results = list(self.mistakes(X, **weights).values())
            right = _compose(X, weights["w_or"], weights["w_nand"], weights["w_and"])
            # Keep draws on which every mistake gives its own, wrong answer, so that each one
            # is caught and named on every case.
            if len(distinct(dict(enumerate([right, *results])))) == len(results) + 1:
                found.append(Case({"X": X, **weights}, label=f"{len(X)} points of the plane"))
        return found

    @staticmethod
    def mistakes(X, w_or, w_nand, w_and) -> dict[str, np.ndarray]:
        """{diagnosis: what that slip returns} on inputs X (m, 2) with the three units' weights."""
        return {
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
            "hidden outputs [h_or, h_nand] as its inputs": perceptron.perceptron_predict(w_and, X),
        }

    def judge(self, case, outputs):
        X, w_or, w_nand, w_and = case.inputs.values()
        compare(
            "h",
            outputs,
            _compose(X, w_or, w_nand, w_and),
            mistakes=distinct(self.mistakes(X, w_or, w_nand, w_and)),
        )
