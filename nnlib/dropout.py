"""Inverted dropout: p is the probability of dropping a unit.

While training, each unit is kept with probability 1 - p and the kept ones are scaled by
1 / (1 - p), so the expected activation is unchanged and evaluation needs no rescaling:

    keep = rng.random(X.shape) >= p        A = X * keep / (1 - p)        dX = dA * keep / (1 - p)

At evaluation dropout is the identity. Backward reuses the mask drawn in forward.
"""

import numpy as np

from nnlib.layers import Layer


def _check_p(p):
    if not 0.0 <= p < 1.0:
        raise ValueError(f"the drop probability p must be in [0, 1); got p={p}.")


def dropout_forward(X, p, rng, training=True):
    """Inverted dropout forward.

    X:   array of any shape, e.g. (m, n).
    p:   the probability of dropping a unit, in [0, 1).
    rng: a numpy.random.Generator (the mask is drawn from it).
    training: if False, dropout is the identity and no random numbers are drawn.
    Returns (A, keep): A of X's shape, and the boolean mask keep of X's shape (None when
    not training).
    """
    _check_p(p)
    if not training:
        return X, None
    keep = rng.random(np.shape(X)) >= p
    return X * keep / (1.0 - p), keep


def dropout_backward(dA, keep, p):
    """Inverted dropout backward.

    dA:   the upstream gradient, same shape as the forward input.
    keep: the mask returned by ``dropout_forward`` (None if it ran at evaluation).
    p:    the drop probability used in forward.
    Returns dX = dA * keep / (1 - p), same shape as dA.
    """
    if keep is None:
        return dA
    return dA * keep / (1.0 - p)


class Dropout(Layer):
    """A dropout layer with drop probability p and its own seeded generator.

    p:    probability of dropping each unit while training, in [0, 1).
    seed: seeds the generator that draws the masks, so a run can be repeated exactly.
    """

    def __init__(self, p, seed=0):
        _check_p(p)
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.keep = None

    def forward(self, X, training=False):
        """X: (m, n). Returns X with units dropped and rescaled while training, else X."""
        A, self.keep = dropout_forward(X, self.p, self.rng, training)
        return A

    def backward(self, dA, input_grad=True):
        """dA: (m, n). Returns dA through the mask of the last forward."""
        return dropout_backward(dA, self.keep, self.p)

    def __repr__(self):
        return f"Dropout(p={self.p})"
