"""Lesson 10's graded exercises on the data and the result: one-hot labels, accuracy, and the
digit classifier assembled from the student's own pieces (``l10_network``, ``l10_training``).

The last exercise is graded by training: the check splits scikit-learn's bundled 8x8 digits,
gives the student's function the training and validation parts, and scores the parameters it
returns on test images whose labels stay on the trusted side. Its bar is a margin over a
softmax-regression baseline trained the same way on the same splits, and a hidden layer.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from grader.checks import CheckFailed, compare, failure
from grader.exercise import Case, Exercise, register
from grader.kit import expect_dict, expect_scalar, expect_tuple
from grader.tolerance import distinct
from nnlib import classifier
from nnlib.data import load_digits, one_hot, train_val_test_split
from nnlib.losses import softmax_cross_entropy
from nnlib.metrics import accuracy

NUM_CLASSES = 10
VALIDATION_FRACTION = 0.15
TEST_FRACTION = 0.2
REQUIRED_ACCURACY = 0.94
# The mean test cross-entropy must be at most this share of the baseline's (softmax regression
# trained with the lesson's settings on the same splits).
COST_RATIO = 0.95
HIDDEN_SPLITS = 3
TIME_BUDGET_SECONDS = 10.0
HISTORY_KEYS = ("train_cost", "val_cost", "val_accuracy")


@register
class OneHot(Exercise):
    """one_hot(y, num_classes) -> Y of shape (m, num_classes)."""

    name = "one_hot"
    reference = ("nnlib.data.one_hot",)

    def cases(self, rng, hidden):
        if not hidden:
            # The highest class (4) is absent, as it can be from a small batch.
            return [Case({"y": np.array([3, 0, 2, 2]), "num_classes": 5})]
        cases = []
        for trial in range(3):
            # Two classes in the second case, the smallest one-hot there is.
            num_classes = 2 if trial == 1 else int(rng.integers(3, 11))
            m = int(rng.integers(4, 13))
            # The first case misses the highest class, as a small batch may.
            high = num_classes - 1 if trial == 0 else num_classes
            y = rng.integers(0, high, size=m)
            cases.append(Case({"y": y, "num_classes": num_classes}, label=f"{num_classes} classes"))
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        y, num_classes = case.inputs.values()
        columns_from_labels = int(y.max()) + 1
        compare(
            "Y",
            outputs,
            one_hot(y, num_classes),
            mistakes={
                "with two classes Y still has two columns, one per class (the column for class "
                "0 and the one for class 1), not one column of labels": (
                    y[:, None] if num_classes == 2 else None
                ),
                f"Y has y.max() + 1 = {columns_from_labels} columns: use num_classes "
                f"({num_classes}), because a batch need not contain every class": (
                    np.eye(columns_from_labels)[y] if columns_from_labels != num_classes else None
                ),
                "the 1 is one column to the left: label k goes in column k, counting from 0": (
                    np.eye(num_classes)[(y + 1) % num_classes]
                ),
                "the 1 is one column to the right: label k goes in column k, counting from 0": (
                    np.eye(num_classes)[(y - 1) % num_classes]
                ),
            },
        )


@register
class Accuracy(Exercise):
    """accuracy(y, P) -> the fraction of rows of P whose largest entry is at the label y."""

    name = "accuracy"
    reference = ("nnlib.metrics.accuracy",)

    def cases(self, rng, hidden):
        if not hidden:
            P = np.array(
                [
                    [0.7, 0.2, 0.1],
                    [0.1, 0.8, 0.1],
                    [0.3, 0.3, 0.4],
                    [0.5, 0.4, 0.1],
                    [0.2, 0.2, 0.6],
                    [0.1, 0.6, 0.3],
                ]
            )
            return [Case({"y": np.array([0, 1, 2, 1, 2, 0]), "P": P})]
        cases = []
        for _ in range(3):
            # More examples than classes, as in any real batch: P's two axes never match.
            m, k = int(rng.integers(12, 40)), int(rng.integers(2, 11))
            cases.append(Case({"y": rng.integers(0, k, size=m), "P": rng.random((m, k))}))
        return cases

    def judge(self, case, outputs):
        __tracebackhide__ = True
        y, P = case.inputs.values()
        expected = accuracy(y, P)
        correct = float(np.sum(np.argmax(P, axis=1) == y))
        compare(
            "accuracy",
            expect_scalar("accuracy", outputs),
            expected,
            mistakes={
                "that is a percentage: return the fraction, between 0 and 1": 100 * expected,
                "that is the error rate (the fraction of wrong answers): return the fraction "
                "of right ones": 1 - expected,
                "that is the number of right answers: divide by the number of examples m": (
                    correct
                ),
                "np.argmax(P) without an axis gives one index into the flattened array: "
                "use np.argmax(P, axis=1), one predicted class per row": float(
                    np.mean(np.argmax(P) == y)
                ),
            },
        )


@functools.cache
def scaled_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 bundled digits: X (1797, 64) with pixels divided by 16 into [0, 1], y (1797,)."""
    X, y = load_digits()
    return X / 16.0, y


def digit_split(seed: int):
    """The lesson's split of the scaled digits: 15 % validation, 20 % test, shuffled by seed.

    Returns ((X_train, y_train), (X_val, y_val), (X_test, y_test)): 1168, 270 and 359 images.
    """
    X, y = scaled_digits()
    return train_val_test_split(X, y, val=VALIDATION_FRACTION, test=TEST_FRACTION, seed=seed)


@functools.cache
def baseline_test_cost(seed: int) -> float:
    """The test cross-entropy of softmax regression (no hidden layer) trained with the
    lesson's settings on split ``seed``: what a network with a hidden layer must beat."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = digit_split(seed)
    params, _ = classifier.softmax_regression(X_train, y_train, X_val, y_val, seed)
    return cost_and_accuracy(params, X_test, y_test)[0]


def cost_and_accuracy(params, X_test, y_test) -> tuple[float, float]:
    """The cross-entropy and the accuracy of a ReLU network's parameters on the test set."""
    Z = classifier.network_forward(X_test, params)[0]
    J = softmax_cross_entropy(Z, np.eye(NUM_CLASSES)[y_test])[0]
    return J, accuracy(y_test, np.argmax(Z, axis=1))


@register
class TrainDigitNetwork(Exercise):
    """train_digit_network(X_train, y_train, X_val, y_val, seed) -> (params, history).

    One test split decides little: 359 test images put a single accuracy within about ±1 %
    of the network's true one. So a hidden check trains on HIDDEN_SPLITS splits and judges the
    means: the accuracy against REQUIRED_ACCURACY, and the test cross-entropy against
    COST_RATIO times that of a softmax-regression baseline trained the same way. Softmax
    regression reaches about the same accuracy on these 8x8 digits, so a network must also
    have a hidden layer, which its list of (W, b) pairs shows. The visible case is the
    lesson's own split (seed 0).
    """

    name = "train_digit_network"
    reference = ("nnlib.classifier.digit_network", "nnlib.classifier.softmax_regression")
    hidden_trials = 1

    def cases(self, rng, hidden):
        seeds = [int(s) for s in rng.integers(2**31, size=HIDDEN_SPLITS)] if hidden else [0]
        label = f"{len(seeds)} split{'s' if len(seeds) > 1 else ''} of the digits"
        return [Case({"seeds": seeds}, label=label)]

    def call(self, fn, inputs):
        results = {"params": [], "seconds": [], "history": None}
        for seed in inputs["seeds"]:
            (X_train, y_train), (X_val, y_val), _ = digit_split(seed)
            # Processor time, not wall-clock time: a busy machine must not fail a fast network.
            start = time.process_time()
            outputs = fn(X_train, y_train, X_val, y_val, seed)
            results["seconds"].append(time.process_time() - start)
            params, history = expect_tuple("train_digit_network", outputs, ("params", "history"))
            results["params"].append(params)
            results["history"] = history
        return results

    def judge(self, case, outputs):
        __tracebackhide__ = True
        expect_dict("train_digit_network", outputs["history"], HISTORY_KEYS, item="history")
        costs, accuracies = [], []
        for seed, params, seconds in zip(
            case.inputs["seeds"], outputs["params"], outputs["seconds"], strict=True
        ):
            _check_time(seconds)
            params = _checked_layers(params)
            X_test, y_test = digit_split(seed)[2]
            cost, right = cost_and_accuracy(params, X_test, y_test)
            costs.append(cost)
            accuracies.append(right)
        if len(outputs["params"][0]) == 1:
            raise failure(
                "the network has no hidden layer.",
                "the network has no hidden layer: it is softmax regression, a linear model. "
                "Put a hidden layer of ReLU units before the output layer",
            )
        score, cost = float(np.mean(accuracies)), float(np.mean(costs))
        bar = COST_RATIO * float(np.mean([baseline_test_cost(s) for s in case.inputs["seeds"]]))
        if not np.isfinite(cost):
            raise CheckFailed(
                "the network's test cost is not finite: training diverged. Lower the "
                "learning rate, and check that the inputs you train on are scaled."
            )
        over = f" over {len(accuracies)} splits" if len(accuracies) > 1 else ""
        if score < REQUIRED_ACCURACY:  # the exact value, before any rounding for display
            shown, required = distinct(100 * score, 100 * REQUIRED_ACCURACY)
            each = ", ".join(distinct(100 * a, 100 * score)[0] + " %" for a in accuracies)
            raise CheckFailed(
                f"test accuracy {shown} %{over}"
                + (f" ({each})" if over else "")
                + f", below the required {required} %.\n  Things to try: more epochs or "
                "patience, a wider hidden layer, a learning rate between 0.1 and 1."
            )
        if cost > bar:
            got, wanted = distinct(cost, bar)
            raise CheckFailed(
                f"test cross-entropy {got}{over}, above {wanted}: {100 * COST_RATIO:.0f} % of what "
                "softmax regression (no hidden layer) reaches with the lesson's settings. A "
                "hidden layer should beat it clearly: train longer, or widen the layer."
            )


def _checked_layers(params) -> list:
    """The parameters as float arrays, or CheckFailed saying which layer does not fit."""
    __tracebackhide__ = True
    if not isinstance(params, (list, tuple)) or not params:
        raise CheckFailed(
            "train_digit_network should return params as a list of (W, b) pairs, one per "
            f"layer; got {type(params).__name__}."
        )
    checked, n_in = [], 64
    for layer, pair in enumerate(params, 1):
        W, b = (
            np.asarray(v, dtype=np.float64)
            for v in expect_tuple(f"layer {layer}", pair, ("W", "b"))
        )
        if W.ndim != 2 or W.shape[0] != n_in or b.shape != (W.shape[1],):
            raise CheckFailed(
                f"layer {layer} has W of shape {W.shape} and b of shape {b.shape}; expected W "
                f"({n_in}, n_out) and b (n_out,): each layer takes the previous one's outputs."
            )
        checked.append((W, b))
        n_in = W.shape[1]
    if n_in != NUM_CLASSES:
        raise CheckFailed(
            f"the last layer has {n_in} outputs; expected {NUM_CLASSES}, one per digit."
        )
    return checked


def _check_time(seconds: float) -> None:
    """CheckFailed when one training took longer than the budget."""
    __tracebackhide__ = True
    if seconds > TIME_BUDGET_SECONDS:
        raise CheckFailed(
            f"training took {seconds:.1f} s of processor time; the budget is "
            f"{TIME_BUDGET_SECONDS:.0f} s. Use fewer epochs or a smaller hidden layer "
            "(a 64-64-10 network trained for 60 epochs needs about a second)."
        )
