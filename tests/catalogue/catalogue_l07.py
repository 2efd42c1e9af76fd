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
    Mistake("z_score_scale", zscore_swapped, "the right values came back in the wrong order"),
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


# ---------------------------------------------------------------- choose_by_validation


def cost_of(network, pair, loss):
    X, Y = pair
    return loss(network.predict(X), Y)[0]


def choose_right(candidates, train_network, data, loss):
    networks = [train_network(lr, batch_size) for lr, batch_size in candidates]
    val_costs = [cost_of(network, data["val"], loss) for network in networks]
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, cost_of(networks[best], data["test"], loss)


def choose_retrains_the_best(candidates, train_network, data, loss):
    val_costs = []
    for lr, batch_size in candidates:
        val_costs.append(cost_of(train_network(lr, batch_size), data["val"], loss))
    best = candidates[val_costs.index(min(val_costs))]
    return best, val_costs, cost_of(train_network(*best), data["test"], loss)


def choose_with_a_dict(candidates, train_network, data, loss):
    networks = {pair: train_network(*pair) for pair in candidates}
    val_costs = {pair: float(cost_of(net, data["val"], loss)) for pair, net in networks.items()}
    best = min(val_costs, key=val_costs.get)
    print(f"chose {best}")
    return best, val_costs, cost_of(networks[best], data["test"], loss)


def choose_running_minimum(candidates, train_network, data, loss):
    best, best_cost, best_network, val_costs = None, np.inf, None, []
    for pair in candidates:
        network = train_network(*pair)
        J = cost_of(network, data["val"], loss)
        val_costs.append(J)
        if J < best_cost:
            best, best_cost, best_network = pair, J, network
    X_test, Y_test = data["test"]
    return best, np.array(val_costs), float(loss(best_network.forward(X_test), Y_test)[0])


def choose_by_training_cost(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    best = int(np.argmin([cost_of(net, data["train"], loss) for net in networks]))
    return candidates[best], val_costs, cost_of(networks[best], data["test"], loss)


def choose_by_test_cost(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    test_costs = [cost_of(net, data["test"], loss) for net in networks]
    best = int(np.argmin(test_costs))
    return candidates[best], val_costs, test_costs[best]


def choose_reports_every_test_cost(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    test_costs = [cost_of(net, data["test"], loss) for net in networks]
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, test_costs[best]


def choose_returns_all_test_costs(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, [cost_of(net, data["test"], loss) for net in networks]


def choose_the_highest(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    best = int(np.argmax(val_costs))
    return candidates[best], val_costs, cost_of(networks[best], data["test"], loss)


def choose_validates_on_training_data(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["train"], loss) for net in networks]
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, cost_of(networks[best], data["test"], loss)


def choose_tests_the_last_network(candidates, train_network, data, loss):
    val_costs = []
    for pair in candidates:
        network = train_network(*pair)
        val_costs.append(cost_of(network, data["val"], loss))
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, cost_of(network, data["test"], loss)


def choose_returns_the_index(candidates, train_network, data, loss):
    networks = [train_network(*pair) for pair in candidates]
    val_costs = [cost_of(net, data["val"], loss) for net in networks]
    best = int(np.argmin(val_costs))
    return best, val_costs, cost_of(networks[best], data["test"], loss)


# ---------------------------------------------------------------- cross_validate


def cv_right(X, Y, k, rng, fit_and_cost):
    folds = np.array_split(rng.permutation(len(X)), k)
    costs = []
    for i, val_idx in enumerate(folds):
        train_idx = np.concatenate(folds[:i] + folds[i + 1 :])
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
    return np.array(costs)


def cv_with_a_mask(X, Y, k, rng, fit_and_cost):
    order = rng.permutation(len(X))
    fold_of = np.empty(len(X), dtype=int)
    for i, fold in enumerate(np.array_split(order, k)):
        fold_of[fold] = i
    costs = []
    for i in range(k):
        held = fold_of == i
        costs.append(fit_and_cost(X[~held], Y[~held], X[held], Y[held]))
    return costs


def cv_setdiff(X, Y, k, rng, fit_and_cost):
    order = rng.permutation(len(X))
    costs = []
    for val_idx in np.array_split(order, k):
        train_idx = np.setdiff1d(order, val_idx)
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
    return np.array(costs)


def cv_no_shuffle(X, Y, k, rng, fit_and_cost):
    folds = np.array_split(np.arange(len(X)), k)
    costs = []
    for i, val_idx in enumerate(folds):
        train_idx = np.concatenate(folds[:i] + folds[i + 1 :])
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
    return np.array(costs)


def cv_trains_on_everything(X, Y, k, rng, fit_and_cost):
    folds = np.array_split(rng.permutation(len(X)), k)
    return np.array([fit_and_cost(X, Y, X[val_idx], Y[val_idx]) for val_idx in folds])


def cv_drops_the_remainder(X, Y, k, rng, fit_and_cost):
    order = rng.permutation(len(X))
    size = len(X) // k
    costs = []
    for i in range(k):
        val_idx = order[i * size : (i + 1) * size]
        train_idx = np.concatenate([order[: i * size], order[(i + 1) * size :]])
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
    return np.array(costs)


def cv_shuffles_every_fold(X, Y, k, rng, fit_and_cost):
    costs = []
    for i in range(k):
        folds = np.array_split(rng.permutation(len(X)), k)
        train_idx = np.concatenate(folds[:i] + folds[i + 1 :])
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[folds[i]], Y[folds[i]]))
    return np.array(costs)


def cv_swapped(X, Y, k, rng, fit_and_cost):
    folds = np.array_split(rng.permutation(len(X)), k)
    costs = []
    for i, val_idx in enumerate(folds):
        train_idx = np.concatenate(folds[:i] + folds[i + 1 :])
        costs.append(fit_and_cost(X[val_idx], Y[val_idx], X[train_idx], Y[train_idx]))
    return np.array(costs)


def cv_returns_the_mean(X, Y, k, rng, fit_and_cost):
    return float(np.mean(cv_right(X, Y, k, rng, fit_and_cost)))


def cv_k_as_fold_size(X, Y, k, rng, fit_and_cost):
    order = rng.permutation(len(X))
    costs = []
    for start in range(0, len(X), k):
        val_idx = order[start : start + k]
        train_idx = np.concatenate([order[:start], order[start + k :]])
        costs.append(fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx]))
    return np.array(costs)


MISTAKES += [
    Mistake("choose_by_validation", choose_by_training_cost, "chosen by the training cost"),
    Mistake("choose_by_validation", choose_by_test_cost, "chosen by the test cost"),
    Mistake("choose_by_validation", choose_reports_every_test_cost, "measured for more than one"),
    Mistake("choose_by_validation", choose_returns_all_test_costs, "measured for more than one"),
    Mistake("choose_by_validation", choose_the_highest, "the highest validation cost"),
    Mistake("choose_by_validation", choose_validates_on_training_data, "the training costs"),
    Mistake("choose_by_validation", choose_tests_the_last_network, "the last network's"),
    Mistake("choose_by_validation", choose_returns_the_index, "not its position"),
    Mistake("cross_validate", cv_no_shuffle, "the examples were not shuffled"),
    Mistake("cross_validate", cv_trains_on_everything, "also in the training data"),
    Mistake("cross_validate", cv_drops_the_remainder, "the last m % k examples were left out"),
    Mistake("cross_validate", cv_shuffles_every_fold, "a new shuffle for every fold"),
    Mistake("cross_validate", cv_swapped, "training and validation were swapped"),
    Mistake("cross_validate", cv_returns_the_mean, "the mean of the k costs"),
    Mistake("cross_validate", cv_k_as_fold_size, "k is the number of folds"),
]

CORRECT += [
    Correct("choose_by_validation", choose_right),
    Correct("choose_by_validation", choose_retrains_the_best),
    Correct("choose_by_validation", choose_with_a_dict),
    Correct("choose_by_validation", choose_running_minimum),
    Correct("cross_validate", cv_right),
    Correct("cross_validate", cv_with_a_mask),
    Correct("cross_validate", cv_setdiff),
]
