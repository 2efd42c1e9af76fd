"""Lesson 10's graded exercises: one-hot labels, accuracy, and a digit classifier.

The last exercise is graded by training: the check splits scikit-learn's bundled 8x8 digits,
gives the student's function the training and validation parts, and scores the returned
network on test images whose labels stay on the trusted side (the Case's secret).
"""

from __future__ import annotations

import functools
import time

import numpy as np

from grader.checks import CheckFailed, compare, failure
from grader.exercise import Case, Exercise, register
from grader.kit import expect_scalar
from grader.tolerance import distinct
from nnlib.data import load_digits, one_hot, train_val_test_split
from nnlib.metrics import accuracy

NUM_CLASSES = 10
VALIDATION_FRACTION = 0.15
TEST_FRACTION = 0.2
REQUIRED_ACCURACY = 0.95
HIDDEN_SPLITS = 3
TIME_BUDGET_SECONDS = 10.0


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


@register
class TrainDigitNetwork(Exercise):
    """train_digit_network(X_train, y_train, X_val, y_val, seed) -> a trained network.

    One test split decides little: 359 test images put a single accuracy within about ±1 %
    of the network's true one. So a hidden check trains on HIDDEN_SPLITS splits and judges
    the mean test accuracy against REQUIRED_ACCURACY, which the lesson's model answer clears
    by a wide margin on every split seed measured (``scripts/sweep_seeds.py``). A network
    without a hidden layer (softmax regression) reaches about the same accuracy on these
    8x8 digits, so accuracy cannot tell it apart: the network's layers are counted instead,
    when it is a Sequential. The visible case is the lesson's own split (seed 0).
    """

    name = "train_digit_network"
    hidden_trials = 1

    def cases(self, rng, hidden):
        seeds = [int(s) for s in rng.integers(2**31, size=HIDDEN_SPLITS)] if hidden else [0]
        label = f"{len(seeds)} split{'s' if len(seeds) > 1 else ''} of the digits"
        return [Case({"seeds": seeds}, label=label)]

    def call(self, fn, inputs):
        results = {"scores": [], "seconds": [], "hidden_layers": None}
        for seed in inputs["seeds"]:
            (X_train, y_train), (X_val, y_val), (X_test, _) = digit_split(seed)
            # Processor time, not wall-clock time: a busy machine must not fail a fast network.
            start = time.process_time()
            network = fn(X_train, y_train, X_val, y_val, seed)
            results["seconds"].append(time.process_time() - start)
            if not callable(getattr(network, "forward", None)):
                raise failure(
                    "train_digit_network should return the trained network (an object with a "
                    "forward(X) method, such as nnlib.model.Sequential), got "
                    f"{type(network).__name__}.",
                    None
                    if network is None
                    else f"a {type(network).__name__} was returned instead of the network: "
                    "return the network you trained (nnlib.fit returns the training History "
                    "and changes the network in place)",
                )
            results["scores"].append(np.asarray(network.forward(X_test)))
            results["hidden_layers"] = _hidden_layers(network)
        return results

    def judge(self, case, outputs):
        __tracebackhide__ = True
        scores_per_split = outputs["scores"]
        accuracies = []
        for seed, scores, seconds in zip(
            case.inputs["seeds"], scores_per_split, outputs["seconds"], strict=True
        ):
            y_test = digit_split(seed)[2][1]
            _judge_split(np.asarray(scores), y_test, seconds)
            accuracies.append(accuracy(y_test, np.argmax(scores, axis=1)))
        score = float(np.mean(accuracies))
        if score >= REQUIRED_ACCURACY:  # the exact value, before any rounding for display
            if outputs["hidden_layers"] == 0:
                raise failure(
                    "the network has no hidden layer.",
                    "the network has no hidden layer: it is softmax regression, a linear "
                    "model. Put a hidden layer (Dense, then ReLU) before the output layer",
                )
            return
        shown, required = distinct(100 * score, 100 * REQUIRED_ACCURACY)
        each = ", ".join(distinct(100 * a, 100 * score)[0] + " %" for a in accuracies)
        over = f" over {len(accuracies)} splits ({each})" if len(accuracies) > 1 else ""
        message = f"test accuracy {shown} %{over}, below the required {required} %."
        predictions = np.argmax(scores_per_split[0], axis=1)
        if len(np.unique(predictions)) == 1:
            raise failure(
                message,
                f"the network answers {predictions[0]} for every image, so it did not learn. "
                "Check that the output layer is a softmax over 10 units trained with "
                "categorical cross-entropy on one-hot labels, and try a smaller learning rate",
            )
        raise CheckFailed(
            message + "\n  Things to try: more epochs, a larger hidden layer, a learning rate "
            "between 0.05 and 0.5 with mini-batches of about 32, and keeping the weights of the "
            "epoch with the best validation accuracy."
        )


def _hidden_layers(network) -> int | None:
    """The number of hidden dense layers of a Sequential-like network (one with ``layers``
    holding objects with weights ``W``); None for any other kind of network."""
    layers = getattr(network, "layers", None)
    if not isinstance(layers, (list, tuple)):
        return None
    return max(sum(hasattr(layer, "W") for layer in layers) - 1, 0)


def _judge_split(scores: np.ndarray, y_test: np.ndarray, seconds: float) -> None:
    """The checks of one split that come before accuracy: shape, finite values, time."""
    __tracebackhide__ = True
    if scores.shape != (len(y_test), NUM_CLASSES):
        raise CheckFailed(
            f"the network's forward(X_test) has shape {scores.shape}, expected "
            f"{(len(y_test), NUM_CLASSES)}: one row per image, one column per digit."
        )
    if not np.all(np.isfinite(scores)):
        raise CheckFailed(
            "the network's outputs contain nan or inf: training diverged. Lower the "
            "learning rate, and check that the inputs you train on are scaled."
        )
    if seconds > TIME_BUDGET_SECONDS:
        raise CheckFailed(
            f"training took {seconds:.1f} s of processor time; the budget is "
            f"{TIME_BUDGET_SECONDS:.0f} s. Use fewer epochs or a smaller hidden layer "
            "(a 64-128-10 network trained for 80 epochs needs about a second)."
        )
