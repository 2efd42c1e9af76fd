"""The dense (fully connected) layer, and the interface every layer shares.

Batch-first: X has shape (m, n_in), W (n_in, n_out), b (n_out,), and Z = X W + b has shape
(m, n_out). Given the upstream gradient dZ = ∂J/∂Z, shape (m, n_out), the chain rule gives

    dX = dZ Wᵀ   (m, n_in)      dW = Xᵀ dZ   (n_in, n_out)      db = Σ_i dZ[i]   (n_out,)

Every layer (Dense, the activations in ``nnlib.activations``, Dropout) has
``forward(X, training=False)``, which caches what backward needs, ``backward(dA)``, which
returns the gradient with respect to its input, and ``parameters()``, which yields
``(name, value, grad)`` for each trainable array, so that training and regularisation treat
all layers alike. By the course's convention a parameter named "W" is a weight (regularised)
and one named "b" a bias (never regularised).
"""

import numpy as np

from nnlib.errors import ShapeError
from nnlib.init import INITIALISERS


class Layer:
    """The interface every layer has. Subclasses override ``forward`` and ``backward``."""

    def forward(self, X, training=False):
        """X: (m, n_in). Returns the layer's output; caches what backward needs.

        training: True while training (Dropout drops units only then).
        """
        raise NotImplementedError

    def backward(self, dA, input_grad=True):
        """dA: the gradient of the cost with respect to the output of the last forward.
        Returns the gradient with respect to its input (None if ``input_grad`` is False and the
        layer can skip it, as the first layer of a network can) and stores parameter gradients.
        """
        raise NotImplementedError

    def parameters(self):
        """Yields (name, value, grad) for each trainable array; none by default."""
        return iter(())

    def __repr__(self):
        return f"{type(self).__name__}()"


def _check_input(X, n_in, who):
    """Raise ShapeError unless X is a 2-D array with n_in columns."""
    if np.ndim(X) != 2 or X.shape[1] != n_in:
        raise ShapeError(
            f"{who} got X of shape {np.shape(X)}; expected (m, {n_in}): one row per example, "
            f"{n_in} features per row."
        )


def dense_forward(X, W, b):
    """Z = X W + b.

    X: (m, n_in), W: (n_in, n_out), b: (n_out,).
    Returns Z of shape (m, n_out).
    """
    W = np.asarray(W)
    if W.ndim != 2 or np.shape(b) != (W.shape[1],):
        raise ShapeError(
            f"dense_forward got W of shape {W.shape} and b of shape {np.shape(b)}; "
            "expected W (n_in, n_out) and b (n_out,)."
        )
    _check_input(X, W.shape[0], "dense_forward")
    Z = X @ W
    Z += b
    return Z


def dense_backward(dZ, X, W, input_grad=True):
    """The gradients of Z = X W + b.

    dZ: (m, n_out), the upstream gradient ∂J/∂Z.
    X:  (m, n_in), the input of the forward pass.
    W:  (n_in, n_out).
    input_grad: if False, skip dX (returned as None); the first layer of a network needs none.
    Returns (dX, dW, db) of shapes (m, n_in), (n_in, n_out), (n_out,).
    """
    if np.shape(dZ) != (np.shape(X)[0], np.shape(W)[1]):
        raise ShapeError(
            f"dense_backward got dZ of shape {np.shape(dZ)}; expected (m, n_out) = "
            f"{(np.shape(X)[0], np.shape(W)[1])} to match X {np.shape(X)} and W {np.shape(W)}."
        )
    dX = dZ @ W.T if input_grad else None
    return dX, X.T @ dZ, dZ.sum(axis=0)


class Dense(Layer):
    """A fully connected layer Z = X W + b.

    n_in, n_out: the numbers of inputs and outputs.
    init:        "glorot" (uniform, the default) or "normal" (N(0, 0.01²)); biases start at 0.
    rng:         a numpy.random.Generator for the initial weights; None means
                 ``default_rng(0)``. Pass one generator to every layer of a network so that
                 layers of the same shape start different.
    dtype:       float64 by default; float32 only for speed comparisons.

    Attributes: W (n_in, n_out), b (n_out,), and after ``backward`` dW and db of the same shapes.
    """

    def __init__(self, n_in, n_out, init="glorot", rng=None, dtype=np.float64):
        if init not in INITIALISERS:
            raise ValueError(f"init must be one of {sorted(INITIALISERS)}; got {init!r}.")
        if rng is None:
            rng = np.random.default_rng(0)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = INITIALISERS[init](self.n_in, self.n_out, rng).astype(dtype)
        self.b = np.zeros(self.n_out, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.X = None

    def forward(self, X, training=False):
        """X: (m, n_in). Returns Z = X W + b, shape (m, n_out); caches X."""
        _check_input(X, self.n_in, repr(self))
        self.X = X
        Z = X @ self.W
        Z += self.b
        return Z

    def backward(self, dZ, input_grad=True):
        """dZ: (m, n_out). Stores dW (n_in, n_out) and db (n_out,); returns dX (m, n_in),
        or None when ``input_grad`` is False."""
        if self.X is None:
            raise RuntimeError(f"{self!r}.backward was called before forward.")
        if np.shape(dZ) != (self.X.shape[0], self.n_out):
            raise ShapeError(
                f"{self!r}.backward got dZ of shape {np.shape(dZ)}; expected "
                f"{(self.X.shape[0], self.n_out)}, the shape of the last forward's output."
            )
        dX, self.dW, self.db = dense_backward(dZ, self.X, self.W, input_grad)
        return dX

    def parameters(self):
        """Yields ("W", W, dW) and ("b", b, db)."""
        yield "W", self.W, self.dW
        yield "b", self.b, self.db

    def __repr__(self):
        return f"Dense({self.n_in}→{self.n_out})"
