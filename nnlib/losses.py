"""Losses: each returns the cost J (a float) and its gradient.

Costs are means over the m examples of a batch. Cross-entropies sum over the outputs of an
example and average over the batch; MSE averages over the batch and the outputs.

- ``mse``, ``binary_cross_entropy``, ``categorical_cross_entropy`` take (A, Y), the network's
  output and the targets, and return (J, dA). The two cross-entropies clip A to
  [eps, 1 - eps] (eps = 1e-12) before taking logs, so that a saturated output gives a large
  finite loss rather than inf.
- ``sigmoid_binary_cross_entropy`` and ``softmax_cross_entropy`` take (Z, Y), the input of the
  output activation, and return (J, dZ) with dZ = (A - Y) / m. They compute the loss from Z
  with log1p / log-sum-exp, so they are exact for any Z and need no clipping.
- ``fused_gradient_error`` checks such a fused loss: the relative error between the dZ it
  returns and central differences of the J it returns.
"""

import numpy as np

from nnlib.activations import Sigmoid, Softmax, sigmoid
from nnlib.errors import LabelError
from nnlib.gradcheck import numerical_gradient, rel_error

EPS = 1e-12


def _check_targets(name, A, Y, one_hot):
    """Raise LabelError unless Y has A's shape (and, if one_hot, rows that are distributions)."""
    A_shape, Y_shape = np.shape(A), np.shape(Y)
    # the total of one-hot rows is m: one sum, cheap enough for every training batch
    if A_shape == Y_shape and (not one_hot or abs(np.sum(Y) - len(Y)) <= 1e-6 * len(Y)):
        return
    if one_hot and len(Y_shape) == 1 and len(A_shape) == 2:
        raise LabelError(
            f"{name} needs one-hot Y of shape (m, k); got integer labels of shape {Y_shape}: "
            f"use nnlib.one_hot(y, {A_shape[1]})."
        )
    if one_hot and A_shape == Y_shape:
        raise LabelError(
            f"{name} needs one-hot Y: each row should sum to 1 (one 1, the rest 0); "
            "use nnlib.one_hot(y, k) on the integer labels."
        )
    if len(Y_shape) == 1 and A_shape == (Y_shape[0], 1):
        raise LabelError(
            f"{name} got Y of shape {Y_shape} for outputs of shape {A_shape}; "
            "use Y.reshape(-1, 1) so that each target is a row."
        )
    raise LabelError(f"{name} got Y of shape {Y_shape}; expected {A_shape}, the outputs' shape.")


def mse(A, Y):
    """Mean squared error J = (1 / (m k)) Σ (A - Y)².

    A: (m, k) predictions.  Y: (m, k) targets.
    Returns (J, dA): a float, and dA = 2 (A - Y) / (m k) of shape (m, k).
    """
    _check_targets("mse", A, Y, one_hot=False)
    diff = A - Y
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def binary_cross_entropy(A, Y):
    """Binary cross-entropy J = -(1/m) Σ [Y log A + (1 - Y) log(1 - A)], A clipped to
    [eps, 1 - eps].

    A: (m, k) probabilities (k = 1 for one binary output).  Y: (m, k) targets in {0, 1}.
    Returns (J, dA): a float, and dA = (-Y / A + (1 - Y) / (1 - A)) / m of shape (m, k).
    """
    _check_targets("binary_cross_entropy", A, Y, one_hot=False)
    m = A.shape[0]
    A = np.clip(A, EPS, 1.0 - EPS)
    J = -np.sum(Y * np.log(A) + (1.0 - Y) * np.log1p(-A)) / m
    return float(J), (-Y / A + (1.0 - Y) / (1.0 - A)) / m


def categorical_cross_entropy(A, Y):
    """Categorical cross-entropy J = -(1/m) Σ_i Σ_j Y_ij log A_ij, A clipped to [eps, 1 - eps].

    A: (m, k) probabilities, rows summing to 1.  Y: (m, k) one-hot targets.
    Returns (J, dA): a float, and dA = -Y / A / m of shape (m, k).
    """
    _check_targets("categorical_cross_entropy", A, Y, one_hot=True)
    m = A.shape[0]
    A = np.clip(A, EPS, 1.0 - EPS)
    return float(-np.sum(Y * np.log(A)) / m), -Y / A / m


def sigmoid_binary_cross_entropy(Z, Y):
    """Binary cross-entropy of A = σ(Z), computed from Z.

    Per element, -[y log σ(z) + (1 - y) log(1 - σ(z))] = log(1 + e^z) - y z, and
    log(1 + e^z) = logaddexp(0, z) never overflows.
    Z: (m, k) logits.  Y: (m, k) targets in {0, 1}.
    Returns (J, dZ): a float, and dZ = (σ(Z) - Y) / m of shape (m, k).
    """
    _check_targets("sigmoid_binary_cross_entropy", Z, Y, one_hot=False)
    m = Z.shape[0]
    J = np.sum(np.logaddexp(0.0, Z) - Y * Z) / m
    return float(J), (sigmoid(Z) - Y) / m


def softmax_cross_entropy(Z, Y):
    """Categorical cross-entropy of A = softmax(Z), computed from Z.

    log softmax(Z) = Z - logsumexp(Z), with the row maximum subtracted first so that no exp
    overflows. The gradient (A - Y) / m assumes each row of Y sums to 1 (one-hot).
    Z: (m, k) logits.  Y: (m, k) one-hot targets.
    Returns (J, dZ): a float, and dZ = (softmax(Z) - Y) / m of shape (m, k).
    """
    _check_targets("softmax_cross_entropy", Z, Y, one_hot=True)
    m = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    J = np.sum(Y * (np.log(total) - shifted)) / m
    exp /= total
    exp -= Y
    exp /= m
    return float(J), exp


def fused_gradient_error(loss, Z, Y, h=1e-5):
    """How far a fused loss's gradient is from central differences of its own cost.

    loss: a function (Z, Y) -> (J, dZ), such as ``softmax_cross_entropy``.
    Z:    (m, k) logits, left unchanged.  Y: (m, k) targets.  h: the central-difference step.
    Returns a float: ``rel_error(dZ, numeric)``, where numeric[i, j] is
    (J(Z + h e_ij) - J(Z - h e_ij)) / 2h; below 1e-7 the gradient is right (see
    ``nnlib.gradcheck.REL_ERROR_TABLE``).
    """
    _, dZ = loss(Z, Y)
    numeric = numerical_gradient(lambda z: loss(z, Y)[0], np.array(Z, dtype=np.float64), h)
    return rel_error(dZ, numeric)


LOSSES = {"mse": mse, "bce": binary_cross_entropy, "cce": categorical_cross_entropy}
"""Losses by the name ``fit(loss=...)`` takes."""

FUSED = {"bce": (Sigmoid, sigmoid_binary_cross_entropy), "cce": (Softmax, softmax_cross_entropy)}
"""For a loss name, the output layer it fuses with and the fused (Z, Y) -> (J, dZ) loss."""
