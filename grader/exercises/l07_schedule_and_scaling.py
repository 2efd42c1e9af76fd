"""Lesson 07, training, continued: learning-rate decay and scaling the inputs.

The conventions the exercises state, and the checks hold the student to:
- decay: the rate of epoch t (from 0) is lr0 · d^t;
- scaling: statistics per column (feature), fitted on the training data only, then applied
  to the training and the test data alike; z-score uses the population standard deviation.
"""

from __future__ import annotations

import numpy as np

from grader.checks import compare
from grader.exercise import Case, Exercise, register
from grader.kit import expect_tuple
from nnlib.data import MinMaxScaler, StandardScaler
from nnlib.training import decay_learning_rate

# ---------------------------------------------------------------- learning-rate decay


@register
class LearningRateSchedule(Exercise):
    """learning_rate_schedule(lr0, d, n_epochs) -> the rate of each epoch, lr0 · d^t."""

    name = "learning_rate_schedule"
    reference = ("nnlib.training.decay_learning_rate",)

    def cases(self, rng, hidden):
        if not hidden:
            return [Case({"lr0": 0.5, "d": 0.8, "n_epochs": 5}, label="lr0=0.5, d=0.8")]
        return [
            Case(
                {
                    "lr0": float(rng.uniform(0.001, 1.0)),
                    "d": float(rng.uniform(0.5, 0.99)),
                    "n_epochs": int(rng.integers(2, 50)),
                }
            )
            for _ in range(5)
        ]

    def judge(self, case, outputs):
        lr0, d, n = case.inputs.values()
        expected = [lr0]
        for _ in range(n - 1):
            expected.append(decay_learning_rate(expected[-1], d))
        t = np.arange(n)
        compare(
            "rates",
            outputs,
            expected,
            mistakes={
                "the first epoch already has a decayed rate: epoch 0 uses lr0 itself, then "
                "each epoch multiplies by d": lr0 * d ** (t + 1),
                "this is lr0 / (1 + d t), a different schedule (time-based decay); this one "
                "multiplies by d every epoch": lr0 / (1 + d * t),
                "this subtracts d every epoch; decay multiplies by d: lr0 · d^t": lr0 - d * t,
                "this is lr0 · d · t; the decay is a power, lr0 · d^t": lr0 * d * t,
            },
        )


# ---------------------------------------------------------------- scaling


def _scaling_cases(rng, hidden, with_range: bool) -> list[Case]:
    """Heights (cm) and masses (kg) for the visible case; random columns of mixed scales else."""
    if not hidden:
        X_train = np.array([[150.0, 50.0], [160.0, 65.0], [170.0, 80.0], [180.0, 70.0]])
        X_test = np.array([[165.0, 90.0], [145.0, 60.0]])
        inputs = {"X_train": X_train, "X_test": X_test}
        if with_range:
            # Not [0, 1]: there a forgotten a and b would go unnoticed.
            inputs.update(a=-1.0, b=1.0)
        label = "heights and masses" + (" into [-1, 1]" if with_range else "")
        return [Case(inputs, label=label)]
    cases = []
    for trial in range(5):
        m, n, m_test = (int(k) for k in rng.integers([3, 1, 1], [30, 6, 10]))
        centre = rng.uniform(-100, 100, size=n)
        spread = 10.0 ** rng.uniform(-1, 2, size=n)
        X_train = centre + spread * rng.normal(size=(m, n))
        X_test = centre + spread * rng.normal(size=(m_test, n))
        label = f"{m} training rows, {n} columns"
        if trial == 4:
            # A constant column of a value with few binary digits (a multiple of 1/4), whose
            # mean is exact: its range and its σ are exactly 0, however they are computed.
            X_train[:, 0] = np.round(4 * X_train[0, 0]) / 4
            label += ", column 0 constant"
        inputs = {"X_train": X_train, "X_test": X_test}
        if with_range:
            a = float(rng.choice([0.0, -1.0, rng.uniform(-5, 0)]))
            inputs.update(a=a, b=a + float(rng.choice([1.0, 2.0, rng.uniform(0.5, 5)])))
        cases.append(Case(inputs, label=label))
    return cases


def _fitted_elsewhere(scale, X_train, X_test):
    """Mistaken results that fit the statistics on the wrong data or along the wrong axis.

    scale(X_fit, X, axis) applies statistics computed from X_fit along ``axis`` to X.
    Returns {diagnosis: (train result, test result)}.
    """
    both = np.vstack([X_train, X_test])
    return {
        "the statistics were fitted on all the data, test rows included; fit them on "
        "X_train only, then apply the same numbers to X_test": (
            scale(both, X_train, 0),
            scale(both, X_test, 0),
        ),
        "X_test was scaled with its own statistics; use those of X_train for both": (
            scale(X_train, X_train, 0),
            scale(X_test, X_test, 0),
        ),
        "the statistics were taken over each row; take them over each column (axis=0), one "
        "set per feature": (scale(X_train, X_train, 1), scale(X_test, X_test, 1)),
        "the statistics were taken over the whole array; take one set per column (axis=0)": (
            scale(X_train, X_train, None),
            scale(X_test, X_test, None),
        ),
    }


def _judge_scaled(name, outputs, expected, mistaken: dict) -> None:
    """Compare the student's (X_train_scaled, X_test_scaled) with ``expected``, the same pair.

    mistaken: {diagnosis: (train result, test result)} of the known mistakes.
    """
    __tracebackhide__ = True
    train, test = expect_tuple(name, outputs, ("X_train_scaled", "X_test_scaled"))
    for which, got, want in (
        ("X_train_scaled", train, expected[0]),
        ("X_test_scaled", test, expected[1]),
    ):
        index = 0 if which == "X_train_scaled" else 1
        compare(which, got, want, mistakes={key: value[index] for key, value in mistaken.items()})


def _safe(spread):
    """A spread (range or σ) with zeros replaced by 1, so constant columns do not divide by 0."""
    return np.where(spread == 0, 1.0, spread)


@register
class MinMaxScale(Exercise):
    """min_max_scale(X_train, X_test, a, b) -> (X_train_scaled, X_test_scaled): both scaled
    into [a, b] by X_train's columns."""

    name = "min_max_scale"
    reference = ("nnlib.data.MinMaxScaler",)

    def cases(self, rng, hidden):
        return _scaling_cases(rng, hidden, with_range=True)

    def judge(self, case, outputs):
        X_train, X_test, a, b = case.inputs.values()
        scaler = MinMaxScaler(low=a, high=b).fit(X_train)
        expected = scaler.transform(X_train), scaler.transform(X_test)

        def scale(X_fit, X, axis):
            low = np.min(X_fit, axis=axis, keepdims=True)
            high = np.max(X_fit, axis=axis, keepdims=True)
            return a + (X - low) * (b - a) / _safe(high - low)

        mistaken = _fitted_elsewhere(scale, X_train, X_test)
        low, high = X_train.min(axis=0), X_train.max(axis=0)
        mistaken["a and b were ignored: map the column's minimum to a and its maximum to b"] = (
            (X_train - low) / _safe(high - low),
            (X_test - low) / _safe(high - low),
        )
        mistaken["the (b - a) factor is missing: X' = a + (X - min)(b - a) / (max - min)"] = (
            a + (X_train - low) / _safe(high - low),
            a + (X_test - low) / _safe(high - low),
        )
        _judge_scaled(self.name, outputs, expected, mistaken)


@register
class ZScoreScale(Exercise):
    """z_score_scale(X_train, X_test) -> (X_train_scaled, X_test_scaled): both standardised
    by X_train's column means and σ."""

    name = "z_score_scale"
    reference = ("nnlib.data.StandardScaler",)

    def cases(self, rng, hidden):
        return _scaling_cases(rng, hidden, with_range=False)

    def judge(self, case, outputs):
        X_train, X_test = case.inputs.values()
        scaler = StandardScaler().fit(X_train)
        expected = scaler.transform(X_train), scaler.transform(X_test)

        def scale(X_fit, X, axis):
            mean = np.mean(X_fit, axis=axis, keepdims=True)
            return (X - mean) / _safe(np.std(X_fit, axis=axis, keepdims=True))

        mistaken = _fitted_elsewhere(scale, X_train, X_test)
        mean, var = X_train.mean(axis=0), X_train.var(axis=0)
        sample_std = X_train.std(axis=0, ddof=1) if len(X_train) > 1 else None
        if sample_std is not None:
            mistaken[
                "this divides by the sample standard deviation (ddof=1); use the population "
                "one, np.std(X_train, axis=0), as the z-score convention here"
            ] = ((X_train - mean) / _safe(sample_std), (X_test - mean) / _safe(sample_std))
        mistaken["this divides by the variance σ²; divide by the standard deviation σ"] = (
            (X_train - mean) / _safe(var),
            (X_test - mean) / _safe(var),
        )
        mistaken["the mean was not subtracted: X' = (X - μ) / σ"] = (
            X_train / _safe(np.sqrt(var)),
            X_test / _safe(np.sqrt(var)),
        )
        _judge_scaled(self.name, outputs, expected, mistaken)
