"""Exercises of lesson 01 (the perceptron rule): the threshold unit, one update, training.

The course's perceptron convention: h(x) = 1 if w·x' >= 0 else 0, where x' = [x, 1] and the
bias is the last weight, w = [w1 ... wn, w0]. Every mistaken variant below is a way of breaking
that convention (or the rule w <- w + lr (y - h) x') that students actually hit.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib import perceptron

AND_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([0.0, 0.0, 0.0, 1.0])


def _bias_first(X: np.ndarray) -> np.ndarray:
    """[1, x] instead of the course's [x, 1].  X: (m, n). Returns (m, n + 1)."""
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _step_strict(z: np.ndarray) -> np.ndarray:
    """1 where z > 0 else 0: the threshold with the tie z = 0 on the wrong side."""
    return (np.asarray(z) > 0).astype(np.float64)


def distinct(mistakes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The mistakes whose result no other mistake shares.

    On a few 0/1 outputs two different slips can give the same answer; naming either one would
    be a guess, so such a result gets no diagnosis at all.
    """
    return {
        diagnosis: result
        for diagnosis, result in mistakes.items()
        if sum(np.array_equal(result, other) for other in mistakes.values()) == 1
    }


def _integer_array(rng: np.random.Generator, shape, low: int = -2, high: int = 2) -> np.ndarray:
    """Small integers as float64, so that ties w·x' = 0 happen and a `>` instead of `>=` shows."""
    return rng.integers(low, high + 1, size=shape).astype(np.float64)


@register
class ThresholdUnit(Exercise):
    """threshold_unit(w, X) -> h: the perceptron's output for each row of X."""

    name = "threshold_unit"
    reference = ("nnlib.perceptron.perceptron_predict", "nnlib.perceptron.step")

    def cases(self, rng, hidden):
        if not hidden:
            # AND with w = [2, 1, -3]: z = 2 x1 + x2 - 3 is -3, -2, -1, 0 on the four rows, so the
            # last row sits exactly on the threshold and shows whether the tie counts as 1. Every
            # mistake below gives a different answer on these rows.
            inputs = {"w": np.array([2.0, 1.0, -3.0]), "X": AND_X.copy()}
            return [Case(inputs, label="AND, with z = 0 on the last row")]
        found = []
        while len(found) < self.hidden_trials:
            m, n = int(rng.integers(6, 12)), int(rng.integers(1, 5))
            w = rng.choice([-2.0, -1.0, 1.0, 2.0], size=n + 1)
            X = _integer_array(rng, (m, n))
            expected = perceptron.perceptron_predict(w, X)
            results = list(self.mistakes(w, X).values())
            # Keep examples with a tie z = 0 on which every mistake gives its own, wrong answer,
            # so that each one is caught and named.
            tie = np.any(perceptron.add_bias_column(X) @ w == 0)
            if tie and len(distinct(dict(enumerate([expected, *results])))) == len(results) + 1:
                found.append(Case({"w": w, "X": X}, label=f"{m} examples, {n} inputs"))
        return found

    @staticmethod
    def mistakes(w: np.ndarray, X: np.ndarray) -> dict[str, np.ndarray]:
        """{diagnosis: what that slip returns} for weights w (n + 1,) and inputs X (m, n)."""
        z = perceptron.add_bias_column(X) @ w
        return {
            "h is 0 where w·x' = 0 exactly: the threshold is h = 1 if w·x' >= 0 (with >=, "
            "not >)": _step_strict(z),
            "you returned the weighted sum w·x' itself; pass it through the step "
            "(1 if w·x' >= 0 else 0)": z,
            "you returned -1/+1; the perceptron's outputs are 0 and 1": np.where(z >= 0, 1.0, -1.0),
            "the bias was taken from w[0]; in this course it is the LAST weight, "
            "w = [w1, ..., wn, w0], on an input fixed at 1 appended as the last column": (
                perceptron.step(_bias_first(X) @ w)
            ),
            "the bias w0 = w[-1] was left out of the sum: z = w1 x1 + ... + wn xn + w0": (
                perceptron.step(X @ w[:-1])
            ),
        }

    def judge(self, case, outputs):
        w, X = case.inputs.values()
        compare(
            "h",
            outputs,
            perceptron.perceptron_predict(w, X),
            mistakes=distinct(self.mistakes(w, X)),
        )


@register
class PerceptronUpdate(Exercise):
    """perceptron_update(w, x, y, lr) -> the new weights after one example."""

    name = "perceptron_update"
    reference = ("nnlib.perceptron.perceptron_update",)

    def cases(self, rng, hidden):
        if not hidden:
            return [
                Case(
                    {
                        "w": np.array([0.5, -1.0, 0.25]),
                        "x": np.array([1.0, 2.0]),
                        "y": 1,
                        "lr": 0.5,
                    },
                    label="y = 1 but h = 0",
                ),
                Case(
                    {"w": np.array([1.0, 0.5, -0.5]), "x": np.array([1.0, 1.0]), "y": 0, "lr": 0.5},
                    label="y = 0 but h = 1",
                ),
                Case(
                    {"w": np.array([1.0, 0.5, -0.5]), "x": np.array([1.0, 1.0]), "y": 1, "lr": 0.5},
                    label="h = y already",
                ),
                Case(
                    {
                        "w": np.array([1.0, -0.5, -0.5]),
                        "x": np.array([1.0, 1.0]),
                        "y": 0,
                        "lr": 0.5,
                    },
                    label="z = 0 exactly, so h = 1, but y = 0",
                ),
            ]
        found = []
        for trial in range(self.hidden_trials):
            n = int(rng.integers(1, 5))
            w, x = _integer_array(rng, n + 1) / 2, _integer_array(rng, n)
            while w @ np.append(x, 1.0) == 0:  # ties only where one is meant, below
                w = _integer_array(rng, n + 1) / 2
            if trial == self.hidden_trials - 1:
                # A tie, z = 0 exactly, on an example whose target is 0: h = 1 is a mistake
                # here, so the rule moves w, and a `>` instead of `>=` leaves it alone. It comes
                # last: on a tie, using z in place of h gives the same wrong answer as `>`, and
                # the cases before it tell the two apart.
                w[-1] = -(w[:-1] @ x)
            h = int(w @ np.append(x, 1.0) >= 0)
            # Cycle through the three situations, so that every branch of the rule is graded.
            y = [1 - h, 1 - h, h][trial % 3] if trial < self.hidden_trials - 1 else 0
            lr = float(rng.choice([0.1, 0.25, 0.5, 2.0]))
            found.append(Case({"w": w, "x": x, "y": y, "lr": lr}))
        return found

    def judge(self, case, outputs):
        w, x, y, lr = case.inputs.values()
        new_w = outputs
        x1 = np.append(x, 1.0)
        z = w @ x1
        h = float(z >= 0)
        h_strict = float(z > 0)
        x1_first = np.insert(x, 0, 1.0)
        h_first = float(w @ x1_first >= 0)
        compare(
            "new w",
            new_w,
            perceptron.perceptron_update(w, x, y, lr),
            mistakes={
                "at z = w·x' = 0 exactly the unit answers h = 1 (the threshold is z >= 0, "
                "not z > 0)": w + lr * (y - h_strict) * x1 if z == 0 else None,
                "the change has the wrong sign: the rule is w + lr·(y - h)·x', with (y - h), "
                "not (h - y)": w - lr * (y - h) * x1,
                "the bias (last weight) did not change: it sits on an input fixed at 1, so it "
                "moves by lr·(y - h)·1 like any other weight": w + lr * (y - h) * np.append(x, 0.0),
                "the learning rate is missing: the change is lr·(y - h)·x'": w + (y - h) * x1,
                "you used the weighted sum z = w·x' in place of the output h = step(z): the rule "
                "uses (y - h), where h is 0 or 1": w + lr * (y - z) * x1,
                "you returned the change lr·(y - h)·x' rather than the new weights w + change": (
                    lr * (y - h) * x1
                ),
                "the constant input 1 was put first; in this course it is the last entry of "
                "x' = [x, 1], under the bias w0 = w[-1]": w + lr * (y - h_first) * x1_first,
            },
        )


@register
class TrainPerceptron(Exercise):
    """train_perceptron(X, y, lr, max_epochs) -> (w, mistakes): the rule until an epoch is clean."""

    name = "train_perceptron"
    reference = ("nnlib.perceptron.train_perceptron", "nnlib.perceptron.perceptron_update")

    def cases(self, rng, hidden):
        if not hidden:
            return [
                Case(
                    {"X": AND_X.copy(), "y": AND_Y.copy(), "lr": 1.0, "max_epochs": 20},
                    label="the AND gate",
                )
            ]
        found = [self._separable_case(rng) for _ in range(self.hidden_trials - 1)]
        # XOR is not linearly separable: the rule never finishes a clean epoch, so this case
        # checks that training stops after max_epochs.
        xor_y = np.array([0.0, 1.0, 1.0, 0.0])
        epochs = int(rng.integers(3, 8))
        found.append(
            Case(
                {"X": AND_X.copy(), "y": xor_y, "lr": 1.0, "max_epochs": epochs},
                label="XOR, never converges",
            )
        )
        return found

    @staticmethod
    def _separable_case(rng) -> Case:
        """Points labelled by a random line (plane), keeping only those well away from it."""
        n = int(rng.integers(2, 4))
        true_w = rng.normal(size=n + 1)
        X = rng.uniform(-2.0, 2.0, size=(60, n))
        z = perceptron.add_bias_column(X) @ true_w
        # A margin keeps the number of epochs small (the perceptron convergence theorem).
        keep = np.abs(z) > 0.3 * np.linalg.norm(true_w)
        m = int(rng.integers(6, 16))
        X, z = X[keep][:m], z[keep][:m]
        lr = float(rng.choice([0.1, 0.5, 1.0, 2.0]))
        return Case(
            {"X": X, "y": (z >= 0).astype(np.float64), "lr": lr, "max_epochs": 200},
            label=f"{len(X)} separable points in {n}-D",
        )

    def judge(self, case, outputs):
        w, mistakes = expect_tuple("train_perceptron", outputs, ("w", "mistakes"))
        X, y, lr, max_epochs = case.inputs.values()
        expected = perceptron.train_perceptron(X, y, lr=lr, max_epochs=max_epochs)
        counts = np.asarray(expected.mistakes, dtype=np.float64)
        padded = np.concatenate([counts, np.zeros(max_epochs - len(counts))])
        compare(
            "mistakes",
            mistakes,
            counts,
            mistakes={
                "the last epoch, the one with no mistakes, is missing: append each epoch's count, "
                "then stop if it is 0": counts[:-1] if expected.converged else None,
                "training went on after an epoch with no mistakes: stop as soon as an epoch's "
                "count is 0": padded if expected.converged else None,
                "the counts are running totals; count the mistakes of each epoch separately "
                "(reset the counter at the start of every epoch)": np.cumsum(counts),
            },
        )
        try:
            compare(
                "w",
                w,
                expected.w,
                mistakes={
                    "w is the right direction but lr was not used in the updates": expected.w / lr,
                },
            )
        except CheckFailed as failure:
            raise CheckFailed(
                f"{failure}\n  The mistakes per epoch are right, so the rule corrected the right "
                "examples: check that w starts at np.zeros(n + 1) and that every update uses lr.",
                failure.diagnosis,
            ) from None
