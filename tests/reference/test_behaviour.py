"""nnlib's behaviour: what the lessons promise the student will see."""

import numpy as np
import pytest

from nnlib import data
from nnlib.activations import ReLU, Sigmoid, Softmax, Tanh, softmax
from nnlib.descent import gradient_descent_path
from nnlib.dropout import Dropout, dropout_forward
from nnlib.layers import Dense
from nnlib.metrics import accuracy, confusion_matrix
from nnlib.model import Sequential
from nnlib.perceptron import (
    add_bias_column,
    perceptron_predict,
    perceptron_update,
    step,
    train_perceptron,
)
from nnlib.training import early_stopping_point, evaluate, fit, minibatches

# --- the perceptron -------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_perceptron_learns_the_separable_gates(gate):
    X, y = data.truth_table(gate)
    result = train_perceptron(X, y, lr=1.0, max_epochs=100)
    assert result.converged
    assert result.mistakes[-1] == 0 and all(n > 0 for n in result.mistakes[:-1])
    np.testing.assert_array_equal(perceptron_predict(result.w, X), y)


def test_perceptron_never_converges_on_xor():
    X, y = data.truth_table("xor")
    result = train_perceptron(X, y, lr=1.0, max_epochs=50)
    assert not result.converged
    assert len(result.mistakes) == 50 and min(result.mistakes) > 0


def test_perceptron_and_trace_is_exact():
    # worked by hand from w = 0, lr = 1, examples in truth-table order
    result = train_perceptron(*data.truth_table("and"))
    assert result.mistakes == [2, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(result.w, [2.0, 1.0, -3.0])


def test_perceptron_update_and_threshold():
    np.testing.assert_array_equal(step(np.array([-0.5, 0.0, 2.0])), [0.0, 1.0, 1.0])
    w = np.array([0.5, -1.0, 0.0])
    # h([1, 1, 1]) = step(-0.5) = 0, target 1: w + 0.1 * [1, 1, 1]
    np.testing.assert_allclose(perceptron_update(w, np.array([1.0, 1.0]), 1, 0.1), [0.6, -0.9, 0.1])
    # with the bias column already there, the same step; a correct example leaves w alone
    np.testing.assert_allclose(
        perceptron_update(w, np.array([1.0, 1.0, 1.0]), 1, 0.1), [0.6, -0.9, 0.1]
    )
    np.testing.assert_array_equal(perceptron_update(w, np.array([1.0, 1.0]), 0, 0.1), w)
    np.testing.assert_array_equal(add_bias_column(np.zeros((2, 1))), [[0.0, 1.0], [0.0, 1.0]])


# --- networks that learn ----------------------------------------------------------------------


def test_a_two_hidden_unit_net_learns_xor_from_most_seeds():
    X, y = data.truth_table("xor")
    solved = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        net = Sequential([Dense(2, 2, rng=rng), Tanh(), Dense(2, 1, rng=rng), Sigmoid()])
        fit(net, X, y.reshape(-1, 1), loss="bce", lr=2.0, epochs=1000)
        solved += accuracy(y, net.predict(X)) == 1.0
    assert solved >= 8


def _digits():
    (Xtr, ytr), (Xv, yv), (Xte, yte) = data.train_val_test_split(*data.load_digits(), seed=0)
    scaler = data.StandardScaler().fit(Xtr)
    return [(scaler.transform(X), y) for X, y in ((Xtr, ytr), (Xv, yv), (Xte, yte))]


def test_an_mlp_recognises_the_digits():
    (Xtr, ytr), (Xv, yv), (Xte, yte) = _digits()
    rng = np.random.default_rng(0)
    net = Sequential([Dense(64, 32, rng=rng), ReLU(), Dense(32, 10, rng=rng), Softmax()])
    history = fit(
        net,
        Xtr,
        data.one_hot(ytr, 10),
        loss="cce",
        lr=0.1,
        epochs=30,
        batch_size=32,
        validation=(Xv, data.one_hot(yv, 10)),
    )
    assert history.train_loss[-1] < history.train_loss[0] / 10
    assert accuracy(yte, net.predict(Xte)) >= 0.95
    C = confusion_matrix(yte, net.predict(Xte), k=10)
    assert C.sum() == len(yte) and np.trace(C) / len(yte) == accuracy(yte, net.predict(Xte))


def test_early_stopping_restores_the_best_weights():
    # a wide net on 40 noisy examples over-fits quickly, so validation loss turns up
    X, y = data.make_moons(400, noise=0.35, seed=1)
    Y = y.reshape(-1, 1).astype(float)
    rng = np.random.default_rng(0)
    net = Sequential(
        [
            Dense(2, 64, rng=rng),
            ReLU(),
            Dense(64, 64, rng=rng),
            ReLU(),
            Dense(64, 1, rng=rng),
            Sigmoid(),
        ]
    )
    states = []
    history = fit(
        net,
        X[:40],
        Y[:40],
        loss="bce",
        lr=0.5,
        epochs=2000,
        validation=(X[40:], Y[40:]),
        patience=20,
        callback=lambda epoch, h: states.append(net.get_state()),
    )
    assert history.stopped_early and history.epochs < 2000
    best = history.best_epoch
    assert history.epochs == best + 21
    assert history.val_loss[best] == min(history.val_loss)
    for now, then in zip(net.get_state(), states[best], strict=True):
        np.testing.assert_array_equal(now, then)
    assert evaluate(net, X[40:], Y[40:], "bce")[0] == pytest.approx(
        history.val_loss[best], rel=1e-12
    )


def test_early_stopping_point_on_a_worked_curve():
    val = [1.05, 0.86, 0.76, 0.70, 0.72, 0.70, 0.74, 0.73, 0.75, 0.68, 0.71]
    assert early_stopping_point(val, 3) == (3, 6)  # the tie at epoch 5 is not an improvement
    assert early_stopping_point(val, 10) == (9, 10)  # patience never runs out
    assert early_stopping_point([3.0, 2.0, 1.0], 1) == (2, 2)


def test_gradient_descent_path_on_a_quadratic():
    # f(w) = (w1 - 3)^2 + 2 (w2 + 1)^2, gradient (2 (w1 - 3), 4 (w2 + 1)); η = 0.1 from 0
    path = gradient_descent_path(
        lambda w: np.array([2 * (w[0] - 3), 4 * (w[1] + 1)]), np.zeros(2), 0.1, 2
    )
    np.testing.assert_allclose(path, [[0, 0], [0.6, -0.4], [1.08, -0.64]], rtol=0, atol=1e-15)


def test_dropout_keeps_the_mean_and_drops_the_expected_fraction():
    X = np.full((2000, 500), 3.0)
    for p in (0.2, 0.5, 0.8):
        A, keep = dropout_forward(X, p, np.random.default_rng(0))
        assert abs(A.mean() - 3.0) < 0.01 * 3.0
        assert abs((1 - keep.mean()) - p) < 0.005
        np.testing.assert_allclose(A[keep], 3.0 / (1 - p))
        assert np.all(A[~keep] == 0)


def test_dropout_is_the_identity_at_evaluation_and_seeded():
    X = np.random.default_rng(1).normal(size=(5, 6))
    assert Dropout(0.5).forward(X) is X
    np.testing.assert_array_equal(
        Dropout(0.5, seed=3).forward(X, training=True),
        Dropout(0.5, seed=3).forward(X, training=True),
    )


def test_minibatches_cover_every_index_once_and_reshuffle():
    rng = np.random.default_rng(0)
    first = list(minibatches(10, 4, rng))
    assert [len(b) for b in first] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(first)), np.arange(10))
    second = np.concatenate(list(minibatches(10, 4, rng)))
    assert not np.array_equal(np.concatenate(first), second)
    assert [len(b) for b in minibatches(7, None, rng)] == [7]


def test_fit_with_batch_sizes_and_decay_records_history():
    X, y = data.make_blobs(60, noise=0.3, seed=0)
    Y = data.one_hot(y, 2)
    net = Sequential([Dense(2, 2, rng=np.random.default_rng(0)), Softmax()])
    history = fit(
        net, X, Y, loss="cce", lr=0.5, epochs=5, batch_size=1, decay=0.9, validation=(X, Y)
    )
    assert history.epochs == 5 and len(history.val_accuracy) == 5
    np.testing.assert_allclose(history.lr, 0.5 * 0.9 ** np.arange(5))
    assert history.val_accuracy[-1] == 1.0
    assert history.best_epoch == int(np.argmin(history.val_loss)) and not history.stopped_early


def test_softmax_matches_the_worked_example_and_is_stable():
    # the slides' example z = [7, 5, 2, -1, 3]; they truncate 0.11660 and 0.01578 to 0.1165, 0.0157
    np.testing.assert_allclose(
        softmax(np.array([[7.0, 5.0, 2.0, -1.0, 3.0]])),
        [[0.8615, 0.1166, 0.0058, 0.0003, 0.0158]],
        atol=5e-5,
    )
    np.testing.assert_allclose(softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])


# --- data ---------------------------------------------------------------------------------


def test_truth_tables():
    X, y = data.truth_table("xor")
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert X.dtype == np.float64 and y.dtype == np.float64
    for gate, expected in {
        "and": [0, 0, 0, 1],
        "or": [0, 1, 1, 1],
        "nand": [1, 1, 1, 0],
        "xor": [0, 1, 1, 0],
    }.items():
        np.testing.assert_array_equal(data.truth_table(gate)[1], expected)


@pytest.mark.parametrize(
    "make", [data.make_circles, data.make_moons, data.make_spirals, data.make_blobs, data.make_xor]
)
def test_2d_generators_are_seeded_balanced_and_shaped(make):
    X, y = make(101, seed=3)
    assert (
        X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,) and y.dtype == np.int64
    )
    assert sorted(np.bincount(y)) == [50, 51]
    X2, y2 = make(101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, seed=4)[0])
    quiet, _ = make(101, noise=0.0, seed=3)
    assert np.abs(X - quiet).max() > 0  # noise moves the points


def test_generators_put_classes_where_they_say():
    X, y = data.make_circles(200, noise=0.0, factor=0.5)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.5))
    X, y = data.make_xor(200, noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_load_digits():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and X.min() == 0 and X.max() == 16
    assert y.shape == (1797,) and set(y) == set(range(10))


def test_train_val_test_split_is_a_seeded_partition():
    X = np.arange(100).reshape(100, 1)
    (Xtr, ytr), (Xv, yv), (Xte, yte) = data.train_val_test_split(
        X, X[:, 0], val=0.2, test=0.1, seed=0
    )
    assert (len(Xtr), len(Xv), len(Xte)) == (70, 20, 10)
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yv, yte])), np.arange(100))
    np.testing.assert_array_equal(Xv[:, 0], yv)


def test_one_hot():
    np.testing.assert_array_equal(
        data.one_hot(np.array([2, 0, 1]), 4), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    )
    assert data.one_hot(np.array([0, 3])).shape == (2, 4)


def test_scalers_and_constant_columns():
    X = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 4.0], [5.0, 5.0, 9.0]])
    scaled = data.MinMaxScaler(-1, 1).fit_transform(X)
    np.testing.assert_allclose(scaled[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(scaled[:, 1], [-1, -1, -1])
    np.testing.assert_allclose(scaled[:, 2], [-1, -1 + 2 * 2 / 7, 1])
    z = data.StandardScaler().fit_transform(X)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(z.std(axis=0), [1, 0, 1])
    # the statistics come from fit, not from the data transformed
    np.testing.assert_allclose(
        data.MinMaxScaler().fit(X).transform([[7.0, 5.0, 16.0]]), [[1.5, 0, 2]]
    )


def test_gaussian_noise():
    X = np.zeros((400, 500))
    noisy = data.add_gaussian_noise(X, sigma=0.5, mu=1.0, seed=0)
    assert abs(noisy.mean() - 1.0) < 0.005 and abs(noisy.std() - 0.5) < 0.005
    np.testing.assert_array_equal(noisy, data.add_gaussian_noise(X, sigma=0.5, mu=1.0, seed=0))
    assert np.all(X == 0)


def test_accuracy_and_confusion_matrix():
    assert accuracy(np.array([0, 1, 2, 1]), np.eye(3)[[0, 2, 2, 1]]) == 0.75
    assert accuracy(np.array([1.0, 0.0]), np.array([[0.7], [0.6]])) == 0.5
    np.testing.assert_array_equal(
        confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2])),
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]],
    )


def test_dense_initialisation():
    layer = Dense(300, 200, rng=np.random.default_rng(0))
    limit = np.sqrt(6 / 500)
    assert layer.W.shape == (300, 200) and np.abs(layer.W).max() <= limit
    assert np.abs(layer.W).max() > 0.99 * limit  # uniform over the whole interval
    assert abs(layer.W.var() - limit**2 / 3) < 0.02 * limit**2 / 3
    np.testing.assert_array_equal(layer.b, np.zeros(200))
    small = Dense(300, 200, init="normal", rng=np.random.default_rng(0))
    assert abs(small.W.std() - 0.01) < 2e-4
    assert Dense(2, 3, dtype=np.float32).forward(np.ones((1, 2), np.float32)).dtype == np.float32


def test_regression_with_mse_and_a_progress_bar(capsys):
    X = np.linspace(-1, 1, 40).reshape(-1, 1)
    Y = 3 * X - 1
    net = Sequential([Dense(1, 1, rng=np.random.default_rng(0))])
    history = fit(net, X, Y, loss="mse", lr=0.3, epochs=200, progress=True)
    np.testing.assert_allclose([net.layers[0].W[0, 0], net.layers[0].b[0]], [3, -1], atol=1e-6)
    assert history.train_loss[-1] < 1e-12
    assert "training" in capsys.readouterr().err
