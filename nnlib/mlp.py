"""A multi-layer perceptron as plain functions on a list of layers, as lessons 03 and 05 build it.

The network is a list of L pairs ``params = [(W1, b1), ..., (WL, bL)]`` and a list of L
activation names, one per layer (see ``FUNCTIONS``). The forward pass keeps, for each layer,
what the backward pass needs (its *cache*), and the backward pass walks the caches from the
last layer to the first::

    A, caches = mlp_forward(X, params, ["tanh", "identity"])
    J, dA = sigmoid_binary_cross_entropy(A, Y)      # the last layer's A is the logit z
    grads = mlp_backward(dA, caches, ["tanh", "identity"])   # [(dW1, db1), (dW2, db2)]

Shapes, batch first: X (m, n_0); W of layer l (n_{l-1}, n_l); b (n_l,); A of layer l (m, n_l).
``nnlib.model.Sequential`` packages the same computation as objects.
"""

import numpy as np

from nnlib import activations as act
from nnlib.errors import ShapeError, TrainingDiverged
from nnlib.init import glorot_uniform
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import sigmoid_binary_cross_entropy

FUNCTIONS = {
    "identity": act.identity,
    "sigmoid": act.sigmoid,
    "tanh": act.tanh,
    "relu": act.relu,
}
DERIVATIVES = {
    "identity": act.identity_derivative,
    "sigmoid": act.sigmoid_derivative,
    "tanh": act.tanh_derivative,
    "relu": act.relu_derivative,
}


def _check_layers(params, activations):
    """Raise ShapeError or ValueError unless there is one known activation name per (W, b) pair."""
    if len(params) != len(activations):
        raise ShapeError(
            f"params has {len(params)} layers but activations names {len(activations)}: "
            "give one activation per (W, b) pair, e.g. ['tanh', 'identity'] for two layers."
        )
    unknown = [name for name in activations if name not in FUNCTIONS]
    if unknown:
        raise ValueError(
            f"unknown activation {unknown[0]!r}; use one of {', '.join(map(repr, FUNCTIONS))}."
        )


def mlp_forward(X, params, activations):
    """The forward pass of an MLP of any depth, keeping each layer's cache.

    X:           inputs, shape (m, n_0).
    params:      a list of L pairs (W, b): W (n_{l-1}, n_l), b (n_l,).
    activations: a list of L names from FUNCTIONS, one per layer.
    Returns (A, caches): A, the last layer's activation (m, n_L); caches, a list of L tuples
    (A_prev, W, Z): the layer's input (m, n_{l-1}), its weights, and its pre-activation (m, n_l).
    """
    _check_layers(params, activations)
    A, caches = np.asarray(X, dtype=np.float64), []
    for (W, b), name in zip(params, activations, strict=True):
        Z = dense_forward(A, W, b)
        caches.append((A, W, Z))
        A = FUNCTIONS[name](Z)
    return A, caches


def mlp_backward(dA, caches, activations):
    """The backward pass of ``mlp_forward``: the gradient of every layer's W and b.

    dA:          ∂J/∂A of the last layer, shape (m, n_L); it already holds the cost's 1/m.
    caches:      the list of L (A_prev, W, Z) that mlp_forward returned.
    activations: the same list of L names that mlp_forward was given.
    Returns a list of L pairs (dW, db), first layer first, each shaped like its (W, b).
    """
    _check_layers(caches, activations)
    grads = []
    for (A_prev, W, Z), name in zip(reversed(caches), reversed(activations), strict=True):
        dZ = dA * DERIVATIVES[name](Z)
        dA, dW, db = dense_backward(dZ, A_prev, W)
        grads.append((dW, db))
    return grads[::-1]


def train_step(params, X, Y, lr, activations):
    """One step of gradient descent on the binary cross-entropy of a one-output MLP.

    The last layer's activation is the logit z (its name is usually "identity"); the loss
    applies the sigmoid, so that P(class 1) = sigmoid(z) (``sigmoid_binary_cross_entropy``).

    params, activations: as mlp_forward, with n_L = 1.
    X: inputs (m, n_0).  Y: labels (m, 1), 0 or 1.  lr: the learning rate.
    Returns (J, new_params): the cost of ``params`` (before the step), a float, and a new list
    of (W - lr dW, b - lr db); ``params`` is left unchanged.
    Raises TrainingDiverged when J is not a finite number.
    """
    Z, caches = mlp_forward(X, params, activations)
    J, dZ = sigmoid_binary_cross_entropy(Z, Y)
    if not np.isfinite(J):
        raise TrainingDiverged(f"the cost is {J}: lower the learning rate and start again.")
    grads = mlp_backward(dZ, caches, activations)
    return J, [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads, strict=True)]


def glorot_params(sizes, rng):
    """Glorot-uniform weights and zero biases for layers of the given sizes.

    sizes: the number of units per layer, input first, e.g. [2, 8, 1].
    rng:   a numpy Generator.
    Returns a list of len(sizes) - 1 pairs (W, b).
    """
    return [
        (glorot_uniform(n_in, n_out, rng), np.zeros(n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
