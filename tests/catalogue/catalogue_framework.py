"""What every check does, whatever the exercise: the tolerance policy, a number of any size-1
shape, errors told in a student's terms, and arguments that must come back unchanged.

The entries use lesson exercises as carriers; what they test is the framework's behaviour.
"""

import numpy as np
from entries import Correct, Mistake


def softmax_float32(Z):
    Z = Z.astype(np.float32)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_as_nested_list(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return (E / E.sum(axis=1, keepdims=True)).tolist()


def cce_as_1x1_array(A, Y):
    return -np.sum(Y * np.log(np.clip(A, 1e-12, 1.0)), keepdims=True) / A.shape[0]


def cce_as_python_float(A, Y):
    return float(-np.sum(Y * np.log(np.clip(A, 1e-12, 1.0))) / A.shape[0])


def cce_float32(A, Y):
    return np.float32(-np.sum(Y * np.log(np.clip(A, 1e-12, 1.0))) / A.shape[0])


def accuracy_as_1x1_array(y, P):
    return np.mean(np.argmax(P, axis=1) == y, keepdims=True)[None]


def stop_as_arrays(train_loss, val_loss, patience):
    best, waited, stop = 0, 0, len(val_loss) - 1
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                stop = epoch
                break
    return np.array([best]), np.int64(stop)


def backward_transposed_product(dA, keep, p):
    return (dA @ keep) / (1 - p)


def backward_index_with_float(dA, keep, p):
    dX = np.zeros_like(dA)
    for i in range(dA.shape[0] / 1):
        dX[i] = dA[i] * keep[i] / (1 - p)
    return dX


def backward_sums_over_axis_2(dA, keep, p):
    return (dA * keep / (1 - p)).sum(axis=2)


def backward_multiplies_into_dA(dA, keep, p):
    return np.multiply(dA, keep / (1 - p), out=dA)  # out= writes into the caller's array


def backward_with_warning_and_print(dA, keep, p):
    print("dropout_backward: p =", p)
    with np.errstate(divide="warn"):
        np.divide(1.0, np.zeros(1))
    return dA * keep / (1 - p)


MISTAKES = [
    Mistake("stable_softmax", softmax_float32, None),
    Mistake("categorical_cross_entropy", cce_float32, None),
    Mistake("dropout_backward", backward_transposed_product, "multiplies shapes"),
    Mistake(
        "dropout_backward",
        backward_index_with_float,
        "A float was used where Python wants an integer",
    ),
    Mistake("dropout_backward", backward_sums_over_axis_2, "the batch is axis 0"),
    Mistake("dropout_backward", backward_multiplies_into_dA, "`dA` was changed in place"),
]

CORRECT = [
    Correct("stable_softmax", softmax_as_nested_list),
    Correct("categorical_cross_entropy", cce_as_1x1_array),
    Correct("categorical_cross_entropy", cce_as_python_float),
    Correct("dropout_backward", backward_with_warning_and_print),
    Correct("accuracy", accuracy_as_1x1_array),
    Correct("early_stopping", stop_as_arrays),
]
