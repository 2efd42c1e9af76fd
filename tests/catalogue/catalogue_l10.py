"""Lesson 10, the digits: the mistakes students make, and right answers written oddly.

Exercises: one_hot(y, num_classes) -> Y (m, num_classes); accuracy(y, P) -> a fraction;
train_digit_network(X_train, y_train, X_val, y_val, seed) -> a trained network. Training
entries are few: each hidden check trains on three splits.
"""

import numpy as np
from entries import Correct, Mistake

import nnlib

# ---------------------------------------------------------------- one_hot


def one_hot_right(y, num_classes):
    return np.eye(num_classes)[y]


def one_hot_loop(y, num_classes):
    Y = np.zeros((len(y), num_classes), dtype=int)
    for row, label in enumerate(y):
        Y[row, label] = 1
    return Y


def one_hot_compare(y, num_classes):
    return (np.asarray(y)[:, None] == np.arange(num_classes)).astype(np.float64)


def one_hot_from_labels(y, num_classes):
    return np.eye(y.max() + 1)[y]


def one_hot_shifted(y, num_classes):
    return np.eye(num_classes)[(y + 1) % num_classes]


def one_hot_transposed(y, num_classes):
    return np.eye(num_classes)[y].T


def one_hot_binary_column(y, num_classes):
    if num_classes == 2:
        return y[:, None].astype(float)
    return np.eye(num_classes)[y]


# ---------------------------------------------------------------- accuracy


def accuracy_right(y, P):
    return np.mean(np.argmax(P, axis=1) == y)


def accuracy_loop(y, P):
    right = 0
    for label, row in zip(y, P, strict=True):
        right += int(list(row).index(max(row)) == label)
    return right / len(y)


def accuracy_percent(y, P):
    return 100 * np.mean(np.argmax(P, axis=1) == y)


def accuracy_count(y, P):
    return np.sum(np.argmax(P, axis=1) == y)


def accuracy_error_rate(y, P):
    return np.mean(np.argmax(P, axis=1) != y)


def accuracy_flat_argmax(y, P):
    return np.mean(np.argmax(P) == y)


def accuracy_wrong_axis(y, P):
    return np.mean(np.argmax(P, axis=0) == y)


# ---------------------------------------------------------------- train_digit_network


def small_network(X_train, y_train, X_val, y_val, seed=0):
    rng = np.random.default_rng(seed)
    network = nnlib.Sequential(
        [nnlib.Dense(64, 32, rng=rng), nnlib.ReLU(), nnlib.Dense(32, 10, rng=rng), nnlib.Softmax()]
    )
    nnlib.fit(
        network,
        X_train,
        nnlib.one_hot(y_train, 10),
        loss="cce",
        lr=0.5,
        epochs=30,
        batch_size=32,
        validation=(X_val, nnlib.one_hot(y_val, 10)),
        patience=10,
        seed=seed,
    )
    return network


def no_hidden_layer(X_train, y_train, X_val, y_val, seed=0):
    rng = np.random.default_rng(seed)
    network = nnlib.Sequential([nnlib.Dense(64, 10, rng=rng), nnlib.Softmax()])
    nnlib.fit(
        network,
        X_train,
        nnlib.one_hot(y_train, 10),
        loss="cce",
        lr=0.5,
        epochs=40,
        batch_size=32,
        seed=seed,
    )
    return network


def returns_history(X_train, y_train, X_val, y_val, seed=0):
    rng = np.random.default_rng(seed)
    network = nnlib.Sequential(
        [nnlib.Dense(64, 32, rng=rng), nnlib.ReLU(), nnlib.Dense(32, 10, rng=rng), nnlib.Softmax()]
    )
    return nnlib.fit(
        network,
        X_train,
        nnlib.one_hot(y_train, 10),
        loss="cce",
        lr=0.5,
        epochs=1,
        batch_size=32,
        seed=seed,
    )


def untrained(X_train, y_train, X_val, y_val, seed=0):
    rng = np.random.default_rng(seed)
    return nnlib.Sequential(
        [nnlib.Dense(64, 32, rng=rng), nnlib.ReLU(), nnlib.Dense(32, 10, rng=rng), nnlib.Softmax()]
    )


MISTAKES = [
    Mistake("one_hot", one_hot_from_labels, "use num_classes"),
    Mistake("one_hot", one_hot_shifted, "one column to the left"),
    Mistake("one_hot", one_hot_transposed, "looks transposed"),
    Mistake("one_hot", one_hot_binary_column, "two columns", hidden_only=True),
    Mistake("accuracy", accuracy_percent, "that is a percentage"),
    Mistake("accuracy", accuracy_count, "that is the number of right answers"),
    Mistake("accuracy", accuracy_error_rate, "that is the error rate"),
    Mistake("accuracy", accuracy_flat_argmax, "without an axis"),
    Mistake("accuracy", accuracy_wrong_axis, "shapes do not line up"),
    Mistake("train_digit_network", no_hidden_layer, "the network has no hidden layer"),
    Mistake("train_digit_network", returns_history, "was returned instead of the network"),
    Mistake("train_digit_network", untrained, None),
]

CORRECT = [
    Correct("one_hot", one_hot_right),
    Correct("one_hot", one_hot_loop),
    Correct("one_hot", one_hot_compare),
    Correct("accuracy", accuracy_right),
    Correct("accuracy", accuracy_loop),
    Correct("train_digit_network", small_network),
]
