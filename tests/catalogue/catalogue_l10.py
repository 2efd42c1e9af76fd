"""Lesson 10, the digits: the mistakes students make, and right answers written oddly.

Exercises: one_hot(y, num_classes) -> Y (m, num_classes); accuracy(y, P) -> a fraction;
network_forward(X, params) -> (Z, caches); network_cost(Z, Y) -> (J, dZ);
network_backward(dZ, caches) -> [(dW, db)]; network_step(params, X, Y, lr, lam) ->
(J, new_params); fit_network(params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size,
patience, rng) -> (best_params, history); train_digit_network(X_train, y_train, X_val, y_val,
seed) -> (params, history). Training entries are few: each hidden check trains on three splits.
"""

import numpy as np
from entries import Correct, Mistake

from nnlib import classifier
from nnlib.gradcheck import numerical_gradient, numerical_gradient_array
from nnlib.losses import softmax_cross_entropy

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


# ---------------------------------------------------------------- network_forward


def forward_with_where(X, params):
    A, caches = X, []
    for number, (W, b) in enumerate(params, start=1):
        Z = np.einsum("mi,io->mo", A, W) + b
        caches.append((A, W, Z))
        A = Z if number == len(params) else np.where(Z > 0, Z, 0.0)
    return A, caches


def forward_relu_on_logits(X, params):
    A, caches = X, []
    for W, b in params:
        Z = A @ W + b
        caches.append((A, W, Z))
        A = np.maximum(Z, 0)
    return A, caches


def forward_softmax_output(X, params):
    Z, caches = classifier.network_forward(X, params)
    return classifier.predict_proba(X, params), caches


def forward_caches_output(X, params):
    A, caches = X, []
    for number, (W, b) in enumerate(params, start=1):
        Z = A @ W + b
        A = Z if number == len(params) else np.maximum(Z, 0)
        caches.append((A, W, Z))
    return A, caches


# ---------------------------------------------------------------- network_cost


def cost_logsumexp(Z, Y):
    top = Z.max(axis=1)
    log_total = top + np.log(np.sum(np.exp(Z - top[:, None]), axis=1))
    J = np.mean(log_total - np.sum(Y * Z, axis=1))
    return J, (np.exp(Z - log_total[:, None]) - Y) / len(Z)


def cost_no_shift(Z, Y):
    A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.sum(Y * np.log(A)) / len(Z), (A - Y) / len(Z)


def cost_by_central_differences(Z, Y):
    def cost(z):
        return softmax_cross_entropy(z, Y)[0]

    return cost(Z), numerical_gradient(cost, Z.copy())


def cost_gradient_without_m(Z, Y):
    J, dZ = softmax_cross_entropy(Z, Y)
    return J, dZ * len(Z)


def cost_summed(Z, Y):
    J, dZ = softmax_cross_entropy(Z, Y)
    return J * len(Z), dZ


# ---------------------------------------------------------------- network_backward


def backward_with_einsum(dZ, caches):
    grads = [None] * len(caches)
    for layer in range(len(caches) - 1, -1, -1):
        A_prev, W, _ = caches[layer]
        grads[layer] = (np.einsum("mi,mo->io", A_prev, dZ), dZ.sum(axis=0))
        if layer > 0:  # through the ReLU of the layer below: heaviside(z, 0) is ReLU'(z)
            dZ = (dZ @ W.T) * np.heaviside(caches[layer - 1][2], 0.0)
    return grads


def backward_by_central_differences(dZ, caches):
    X = caches[0][0]
    params = [[W, (Z - A_prev @ W).mean(axis=0)] for A_prev, W, Z in caches]
    grads = []
    for layer, pair in enumerate(params):
        found = []
        for index, value in enumerate(pair):

            def logits(trial, layer=layer, index=index):
                changed = [list(p) for p in params]
                changed[layer][index] = trial
                return classifier.network_forward(X, changed)[0]

            found.append(numerical_gradient_array(logits, value.copy(), dZ))
        grads.append(tuple(found))
    return grads


def _backward(dZ, caches, relu_everywhere=False, open_kink=False, scale=1.0, reverse=True):
    grads = []
    for number, (A_prev, W, Z) in enumerate(reversed(caches)):
        if number > 0 or relu_everywhere:
            dZ = dZ * ((Z >= 0) if open_kink else (Z > 0))
        grads.append((A_prev.T @ dZ / scale, dZ.sum(axis=0) / scale))
        dZ = dZ @ W.T
    return grads[::-1] if reverse else grads


def backward_relu_on_logits(dZ, caches):
    return _backward(dZ, caches, relu_everywhere=True)


def backward_open_kink(dZ, caches):
    return _backward(dZ, caches, open_kink=True)


def backward_divides_by_m(dZ, caches):
    return _backward(dZ, caches, scale=len(dZ))


def backward_last_layer_first(dZ, caches):
    return _backward(dZ, caches, reverse=False)


# ---------------------------------------------------------------- network_step


def _step(params, X, Y, lr, lam, penalty=1.0, gradient=2.0, bias_too=False):
    Z, caches = classifier.network_forward(X, params)
    J, dZ = softmax_cross_entropy(Z, Y)
    J += penalty * lam * sum(np.sum(W * W) for W, _ in params)
    grads = classifier.network_backward(dZ, caches)
    new = []
    for (W, b), (dW, db) in zip(params, grads, strict=True):
        new.append((W - lr * (dW + gradient * lam * W), b - lr * (db + bias_too * 2 * lam * b)))
    return J, new


def step_copying_first(params, X, Y, lr, lam):
    Z, caches = classifier.network_forward(X, params)
    J, dZ = softmax_cross_entropy(Z, Y)
    grads = classifier.network_backward(dZ, caches)
    new = [(W.copy(), b.copy()) for W, b in params]
    for (W, b), (dW, db) in zip(new, grads, strict=True):
        W -= lr * (dW + 2 * lam * W)
        b -= lr * db
    return J + lam * sum(np.vdot(W, W) for W, _ in params), new


def step_without_penalty(params, X, Y, lr, lam):
    return _step(params, X, Y, lr, lam, penalty=0.0, gradient=0.0)


def step_half_gradient(params, X, Y, lr, lam):
    return _step(params, X, Y, lr, lam, gradient=1.0)


def step_penalises_biases(params, X, Y, lr, lam):
    J, new = _step(params, X, Y, lr, lam, bias_too=True)
    return J + lam * sum(np.sum(b * b) for _, b in params), new


def step_in_place(params, X, Y, lr, lam):
    J, new = _step(params, X, Y, lr, lam)
    for (W, b), (W_new, b_new) in zip(params, new, strict=True):
        W[...] = W_new
        b[...] = b_new
    return J, params


# ---------------------------------------------------------------- fit_network


def fit_while_loop(params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng):
    history = {"train_cost": [], "val_cost": [], "val_accuracy": []}
    best, epoch, since_best = (params, 0), 0, 0
    while epoch < epochs and since_best < patience:
        order = rng.permutation(len(X))
        for batch in np.array_split(order, range(batch_size, len(X), batch_size)):
            params = classifier.train_step(params, X[batch], Y[batch], lr, lam)[1]
        for key, (data, target) in (("train_cost", (X, Y)), ("val_cost", (X_val, Y_val))):
            history[key].append(
                softmax_cross_entropy(classifier.network_forward(data, params)[0], target)[0]
            )
        logits = classifier.network_forward(X_val, params)[0]
        history["val_accuracy"].append(np.mean(logits.argmax(1) == Y_val.argmax(1)))
        if history["val_cost"][-1] < min(history["val_cost"][:-1], default=np.inf):
            best, since_best = (params, epoch), 0
        else:
            since_best += 1
        epoch += 1
    history["best_epoch"] = best[1]
    return best[0], history


def fit_never_keeps_the_best(
    params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng
):
    _, history = classifier.fit(
        params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng
    )
    return params, history


def _fit_with(slip):
    """nnlib's loop with one of the grader's known slips, as a student's function."""
    from grader.exercises.l10_training import fit_variant

    def fit(params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience, rng):
        settings = (params, X, Y, X_val, Y_val, lr, lam, epochs, batch_size, patience)
        return fit_variant(settings, rng, slip)

    fit.__name__ = f"fit_{slip.replace(' ', '_')}"
    return fit


# ---------------------------------------------------------------- train_digit_network


def small_network(X_train, y_train, X_val, y_val, seed=0):
    """A right answer kept quick: a 64-32-10 network with the model answer's settings."""
    return classifier.digit_network(X_train, y_train, X_val, y_val, seed, hidden=32)


def no_hidden_layer(X_train, y_train, X_val, y_val, seed=0):
    return classifier.softmax_regression(X_train, y_train, X_val, y_val, seed)


def untrained(X_train, y_train, X_val, y_val, seed=0):
    params = classifier.glorot_params([64, 32, 10], np.random.default_rng(seed))
    history = {"train_cost": [], "val_cost": [], "val_accuracy": [], "best_epoch": 0}
    return params, history


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
    Mistake("network_forward", forward_relu_on_logits, "ReLU was applied to the last layer"),
    Mistake("network_forward", forward_softmax_output, "Z holds probabilities"),
    Mistake("network_forward", forward_caches_output, "the cache holds the layer's output"),
    Mistake("network_cost", cost_no_shift, "J is not finite", hidden_only=True),
    Mistake("network_cost", cost_by_central_differences, None, hidden_only=True),
    Mistake("network_cost", cost_gradient_without_m, "dZ is"),
    Mistake("network_cost", cost_summed, "J is"),
    Mistake("network_backward", backward_relu_on_logits, "ReLU's derivative was applied"),
    Mistake("network_backward", backward_open_kink, "ReLU'(0) was taken as 1"),
    Mistake("network_backward", backward_divides_by_m, "divided by m = "),
    Mistake("network_backward", backward_last_layer_first, "backward order"),
    Mistake("network_backward", backward_by_central_differences, None, hidden_only=True),
    Mistake("network_step", step_without_penalty, "J lacks the penalty"),
    Mistake("network_step", step_half_gradient, "the penalty's gradient is λW"),
    Mistake("network_step", step_penalises_biases, "the biases too"),
    Mistake("network_step", step_in_place, "was changed in place"),
    Mistake("fit_network", _fit_with("last"), "the parameters of the last epoch"),
    Mistake("fit_network", _fit_with("in order"), "in the same order every epoch"),
    Mistake("fit_network", _fit_with("drop last"), "the last, smaller batch"),
    Mistake("fit_network", _fit_with("late"), "one epoch late"),
    Mistake("fit_network", fit_never_keeps_the_best, "the parameters you started from"),
    Mistake("train_digit_network", no_hidden_layer, "the network has no hidden layer"),
    Mistake("train_digit_network", untrained, None),
]

CORRECT = [
    Correct("one_hot", one_hot_right),
    Correct("one_hot", one_hot_loop),
    Correct("one_hot", one_hot_compare),
    Correct("accuracy", accuracy_right),
    Correct("accuracy", accuracy_loop),
    Correct("network_forward", forward_with_where),
    Correct("network_cost", cost_logsumexp),
    Correct("network_backward", backward_with_einsum),
    Correct("network_step", step_copying_first),
    Correct("fit_network", fit_while_loop),
    Correct("train_digit_network", small_network),
]
