"""Lesson 06's last exercise: choosing the output activation and the loss from the targets.

The targets decide the task, and the task decides both: real numbers, a regression; one
column of 0s and 1s, a binary problem; one-hot rows, multi-class; rows with several 1s,
multi-label.
"""

from __future__ import annotations

import numpy as np

from grader.checks import failure
from grader.exercise import Case, Exercise, register
from grader.exercises.l06_losses import random_one_hot

TASKS = {
    "regression": ("identity", "mse"),
    "binary": ("sigmoid", "binary_cross_entropy"),
    "multi-class": ("softmax", "categorical_cross_entropy"),
    "multi-label": ("sigmoid", "binary_cross_entropy"),
}

WHY = {
    "regression": "Y holds real numbers, not only 0s and 1s: a regression, so an unbounded "
    "identity output and the squared error",
    "binary": "Y is one column of 0s and 1s: a binary problem, so one sigmoid output (a "
    "probability) and the binary cross-entropy",
    "multi-class": "each row of Y is one-hot (exactly one 1): the classes exclude each other, "
    "so softmax outputs (they sum to 1) and the categorical cross-entropy",
    "multi-label": "rows of Y can hold several 1s (or none): the labels are independent, so "
    "one sigmoid per output and the binary cross-entropy; softmax would force them to compete",
}


def random_targets(rng, task):
    """Targets Y of shape (m, k) typical of ``task``, a key of TASKS."""
    m = int(rng.integers(4, 10))
    if task == "regression":
        return rng.normal(0, 10, (m, int(rng.integers(1, 4))))
    if task == "binary":
        Y = np.zeros((m, 1))
        Y[rng.permutation(m)[: m // 2]] = 1.0
        return Y
    k = int(rng.integers(2, 6))
    if task == "multi-class":
        return random_one_hot(rng, m, k)
    Y = (rng.random((m, k)) < 0.5).astype(np.float64)
    Y[0] = 1.0  # at least one row with several labels, so that it cannot read as one-hot
    return Y


@register
class ChooseOutputAndLoss(Exercise):
    """choose_output_and_loss(Y) -> (activation name, loss name), read from the targets."""

    name = "choose_output_and_loss"

    def cases(self, rng, hidden):
        if not hidden:
            examples = {
                "regression": np.array([[182.0], [165.5], [171.2], [158.0]]),
                "binary": np.array([[1.0], [0.0], [0.0], [1.0]]),
                "multi-class": np.eye(3)[[0, 2, 1, 2]],
                "multi-label": np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]),
            }
            return [Case({"Y": Y}, {"task": task}, label=task) for task, Y in examples.items()]
        return [
            Case({"Y": random_targets(rng, task)}, {"task": task}, label=task)
            for task in rng.permutation(list(TASKS))
        ]

    def judge(self, case, outputs):
        task = case.secret["task"]
        expected = TASKS[task]
        if isinstance(outputs, list):  # a list of the two names is as good as a tuple
            outputs = tuple(outputs)
        if outputs == expected:
            return
        message = (
            f"choose_output_and_loss returned {outputs!r} for targets Y =\n"
            f"{np.array2string(case.inputs['Y'], precision=1)}\n"
            f"  expected {expected!r}."
        )
        if outputs == expected[::-1]:
            raise failure(message, "the two names are swapped: return (activation, loss)")
        chosen = [other for other, pair in TASKS.items() if pair == outputs]
        if chosen:
            raise failure(message, f"that is the choice for {chosen[0]} targets; {WHY[task]}")
        raise failure(message + f" {WHY[task]}.", None)
