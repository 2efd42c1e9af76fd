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
