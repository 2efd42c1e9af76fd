"""Lesson 07, training: the mistakes students make, and right answers written oddly.

Exercises: minibatch_indices(m, batch_size, rng) (a generator of index arrays),
train_epoch(model, X, Y, batches, lr, loss) -> batch costs, learning_rate_schedule(lr0, d,
n_epochs) -> rates, min_max_scale(X_train, X_test, a, b) and z_score_scale(X_train, X_test)
-> (X_train_scaled, X_test_scaled).
"""

import numpy as np
from entries import Correct, Mistake

# ---------------------------------------------------------------- minibatch_indices


def batches_right(m, batch_size, rng):
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def batches_as_list(m, batch_size, rng):
    order = rng.permutation(m)
    return [order[i : i + batch_size] for i in range(0, m, batch_size)]


def batches_array_split(m, batch_size, rng):
    order = rng.permutation(m)
    return np.split(order, range(batch_size, m, batch_size))


def batches_no_shuffle(m, batch_size, rng):
    order = np.arange(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def batches_drop_last(m, batch_size, rng):
    order = rng.permutation(m)
    for start in range(0, m - batch_size + 1, batch_size):
        yield order[start : start + batch_size]


def batches_with_replacement(m, batch_size, rng):
    for start in range(0, m, batch_size):
        yield rng.integers(0, m, size=min(batch_size, m - start))


def batches_new_generator(m, batch_size, rng):
    order = np.random.default_rng(0).permutation(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def batches_count_not_size(m, batch_size, rng):
    order = rng.permutation(m)
    yield from np.array_split(order, batch_size)


# ---------------------------------------------------------------- train_epoch


def epoch_right(model, X, Y, batches, lr, loss):
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value -= lr * grad
        costs.append(J)
    return costs


def epoch_costs_as_array(model, X, Y, batches, lr, loss):
    costs = np.zeros(0)
    for idx in batches:
        Xb, Yb = X[idx], Y[idx]
        A = model.forward(Xb, training=True)
        J, dA = loss(A, Yb)
        costs = np.append(costs, J)
        model.backward(dA)
        for _, value, grad in model.parameters():
            value[...] = value - lr * grad
    return costs


def epoch_with_print(model, X, Y, batches, lr, loss):
    costs = epoch_right(model, X, Y, batches, lr, loss)
    print(f"epoch done: mean cost {np.mean(costs):.4f}")
    return costs


def epoch_indexes_batches(model, X, Y, batches, lr, loss):
    costs = []
    for i in range(len(batches)):
        idx = batches[i]
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value -= lr * grad
        costs.append(J)
    return costs


def epoch_no_training_flag(model, X, Y, batches, lr, loss):
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx]), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value -= lr * grad
        costs.append(J)
    return costs


def epoch_ascent(model, X, Y, batches, lr, loss):
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value += lr * grad
        costs.append(J)
    return costs


def epoch_whole_set(model, X, Y, batches, lr, loss):
    costs = []
    for _ in batches:
        J, dA = loss(model.forward(X, training=True), Y)
        model.backward(dA)
        for _, value, grad in model.parameters():
            value -= lr * grad
        costs.append(J)
    return costs


def epoch_rebinds(model, X, Y, batches, lr, loss):
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        for _, value, grad in model.parameters():
            value = value - lr * grad  # noqa: PLW2901 (the mistake: only the name changes)
        costs.append(J)
    return costs


def epoch_update_after_loop(model, X, Y, batches, lr, loss):
    costs = []
    for idx in batches:
        J, dA = loss(model.forward(X[idx], training=True), Y[idx])
        model.backward(dA)
        costs.append(J)
    for _, value, grad in model.parameters():
        value -= lr * grad
    return costs


# ---------------------------------------------------------------- learning_rate_schedule


def schedule_right(lr0, d, n_epochs):
    return [lr0 * d**t for t in range(n_epochs)]


def schedule_cumulative(lr0, d, n_epochs):
    rates, lr = [], lr0
    for _ in range(n_epochs):
        rates.append(lr)
        lr *= d
    return np.array(rates)


def schedule_starts_decayed(lr0, d, n_epochs):
    return [lr0 * d ** (t + 1) for t in range(n_epochs)]


def schedule_time_based(lr0, d, n_epochs):
    return [lr0 / (1 + d * t) for t in range(n_epochs)]


def schedule_subtracts(lr0, d, n_epochs):
    return [lr0 - d * t for t in range(n_epochs)]


def schedule_one_short(lr0, d, n_epochs):
    return [lr0 * d**t for t in range(n_epochs - 1)]


# ---------------------------------------------------------------- scaling


def minmax_right(X_train, X_test, a, b):
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return a + (X_train - low) * (b - a) / span, a + (X_test - low) * (b - a) / span


def minmax_fit_on_all(X_train, X_test, a, b):
    both = np.vstack([X_train, X_test])
    low, high = both.min(axis=0), both.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return a + (X_train - low) * (b - a) / span, a + (X_test - low) * (b - a) / span


def minmax_ignores_range(X_train, X_test, a, b):
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return (X_train - low) / span, (X_test - low) / span


def minmax_rows(X_train, X_test, a, b):
    def scale(X):
        low, high = X.min(axis=1, keepdims=True), X.max(axis=1, keepdims=True)
        return a + (X - low) * (b - a) / np.where(high > low, high - low, 1.0)

    return scale(X_train), scale(X_test)


def zscore_right(X_train, X_test):
    mean, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd = np.where(np.isclose(sd, 0), 1.0, sd)
    return (X_train - mean) / sd, (X_test - mean) / sd


def zscore_exact_zero_test(X_train, X_test):
    mean, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd[sd == 0] = 1.0
    return (X_train - mean) / sd, (X_test - mean) / sd


def zscore_by_columns_loop(X_train, X_test):
    train, test = np.empty_like(X_train), np.empty_like(X_test)
    for j in range(X_train.shape[1]):
        column = X_train[:, j]
        mean = sum(column) / len(column)
        sd = np.sqrt(np.mean((column - mean) ** 2))
        sd = sd if sd > 1e-12 * max(1.0, abs(mean)) else 1.0
        train[:, j], test[:, j] = (column - mean) / sd, (X_test[:, j] - mean) / sd
    return train, test


def zscore_sample_std(X_train, X_test):
    mean, sd = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    sd = np.where(np.isclose(sd, 0), 1.0, sd)
    return (X_train - mean) / sd, (X_test - mean) / sd


def zscore_test_own_stats(X_train, X_test):
    def scale(X):
        sd = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(np.isclose(sd, 0), 1.0, sd)

    return scale(X_train), scale(X_test)


def zscore_divides_by_variance(X_train, X_test):
    mean, var = X_train.mean(axis=0), X_train.var(axis=0)
    var = np.where(np.isclose(var, 0), 1.0, var)
    return (X_train - mean) / var, (X_test - mean) / var


def zscore_in_place(X_train, X_test):
    mean, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd = np.where(np.isclose(sd, 0), 1.0, sd)
    X_train -= mean
    X_train /= sd
    return X_train, (X_test - mean) / sd


def zscore_swapped(X_train, X_test):
    train, test = zscore_right(X_train, X_test)
    return test, train


MISTAKES = [
    Mistake("minibatch_indices", batches_no_shuffle, "the examples were not shuffled"),
    Mistake("minibatch_indices", batches_drop_last, "the last, smaller batch was dropped"),
    Mistake("minibatch_indices", batches_with_replacement, "drawn with replacement"),
    Mistake("minibatch_indices", batches_new_generator, "the same order every epoch"),
    Mistake("minibatch_indices", batches_count_not_size, "not the number of batches"),
    Mistake("train_epoch", epoch_indexes_batches, "The batches come as a generator"),
    Mistake("train_epoch", epoch_no_training_flag, "dropout was off"),
    Mistake("train_epoch", epoch_ascent, "the update has the wrong sign"),
    Mistake("train_epoch", epoch_whole_set, "every step used all of X"),
    Mistake("train_epoch", epoch_rebinds, "the parameters did not change"),
    Mistake("train_epoch", epoch_update_after_loop, "only one update was made"),
    Mistake("learning_rate_schedule", schedule_starts_decayed, "the first epoch already"),
    Mistake("learning_rate_schedule", schedule_time_based, "time-based decay"),
    Mistake("learning_rate_schedule", schedule_subtracts, "this subtracts d every epoch"),
    Mistake("learning_rate_schedule", schedule_one_short, None),
    Mistake("min_max_scale", minmax_fit_on_all, "fitted on all the data"),
    Mistake("min_max_scale", minmax_ignores_range, "a and b were ignored"),
    Mistake("min_max_scale", minmax_rows, "taken over each row"),
    Mistake("z_score_scale", zscore_sample_std, "sample standard deviation"),
    Mistake("z_score_scale", zscore_test_own_stats, "X_test was scaled with its own statistics"),
    Mistake("z_score_scale", zscore_divides_by_variance, "divides by the variance"),
    Mistake("z_score_scale", zscore_in_place, "`X_train` was changed in place"),
    Mistake("z_score_scale", zscore_swapped, None),
]

CORRECT = [
    Correct("minibatch_indices", batches_right),
    Correct("minibatch_indices", batches_as_list),
    Correct("minibatch_indices", batches_array_split),
    Correct("train_epoch", epoch_right),
    Correct("train_epoch", epoch_costs_as_array),
    Correct("train_epoch", epoch_with_print),
    Correct("learning_rate_schedule", schedule_right),
    Correct("learning_rate_schedule", schedule_cumulative),
    Correct("min_max_scale", minmax_right),
    Correct("z_score_scale", zscore_right),
    Correct("z_score_scale", zscore_exact_zero_test),
    Correct("z_score_scale", zscore_by_columns_loop),
]
