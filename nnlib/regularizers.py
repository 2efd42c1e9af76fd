"""Weight penalties, in the course's convention (weights only, never biases):

    L2:  J = loss + λ Σ w²      gradient 2 λ w
    L1:  J = loss + λ Σ |w|     gradient λ sign(w), with sign(0) = 0

Note the scaling: CS231n's second assignment writes ½λΣw² (gradient λw) and deeplearning.ai
λ/(2m) Σw²; this course uses λΣw².
"""

import numpy as np


def _as_list(weights):
    """A single array, or an iterable of arrays, as a list of arrays."""
    if isinstance(weights, np.ndarray):
        return [weights]
    return list(weights)


def l2_penalty(weights, lam):
    """λ Σ w² over every weight matrix.

    weights: one array W, or an iterable of weight arrays (e.g. ``model.weights()``).
    lam:     λ ≥ 0.
    Returns a float.
    """
    return float(lam * sum(np.sum(W * W) for W in _as_list(weights)))


def l2_gradient(W, lam):
    """∂(λ Σ w²)/∂W = 2 λ W.  W: array of any shape. Returns an array of W's shape."""
    return 2.0 * lam * W


def l1_penalty(weights, lam):
    """λ Σ |w| over every weight matrix.

    weights: one array W, or an iterable of weight arrays (e.g. ``model.weights()``).
    lam:     λ ≥ 0.
    Returns a float.
    """
    return float(lam * sum(np.sum(np.abs(W)) for W in _as_list(weights)))


def l1_gradient(W, lam):
    """∂(λ Σ |w|)/∂W = λ sign(W), with sign(0) = 0.

    W: array of any shape. Returns an array of W's shape.
    """
    return lam * np.sign(W)
