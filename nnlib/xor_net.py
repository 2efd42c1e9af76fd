"""The 2-2-1 sigmoid network of lesson 02, which learns XOR, and the gradients of its cost.

    Z1 = X W1 + b1,  A1 = σ(Z1),  Z2 = A1 W2 + b2,  A2 = σ(Z2),
    J  = -(1/m) Σ [y log a2 + (1 - y) log(1 - a2)]   (binary cross-entropy, averaged)

Shapes: X (m, 2), W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,), Y and A2 (m, 1). Lesson 02 hands
``xor_gradients`` to the student, before lessons 04 and 05 derive every line of it.
"""

import numpy as np

from nnlib.activations import sigmoid
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import sigmoid_binary_cross_entropy


def xor_forward(X, W1, b1, W2, b2):
    """The network's hidden outputs A1 (m, 2) and outputs A2 (m, 1), as a tuple (A1, A2)."""
    A1 = sigmoid(dense_forward(X, W1, b1))
    return A1, sigmoid(dense_forward(A1, W2, b2))


def xor_cost(X, Y, W1, b1, W2, b2):
    """The mean binary cross-entropy J of the network on X (m, 2) with targets Y (m, 1)."""
    A1, _ = xor_forward(X, W1, b1, W2, b2)
    J, _ = sigmoid_binary_cross_entropy(dense_forward(A1, W2, b2), Y)
    return float(J)


def xor_gradients(X, Y, W1, b1, W2, b2):
    """The gradient of the mean binary cross-entropy with respect to every parameter.

    X (m, 2), Y (m, 1) in {0, 1}; W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,).
    Returns (dW1, db1, dW2, db2), each of its parameter's shape:
        dZ2 = (A2 - Y) / m,           dW2 = A1ᵀ dZ2,  db2 = Σ_rows dZ2,
        dZ1 = (dZ2 W2ᵀ) ∘ A1 ∘ (1 - A1),  dW1 = Xᵀ dZ1,  db1 = Σ_rows dZ1.
    """
    A1, _ = xor_forward(X, W1, b1, W2, b2)
    _, dZ2 = sigmoid_binary_cross_entropy(dense_forward(A1, W2, b2), Y)
    dA1, dW2, db2 = dense_backward(dZ2, A1, W2)
    _, dW1, db1 = dense_backward(dA1 * A1 * (1.0 - A1), X, W1, input_grad=False)
    return dW1, db1, dW2, db2


def xor_train(X, Y, W1, b1, W2, b2, lr, epochs):
    """Full-batch gradient descent: ``epochs`` steps of θ ← θ - lr ∂J/∂θ for all four.

    Arguments as ``xor_gradients``; lr: the learning rate; epochs: the number of steps.
    Returns the trained (W1, b1, W2, b2), new arrays.
    """
    params = [np.array(p, dtype=np.float64) for p in (W1, b1, W2, b2)]
    for _ in range(epochs):
        grads = xor_gradients(X, Y, *params)
        params = [p - lr * g for p, g in zip(params, grads, strict=True)]
    return tuple(params)
