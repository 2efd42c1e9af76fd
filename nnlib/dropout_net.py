"""A network with one hidden layer and dropout on it, as plain functions with a cache (lesson 09).

The network maps inputs X (m, n_in) to one logit per example, P(class 1) = σ(z):

    Z1 = X W1 + b1      H = relu(Z1)      D = H ∘ K / (1 - p)      Z2 = D W2 + b2

with K the dropout mask (``nnlib.dropout``); at evaluation D = H. The forward pass keeps what
the backward pass needs in a cache, ``(X, Z1, keep, D)``, and the backward pass walks it from
the logit back to W1::

    Z2, cache = dropout_net_forward(X, params, p, rng, training=True)
    J, dZ2 = sigmoid_binary_cross_entropy(Z2, Y)
    (dW1, db1), (dW2, db2) = dropout_net_backward(dZ2, cache, params, p)

``train_dropout_net`` trains such a network by full-batch gradient descent from given forward
and backward functions (the student's, or these), recording the costs of every epoch.
Shapes: W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1), b2 (1,).
"""

from dataclasses import dataclass

import numpy as np

from nnlib.activations import relu, relu_derivative
from nnlib.dropout import dropout_backward, dropout_forward
from nnlib.errors import TrainingDiverged
from nnlib.init import glorot_uniform
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import sigmoid_binary_cross_entropy


def dropout_net_forward(X, params, p, rng, training=True):
    """The forward pass, keeping its cache.

    X:        inputs, shape (m, n_in).
    params:   [(W1, b1), (W2, b2)]: W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out),
              b2 (n_out,).
    p:        the drop probability of the hidden units, in [0, 1).
    rng:      a numpy Generator; the mask is drawn from it once, by ``dropout_forward``.
    training: False for evaluation: no mask, D = H.
    Returns (Z2, cache): the logits (m, n_out), and cache = (X, Z1, keep, D) with Z1 and D
    (m, n_hidden) and keep the boolean mask (m, n_hidden), or None at evaluation.
    """
    (W1, b1), (W2, b2) = params
    Z1 = dense_forward(X, W1, b1)
    D, keep = dropout_forward(relu(Z1), p, rng, training)
    return dense_forward(D, W2, b2), (X, Z1, keep, D)


def dropout_net_backward(dZ2, cache, params, p):
    """The backward pass of ``dropout_net_forward``.

    dZ2:    ∂J/∂Z2, shape (m, n_out); it already holds the cost's 1/m.
    cache:  the (X, Z1, keep, D) the forward pass returned.
    params: the [(W1, b1), (W2, b2)] the forward pass used.
    p:      the drop probability the forward pass used.
    Returns [(dW1, db1), (dW2, db2)], each shaped like its parameter.
    """
    X, Z1, keep, D = cache
    (W1, _), (W2, _) = params
    dD, dW2, db2 = dense_backward(dZ2, D, W2)
    dH = dropout_backward(dD, keep, p)
    _, dW1, db1 = dense_backward(dH * relu_derivative(Z1), X, W1, input_grad=False)
    return [(dW1, db1), (dW2, db2)]


@dataclass
class DropoutRun:
    """What ``train_dropout_net`` records, one entry per epoch, after that epoch's step.

    train_cost: the cost on the training set with every unit on (evaluation mode).
    val_cost:   the cost on the validation set, evaluation mode.
    params:     the parameters at the end, [(W1, b1), (W2, b2)].
    """

    train_cost: np.ndarray
    val_cost: np.ndarray
    params: list

    @property
    def best_epoch(self):
        """The epoch of the lowest validation cost (the first one, on a tie)."""
        return int(np.argmin(self.val_cost))

    @property
    def best_val_cost(self):
        """The lowest validation cost: what early stopping would keep."""
        return float(self.val_cost[self.best_epoch])


def train_dropout_net(forward, backward, data, p, *, hidden, lr, epochs, seed=0):
    """Train a dropout network by full-batch gradient descent on its binary cross-entropy.

    forward, backward: functions with the signatures of ``dropout_net_forward`` and
                       ``dropout_net_backward``.
    data:    (X_train, Y_train, X_val, Y_val): X (m, n_in), Y (m, 1) in {0, 1}.
    p:       the drop probability; hidden: the number of hidden units; lr: the learning rate.
    epochs:  the number of gradient steps (one per epoch: the batch is the whole set).
    seed:    seeds the Glorot-uniform initial weights and, after them, the masks: the same seed
             gives the same start for every p.
    Returns a DropoutRun. Raises TrainingDiverged when the cost stops being finite.
    """
    X, Y, X_val, Y_val = data
    rng = np.random.default_rng(seed)
    params = [
        (glorot_uniform(X.shape[1], hidden, rng), np.zeros(hidden)),
        (glorot_uniform(hidden, 1, rng), np.zeros(1)),
    ]
    train_cost, val_cost = np.empty(epochs), np.empty(epochs)
    for epoch in range(epochs):
        Z2, cache = forward(X, params, p, rng, training=True)
        _, dZ2 = sigmoid_binary_cross_entropy(Z2, Y)
        grads = backward(dZ2, cache, params, p)
        params = [
            (W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads, strict=True)
        ]
        train_cost[epoch] = sigmoid_binary_cross_entropy(forward(X, params, p, rng, False)[0], Y)[0]
        val_cost[epoch] = sigmoid_binary_cross_entropy(
            forward(X_val, params, p, rng, False)[0], Y_val
        )[0]
        if not np.isfinite(val_cost[epoch]):
            raise TrainingDiverged(f"the cost is {val_cost[epoch]} at epoch {epoch}: lower lr.")
    return DropoutRun(train_cost, val_cost, params)
