"""A ReLU network with a softmax output, as plain functions on a list of layers: lesson 10's
reference, and the softmax-regression baseline its check measures a student's network against.

The network is a list of L pairs ``params = [(W1, b1), ..., (WL, bL)]``. Every layer but the
last applies ReLU; the last gives the logits Z, and softmax is applied by the loss (or by
``predict_proba``). Shapes, batch first: X (m, n_0), W of layer l (n_{l-1}, n_l), b (n_l,),
Z (m, K) with K = n_L classes, Y (m, K) one-hot. With L = 1 it is softmax regression.

Training minimises the categorical cross-entropy averaged over the batch plus the L2 penalty
λ Σ w² over the weights (never the biases), with mini-batch gradient descent and early
stopping on the validation cross-entropy::

    params = glorot_params([64, 64, 10], rng)
    best, history = fit(params, X, Y, X_val, Y_val, lr=0.5, lam=1e-4, epochs=60,
                        batch_size=32, patience=10, rng=rng)
"""

import numpy as np

from nnlib.losses import softmax_cross_entropy
from nnlib.mlp import glorot_params, mlp_backward, mlp_forward
from nnlib.regularizers import l2_gradient, l2_penalty

__all__ = [
    "glorot_params",
    "layer_activations",
    "network_forward",
    "network_backward",
    "train_step",
    "fit",
    "predict_proba",
    "digit_network",
    "softmax_regression",
]


def layer_activations(depth):
    """The activation names of a network of ``depth`` layers: ReLU, then the identity (logits)."""
    return ["relu"] * (depth - 1) + ["identity"]


def network_forward(X, params):
    """The logits of the network and each layer's cache.

    X: (m, n_0).  params: a list of L pairs (W, b).
    Returns (Z, caches): Z (m, n_L), the last layer's pre-activation; caches, a list of L
    tuples (A_prev, W, Z_l) as ``nnlib.mlp.mlp_forward`` keeps them.
    """
    return mlp_forward(X, params, layer_activations(len(params)))


def network_backward(dZ, caches):
    """The gradient of every layer's W and b, from the gradient of the logits.

    dZ: ∂J/∂Z of the last layer (m, n_L), holding the cost's 1/m.  caches: from network_forward.
    Returns a list of L pairs (dW, db), first layer first.
    """
    return mlp_backward(dZ, caches, layer_activations(len(caches)))


def train_step(params, X, Y, lr, lam):
    """One step of gradient descent on J = cross-entropy + λ Σ w².

    params: a list of L pairs (W, b).  X: (m, n_0).  Y: (m, K) one-hot.
    lr: the learning rate.  lam: λ ≥ 0, the L2 strength (weights only).
    Returns (J, new_params): the penalised cost of ``params`` before the step, a float, and a
    new list of (W - lr (dW + 2λW), b - lr db); ``params`` is left unchanged.
    """
    Z, caches = network_forward(X, params)
    J, dZ = softmax_cross_entropy(Z, Y)
    J += l2_penalty([W for W, _ in params], lam)
    grads = network_backward(dZ, caches)
    new = [
        (W - lr * (dW + l2_gradient(W, lam)), b - lr * db)
        for (W, b), (dW, db) in zip(params, grads, strict=True)
    ]
    return J, new


def _cost_and_accuracy(params, X, Y):
    """The cross-entropy (no penalty) and the accuracy of ``params`` on (X, Y one-hot)."""
    Z, _ = network_forward(X, params)
    J, _ = softmax_cross_entropy(Z, Y)
    return J, float(np.mean(np.argmax(Z, axis=1) == np.argmax(Y, axis=1)))


def fit(params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng):
    """Mini-batch gradient descent with early stopping on the validation cost.

    params: the starting list of L pairs (W, b); left unchanged.
    X, Y: (m, n_0) and (m, K) one-hot, the training set.  X_val, Y_val: the validation set.
    lr, lam: as ``train_step``.  epochs: the most passes over the training set.
    batch_size: examples per step; the last batch of an epoch holds the rest.
    patience: stop after this many epochs in a row without a strictly lower validation cost.
    rng: a numpy Generator; each epoch visits the examples in the order rng.permutation(m).
    Returns (best, history): the parameters after the epoch with the lowest validation cost,
    and a dict of lists, one entry per epoch run, "train_cost" and "val_cost" (cross-entropy
    without the penalty, after the epoch) and "val_accuracy", and the int "best_epoch"
    (counted from 0).
    """
    history = {"train_cost": [], "val_cost": [], "val_accuracy": [], "best_epoch": 0}
    best, best_cost, waited = params, np.inf, 0
    m = X.shape[0]
    for epoch in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            _, params = train_step(params, X[batch], Y[batch], lr, lam)
        history["train_cost"].append(_cost_and_accuracy(params, X, Y)[0])
        val_cost, val_accuracy = _cost_and_accuracy(params, X_val, Y_val)
        history["val_cost"].append(val_cost)
        history["val_accuracy"].append(val_accuracy)
        if val_cost < best_cost:
            best, best_cost, waited = params, val_cost, 0
            history["best_epoch"] = epoch
        else:
            waited += 1
            if waited >= patience:
                break
    return best, history


def predict_proba(X, params):
    """The class probabilities softmax(Z) of the network, shape (m, K)."""
    Z, _ = network_forward(X, params)
    exp = np.exp(Z - Z.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


# The settings of lesson 10's model answer, which its baseline shares.
DIGIT_SETTINGS = {"lr": 0.5, "lam": 1e-4, "epochs": 60, "batch_size": 32, "patience": 10}


def _trained(sizes, X_train, y_train, X_val, y_val, seed):
    """``fit`` with DIGIT_SETTINGS from Glorot weights of the given layer sizes."""
    rng = np.random.default_rng(seed)
    classes = sizes[-1]
    Y, Y_val = np.eye(classes)[y_train], np.eye(classes)[y_val]
    return fit(glorot_params(sizes, rng), X_train, Y, X_val, Y_val, rng=rng, **DIGIT_SETTINGS)


def digit_network(X_train, y_train, X_val, y_val, seed=0, hidden=64):
    """Lesson 10's model answer: a 64-hidden-10 ReLU network trained with DIGIT_SETTINGS.

    X_train (m, 64) in [0, 1], y_train (m,) digits; X_val, y_val likewise; seed seeds the
    weights and the shuffling. Returns (params, history) as ``fit``.
    """
    return _trained([X_train.shape[1], hidden, 10], X_train, y_train, X_val, y_val, seed)


def softmax_regression(X_train, y_train, X_val, y_val, seed=0):
    """The baseline: no hidden layer (64 -> 10), trained the same way. Returns (params, history)."""
    return _trained([X_train.shape[1], 10], X_train, y_train, X_val, y_val, seed)
