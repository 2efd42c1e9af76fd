"""Bad input gets an error that says what to fix, never a numpy broadcasting traceback."""

import re

import numpy as np
import pytest

from nnlib import data, losses
from nnlib.activations import ReLU, Sigmoid, Softmax
from nnlib.dropout import Dropout
from nnlib.errors import LabelError, ShapeError, TrainingDiverged
from nnlib.layers import Dense, dense_backward, dense_forward
from nnlib.model import Sequential
from nnlib.perceptron import perceptron_predict, train_perceptron
from nnlib.training import fit, minibatches


def test_dense_names_itself_and_both_shapes():
    with pytest.raises(
        ShapeError, match=re.escape("Dense(3→2) got X of shape (4, 5); expected (m, 3)")
    ):
        Dense(3, 2).forward(np.ones((4, 5)))
    with pytest.raises(ShapeError, match=re.escape("got X of shape (3,); expected (m, 3)")):
        Dense(3, 2).forward(np.ones(3))


def test_dense_backward_checks_the_upstream_gradient():
    layer = Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(
        ShapeError, match=re.escape("Dense(3→2).backward got dZ of shape (2, 4); expected (4, 2)")
    ):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(3, 2).backward(np.ones((4, 2)))


def test_dense_functions_check_shapes():
    with pytest.raises(
        ShapeError, match=re.escape("b of shape (3,); expected W (n_in, n_out) and b (n_out,)")
    ):
        dense_forward(np.ones((4, 3)), np.ones((3, 2)), np.ones(3))
    with pytest.raises(
        ShapeError,
        match=re.escape("dense_backward got dZ of shape (4, 3); expected (m, n_out) = (4, 2)"),
    ):
        dense_backward(np.ones((4, 3)), np.ones((4, 3)), np.ones((3, 2)))


def test_a_layer_in_the_middle_of_a_network_names_itself():
    net = Sequential([Dense(4, 3), ReLU(), Dense(5, 1)])
    with pytest.raises(ShapeError, match=re.escape("Dense(5→1) got X of shape (2, 3)")):
        net.predict(np.ones((2, 4)))


def test_integer_labels_for_a_categorical_loss():
    A = np.full((4, 3), 1 / 3)
    message = (
        "categorical_cross_entropy needs one-hot Y of shape (m, k); "
        "got integer labels of shape (4,): use nnlib.one_hot(y, 3)."
    )
    with pytest.raises(LabelError, match=re.escape(message)):
        losses.categorical_cross_entropy(A, np.array([0, 1, 2, 0]))
    with pytest.raises(LabelError, match="softmax_cross_entropy needs one-hot Y"):
        losses.softmax_cross_entropy(A, np.array([0, 1, 2, 0]))
    with pytest.raises(LabelError, match="each row should sum to 1"):
        losses.categorical_cross_entropy(A, np.full((4, 3), 2.0))


def test_label_vector_for_a_single_output():
    with pytest.raises(LabelError, match=re.escape("use Y.reshape(-1, 1)")):
        losses.binary_cross_entropy(np.full((4, 1), 0.5), np.zeros(4))
    with pytest.raises(LabelError, match=re.escape("mse got Y of shape (4, 2); expected (4, 3)")):
        losses.mse(np.zeros((4, 3)), np.zeros((4, 2)))


def test_fit_passes_label_errors_on():
    net = Sequential([Dense(2, 3), Softmax()])
    with pytest.raises(LabelError, match="one_hot"):
        fit(net, np.ones((4, 2)), np.array([0, 1, 2, 0]), loss="cce", lr=0.1, epochs=1)


def test_divergence_points_at_the_learning_rate():
    X, y = data.make_blobs(50, seed=0)
    net = Sequential([Dense(2, 8), ReLU(), Dense(8, 1)])
    with pytest.raises(
        TrainingDiverged,
        match=r"in epoch \d+ with learning rate lr=50: .*smaller learning rate, e\.g\. lr=5",
    ):
        fit(net, X * 100, y.reshape(-1, 1) * 1.0, loss="mse", lr=50.0, epochs=100)


def test_fit_argument_errors():
    net = Sequential([Dense(2, 1), Sigmoid()])
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(ValueError, match="patience.*needs a validation set"):
        fit(net, X, Y, loss="bce", lr=0.1, epochs=3, patience=2)
    with pytest.raises(
        ValueError, match=r"loss must be one of \['bce', 'cce', 'mse'\]; got 'hinge'"
    ):
        fit(net, X, Y, loss="hinge", lr=0.1, epochs=3)
    with pytest.raises(ShapeError, match="X has 4 rows but Y has 3"):
        fit(net, X, Y[:3], loss="bce", lr=0.1, epochs=3)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        list(minibatches(10, 0, np.random.default_rng(0)))


def test_other_bad_arguments():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\); got p=1"):
        Dropout(1)
    with pytest.raises(ValueError, match="init must be one of"):
        Dense(2, 2, init="zeros")
    with pytest.raises(
        LabelError, match=r"one_hot labels must lie in \[0, 2\); got values from 0 to 3"
    ):
        data.one_hot(np.array([0, 3]), 2)
    with pytest.raises(LabelError, match="integer labels of shape"):
        data.one_hot(np.eye(3))
    with pytest.raises(ValueError, match="truth_table knows"):
        data.truth_table("xnor")
    with pytest.raises(ShapeError, match="fitted on 3 columns"):
        data.StandardScaler().fit(np.ones((2, 3))).transform(np.ones((2, 4)))
    with pytest.raises(ShapeError, match="x needs 2 features"):
        perceptron_predict(np.zeros(3), np.ones((4, 5)))
    with pytest.raises(ShapeError, match=r"y should have shape \(4,\)"):
        train_perceptron(np.ones((4, 2)), np.ones(3))
