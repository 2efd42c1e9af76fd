"""Lesson 09, dropout: the mistakes students make, and right answers written oddly.

Exercises: dropout_forward(X, p, rng, training=True) -> (A, keep), and
dropout_backward(dA, keep, p) -> dX.
"""

import numpy as np
from entries import Correct, Mistake

# ---------------------------------------------------------------- forward


def forward_right(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_float_mask(X, p, rng, training=True):
    if not training:
        return X.copy(), np.ones_like(X)
    keep = (rng.random(X.shape) >= p).astype(float)
    return np.multiply(X, keep) * (1.0 / (1.0 - p)), keep


def forward_with_where(X, p, rng, training=True):
    if training:
        keep = rng.random(size=X.shape) >= p
        return np.where(keep, X / (1 - p), 0.0), keep
    return X, None


def forward_not_rescaled(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    return X * keep, keep


def forward_p_as_keep(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) < p
    return X * keep / p, keep


def forward_in_place(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    X *= keep / (1 - p)
    return X, keep


def forward_drops_in_evaluation(X, p, rng, training=True):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_scales_in_evaluation(X, p, rng, training=True):
    if not training:
        return X * (1 - p), None
    return forward_right(X, p, rng, training)


def forward_one_row_for_batch(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape[1]) >= p
    return X * keep / (1 - p), np.broadcast_to(keep, X.shape)


def forward_global_random(X, p, rng, training=True):
    if not training:
        return X, None
    keep = np.random.default_rng(7).random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_keep_inverted(X, p, rng, training=True):
    A, keep = forward_right(X, p, rng, training)
    return A, (None if keep is None else ~keep)


def forward_swapped(X, p, rng, training=True):
    A, keep = forward_right(X, p, rng, training)
    return keep, A


# ---------------------------------------------------------------- backward


def backward_right(dA, keep, p):
    return dA * keep / (1 - p)


def backward_loop(dA, keep, p):
    dX = np.zeros_like(dA)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            if keep[i, j]:
                dX[i, j] = dA[i, j] / (1 - p)
    return dX


def backward_einsum(dA, keep, p):
    return np.einsum("ij,ij->ij", dA, keep.astype(float)) / (1 - p)


def backward_in_place(dA, keep, p):
    dX = dA
    dX[~keep] = 0.0
    dX /= 1 - p
    return dX


def backward_not_rescaled(dA, keep, p):
    return dA * keep


def backward_no_mask(dA, keep, p):
    return dA / (1 - p)


def backward_new_mask(dA, keep, p):
    fresh = np.random.default_rng(12345).random(dA.shape) >= p
    return dA * fresh / (1 - p)


def backward_inverted_mask(dA, keep, p):
    return dA * ~keep / (1 - p)


def backward_divides_by_p(dA, keep, p):
    return dA * keep / p


def backward_identity(dA, keep, p):
    return dA


MISTAKES = [
    Mistake("dropout_forward", forward_not_rescaled, "A is not rescaled"),
    Mistake("dropout_forward", forward_p_as_keep, "A keeps units with probability p"),
    Mistake("dropout_forward", forward_in_place, "`X` was changed in place"),
    Mistake("dropout_forward", forward_drops_in_evaluation, "in evaluation mode dropout is"),
    Mistake("dropout_forward", forward_scales_in_evaluation, "scale at test time"),
    Mistake("dropout_forward", forward_one_row_for_batch, "one mask row was shared"),
    Mistake("dropout_forward", forward_global_random, "the mask is not the expected one"),
    Mistake("dropout_forward", forward_keep_inverted, "keep marks the dropped units"),
    Mistake("dropout_forward", forward_swapped, None),
    Mistake("dropout_backward", backward_in_place, "`dA` was changed in place"),
    Mistake("dropout_backward", backward_not_rescaled, "not rescaled"),
    Mistake("dropout_backward", backward_no_mask, "the mask is missing"),
    Mistake("dropout_backward", backward_new_mask, "instead of drawing a new one"),
    Mistake("dropout_backward", backward_inverted_mask, "keep and drop are swapped"),
    Mistake("dropout_backward", backward_divides_by_p, "dX was divided by p"),
    Mistake("dropout_backward", backward_identity, "dX equals dA"),
]

CORRECT = [
    Correct("dropout_forward", forward_right),
    Correct("dropout_forward", forward_float_mask),
    Correct("dropout_forward", forward_with_where),
    Correct("dropout_backward", backward_right),
    Correct("dropout_backward", backward_loop),
    Correct("dropout_backward", backward_einsum),
]
