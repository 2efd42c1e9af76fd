"""Gradient descent on a penalised cost, for a network of ``nnlib.mlp``'s plain functions.

The cost is the binary cross-entropy of the network's logit plus both weight penalties, in the
course's convention (weights only, never biases)::

    J = BCE + l2 Σ w² + l1 Σ |w|          ∂J/∂W = ∂BCE/∂W + 2 l2 W + l1 sign(W)

``penalised_step`` is one step of plain (sub)gradient descent on that J; ``proximal_l1`` is the
other way to take L1's part of a step: shrink each weight towards 0 by lr·l1 and stop at 0
(soft-thresholding), so that a weight the loss does not defend lands on exactly 0 instead of
jumping from one side of 0 to the other. ``train_penalised`` trains with either, recording the
training and validation losses: lesson 08's figures and widget, run on the student's step.

Shapes, batch first, as ``nnlib.mlp``: X (m, n_0); Y (m, 1); params a list of L pairs (W, b)
with W (n_{l-1}, n_l) and b (n_l,); the last layer's activation is "identity" (the logit).
"""

import numpy as np

from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.mlp import mlp_backward, mlp_forward
from nnlib.regularizers import l1_gradient, l1_penalty, l2_gradient, l2_penalty


def penalised_cost(params, X, Y, l2, l1, activations):
    """J = BCE(σ(logit), Y) + l2 Σ w² + l1 Σ |w| over every weight matrix (biases excluded).

    params, activations: as ``nnlib.mlp.mlp_forward``, the last activation "identity".
    X: (m, n_0).  Y: (m, 1) targets in [0, 1].  l2, l1: the strengths λ ≥ 0.
    Returns J, a float.
    """
    logit, _ = mlp_forward(X, params, activations)
    weights = [W for W, _ in params]
    loss, _ = sigmoid_binary_cross_entropy(logit, Y)
    return loss + l2_penalty(weights, l2) + l1_penalty(weights, l1)


def penalised_step(params, X, Y, lr, l2, l1, activations):
    """One step of gradient descent on ``penalised_cost``.

    params, X, Y, l2, l1, activations: as ``penalised_cost``.  lr: the learning rate α.
    Returns (J, new_params): the penalised cost of ``params`` (before the step), a float, and a
    new list of pairs (W - α(dW + 2 l2 W + l1 sign W), b - α db); ``params`` is unchanged.
    """
    logit, caches = mlp_forward(X, params, activations)
    loss, dZ = sigmoid_binary_cross_entropy(logit, Y)
    weights = [W for W, _ in params]
    J = loss + l2_penalty(weights, l2) + l1_penalty(weights, l1)
    new_params = []
    for (W, b), (dW, db) in zip(params, mlp_backward(dZ, caches, activations), strict=True):
        dW = dW + l2_gradient(W, l2) + l1_gradient(W, l1)
        new_params.append((W - lr * dW, b - lr * db))
    return J, new_params


def proximal_l1(W, threshold):
    """Soft-thresholding: each weight moved towards 0 by ``threshold``, and stopped at 0.

    W: an array of any shape.  threshold: lr·λ ≥ 0, the size of L1's push in one step.
    Returns sign(W) · max(|W| - threshold, 0), an array of W's shape: every weight within
    ``threshold`` of 0 becomes exactly 0.
    """
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 0.0)


KINDS = ("L2", "L1", "L1 proximal")


def train_penalised(step, params, X, Y, lr, lam, kind, epochs, activations, validation):
    """Full-batch training with one kind of penalty, recording the loss on both sets.

    step:        a function with ``penalised_step``'s signature (a student's, or nnlib's).
    params:      the starting list of (W, b); it is left unchanged.
    X, Y, lr, activations: as ``penalised_step``.
    lam:         the penalty's strength λ ≥ 0 (0: plain training, whatever the kind).
    kind:        "L2" (l2 = λ), "L1" (l1 = λ, the subgradient step) or "L1 proximal" (the step
                 without penalty, then ``proximal_l1`` with threshold lr·λ on every W).
    epochs:      the number of steps, one per epoch.
    validation:  (X_val, Y_val), shapes (m_val, n_0) and (m_val, 1).
    Returns (params, train_losses, val_losses): the trained parameters, and the binary
    cross-entropy (without the penalty, so that runs compare) of the training and validation
    sets after each epoch, two lists of ``epochs`` floats.
    """
    if kind not in KINDS:
        raise ValueError(f"kind should be one of {', '.join(map(repr, KINDS))}; got {kind!r}.")
    l2 = lam if kind == "L2" else 0.0
    l1 = lam if kind == "L1" else 0.0
    X_val, Y_val = validation
    # One forward pass over both sets each epoch: the training rows first, then the validation.
    both, m = np.vstack([X, X_val]), len(X)
    train_losses, val_losses = [], []
    for _ in range(epochs):
        _, params = step(params, X, Y, lr, l2, l1, activations)
        if kind == "L1 proximal":
            params = [(proximal_l1(W, lr * lam), b) for W, b in params]
        logit, _ = mlp_forward(both, params, activations)
        train_losses.append(sigmoid_binary_cross_entropy(logit[:m], Y)[0])
        val_losses.append(sigmoid_binary_cross_entropy(logit[m:], Y_val)[0])
    return params, train_losses, val_losses
