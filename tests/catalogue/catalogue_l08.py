"""Lesson 08, regularisation: the mistakes students make, and right answers written oddly.

Exercises: l2_regularisation(params, lam) and l1_regularisation(params, lam) -> (penalty,
grads), params a dict of "W…" weight matrices and "b…" bias vectors; early_stopping(
train_loss, val_loss, patience) -> (best_epoch, stop_epoch).
"""

import numpy as np
from entries import Correct, Mistake


def weights(params):
    return {key: value for key, value in params.items() if key.startswith("W")}


def central_differences(f, x, h=1e-5):
    """A student's own numerical gradient of f at x, element by element."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad


# ---------------------------------------------------------------- L2


def l2_right(params, lam):
    penalty = lam * sum(np.sum(W**2) for W in weights(params).values())
    grads = {
        key: 2 * lam * value if key.startswith("W") else np.zeros_like(value)
        for key, value in params.items()
    }
    return penalty, grads


def l2_loop(params, lam):
    penalty, grads = 0.0, {}
    for key in params:
        if key[0] == "W":
            penalty += lam * float(np.einsum("ij,ij->", params[key], params[key]))
            grads[key] = lam * (params[key] + params[key])
        else:
            grads[key] = 0 * params[key]
    return np.array([penalty]), grads


def l2_in_place(params, lam):
    penalty = lam * sum(np.sum(W**2) for W in weights(params).values())
    grads = {}
    for key, value in params.items():
        if key.startswith("W"):
            value *= 2 * lam
            grads[key] = value
        else:
            grads[key] = np.zeros_like(value)
    return penalty, grads


def l2_no_factor_2(params, lam):
    penalty, grads = l2_right(params, lam)
    return penalty, {k: g / 2 for k, g in grads.items()}


def l2_half_and_no_factor_2(params, lam):
    penalty, grads = l2_right(params, lam)
    return penalty / 2, {k: g / 2 for k, g in grads.items()}


def l2_on_biases(params, lam):
    penalty = lam * sum(np.sum(v**2) for v in params.values())
    return penalty, {k: 2 * lam * v for k, v in params.items()}


def l2_half(params, lam):
    penalty, grads = l2_right(params, lam)
    return penalty / 2, grads


def l2_no_lambda(params, lam):
    penalty, grads = l2_right(params, lam)
    return penalty / lam, {k: g / lam for k, g in grads.items()}


def l2_swapped(params, lam):
    penalty, grads = l2_right(params, lam)
    return grads, penalty


def l2_bias_missing(params, lam):
    penalty, grads = l2_right(params, lam)
    return penalty, weights(grads)


def l2_by_central_differences(params, lam):
    def total(p):
        return lam * sum(np.sum(W**2) for W in weights(p).values())

    grads = {}
    for key, value in params.items():
        grads[key] = central_differences(lambda v, key=key: total({**params, key: v}), value.copy())
    return total(params), grads


# ---------------------------------------------------------------- L1


def l1_right(params, lam):
    penalty = lam * sum(np.sum(np.abs(W)) for W in weights(params).values())
    grads = {
        key: lam * np.sign(value) if key.startswith("W") else np.zeros_like(value)
        for key, value in params.items()
    }
    return penalty, grads


def l1_where(params, lam):
    penalty = 0.0
    grads = {}
    for key, value in params.items():
        if key.startswith("W"):
            penalty += lam * np.abs(value).sum()
            grads[key] = np.where(value > 0, lam, np.where(value < 0, -lam, 0.0))
        else:
            grads[key] = np.zeros(value.shape)
    return penalty, grads


def l1_divides(params, lam):
    penalty, _ = l1_right(params, lam)
    grads = {
        key: lam * value / np.abs(value) if key.startswith("W") else np.zeros_like(value)
        for key, value in params.items()
    }
    return penalty, grads


def l1_sign_zero_positive(params, lam):
    penalty, grads = l1_right(params, lam)
    for key, value in weights(params).items():
        grads[key] = lam * np.where(value >= 0, 1.0, -1.0)
    return penalty, grads


def l1_no_abs(params, lam):
    _, grads = l1_right(params, lam)
    return lam * sum(np.sum(W) for W in weights(params).values()), grads


def l1_gradient_is_l2(params, lam):
    penalty, _ = l1_right(params, lam)
    return penalty, {
        k: 2 * lam * v if k.startswith("W") else np.zeros_like(v) for k, v in params.items()
    }


def l1_factor_2(params, lam):
    penalty, grads = l1_right(params, lam)
    return penalty, {k: 2 * g for k, g in grads.items()}


def l1_by_central_differences(params, lam):
    def total(p):
        return lam * sum(np.sum(np.abs(W)) for W in weights(p).values())

    grads = {}
    for key, value in params.items():
        grads[key] = central_differences(lambda v, key=key: total({**params, key: v}), value.copy())
    return total(params), grads


def l1_bias_penalised(params, lam):
    penalty = lam * sum(np.sum(np.abs(v)) for v in params.values())
    return penalty, {k: lam * np.sign(v) for k, v in params.items()}


# ---------------------------------------------------------------- early stopping


def stop_right(train_loss, val_loss, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


def stop_with_best_value(train_loss, val_loss, patience):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(val_loss):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
            continue
        waited += 1
        if waited >= patience:
            return int(best_epoch), int(epoch)
    return int(best_epoch), int(len(val_loss) - 1)


def stop_on_training_loss(train_loss, val_loss, patience):
    return stop_right(val_loss, train_loss, patience)


def stop_counts_ties(train_loss, val_loss, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] <= val_loss[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


def stop_global_minimum(train_loss, val_loss, patience):
    _, stop = stop_right(train_loss, val_loss, patience)
    return int(np.argmin(val_loss)), stop


def stop_compares_previous_epoch(train_loss, val_loss, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[epoch - 1]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_loss) - 1


def stop_one_late(train_loss, val_loss, patience):
    best, stop = stop_right(train_loss, val_loss, patience)
    return best, stop + 1


def stop_counts_from_one(train_loss, val_loss, patience):
    best, stop = stop_right(train_loss, val_loss, patience)
    return best + 1, stop + 1


MISTAKES = [
    Mistake("l2_regularisation", l2_in_place, "was changed in place"),
    Mistake("l2_regularisation", l2_no_factor_2, "factor 2"),
    Mistake("l2_regularisation", l2_on_biases, "biases"),
    Mistake("l2_regularisation", l2_half, "λ/2 Σ w²"),
    Mistake("l2_regularisation", l2_half_and_no_factor_2, "λ/2 Σ w² (CS231n's convention)"),
    Mistake("l2_regularisation", l2_no_lambda, "λ is missing"),
    Mistake("l2_regularisation", l2_swapped, "swapped"),
    Mistake("l2_regularisation", l2_bias_missing, None),
    Mistake("l2_regularisation", l2_by_central_differences, None, hidden_only=True),
    Mistake("l1_regularisation", l1_divides, "w/|w| is 0/0"),
    Mistake("l1_regularisation", l1_sign_zero_positive, "sign(0) = 0"),
    Mistake("l1_regularisation", l1_no_abs, "the absolute value is missing"),
    Mistake("l1_regularisation", l1_gradient_is_l2, "this is the L2 gradient"),
    Mistake("l1_regularisation", l1_factor_2, "a factor 2 crept in"),
    Mistake("l1_regularisation", l1_by_central_differences, None, hidden_only=True),
    Mistake("l1_regularisation", l1_bias_penalised, "the biases were penalised"),
    Mistake("early_stopping", stop_on_training_loss, "you watched the training loss"),
    Mistake("early_stopping", stop_counts_ties, "a loss equal to the best is not an improvement"),
    Mistake("early_stopping", stop_global_minimum, "lowest loss of the whole curve"),
    Mistake("early_stopping", stop_compares_previous_epoch, "compared with the epoch before it"),
    Mistake("early_stopping", stop_one_late, "one epoch too late"),
    Mistake("early_stopping", stop_counts_from_one, "counted from 0"),
]

CORRECT = [
    Correct("l2_regularisation", l2_right),
    Correct("l2_regularisation", l2_loop),
    Correct("l1_regularisation", l1_right),
    Correct("l1_regularisation", l1_where),
    Correct("early_stopping", stop_right),
    Correct("early_stopping", stop_with_best_value),
]
