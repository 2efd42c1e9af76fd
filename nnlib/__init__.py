"""nnlib: a small numpy reference implementation of everything the course teaches.

The most used names are available from the package itself (``nnlib.Dense``, ``nnlib.fit``);
everything is in its module (``nnlib.layers``, ``nnlib.losses``, ...). ``nnlib.plots`` and
``nnlib.notebook`` load matplotlib and IPython, so they are imported on first use.
"""

import importlib

from nnlib import (
    activations,
    data,
    descent,
    dropout,
    errors,
    gradcheck,
    init,
    layers,
    losses,
    metrics,
    model,
    perceptron,
    regularizers,
    training,
)
from nnlib.activations import (
    ACTIVATIONS,
    Identity,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from nnlib.data import (
    MinMaxScaler,
    StandardScaler,
    add_gaussian_noise,
    load_digits,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    one_hot,
    train_val_test_split,
    truth_table,
)
from nnlib.dropout import Dropout
from nnlib.errors import LabelError, ShapeError, TrainingDiverged
from nnlib.gradcheck import gradient_report, numerical_gradient, numerical_gradient_array, rel_error
from nnlib.layers import Dense
from nnlib.losses import (
    binary_cross_entropy,
    categorical_cross_entropy,
    mse,
    sigmoid_binary_cross_entropy,
    softmax_cross_entropy,
)
from nnlib.metrics import accuracy, confusion_matrix
from nnlib.model import Sequential
from nnlib.perceptron import train_perceptron
from nnlib.training import History, fit, minibatches

__all__ = [
    "activations",
    "data",
    "descent",
    "dropout",
    "errors",
    "gradcheck",
    "init",
    "layers",
    "losses",
    "metrics",
    "model",
    "perceptron",
    "regularizers",
    "training",
    "ACTIVATIONS",
    "Identity",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "MinMaxScaler",
    "StandardScaler",
    "add_gaussian_noise",
    "load_digits",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
    "one_hot",
    "train_val_test_split",
    "truth_table",
    "Dropout",
    "LabelError",
    "ShapeError",
    "TrainingDiverged",
    "gradient_report",
    "numerical_gradient",
    "numerical_gradient_array",
    "rel_error",
    "Dense",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "mse",
    "sigmoid_binary_cross_entropy",
    "softmax_cross_entropy",
    "accuracy",
    "confusion_matrix",
    "Sequential",
    "train_perceptron",
    "History",
    "fit",
    "minibatches",
    "plots",
    "notebook",
]

_LAZY = ("plots", "notebook")


def __getattr__(name):
    """Import nnlib.plots and nnlib.notebook on first use."""
    if name in _LAZY:
        return importlib.import_module(f"nnlib.{name}")
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
