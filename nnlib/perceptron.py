"""Rosenblatt's perceptron: a threshold unit and its learning rule.

The unit outputs h(x) = 1 if w·x ≥ 0 else 0. The bias is the last weight, on an input fixed
at 1 appended as the last column: x' = [x₁ … xₙ, 1] and w = [w₁ … wₙ, w₀]. The learning rule,
applied one example at a time, is

    w ← w + α (y - h(x)) x

which changes w only on a mistake. Training stops after an epoch with no mistake, which
happens exactly when the data are linearly separable (AND, OR), or after ``max_epochs``
(XOR, which no line separates).

The functions taking inputs accept them with or without the bias column: X of shape (m, n)
gets the column appended, X of shape (m, n + 1) is used as given.
"""

from dataclasses import dataclass

import numpy as np

from nnlib.errors import ShapeError


def add_bias_column(X):
    """X: (m, n). Returns [X, 1], shape (m, n + 1), float64: the bias input as the last column."""
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([X, np.ones((X.shape[0], 1))])


def step(z):
    """The threshold: 1.0 where z ≥ 0, else 0.0.  z: array of any shape (or a number)."""
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


def _with_bias(w, X):
    """X as a float array with the bias column, checked against the n + 1 weights w."""
    X = np.asarray(X, dtype=np.float64)
    n = np.shape(w)[0]
    if X.shape[-1] == n - 1:
        return add_bias_column(X.reshape(-1, n - 1)).reshape(X.shape[:-1] + (n,))
    if X.shape[-1] == n:
        return X
    raise ShapeError(
        f"the perceptron has {n} weights (n inputs + the bias), so x needs {n - 1} features "
        f"(or {n} with the bias column); got shape {X.shape}."
    )


def perceptron_predict(w, X):
    """h = step(X' w).

    w: (n + 1,) weights, the bias last.
    X: (m, n) inputs, or (m, n + 1) with the bias column; (n,) for one example.
    Returns (m,) outputs in {0.0, 1.0} (a 0-d array for one example).
    """
    return step(_with_bias(w, X) @ np.asarray(w, dtype=np.float64))


def perceptron_update(w, x, y, lr):
    """One step of the rule: w + α (y - h(x)) x', returned as a new array.

    w: (n + 1,) weights.  x: (n,) or (n + 1,) one example.  y: its target, 0 or 1.
    lr: the learning rate α.
    Returns the new weights, shape (n + 1,).
    """
    x = _with_bias(w, x)
    w = np.asarray(w, dtype=np.float64)
    return w + lr * (y - step(x @ w)) * x


@dataclass
class PerceptronResult:
    """w: the final weights (n + 1,). mistakes: the number of mistakes in each epoch.
    converged: True if the last epoch made no mistake."""

    w: np.ndarray
    mistakes: list
    converged: bool


def train_perceptron(X, y, lr=1.0, max_epochs=100, w0=None):
    """Apply the rule to each example in order, epoch after epoch, until an epoch makes no
    mistake or ``max_epochs`` have run.

    X: (m, n) inputs (or (m, n + 1) with the bias column).  y: (m,) targets in {0, 1}.
    lr: the learning rate α.  w0: the starting weights (n + 1,); zeros by default.
    Returns a PerceptronResult(w, mistakes, converged).
    """
    y = np.asarray(y, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[1] + 1) if w0 is None else np.array(w0, dtype=np.float64)
    X = _with_bias(w, X)
    if y.shape != (X.shape[0],):
        raise ShapeError(
            f"y should have shape ({X.shape[0]},), one target per row of X; got {y.shape}."
        )
    mistakes = []
    for _ in range(max_epochs):
        errors = 0
        for x_i, y_i in zip(X, y, strict=True):
            if step(x_i @ w) != y_i:
                errors += 1
                w = perceptron_update(w, x_i, y_i, lr)
        mistakes.append(errors)
        if errors == 0:
            return PerceptronResult(w, mistakes, True)
    return PerceptronResult(w, mistakes, False)


def weight_arrow(w, anchor=(0.5, 0.5), length=0.5):
    """Where to draw a 2-input unit's weight vector (w1, w2): on its line, pointing across it.

    w:      weights [w1, w2, w0], the bias last.
    anchor: a point (2,); the arrow starts at the point of the line w1 x1 + w2 x2 + w0 = 0
            closest to it, so that it stands on the line where the line is in view.
    length: the arrow's length in the plane: it shows the direction of (w1, w2), not its size.
    Returns (base, tip), two arrays of shape (2,): tip - base is perpendicular to the line and
    points into the half-plane where the unit answers 1. None when w1 = w2 = 0 (no line).
    """
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (3,):
        raise ShapeError(f"w should be [w1, w2, w0], shape (3,); got shape {w.shape}")
    normal = w[:2]
    size = float(np.linalg.norm(normal))
    if size == 0.0:
        return None
    anchor = np.asarray(anchor, dtype=np.float64)
    base = anchor - (normal @ anchor + w[2]) / size**2 * normal  # the foot of the perpendicular
    return base, base + length * normal / size
