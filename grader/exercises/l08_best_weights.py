"""Lesson 08's early-stopping loop: train, stop when patience runs out, restore the best epoch.

The student writes ``train_with_early_stopping(params, step, val_cost, epochs, patience) ->
(best_params, val_costs)``. ``step(params)`` trains the arrays of ``params`` in place, as a
framework's optimiser does, so the classic bug shows: keeping a second name for the arrays
(``best = params``) instead of copies, which ends with the last epoch's weights.

Each case trains a real 2-H-1 tanh network (``nnlib.mlp.train_step``) on random data. Its
validation targets are the network's own predictions after ``turn`` steps, so that the
validation cost is lowest exactly there and rises after it: the stop comes ``patience`` epochs
later, well before ``epochs`` runs out, and every slip below changes the answer.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib.activations import sigmoid
from nnlib.init import glorot_uniform
from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.mlp import mlp_forward, train_step
from nnlib.training import early_stopping_point

ACTIVATIONS = ["tanh", "identity"]


def _trained(params, X, Y, lr, epochs) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """The parameters after each of ``epochs`` steps of ``train_step`` from ``params``."""
    path = []
    for _ in range(epochs):
        _, params = train_step(params, X, Y, lr, ACTIVATIONS)
        path.append(params)
    return path


def _val_cost(params, X_val, P_val) -> float:
    """The binary cross-entropy of the network's predictions on X_val against P_val (m, 1)."""
    return sigmoid_binary_cross_entropy(mlp_forward(X_val, params, ACTIVATIONS)[0], P_val)[0]


def _case(rng: np.random.Generator, patience: int, label: str) -> Case:
    """Random data and start, and validation targets that make the cost turn up at a random
    epoch; drawn again until the stop comes before the last epoch and after epoch 0."""
    while True:
        hidden, m, m_val = (int(k) for k in rng.integers((3, 6, 5), (9, 13, 11)))
        start = [
            (glorot_uniform(2, hidden, rng), rng.normal(scale=0.3, size=hidden)),
            (glorot_uniform(hidden, 1, rng), rng.normal(scale=0.3, size=1)),
        ]
        X, X_val = rng.normal(size=(m, 2)), rng.normal(size=(m_val, 2))
        Y = rng.integers(0, 2, size=(m, 1)).astype(float)
        lr, turn = float(rng.uniform(0.5, 2.0)), int(rng.integers(3, 9))
        epochs = turn + patience + int(rng.integers(4, 9))
        path = _trained(start, X, Y, lr, epochs)
        P_val = sigmoid(mlp_forward(X_val, path[turn - 1], ACTIVATIONS)[0])
        costs = [_val_cost(params, X_val, P_val) for params in path]
        best, stop = early_stopping_point(costs, patience)
        if 0 < best < stop < epochs - 1:
            inputs = {"params": start, "X": X, "Y": Y, "lr": lr, "X_val": X_val}
            inputs |= {"P_val": P_val, "epochs": epochs, "patience": patience}
            return Case(inputs, label=f"{label}: {epochs} epochs at most, patience {patience}")


def _answers(inputs) -> dict[str | None, tuple[list, list]]:
    """{diagnosis: (best_params, val_costs)} for each known slip; the key None is the right
    answer."""
    start, X, Y, lr, X_val, P_val, epochs, patience = inputs.values()
    path = _trained(start, X, Y, lr, epochs)
    costs = [_val_cost(params, X_val, P_val) for params in path]
    best, stop = early_stopping_point(costs, patience)
    before = [_val_cost(start, X_val, P_val), *costs]
    early_best, early_stop = early_stopping_point(before[:epochs], patience)
    shared = (
        "best_params hold the weights of the last epoch run, not of the best one: `best = "
        "params` (or a copy of the list, `list(params)`, which still holds the same arrays) "
        "gives the arrays a second name, and every later step changes them in place; keep "
        "copies, W.copy() and b.copy()"
    )
    return {
        None: (path[best], costs[: stop + 1]),
        shared: (path[stop], costs[: stop + 1]),
        "best_params come from before the best epoch's step: copy the parameters right after "
        "step(params), the state whose validation cost was the best": (
            path[best - 1],
            costs[: stop + 1],
        ),
        "training went on after patience ran out: stop at the epoch whose count of epochs "
        "without improvement reaches patience": (path[best], costs),
        "one epoch too late: the epoch whose wait reaches patience is the last one to run": (
            path[best],
            costs[: stop + 2],
        ),
        "each validation cost was measured before that epoch's step: call step(params) "
        "first, then val_cost(params)": (
            ([start, *path])[early_best],
            before[: early_stop + 1],
        ),
    }


@register
class TrainWithEarlyStopping(Exercise):
    """train_with_early_stopping(params, step, val_cost, epochs, patience)
    -> (best_params, val_costs)."""

    name = "train_with_early_stopping"
    reference = ("nnlib.best_epoch.train_with_early_stopping",)
    hidden_trials = 3

    def cases(self, rng, hidden):
        if not hidden:
            return [_case(rng, patience=2, label="a 2-H-1 network")]
        return [
            _case(rng, patience=int(rng.integers(1, 5)), label=f"network {trial + 1}")
            for trial in range(self.hidden_trials)
        ]

    def call(self, fn, inputs):
        """The student's loop, on a copy of the start (their loop trains it in place), with a
        step and a validation cost built here from the case's data."""
        X, Y, lr, X_val, P_val = (inputs[key] for key in ("X", "Y", "lr", "X_val", "P_val"))

        def step(params):
            _, new = train_step(params, X, Y, lr, ACTIVATIONS)
            for (W, b), (W_new, b_new) in zip(params, new, strict=True):
                W[...], b[...] = W_new, b_new

        params = [(W.copy(), b.copy()) for W, b in inputs["params"]]
        return fn(
            params, step, lambda p: _val_cost(p, X_val, P_val), inputs["epochs"], inputs["patience"]
        )

    def judge(self, case, outputs):
        __tracebackhide__ = True
        best_params, val_costs = expect_tuple(self.name, outputs, ("best_params", "val_costs"))
        answers = _answers(case.inputs)
        right_params, right_costs = answers.pop(None)
        compare(
            "val_costs",
            np.asarray(val_costs, dtype=np.float64) if val_costs is not None else None,
            right_costs,
            mistakes={words: costs for words, (_, costs) in answers.items()},
        )
        if not isinstance(best_params, (list, tuple)) or len(best_params) != len(right_params):
            raise CheckFailed(
                f"best_params should be a list of {len(right_params)} pairs (W, b), one per "
                f"layer; got {type(best_params).__name__}."
            )
        for layer, (pair, right) in enumerate(zip(best_params, right_params, strict=True)):
            for index, name in enumerate(("W", "b")):
                compare(
                    f"best_params[{layer}] {name}",
                    pair[index] if isinstance(pair, (list, tuple)) and len(pair) == 2 else None,
                    right[index],
                    mistakes={words: found[layer][index] for words, (found, _) in answers.items()},
                )
