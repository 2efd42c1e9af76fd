"""Lesson 09's experiment: one network trained with each drop probability of the lesson's slider.

The task is to tell odd digits from even ones, from 100 training images of the 8×8 digits
(pixels scaled to [0, 1]); the other 1697 images are the validation set. A 64-40-1 network
(``nnlib.dropout_net``) with dropout on its 40 hidden units has far more weights (2,641) than
there are training images, so without dropout it fits the training set almost exactly and the
validation cost climbs back after its minimum. The settings were chosen, and the claims the
lesson makes about the sweep measured over several seeds, by ``tests/exercises/test_l09_claims.py``.
"""

import numpy as np

from nnlib.data import load_digits
from nnlib.dropout_net import train_dropout_net

N_TRAIN = 100
HIDDEN = 40
LR = 1.0
EPOCHS = 250
P_VALUES = tuple(round(0.1 * k, 1) for k in range(10))  # the slider's values, 0 to 0.9


def odd_digits(seed=0):
    """The experiment's data: (X_train, Y_train, X_val, Y_val).

    seed: shuffles the 1797 images before the first N_TRAIN become the training set.
    X: (m, 64) pixels in [0, 1]; Y: (m, 1), 1.0 for an odd digit and 0.0 for an even one.
    """
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    X, Y = X[order] / 16.0, (y[order] % 2 == 1).astype(np.float64).reshape(-1, 1)
    return X[:N_TRAIN], Y[:N_TRAIN], X[N_TRAIN:], Y[N_TRAIN:]


def sweep(forward, backward, data, seed=0, p_values=P_VALUES):
    """Train the experiment's network once for each drop probability, from the same start.

    forward, backward: the network's functions (``nnlib.dropout_net``'s signatures).
    data:     what ``odd_digits`` returns.
    seed:     the initial weights' and the masks' seed, the same for every p.
    Returns {p: DropoutRun} in the order of p_values.
    """
    return {
        p: train_dropout_net(
            forward, backward, data, p, hidden=HIDDEN, lr=LR, epochs=EPOCHS, seed=seed
        )
        for p in p_values
    }
