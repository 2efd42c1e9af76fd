"""Lesson 07, k-fold cross-validation: one validation cost per fold.

The convention the exercise states, and the check holds the student to: one
``order = rng.permutation(m)``, cut into k folds of nearly equal size as ``np.array_split``
cuts (the first m % k folds one longer); fold i is the validation set of round i and the
other folds train; ``fit_and_cost(X_train, Y_train, X_val, Y_val)`` is called once per fold,
in fold order, and its k results are returned. The check hands the student a
``fit_and_cost`` that writes down which examples it was given (column 0 of X numbers the
rows), so that it can say what went wrong with the folds, not only that the costs differ.
"""

from __future__ import annotations

import numpy as np

from grader.checks import CheckFailed, compare, failure
from grader.exercise import Case, Exercise, register
from nnlib.validation import k_fold_splits

FOLD_SIZE = "k is the number of folds, not the number of examples in a fold"


def rows(m: int) -> tuple[np.ndarray, np.ndarray]:
    """X (m, 2) whose column 0 numbers the rows, and Y (m, 1) with a different value per row."""
    ids = np.arange(m, dtype=np.float64)
    return np.column_stack([ids, np.cos(ids)]), ((ids * 7 + 3) % 11).reshape(-1, 1)


def fold_cost(Y_train, Y_val) -> float:
    """What the check's fit_and_cost returns: it depends on both sets, so that a swap shows."""
    return float(np.mean(Y_val) - 0.5 * np.mean(Y_train))


def _sets(calls) -> list[tuple[frozenset, frozenset]]:
    """(training rows, validation rows) of each call, as sets of row numbers."""
    return [(frozenset(train), frozenset(val)) for train, val in calls]


def _fold_problem(calls, expected, m: int, k: int):
    """CheckFailed for folds that break the convention, most telling first; None if right.

    calls:    (training rows, validation rows) of each call, as the student made them.
    expected: the same for the convention's folds.
    """
    got, want = _sets(calls), _sets(expected)
    if got == want:
        return None
    validated = [row for _, val in got for row in val]
    unshuffled = [
        (frozenset(np.setdiff1d(np.arange(m), fold)), frozenset(fold))
        for fold in np.array_split(np.arange(m), k)
    ]
    if any(train & val for train, val in got):
        return failure(
            "a training set and its validation fold share examples.",
            "the validation fold was also in the training data: train on the other k - 1 "
            "folds only",
        )
    if got == [(val, train) for train, val in want]:
        return failure(
            "fit_and_cost was trained on one fold and validated on the other k - 1.",
            "training and validation were swapped: train on the k - 1 other folds, validate "
            "on fold i",
        )
    if len(validated) != len(set(validated)):
        return failure(
            "some examples were validated in more than one fold; each must be validated once.",
            "a new shuffle for every fold: draw one permutation before the loop, and cut it "
            "into the k folds",
        )
    if len(validated) < m and all(len(val) == m // k for _, val in got):
        return failure(
            f"{m - len(validated)} example(s) were never validated; with m={m} and k={k} the "
            f"folds have {sorted({len(val) for _, val in want}, reverse=True)} examples.",
            "the last m % k examples were left out: cut the folds as np.array_split does, so "
            "that every example lands in one",
        )
    sizes, fold_sizes = [len(val) for _, val in got], [len(val) for _, val in want]
    slices_of_k = [len(block) for block in np.split(np.arange(m), range(k, m, k))]
    if sorted(validated) == list(range(m)) and sizes == slices_of_k != fold_sizes:
        return failure(
            f"the validation folds hold {sizes} examples; {k} folds of m={m} hold {fold_sizes}.",
            FOLD_SIZE,
        )
    if got == unshuffled:
        return failure(
            "the folds are consecutive blocks of the original order.",
            "the examples were not shuffled: cut the folds from order = rng.permutation(m)",
        )
    return CheckFailed(
        "the folds are not the ones the convention gives: one order = rng.permutation(m) on "
        "the rng you are given, cut as np.array_split cuts it, fold i validating in round i."
    )


@register
class CrossValidate(Exercise):
    """cross_validate(X, Y, k, rng, fit_and_cost) -> the k validation costs, fold by fold."""

    name = "cross_validate"
    reference = ("nnlib.validation.cross_validate", "nnlib.validation.k_fold_splits")

    def cases(self, rng, hidden):
        if not hidden:
            return [Case({"m": 10, "k": 3, "seed": 0}, label="m=10, k=3")]
        cases = []
        for trial in range(self.hidden_trials):
            m, k = int(rng.integers(8, 40)), int(rng.integers(2, 8))
            if trial == 0:  # k does not divide m, so that leftover examples matter
                m += 1 if m % k == 0 else 0
            elif trial == 1:  # k divides m
                m -= m % k
            seed = int(rng.integers(2**31))
            cases.append(Case({"m": m, "k": k, "seed": seed}, label=f"m={m}, k={k}"))
        return cases

    def call(self, fn, inputs):
        X, Y = rows(inputs["m"])
        calls = []

        def fit_and_cost(X_train, Y_train, X_val, Y_val):
            rows_of = [np.asarray(A)[:, 0].astype(int).tolist() for A in (X_train, X_val)]
            calls.append(rows_of)
            return fold_cost(np.asarray(Y_train), np.asarray(Y_val))

        costs = fn(X, Y, inputs["k"], np.random.default_rng(inputs["seed"]), fit_and_cost)
        return {"costs": costs, "calls": calls}

    def judge(self, case, outputs):
        __tracebackhide__ = True
        m, k, seed = case.inputs["m"], case.inputs["k"], case.inputs["seed"]
        X, Y = rows(m)
        expected = [
            (train.tolist(), val.tolist())
            for train, val in k_fold_splits(m, k, np.random.default_rng(seed))
        ]
        calls = outputs["calls"]
        if len(calls) != k:
            raise failure(
                f"fit_and_cost was called {len(calls)} times; k-fold calls it once per fold, "
                f"k={k} times.",
                FOLD_SIZE if len(calls) == -(-m // k) else None,
            )
        problem = _fold_problem(calls, expected, m, k)
        if problem is not None:
            raise problem
        want = np.array([fold_cost(Y[train], Y[val]) for train, val in expected])
        compare(
            "costs",
            outputs["costs"],
            want,
            mistakes={
                "this is the mean of the k costs: return all k, one per fold (the lesson "
                "averages them)": lambda got: got.size == 1 and np.isclose(got, want.mean()),
            },
        )
