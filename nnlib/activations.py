"""Activation functions, their derivatives, and the layers that apply them.

Each function maps Z elementwise (softmax: row by row) to A = f(Z). Each derivative takes Z,
not A, so that ``sigmoid_derivative(z) = sigmoid(z) * (1 - sigmoid(z))`` reads as in the notes.
The layer classes (``Sigmoid()`` etc.) cache what backward needs and multiply the upstream
gradient by the local derivative: dZ = dA * f'(Z). Softmax couples the outputs of a row, so its
backward is the Jacobian-vector product dZ = A * (dA - sum(dA * A, axis=1)).
"""

import numpy as np

from nnlib.layers import Layer


def identity(z):
    """f(z) = z.  z: array of any shape. Returns an array of the same shape."""
    return np.asarray(z)


def identity_derivative(z):
    """f'(z) = 1.  z: array of any shape. Returns ones of the same shape."""
    return np.ones_like(z)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), computed as exp(-log(1 + e^-z)) so that no exp overflows.

    z: array of any shape. Returns an array of the same shape, values in (0, 1).
    """
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(z):
    """σ'(z) = σ(z)(1 - σ(z)).  z: array of any shape. Returns an array of the same shape."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z).  z: array of any shape. Returns an array of the same shape, values in (-1, 1)."""
    return np.tanh(z)


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)².  z: array of any shape. Returns an array of the same shape."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """max(0, z).  z: array of any shape. Returns an array of the same shape."""
    return np.maximum(z, 0.0)


def relu_derivative(z):
    """1 where z > 0, else 0 (the course takes relu'(0) = 0).

    z: array of any shape. Returns an array of the same shape and float dtype.
    """
    z = np.asarray(z)
    return (z > 0).astype(z.dtype if z.dtype.kind == "f" else np.float64)


def softmax(z):
    """Row-wise softmax, stable: subtracting each row's maximum leaves the result unchanged
    and keeps every exp() at most 1.

    z: array of shape (m, k) (or (k,) for one example). Returns the same shape; rows sum to 1.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def softmax_derivative(z):
    """The softmax Jacobian of each row: J[i, a, b] = s_a (δ_ab - s_b).

    z: array of shape (m, k). Returns an array of shape (m, k, k).
    (The Softmax layer never builds this; it uses the Jacobian-vector product instead.)
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1]) - s[..., None, :])


class Identity(Layer):
    """The identity activation, for a linear output layer (regression)."""

    def forward(self, Z, training=False):
        """Z: (m, n). Returns Z unchanged."""
        return Z

    def backward(self, dA, input_grad=True):
        """dA: (m, n). Returns dA unchanged."""
        return dA


class Sigmoid(Layer):
    """σ(z) = 1 / (1 + e^-z), for a binary output or a classic hidden layer."""

    def forward(self, Z, training=False):
        """Z: (m, n). Returns A = σ(Z), shape (m, n); caches A, since σ' = A(1 - A)."""
        self.A = sigmoid(Z)
        return self.A

    def backward(self, dA, input_grad=True):
        """dA: (m, n). Returns dZ = dA * A * (1 - A), shape (m, n)."""
        return dA * self.A * (1.0 - self.A)


class Tanh(Layer):
    """tanh(z), a zero-centred sigmoid."""

    def forward(self, Z, training=False):
        """Z: (m, n). Returns A = tanh(Z); caches A, since tanh' = 1 - A²."""
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dA, input_grad=True):
        """dA: (m, n). Returns dZ = dA * (1 - A²)."""
        return dA * (1.0 - self.A * self.A)


class ReLU(Layer):
    """max(0, z), the default hidden activation."""

    def forward(self, Z, training=False):
        """Z: (m, n). Returns A = max(0, Z); caches where Z > 0."""
        self.positive = Z > 0
        return np.maximum(Z, 0.0)

    def backward(self, dA, input_grad=True):
        """dA: (m, n). Returns dZ = dA where Z > 0, else 0."""
        return dA * self.positive


class Softmax(Layer):
    """Row-wise softmax, for a multi-class output. Pair it with loss "cce" in ``fit``."""

    def forward(self, Z, training=False):
        """Z: (m, k). Returns A = softmax(Z), shape (m, k); caches A."""
        self.A = softmax(Z)
        return self.A

    def backward(self, dA, input_grad=True):
        """dA: (m, k). Returns the Jacobian-vector product dZ = A * (dA - Σ_b dA_b A_b)."""
        return self.A * (dA - np.sum(dA * self.A, axis=-1, keepdims=True))


ACTIVATIONS = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "softmax": Softmax,
}
"""Activation layer classes by name, e.g. ``ACTIVATIONS["relu"]()``."""
