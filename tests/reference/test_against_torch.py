"""nnlib against PyTorch autograd, the independent referee (float64, random shapes and seeds).

For each piece, the forward values and the gradients that backward returns must agree with
PyTorch to a relative error of 1e-10. nnlib never imports torch; only these tests do.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnlib.activations as act
from nnlib import losses, regularizers
from nnlib.dropout import Dropout
from nnlib.gradcheck import rel_error
from nnlib.layers import Dense
from nnlib.model import Sequential
from nnlib.training import fit

TOL = 1e-10
SEEDS = [0, 1, 2, 3]


def t(x):
    """A float64 leaf tensor that records its gradient."""
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def agree(ours, theirs):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert np.shape(ours) == np.shape(theirs)
    assert rel_error(ours, theirs) < TOL, rel_error(ours, theirs)


def shapes(seed):
    rng = np.random.default_rng(seed)
    return rng, int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(2, 9))


@pytest.mark.parametrize("seed", SEEDS)
def test_dense(seed):
    rng, m, n_in, n_out = shapes(seed)
    layer = Dense(n_in, n_out, rng=rng)
    layer.b = rng.normal(size=n_out)
    X, dZ = rng.normal(size=(m, n_in)), rng.normal(size=(m, n_out))
    Xt, Wt, bt = t(X), t(layer.W), t(layer.b)
    Zt = Xt @ Wt + bt
    (Zt * torch.tensor(dZ)).sum().backward()
    agree(layer.forward(X), Zt)
    agree(layer.backward(dZ), Xt.grad)
    agree(layer.dW, Wt.grad)
    agree(layer.db, bt.grad)


TORCH_ACTIVATIONS = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "softmax": lambda z: torch.softmax(z, dim=1),
}


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_layers(name, seed):
    rng, m, _, k = shapes(seed)
    # |z| up to about 6: beyond that 1 - tanh² and σ(1 - σ) lose digits to cancellation, and
    # two libraries' last-bit differences in tanh(z) or σ(z) would show, not a wrong gradient
    Z = rng.normal(size=(m, k)) * 2
    Z[0, 0] = 0.0  # relu'(0) = 0 in both
    dA = rng.normal(size=(m, k))
    layer = act.ACTIVATIONS[name]()
    Zt = t(Z)
    At = TORCH_ACTIVATIONS[name](Zt)
    (At * torch.tensor(dA)).sum().backward()
    agree(layer.forward(Z), At)
    agree(layer.backward(dA), Zt.grad)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu"])
def test_derivative_functions(name):
    z = np.random.default_rng(9).normal(size=20) * 2  # see test_activation_layers
    z[0] = 0.0
    zt = t(z)
    TORCH_ACTIVATIONS[name](zt).sum().backward()
    agree(getattr(act, name)(z), TORCH_ACTIVATIONS[name](torch.tensor(z)))
    agree(getattr(act, f"{name}_derivative")(z), zt.grad)


def test_softmax_jacobian():
    z = np.random.default_rng(10).normal(size=(3, 4))
    zt = t(z)
    s = torch.softmax(zt, dim=1)
    ours = act.softmax_derivative(z)
    for a in range(4):
        # the gradient of Σ_i s[i, a] with respect to z[i, b] is row i's ∂s_a/∂z_b
        (row_a,) = torch.autograd.grad(s[:, a].sum(), zt, retain_graph=True)
        agree(ours[:, a, :], row_a)


def _loss_inputs(rng, m, k, kind):
    """(nnlib's A or Z, Y) for a loss of the given kind."""
    if kind == "probabilities":
        return rng.uniform(0.02, 0.98, size=(m, k)), rng.integers(0, 2, (m, k)).astype(float)
    if kind == "distribution":
        Y = np.eye(k)[rng.integers(0, k, m)]
        return act.softmax(rng.normal(size=(m, k))), Y
    if kind == "one-hot logits":
        return rng.normal(size=(m, k)) * 5, np.eye(k)[rng.integers(0, k, m)]
    if kind == "binary logits":
        return rng.normal(size=(m, k)) * 5, rng.integers(0, 2, (m, k)).astype(float)
    return rng.normal(size=(m, k)), rng.normal(size=(m, k))


TORCH_LOSSES = {
    "mse": ("real", lambda A, Y: F.mse_loss(A, Y)),
    "binary_cross_entropy": (
        "probabilities",
        lambda A, Y: F.binary_cross_entropy(A, Y, reduction="sum") / A.shape[0],
    ),
    "categorical_cross_entropy": ("distribution", lambda A, Y: -(Y * A.log()).sum() / A.shape[0]),
    "sigmoid_binary_cross_entropy": (
        "binary logits",
        lambda Z, Y: F.binary_cross_entropy_with_logits(Z, Y, reduction="sum") / Z.shape[0],
    ),
    "softmax_cross_entropy": ("one-hot logits", lambda Z, Y: F.cross_entropy(Z, Y.argmax(dim=1))),
}


@pytest.mark.parametrize("name", sorted(TORCH_LOSSES))
@pytest.mark.parametrize("seed", SEEDS)
def test_losses(name, seed):
    rng, m, _, k = shapes(seed)
    kind, torch_loss = TORCH_LOSSES[name]
    A, Y = _loss_inputs(rng, m, k, kind)
    At = t(A)
    Jt = torch_loss(At, torch.tensor(Y))
    Jt.backward()
    J, dA = getattr(losses, name)(A, Y)
    agree(J, Jt)
    agree(dA, At.grad)


def test_fused_losses_stay_exact_for_huge_logits():
    Z = np.array([[800.0, -800.0, 0.0], [-1000.0, 1000.0, 1.0]])
    Y = np.eye(3)[[1, 1]]
    J, dZ = losses.softmax_cross_entropy(Z, Y)
    Zt = t(Z)
    Jt = F.cross_entropy(Zt, torch.tensor([1, 1]))
    Jt.backward()
    agree(J, Jt)
    agree(dZ, Zt.grad)
    Yb = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    J, dZ = losses.sigmoid_binary_cross_entropy(Z, Yb)
    Zt = t(Z)
    Jt = F.binary_cross_entropy_with_logits(Zt, torch.tensor(Yb), reduction="sum") / 2
    Jt.backward()
    agree(J, Jt)
    agree(dZ, Zt.grad)


@pytest.mark.parametrize("seed", SEEDS)
def test_regularizers(seed):
    rng, _, n_in, n_out = shapes(seed)
    W = rng.normal(size=(n_in, n_out))
    W[0, 0] = 0.0  # sign(0) = 0 in both
    lam = float(rng.uniform(0.01, 1.0))
    for kind, penalty in [
        ("l2", lambda w: lam * (w**2).sum()),
        ("l1", lambda w: lam * w.abs().sum()),
    ]:
        Wt = t(W)
        Jt = penalty(Wt)
        Jt.backward()
        agree(getattr(regularizers, f"{kind}_penalty")(W, lam), Jt)
        agree(getattr(regularizers, f"{kind}_gradient")(W, lam), Wt.grad)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_with_a_shared_mask(seed):
    rng, m, _, k = shapes(seed)
    p = float(rng.uniform(0.1, 0.9))
    layer = Dropout(p, seed=seed)
    X, dA = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    A = layer.forward(X, training=True)
    Xt = t(X)
    At = Xt * torch.tensor(layer.keep, dtype=torch.float64) / (1 - p)
    (At * torch.tensor(dA)).sum().backward()
    agree(A, At)
    agree(layer.backward(dA), Xt.grad)
    agree(layer.forward(X, training=False), X)


def _torch_twin(net):
    """PyTorch's copy of a Dense-ReLU-Dense-Softmax net: a list of (W, b) leaf tensors."""
    return [(t(net.layers[i].W.copy()), t(net.layers[i].b.copy())) for i in (0, 2)]


@pytest.mark.parametrize("seed", SEEDS)
def test_training_matches_torch_sgd_with_l1_and_l2(seed):
    rng = np.random.default_rng(seed)
    m, n_in, hidden, k = 12, 5, 7, 3
    net = Sequential(
        [Dense(n_in, hidden, rng=rng), act.ReLU(), Dense(hidden, k, rng=rng), act.Softmax()]
    )
    X = rng.normal(size=(m, n_in))
    Y = np.eye(k)[rng.integers(0, k, m)]
    (W1, b1), (W2, b2) = params = _torch_twin(net)
    lr, l1, l2, epochs = 0.3, 0.01, 0.02, 4
    for epoch in range(epochs):
        logits = torch.relu(torch.tensor(X) @ W1 + b1) @ W2 + b2
        J = F.cross_entropy(logits, torch.tensor(Y.argmax(1)))
        J = J + l1 * (W1.abs().sum() + W2.abs().sum()) + l2 * ((W1**2).sum() + (W2**2).sum())
        J.backward()
        with torch.no_grad():
            for p in (W1, b1, W2, b2):
                p -= lr * 0.5**epoch * p.grad
                p.grad = None
    history = fit(net, X, Y, loss="cce", lr=lr, epochs=epochs, decay=0.5, l1=l1, l2=l2)
    assert history.lr == [lr * 0.5**e for e in range(epochs)]
    for (W, b), i in zip(params, (0, 2), strict=True):
        agree(net.layers[i].W, W)
        agree(net.layers[i].b, b)
