"""Lesson 08, regularisation: the mistakes students make, and right answers written oddly.

Exercises: l2_regularisation(params, lam) and l1_regularisation(params, lam) -> (penalty,
grads), params a dict of "W…" weight matrices and "b…" bias vectors; early_stopping(
train_loss, val_loss, patience) -> (best_epoch, stop_epoch); penalised_step(params, X, Y, lr,
l2, l1, activations) -> (J, new_params), params a list of (W, b); train_with_early_stopping(
params, step, val_cost, epochs, patience) -> (best_params, val_costs).
"""

import copy

import numpy as np
from entries import Correct, Mistake

from nnlib.losses import sigmoid_binary_cross_entropy
from nnlib.mlp import mlp_backward, mlp_forward
from nnlib.training import EarlyStopping


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


# ---------------------------------------------------------------- penalised step


def step_right(params, X, Y, lr, l2, l1, activations):
    logit, caches = mlp_forward(X, params, activations)
    J, dZ = sigmoid_binary_cross_entropy(logit, Y)
    new_params = []
    for (W, b), (dW, db) in zip(params, mlp_backward(dZ, caches, activations), strict=True):
        J += l2 * np.sum(W**2) + l1 * np.sum(np.abs(W))
        new_params.append((W - lr * (dW + 2 * l2 * W + l1 * np.sign(W)), b - lr * db))
    return J, new_params


def step_lists_and_indices(params, X, Y, lr, l2, l1, activations):
    logit, caches = mlp_forward(X, params, activations)
    loss, dZ = sigmoid_binary_cross_entropy(logit, Y)
    grads = mlp_backward(dZ, caches, activations)
    penalty = 0.0
    out = []
    for k in range(len(params)):
        W, b = params[k]
        penalty = penalty + l2 * (W * W).sum() + l1 * abs(W).sum()
        dW = grads[k][0] + l2 * (W + W) + l1 * np.where(W > 0, 1.0, np.where(W < 0, -1.0, 0.0))
        out.append([W - lr * dW, b - lr * grads[k][1]])
    return np.array([loss + penalty]), out


def step_penalty_first(params, X, Y, lr, l2, l1, activations):
    """Weight decay written as a shrink before the loss's step, as the lesson's algebra does."""
    logit, caches = mlp_forward(X, params, activations)
    J, dZ = sigmoid_binary_cross_entropy(logit, Y)
    J += sum(l2 * np.einsum("ij,ij->", W, W) + l1 * np.abs(W).sum() for W, _ in params)
    grads = mlp_backward(dZ, caches, activations)
    return J, [
        ((1 - 2 * lr * l2) * W - lr * (dW + l1 * np.sign(W)), b - lr * db)
        for (W, b), (dW, db) in zip(params, grads, strict=True)
    ]


def step_uphill(params, X, Y, lr, l2, l1, activations):
    return step_right(params, X, Y, -lr, l2, l1, activations)


def step_penalty_only_in_J(params, X, Y, lr, l2, l1, activations):
    J, _ = step_right(params, X, Y, lr, l2, l1, activations)
    return J, step_right(params, X, Y, lr, 0.0, 0.0, activations)[1]


def step_penalty_only_in_dW(params, X, Y, lr, l2, l1, activations):
    J, new_params = step_right(params, X, Y, lr, l2, l1, activations)
    return J - sum(l2 * np.sum(W**2) + l1 * np.sum(np.abs(W)) for W, _ in params), new_params


def step_lambda_w(params, X, Y, lr, l2, l1, activations):
    J, _ = step_right(params, X, Y, lr, l2, l1, activations)
    return J, step_right(params, X, Y, lr, l2 / 2, l1, activations)[1]


def step_half_lambda(params, X, Y, lr, l2, l1, activations):
    return step_right(params, X, Y, lr, l2 / 2, l1, activations)


def step_per_example(params, X, Y, lr, l2, l1, activations):
    return step_right(params, X, Y, lr, l2 / (2 * len(X)), l1, activations)


def step_biases_too(params, X, Y, lr, l2, l1, activations):
    J, new_params = step_right(params, X, Y, lr, l2, l1, activations)
    J += sum(l2 * np.sum(b**2) + l1 * np.sum(np.abs(b)) for _, b in params)
    return J, [
        (W, b_new - lr * (2 * l2 * b + l1 * np.sign(b)))
        for (_, b), (W, b_new) in zip(params, new_params, strict=True)
    ]


def step_sign_zero_positive(params, X, Y, lr, l2, l1, activations):
    J, new_params = step_right(params, X, Y, lr, l2, l1, activations)
    return J, [
        (W_new - lr * l1 * (W == 0), b)
        for (W, _), (W_new, b) in zip(params, new_params, strict=True)
    ]


def step_penalties_swapped(params, X, Y, lr, l2, l1, activations):
    return step_right(params, X, Y, lr, l1, l2, activations)


def step_in_place(params, X, Y, lr, l2, l1, activations):
    J, new_params = step_right(params, X, Y, lr, l2, l1, activations)
    for (W, b), (W_new, b_new) in zip(params, new_params, strict=True):
        W -= W - W_new
        b -= b - b_new
    return J, params


def step_by_central_differences(params, X, Y, lr, l2, l1, activations):
    def cost(p):
        return step_right(p, X, Y, 0.0, l2, l1, activations)[0]

    new_params = []
    for layer, pair in enumerate(params):
        moved = []
        for part, value in enumerate(pair):

            def cost_of(v, layer=layer, part=part):
                changed = [list(p) for p in params]
                changed[layer][part] = v
                return cost(changed)

            moved.append(value - lr * central_differences(cost_of, value.copy()))
        new_params.append(tuple(moved))
    return cost(params), new_params


# ---------------------------------------------------------------- the early-stopping loop


def loop_right(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited = val_costs[-1], 0
            best_params = [(W.copy(), b.copy()) for W, b in params]
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs


def loop_deepcopy_and_array(params, step, val_cost, epochs, patience):
    costs, best, best_epoch = [], None, -1
    epoch = 0
    while epoch < epochs:
        step(params)
        costs.append(float(val_cost(params)))
        if best_epoch < 0 or costs[-1] < costs[best_epoch]:
            best, best_epoch = copy.deepcopy(params), epoch
        elif epoch - best_epoch >= patience:
            break
        epoch += 1
    return [list(pair) for pair in best], np.array(costs)


def loop_with_nnlib_rule(params, step, val_cost, epochs, patience):
    rule, costs, best = EarlyStopping(patience), [], None
    for epoch in range(epochs):
        step(params)
        costs.append(val_cost(params))
        if rule.update(epoch, costs[-1]):
            best = [(np.copy(W), np.copy(b)) for W, b in params]
        if rule.should_stop:
            break
    return best, costs


def loop_keeps_a_reference(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited, best_params = val_costs[-1], 0, params
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs


def loop_copies_the_list(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited, best_params = val_costs[-1], 0, params[:]
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs


def loop_copies_weights_only(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited = val_costs[-1], 0
            best_params = [(W.copy(), b) for W, b in params]
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs


def loop_copies_before_the_step(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        before = copy.deepcopy(params)
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited, best_params = val_costs[-1], 0, before
        else:
            waited += 1
            if waited == patience:
                break
    return best_params, val_costs


def loop_never_stops(params, step, val_cost, epochs, patience):
    best_cost, best_params, val_costs = np.inf, None, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, best_params = val_costs[-1], copy.deepcopy(params)
    return best_params, val_costs


def loop_one_epoch_late(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        step(params)
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited, best_params = val_costs[-1], 0, copy.deepcopy(params)
        else:
            waited += 1
            if waited > patience:
                break
    return best_params, val_costs


def loop_measures_before_the_step(params, step, val_cost, epochs, patience):
    best_cost, best_params, waited, val_costs = np.inf, None, 0, []
    for _ in range(epochs):
        val_costs.append(val_cost(params))
        if val_costs[-1] < best_cost:
            best_cost, waited, best_params = val_costs[-1], 0, copy.deepcopy(params)
        else:
            waited += 1
            if waited == patience:
                break
        step(params)
    return best_params, val_costs


MISTAKES = [
    Mistake("l2_regularisation", l2_in_place, "was changed in place"),
    Mistake("l2_regularisation", l2_no_factor_2, "factor 2"),
    Mistake("l2_regularisation", l2_on_biases, "biases"),
    Mistake("l2_regularisation", l2_half, "λ/2 Σ w²"),
    Mistake(
        "l2_regularisation",
        l2_half_and_no_factor_2,
        "λ/2 Σ w² (the convention of CS231n's second assignment)",
    ),
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
    Mistake("penalised_step", step_uphill, "the step went uphill"),
    Mistake("penalised_step", step_penalty_only_in_J, "the penalty's gradient is missing from dW"),
    Mistake("penalised_step", step_penalty_only_in_dW, "J leaves out the penalty"),
    Mistake("penalised_step", step_lambda_w, "dW has l2·W where 2·l2·W belongs"),
    Mistake("penalised_step", step_half_lambda, "J has ½λΣw²"),
    Mistake("penalised_step", step_per_example, "deeplearning.ai's λ/(2m)"),
    Mistake("penalised_step", step_biases_too, "the biases were penalised too"),
    Mistake("penalised_step", step_sign_zero_positive, "sign(0) = 0"),
    Mistake("penalised_step", step_penalties_swapped, "L1 and L2 are swapped"),
    Mistake("penalised_step", step_in_place, "was changed in place"),
    Mistake("penalised_step", step_by_central_differences, None, hidden_only=True),
    Mistake("train_with_early_stopping", loop_keeps_a_reference, "`best = params`"),
    Mistake("train_with_early_stopping", loop_copies_the_list, "`list(params)`"),
    Mistake("train_with_early_stopping", loop_copies_weights_only, "not of the best one"),
    Mistake("train_with_early_stopping", loop_copies_before_the_step, "before the best epoch"),
    Mistake("train_with_early_stopping", loop_never_stops, "after patience ran out"),
    Mistake("train_with_early_stopping", loop_one_epoch_late, "one epoch too late"),
    Mistake("train_with_early_stopping", loop_measures_before_the_step, "measured before"),
]

CORRECT = [
    Correct("l2_regularisation", l2_right),
    Correct("l2_regularisation", l2_loop),
    Correct("l1_regularisation", l1_right),
    Correct("l1_regularisation", l1_where),
    Correct("early_stopping", stop_right),
    Correct("early_stopping", stop_with_best_value),
    Correct("penalised_step", step_right),
    Correct("penalised_step", step_lists_and_indices),
    Correct("penalised_step", step_penalty_first),
    Correct("train_with_early_stopping", loop_right),
    Correct("train_with_early_stopping", loop_deepcopy_and_array),
    Correct("train_with_early_stopping", loop_with_nnlib_rule),
]
