"""Lesson 07's experiment: learning curves of a small network on two overlapping clouds.

The data are two Gaussian clouds that overlap (``make_blobs``, noise 1.5): the best boundary
between them is a straight line, and no boundary gets every point right. With 30 training
points, a 2-32-1 network has the capacity to bend its boundary around the training points'
noise, so that, trained long enough, its validation cost turns back up while its training
cost keeps falling: over-fitting. The second input is given in a careless unit (50 times
smaller, shifted by 100), so that scaling the inputs matters.

- ``overlapping_clouds()``: the data, split into training, validation and test sets.
- ``new_network(seed)``: the network, a fresh seeded start.
- ``learning_curves(...)``: train it epoch by epoch; the training and validation costs after
  every epoch, both measured the same way, at evaluation.
"""

import numpy as np

from nnlib.activations import Sigmoid, Tanh
from nnlib.data import make_blobs
from nnlib.layers import Dense
from nnlib.losses import binary_cross_entropy
from nnlib.model import Sequential
from nnlib.training import minibatches, train_batches

SIZES = {"train": 30, "val": 200, "test": 200}
HIDDEN = 32
EPOCHS = 40
SEED = 12
UNIT = np.array([1.0, 50.0])  # the second input is measured in a unit 50 times smaller ...
OFFSET = np.array([0.0, 100.0])  # ... and shifted, as a careless sensor would report it


def overlapping_clouds():
    """The lesson's data: make_blobs(n=430, noise=1.5, seed=SEED) in the careless unit.

    Returns {"train": (X, Y), "val": (X, Y), "test": (X, Y)} with X (m, 2) raw inputs and Y
    (m, 1) float labels 0 or 1; 30, 200 and 200 examples.
    """
    X, y = make_blobs(n=sum(SIZES.values()), noise=1.5, seed=SEED)
    X = X * UNIT + OFFSET
    Y = y.reshape(-1, 1).astype(np.float64)
    sets, start = {}, 0
    for name, size in SIZES.items():
        sets[name] = (X[start : start + size], Y[start : start + size])
        start += size
    return sets


def new_network(seed=0):
    """A fresh 2-32-1 network, tanh then sigmoid, Glorot-initialised from ``seed``."""
    rng = np.random.default_rng(seed)
    return Sequential([Dense(2, HIDDEN, rng=rng), Tanh(), Dense(HIDDEN, 1, rng=rng), Sigmoid()])


def learning_curves(
    model, train, val, batch_size, rates, rng, *, batches=minibatches, epoch=train_batches
):
    """Train ``model`` one epoch per rate and measure both costs after every epoch.

    model:      a Sequential, trained in place.
    train, val: (X, Y) pairs, X (m, 2), Y (m, 1).
    batch_size: examples per step.  rates: the learning rate of each epoch, e.g. α₀ dᵗ.
    rng:        the generator of the shuffles.
    batches:    a function (m, batch_size, rng) yielding index arrays (the lesson's
                ``minibatch_indices``).
    epoch:      a function (model, X, Y, batches, lr, loss) making one step per batch (the
                lesson's ``train_epoch``).
    Returns (train_costs, val_costs), arrays of shape (len(rates),): binary cross-entropy
    after each epoch, both at evaluation (not the running mean of the batch costs, which mixes
    the weights of a whole epoch), so that the two curves can be compared.
    """
    (X, Y), (X_val, Y_val) = train, val
    costs = []
    for lr in rates:
        epoch(model, X, Y, batches(len(X), batch_size, rng), lr, binary_cross_entropy)
        costs.append(
            [binary_cross_entropy(model.predict(A), B)[0] for A, B in ((X, Y), (X_val, Y_val))]
        )
    costs = np.array(costs, dtype=np.float64).reshape(-1, 2)
    return costs[:, 0], costs[:, 1]
