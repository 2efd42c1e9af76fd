"""Metrics for classifiers: accuracy and the confusion matrix.

Both take the true labels first and the predictions second (scikit-learn's order). Each of
the two may be integer labels (m,), one-hot rows or class probabilities (m, k) (the arg-max
is taken), or one probability per example (m, 1) (thresholded at 0.5).
"""

import numpy as np


def to_labels(y):
    """Integer class labels from labels, one-hot rows or probabilities.

    y: (m,) labels, (m, k) one-hot rows or probabilities with k > 1, or (m, 1) probabilities
       of class 1.
    Returns an int array of shape (m,).
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim == 2:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"expected labels (m,) or scores (m, k); got an array of shape {y.shape}.")
    if y.dtype.kind == "f" and np.any((y != 0) & (y != 1)):
        return (y >= 0.5).astype(np.int64)
    return y.astype(np.int64)


def accuracy(y_true, y_pred):
    """The fraction of examples whose predicted class is the true one.

    y_true, y_pred: labels (m,), or (m, k) / (m, 1) scores; see the module docstring.
    Returns a float in [0, 1].
    """
    true, pred = to_labels(y_true), to_labels(y_pred)
    if true.shape != pred.shape:
        raise ValueError(
            f"accuracy got {true.shape[0]} true labels and {pred.shape[0]} predictions."
        )
    return float(np.mean(true == pred))


def confusion_matrix(y_true, y_pred, k=None):
    """Counts C[i, j] of examples of true class i predicted as class j.

    y_true, y_pred: labels (m,), or (m, k) / (m, 1) scores; see the module docstring.
    k:              the number of classes (default: the largest label + 1).
    Returns an int array of shape (k, k); the diagonal holds the correct predictions.
    """
    true, pred = to_labels(y_true), to_labels(y_pred)
    if k is None:
        k = int(max(true.max(initial=0), pred.max(initial=0))) + 1
    C = np.zeros((k, k), dtype=np.int64)
    np.add.at(C, (true, pred), 1)
    return C
