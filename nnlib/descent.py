"""Gradient descent on a plain function, the idea before any network: w ← w − η ∇f(w)."""

import numpy as np


def gradient_descent_path(grad, w0, lr, steps):
    """Take ``steps`` steps of gradient descent from ``w0`` and return every point visited.

    grad:  a function of w (shape (d,)) returning ∇f(w), shape (d,).
    w0:    the starting point, shape (d,).
    lr:    the learning rate η (a negative rate climbs instead).
    steps: how many updates to make.
    Returns the path [w0, w1, …, w_steps], shape (steps + 1, d).
    """
    path = np.empty((steps + 1, np.size(w0)))
    path[0] = w0
    for t in range(steps):
        path[t + 1] = path[t] - lr * np.asarray(grad(path[t]), dtype=np.float64)
    return path


DIVERGED = 1e6  # a path this far from the origin has left any valley the lessons draw


def divergence_step(path, limit=DIVERGED):
    """The first step at which a gradient-descent path diverged, or None if it never did.

    path:  the points visited, shape (steps + 1, d) or (steps + 1,).
    limit: a point with a norm above it, or with an inf or nan, counts as diverged.
    Returns an int t (row t of the path is the first such point), or None.
    """
    points = np.asarray(path, dtype=np.float64).reshape(len(path), -1)
    with np.errstate(over="ignore", invalid="ignore"):  # an inf in the path is the answer
        gone = ~np.all(np.isfinite(points), axis=1) | (np.linalg.norm(points, axis=1) > limit)
    return int(np.argmax(gone)) if gone.any() else None
