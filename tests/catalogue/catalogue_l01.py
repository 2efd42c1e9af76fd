"""Lesson 01's catalogue: the threshold unit, one perceptron update, training until clean.

The convention every entry breaks or keeps: h = 1 if w·x' >= 0 else 0, x' = [x, 1], the bias
last; the rule w <- w + lr (y - h) x'; training from w = 0, one count of mistakes per epoch.
"""

import numpy as np
from entries import Correct, Mistake

# --- threshold_unit -----------------------------------------------------------------------


def threshold_strict(w, X):
    return np.where(X @ w[:-1] + w[-1] > 0, 1.0, 0.0)


def threshold_returns_z(w, X):
    return X @ w[:-1] + w[-1]


def threshold_signs(w, X):
    return np.where(X @ w[:-1] + w[-1] >= 0, 1.0, -1.0)


def threshold_bias_first(w, X):
    return np.where(X @ w[1:] + w[0] >= 0, 1.0, 0.0)


def threshold_no_bias(w, X):
    return np.where(X @ w[:-1] >= 0, 1.0, 0.0)


def threshold_with_column(w, X):
    X1 = np.hstack([X, np.ones((len(X), 1))])
    return (X1 @ w >= 0).astype(float)


def threshold_loop(w, X):
    out = []
    for row in X:
        z = sum(wi * xi for wi, xi in zip(w[:-1], row, strict=True)) + w[-1]
        out.append(1 if z >= 0 else 0)
    return np.array(out)


def threshold_heaviside(w, X):
    return np.heaviside(np.einsum("mn,n->m", X, w[:-1]) + w[-1], 1.0)


# --- perceptron_update --------------------------------------------------------------------


def _x1(x):
    return np.append(x, 1.0)


def update_sign_flipped(w, x, y, lr):
    h = float(w @ _x1(x) >= 0)
    return w + lr * (h - y) * _x1(x)


def update_bias_fixed(w, x, y, lr):
    h = float(w @ _x1(x) >= 0)
    return w + lr * (y - h) * np.append(x, 0.0)


def update_no_lr(w, x, y, lr):
    h = float(w @ _x1(x) >= 0)
    return w + (y - h) * _x1(x)


def update_with_z(w, x, y, lr):
    z = w @ _x1(x)
    return w + lr * (y - z) * _x1(x)


def update_returns_change(w, x, y, lr):
    h = float(w @ _x1(x) >= 0)
    return lr * (y - h) * _x1(x)


def update_strict_tie(w, x, y, lr):
    h = float(w @ _x1(x) > 0)
    return w + lr * (y - h) * _x1(x)


def update_in_place(w, x, y, lr):
    h = float(w @ _x1(x) >= 0)
    w += lr * (y - h) * _x1(x)
    return w


def update_by_cases(w, x, y, lr):
    x1 = list(x) + [1.0]
    said = 1 if np.dot(w, x1) >= 0 else 0
    if said == y:
        return w.copy()
    if y == 1:
        return np.array([wi + lr * xi for wi, xi in zip(w, x1, strict=True)])
    return np.array([wi - lr * xi for wi, xi in zip(w, x1, strict=True)])


def update_with_printing(w, x, y, lr):
    x1 = np.concatenate([x, [1]])
    h = int(np.dot(w, x1) >= 0)
    print(f"h = {h}, y = {y}")
    return w + lr * (y - h) * x1


# --- train_perceptron ---------------------------------------------------------------------


def _train(X, y, lr, max_epochs, keep_going=False, running=False, drop_last=False):
    w = np.zeros(X.shape[1] + 1)
    counts, total = [], 0
    for _ in range(max_epochs):
        wrong = 0 if not running else total
        for xi, yi in zip(X, y, strict=True):
            h = float(np.append(xi, 1.0) @ w >= 0)
            if h != yi:
                wrong += 1
                w = w + lr * (yi - h) * np.append(xi, 1.0)
        total = wrong
        counts.append(wrong)
        if (wrong - (counts[-2] if running and len(counts) > 1 else 0)) == 0 and not keep_going:
            break
    if drop_last and counts[-1] == 0:  # a clean epoch is not counted
        counts = counts[:-1]
    return w, counts


def train_never_stops(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, keep_going=True)


def train_running_totals(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, running=True)


def train_forgets_clean_epoch(X, y, lr=1.0, max_epochs=100):
    return _train(X, y, lr, max_epochs, drop_last=True)


def train_while_loop(X, y, lr=1.0, max_epochs=100):
    w, counts = np.zeros(X.shape[1] + 1), []
    while len(counts) < max_epochs and (not counts or counts[-1] > 0):
        wrong = 0
        for i in range(len(X)):
            x1 = np.append(X[i], 1.0)
            error = y[i] - (1.0 if w @ x1 >= 0 else 0.0)
            wrong += int(error != 0)
            w = w + lr * error * x1
        counts.append(wrong)
    return w, counts


MISTAKES = [
    Mistake("threshold_unit", threshold_strict, "with >=, not >"),
    Mistake("threshold_unit", threshold_returns_z, "returned the weighted sum"),
    Mistake("threshold_unit", threshold_signs, "returned -1/+1"),
    Mistake("threshold_unit", threshold_bias_first, "the bias was taken from w[0]"),
    Mistake("threshold_unit", threshold_no_bias, "was left out of the sum"),
    Mistake("perceptron_update", update_sign_flipped, "the change has the wrong sign"),
    Mistake("perceptron_update", update_bias_fixed, "the bias (last weight) did not change"),
    Mistake("perceptron_update", update_no_lr, "the learning rate is missing"),
    Mistake("perceptron_update", update_with_z, "in place of the output h"),
    Mistake("perceptron_update", update_returns_change, "rather than the new weights"),
    Mistake("perceptron_update", update_strict_tie, "not z > 0"),
    Mistake("perceptron_update", update_in_place, "changed"),
    Mistake("train_perceptron", train_never_stops, "training went on after an epoch"),
    Mistake("train_perceptron", train_running_totals, "running totals"),
    Mistake("train_perceptron", train_forgets_clean_epoch, "the one with no mistakes, is missing"),
]

CORRECT = [
    Correct("threshold_unit", threshold_with_column),
    Correct("threshold_unit", threshold_loop),
    Correct("threshold_unit", threshold_heaviside),
    Correct("perceptron_update", update_by_cases),
    Correct("perceptron_update", update_with_printing),
    Correct("train_perceptron", train_while_loop),
]
