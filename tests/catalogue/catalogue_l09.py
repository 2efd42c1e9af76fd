"""Lesson 09, dropout: the mistakes students make, and right answers written oddly.

Exercises: dropout_forward(X, p, rng, training=True) -> (A, keep),
dropout_backward(dA, keep, p) -> dX, and the network with dropout on its hidden layer:
dropout_net_forward(X, params, p, rng, training=True) -> (Z2, (X, Z1, keep, D)) and
dropout_net_backward(dZ2, cache, params, p) -> [(dW1, db1), (dW2, db2)].
"""

import numpy as np
from entries import Correct, Mistake

# ---------------------------------------------------------------- forward


def forward_right(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_float_mask(X, p, rng, training=True):
    if not training:
        return X.copy(), np.ones_like(X)
    keep = (rng.random(X.shape) >= p).astype(float)
    return np.multiply(X, keep) * (1.0 / (1.0 - p)), keep


def forward_with_where(X, p, rng, training=True):
    if training:
        keep = rng.random(size=X.shape) >= p
        return np.where(keep, X / (1 - p), 0.0), keep
    return X, None


def forward_not_rescaled(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    return X * keep, keep


def forward_p_as_keep(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) < p
    return X * keep / p, keep


def forward_in_place(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape) >= p
    X *= keep / (1 - p)
    return X, keep


def forward_drops_in_evaluation(X, p, rng, training=True):
    keep = rng.random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_scales_in_evaluation(X, p, rng, training=True):
    if not training:
        return X * (1 - p), None
    return forward_right(X, p, rng, training)


def forward_one_row_for_batch(X, p, rng, training=True):
    if not training:
        return X, None
    keep = rng.random(X.shape[1]) >= p
    return X * keep / (1 - p), np.broadcast_to(keep, X.shape)


def forward_global_random(X, p, rng, training=True):
    if not training:
        return X, None
    keep = np.random.default_rng(7).random(X.shape) >= p
    return X * keep / (1 - p), keep


def forward_keep_inverted(X, p, rng, training=True):
    A, keep = forward_right(X, p, rng, training)
    return A, (None if keep is None else ~keep)


def forward_swapped(X, p, rng, training=True):
    A, keep = forward_right(X, p, rng, training)
    return keep, A


# ---------------------------------------------------------------- backward


def backward_right(dA, keep, p):
    return dA * keep / (1 - p)


def backward_loop(dA, keep, p):
    dX = np.zeros_like(dA)
    for i in range(dA.shape[0]):
        for j in range(dA.shape[1]):
            if keep[i, j]:
                dX[i, j] = dA[i, j] / (1 - p)
    return dX


def backward_einsum(dA, keep, p):
    return np.einsum("ij,ij->ij", dA, keep.astype(float)) / (1 - p)


def backward_in_place(dA, keep, p):
    dX = dA
    dX[~keep] = 0.0
    dX /= 1 - p
    return dX


def backward_not_rescaled(dA, keep, p):
    return dA * keep


def backward_no_mask(dA, keep, p):
    return dA / (1 - p)


def backward_new_mask(dA, keep, p):
    fresh = np.random.default_rng(12345).random(dA.shape) >= p
    return dA * fresh / (1 - p)


def backward_inverted_mask(dA, keep, p):
    return dA * ~keep / (1 - p)


def backward_divides_by_p(dA, keep, p):
    return dA * keep / p


def backward_identity(dA, keep, p):
    return dA


MISTAKES = [
    Mistake("dropout_forward", forward_not_rescaled, "A is not rescaled"),
    Mistake("dropout_forward", forward_p_as_keep, "A keeps units with probability p"),
    Mistake("dropout_forward", forward_in_place, "`X` was changed in place"),
    Mistake("dropout_forward", forward_drops_in_evaluation, "in evaluation mode dropout is"),
    Mistake("dropout_forward", forward_scales_in_evaluation, "scale at test time"),
    Mistake("dropout_forward", forward_one_row_for_batch, "one mask row was shared"),
    Mistake("dropout_forward", forward_global_random, "the mask is not the expected one"),
    Mistake("dropout_forward", forward_keep_inverted, "keep marks the dropped units"),
    Mistake("dropout_forward", forward_swapped, "the right values came back in the wrong order"),
    Mistake("dropout_backward", backward_in_place, "`dA` was changed in place"),
    Mistake("dropout_backward", backward_not_rescaled, "not rescaled"),
    Mistake("dropout_backward", backward_no_mask, "the mask is missing"),
    Mistake("dropout_backward", backward_new_mask, "instead of drawing a new one"),
    Mistake("dropout_backward", backward_inverted_mask, "keep and drop are swapped"),
    Mistake("dropout_backward", backward_divides_by_p, "dX was divided by p"),
    Mistake("dropout_backward", backward_identity, "dX equals dA"),
]

CORRECT = [
    Correct("dropout_forward", forward_right),
    Correct("dropout_forward", forward_float_mask),
    Correct("dropout_forward", forward_with_where),
    Correct("dropout_backward", backward_right),
    Correct("dropout_backward", backward_loop),
    Correct("dropout_backward", backward_einsum),
]


def backward_by_central_differences(dA, keep, p):
    # The demonstration cell's check turned into an answer: central differences of the
    # forward pass with the mask fixed, taken at the only array of the right shape at hand.
    from nnlib.gradcheck import numerical_gradient_array

    return numerical_gradient_array(lambda x: x * keep / (1 - p), dA.copy(), dA)


# ---------------------------------------------------------------- the network with a cache


def net_forward_right(X, params, p, rng, training=True):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    if training:
        keep = rng.random(H.shape) >= p
        D = H * keep / (1 - p)
    else:
        keep, D = None, H
    return D @ W2 + b2, (X, Z1, keep, D)


def net_forward_dropout_before_relu(X, params, p, rng, training=True):
    # relu(z) scaled by a factor >= 0 is relu of the scaled z: the same network.
    (W1, b1), (W2, b2) = params
    Z1 = np.dot(X, W1) + b1
    keep = rng.random(Z1.shape) >= p if training else None
    D = np.maximum(Z1 * keep / (1 - p), 0.0) if training else np.maximum(Z1, 0.0)
    return D @ W2 + b2, [X, Z1, keep, D]


def net_forward_no_dropout(X, params, p, rng, training=True):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    keep = rng.random(H.shape) >= p if training else None
    return H @ W2 + b2, (X, Z1, keep, H)


def net_forward_not_rescaled(X, params, p, rng, training=True):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    if not training:
        return H @ W2 + b2, (X, Z1, None, H)
    keep = rng.random(H.shape) >= p
    D = H * keep
    return D @ W2 + b2, (X, Z1, keep, D)


def net_forward_drops_in_evaluation(X, params, p, rng, training=True):
    return net_forward_right(X, params, p, rng, training=True)


def net_forward_no_relu(X, params, p, rng, training=True):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    keep = rng.random(Z1.shape) >= p if training else None
    D = Z1 * keep / (1 - p) if training else Z1
    return D @ W2 + b2, (X, Z1, keep, D)


def net_forward_caches_H(X, params, p, rng, training=True):
    Z2, (X, Z1, keep, D) = net_forward_right(X, params, p, rng, training)
    return Z2, (X, Z1, keep, np.maximum(Z1, 0.0))


def net_backward_right(dZ2, cache, params, p):
    X, Z1, keep, D = cache
    (W1, _), (W2, _) = params
    dD = dZ2 @ W2.T
    dH = dD if keep is None else dD * keep / (1 - p)
    dZ1 = dH * (Z1 > 0)
    return [(X.T @ dZ1, dZ1.sum(axis=0)), (D.T @ dZ2, dZ2.sum(axis=0))]


def net_backward_einsum(dZ2, cache, params, p):
    X, Z1, keep, D = cache
    W2 = params[1][0]
    scale = np.ones_like(Z1) if keep is None else keep.astype(float) / (1.0 - p)
    dZ1 = np.einsum("mo,ho->mh", dZ2, W2) * scale * np.heaviside(Z1, 0.0)
    grads = [(np.einsum("mi,mh->ih", X, dZ1), np.einsum("mh->h", dZ1))]
    return grads + [(np.einsum("mh,mo->ho", D, dZ2), np.einsum("mo->o", dZ2))]


def net_backward_relu_of_D(dZ2, cache, params, p):
    # relu'(D) is relu'(Z1) times the mask, and the mask is applied anyway: still right.
    X, Z1, keep, D = cache
    W2 = params[1][0]
    dH = dZ2 @ W2.T
    if keep is not None:
        dH = dH * keep / (1 - p)
    dZ1 = dH * (D > 0)
    return ((X.T @ dZ1, dZ1.sum(0)), (D.T @ dZ2, dZ2.sum(0)))


def net_backward_skips_dropout(dZ2, cache, params, p):
    X, Z1, keep, D = cache
    W2 = params[1][0]
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return [(X.T @ dZ1, dZ1.sum(axis=0)), (D.T @ dZ2, dZ2.sum(axis=0))]


def net_backward_not_rescaled(dZ2, cache, params, p):
    X, Z1, keep, D = cache
    W2 = params[1][0]
    dH = dZ2 @ W2.T if keep is None else (dZ2 @ W2.T) * keep
    dZ1 = dH * (Z1 > 0)
    return [(X.T @ dZ1, dZ1.sum(axis=0)), (D.T @ dZ2, dZ2.sum(axis=0))]


def net_backward_dW2_from_H(dZ2, cache, params, p):
    grads = net_backward_right(dZ2, cache, params, p)
    X, Z1, keep, D = cache
    return [grads[0], (np.maximum(Z1, 0.0).T @ dZ2, grads[1][1])]


def net_backward_relu_at_zero(dZ2, cache, params, p):
    X, Z1, keep, D = cache
    W2 = params[1][0]
    dH = dZ2 @ W2.T if keep is None else dZ2 @ W2.T * keep / (1 - p)
    dZ1 = dH * (Z1 >= 0)
    return [(X.T @ dZ1, dZ1.sum(axis=0)), (D.T @ dZ2, dZ2.sum(axis=0))]


def net_backward_by_central_differences(dZ2, cache, params, p):
    # Each gradient by central differences of the network with the cached mask held fixed.
    from nnlib.gradcheck import numerical_gradient_array

    X, Z1, keep, D = cache
    scale = 1.0 if keep is None else keep / (1 - p)
    grads = []
    for layer in range(2):
        pair = []
        for index in range(2):

            def logits(value, layer=layer, index=index):
                trial = [list(pair) for pair in params]
                trial[layer][index] = value
                (W1, b1), (W2, b2) = trial
                return (np.maximum(X @ W1 + b1, 0.0) * scale) @ W2 + b2

            pair.append(numerical_gradient_array(logits, params[layer][index].copy(), dZ2))
        grads.append(tuple(pair))
    return grads


def backward_by_torch_autograd(dA, keep, p):
    # Autograd of the forward pass with the mask fixed, in torch's default float32. (The same
    # in float64 is the exact gradient and passes check() wherever torch is installed; the
    # grading box has no torch, so it fails there with an ImportError.)
    import torch

    x = torch.zeros(dA.shape, requires_grad=True)
    (x * torch.from_numpy(keep) / (1 - p)).backward(torch.tensor(dA, dtype=torch.float32))
    return x.grad.numpy()


MISTAKES += [
    Mistake("dropout_backward", backward_by_central_differences, None, hidden_only=True),
    Mistake("dropout_backward", backward_by_torch_autograd, None),
    Mistake("dropout_net_forward", net_forward_no_dropout, "dropout was left out"),
    Mistake("dropout_net_forward", net_forward_not_rescaled, "were not rescaled"),
    Mistake("dropout_net_forward", net_forward_drops_in_evaluation, "dropped in evaluation"),
    Mistake("dropout_net_forward", net_forward_no_relu, "the relu is missing"),
    Mistake("dropout_net_forward", net_forward_caches_H, "the cache holds H"),
    Mistake("dropout_net_backward", net_backward_skips_dropout, "skipped dropout's backward"),
    Mistake("dropout_net_backward", net_backward_not_rescaled, "was not rescaled"),
    Mistake("dropout_net_backward", net_backward_dW2_from_H, "dW2 was built from H"),
    Mistake("dropout_net_backward", net_backward_relu_at_zero, "relu'(0) is 0"),
    Mistake("dropout_net_backward", net_backward_by_central_differences, None),
]

CORRECT += [
    Correct("dropout_net_forward", net_forward_right),
    Correct("dropout_net_forward", net_forward_dropout_before_relu),
    Correct("dropout_net_backward", net_backward_right),
    Correct("dropout_net_backward", net_backward_einsum),
    Correct("dropout_net_backward", net_backward_relu_of_D),
]
