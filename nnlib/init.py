"""Weight initialisation for a dense layer with W of shape (n_in, n_out).

Glorot (Xavier) uniform draws from U[-r, r] with r = √6 / √(n_in + n_out), which keeps the
variance of the activations and of the gradients about the same from layer to layer.
Biases start at zero (see ``Dense``).
"""

import numpy as np


def glorot_uniform(n_in, n_out, rng):
    """Glorot/Xavier uniform weights.

    n_in, n_out: the layer's fan-in and fan-out.
    rng:         a numpy.random.Generator.
    Returns W of shape (n_in, n_out), float64, uniform on [-√6/√(n_in+n_out), √6/√(n_in+n_out)].
    """
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def normal(n_in, n_out, rng, std=0.01):
    """Small Gaussian weights N(0, std²).

    n_in, n_out: the layer's fan-in and fan-out.
    rng:         a numpy.random.Generator.
    std:         the standard deviation.
    Returns W of shape (n_in, n_out), float64.
    """
    return rng.normal(0.0, std, size=(n_in, n_out))


INITIALISERS = {"glorot": glorot_uniform, "normal": normal}
"""Initialisers by the name ``Dense(init=...)`` takes."""
