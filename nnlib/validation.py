"""Held-out data at work: choosing hyper-parameters by validation cost, and k-fold
cross-validation.

- ``choose_by_validation``: train one network per candidate setting, keep the one with the
  lowest validation cost, and only then measure that one network on the test set, once.
- ``k_fold_splits`` and ``cross_validate``: cut the examples into k folds with one shuffle,
  let each fold be the validation set once while the other k - 1 train, and collect the k
  validation costs.

The cost of a set is ``loss(model.predict(X), Y)[0]``, the mean over its examples.
"""

import numpy as np


def set_cost(model, X, Y, loss):
    """The cost of ``model`` on one set at evaluation: loss(model.predict(X), Y)[0].

    X: (m, n_in).  Y: (m, n_out).  loss: a function (A, Y) -> (J, dA).
    Returns J as a float.
    """
    return float(loss(model.predict(X), Y)[0])


def choose_by_validation(candidates, train_network, data, loss):
    """Pick the candidate whose trained network has the lowest validation cost.

    candidates:    a list of settings, e.g. (learning rate, batch size) pairs.
    train_network: a function (*candidate) -> a trained model with ``predict``; every call
                   starts from the same weights and shuffles, so the settings alone differ.
    data:          {"train": (X, Y), "val": (X, Y), "test": (X, Y)}.
    loss:          a function (A, Y) -> (J, dA).
    Returns (best, val_costs, test_cost): the chosen candidate; the validation cost of every
    candidate, a list in the order of ``candidates``; the test cost of the chosen network
    alone, measured once, after the choice. Ties go to the first candidate.
    """
    models = [train_network(*candidate) for candidate in candidates]
    val_costs = [set_cost(model, *data["val"], loss) for model in models]
    best = int(np.argmin(val_costs))
    return candidates[best], val_costs, set_cost(models[best], *data["test"], loss)


def k_fold_splits(m, k, rng):
    """The k (training, validation) index pairs of k-fold cross-validation.

    m:   the number of examples; k: the number of folds, 2 <= k <= m.
    rng: a numpy.random.Generator; one permutation of range(m) is drawn, and cut into k
         folds of nearly equal size (np.array_split: the first m % k folds get one more).
    Yields (train_idx, val_idx) for fold i = 0 .. k-1: val_idx is fold i, train_idx the other
    folds concatenated in order. Every example is validated exactly once.
    """
    if not 2 <= k <= m:
        raise ValueError(f"k-fold needs 2 <= k <= m folds; got k={k} for m={m} examples.")
    folds = np.array_split(rng.permutation(m), k)
    for i, val_idx in enumerate(folds):
        yield np.concatenate(folds[:i] + folds[i + 1 :]), val_idx


def cross_validate(X, Y, k, rng, fit_and_cost):
    """k-fold cross-validation: one validation cost per fold.

    X: (m, n_in) inputs.  Y: (m, n_out) targets.  k, rng: as for ``k_fold_splits``.
    fit_and_cost: a function (X_train, Y_train, X_val, Y_val) -> the validation cost of a
                  network trained afresh on the training part.
    Returns an array of shape (k,): the cost of each fold, in fold order. Their mean is the
    cross-validated estimate; their spread says how much one split could mislead.
    """
    return np.array(
        [
            fit_and_cost(X[train_idx], Y[train_idx], X[val_idx], Y[val_idx])
            for train_idx, val_idx in k_fold_splits(len(X), k, rng)
        ],
        dtype=np.float64,
    )
