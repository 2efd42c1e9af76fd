"""Early stopping as a training loop: stop when patience runs out, and hand back the best epoch.

The step changes the parameters' arrays in place, as a framework's optimiser does, so the loop
must keep *copies* of the best epoch's arrays: a second name for the same arrays (``best =
params``, or ``list(params)``, which copies the list but not the arrays in it) would be
changed by every later step and end up holding the last epoch's weights.

The stopping rule is ``nnlib.training.early_stopping_point``'s: an epoch improves when its
validation cost is strictly below the best so far; training stops at the epoch whose count of
epochs without improvement reaches ``patience``.
"""

import numpy as np


def train_with_early_stopping(params, step, val_cost, epochs, patience):
    """Train with early stopping, and return copies of the best epoch's parameters.

    params:   a list of L pairs (W, b) of arrays; ``step`` trains them in place.
    step:     step(params) makes one epoch of training, changing the arrays in params in place.
    val_cost: val_cost(params) -> float, the validation cost of the parameters as they are.
    epochs:   the most epochs to run, an int ≥ 1.
    patience: epochs in a row without a strictly lower validation cost that end training.
    Returns (best_params, val_costs): a new list of L pairs (W, b), copies of the parameters
    right after the first epoch with the lowest validation cost; and the validation cost after
    each epoch run, a list of floats (epoch 0 first).
    """
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        cost = float(val_cost(params))
        val_costs.append(cost)
        if cost < best_cost:
            best_cost, waited = cost, 0
            best_params = [(W.copy(), b.copy()) for W, b in params]
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs
