"""Sequential: a network as a list of layers applied in order.

Forward runs the layers first to last; backward runs them last to first, each turning the
gradient with respect to its output into the gradient with respect to its input and storing
its parameter gradients on the way.
"""

import numpy as np


class Sequential:
    """A feed-forward network.

    layers: a list of layers (``Dense``, activation layers, ``Dropout``), applied in order.

    Example, a 2-2-1 net for XOR::

        Sequential([Dense(2, 2, rng=rng), Sigmoid(), Dense(2, 1, rng=rng), Sigmoid()])
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("Sequential needs at least one layer.")

    def forward(self, X, training=False, logits=False):
        """X: (m, n_in). Returns the output of the last layer, shape (m, n_out).

        training: True while training (passed to every layer; Dropout drops units only then).
        logits:   if True, stop before the last layer and return its input Z (what the fused
                  losses take).
        """
        A = X
        for layer in self.layers[:-1] if logits else self.layers:
            A = layer.forward(A, training)
        return A

    def backward(self, dA, logits=False, input_grad=True):
        """dA: (m, n_out), ∂J/∂(network output); with logits=True, ∂J/∂Z of the last layer's
        input instead. Stores every parameter gradient and returns ∂J/∂X, shape (m, n_in)
        (None if ``input_grad`` is False, which saves the first layer's largest product).
        """
        layers = self.layers[:-1] if logits else self.layers
        for i in range(len(layers) - 1, -1, -1):
            dA = layers[i].backward(dA, input_grad=input_grad or i > 0)
        return dA

    def predict(self, X):
        """X: (m, n_in). Returns the network's output at evaluation (no dropout), (m, n_out)."""
        return self.forward(X, training=False)

    def parameters(self):
        """Yields (name, value, grad) for every trainable array, named like "layers[0].W"."""
        for i, layer in enumerate(self.layers):
            for name, value, grad in layer.parameters():
                yield f"layers[{i}].{name}", value, grad

    def weights(self):
        """The weight matrices (parameters named W; biases excluded), for regularisation."""
        return [value for name, value, _ in self.parameters() if name.endswith(".W")]

    def get_state(self):
        """A copy of every parameter value, in ``parameters()`` order."""
        return [value.copy() for _, value, _ in self.parameters()]

    def set_state(self, state):
        """Copy the values saved by ``get_state`` back into the parameters, in place."""
        for (_, value, _), saved in zip(self.parameters(), state, strict=True):
            np.copyto(value, saved)

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner},\n])"
