"""Lesson 06, choosing the loss: the mistakes students make, and right answers written oddly.

Exercises: stable_softmax(Z), binary_cross_entropy(A, Y), categorical_cross_entropy(A, Y),
gradient_error(loss, Z, Y, h) -> the relative error of a fused loss's dZ against central
differences of its J, softmax_cross_entropy(Z, Y) -> (J, dZ), sigmoid_bce(Z, Y) -> (J, dZ),
choose_output_and_loss(Y) -> (activation, loss).
"""

import numpy as np
from entries import Correct, Mistake

EPS = 1e-12  # nnlib.losses.EPS, the clip the lesson's docstrings name

# ---------------------------------------------------------------- stable_softmax


def softmax_right(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_loop(Z):
    A = np.empty_like(Z)
    for i, row in enumerate(Z):
        e = [np.exp(z - max(row)) for z in row]
        A[i] = np.array(e) / sum(e)
    return A


def softmax_logsumexp(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))


def softmax_with_print_and_warning(Z):
    print("Z has shape", Z.shape)
    np.log(np.zeros(1))  # a stray log(0) on the way: numpy warns, the answer is still right
    return softmax_right(Z)


def softmax_naive(Z):
    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def softmax_minus_min(Z):
    E = np.exp(Z - Z.min(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_global_max(Z):
    E = np.exp(Z - Z.max())
    return E / E.sum(axis=1, keepdims=True)


def softmax_axis0(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax_no_exp(Z):
    return Z / Z.sum(axis=1, keepdims=True)


def softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def softmax_sum_over_all(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum()


# ---------------------------------------------------------------- the cross-entropies


def bce_right(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0]


def bce_where(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return float(-np.mean(np.sum(np.where(Y == 1, np.log(A), np.log(1 - A)), axis=1)))


def bce_as_column(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum(keepdims=True) / len(A)


def bce_log0(A, Y):
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0]


def bce_mean_everything(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))


def bce_no_m(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))


def bce_one_term(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.sum(Y * np.log(A)) / A.shape[0]


def bce_sign(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0]


def bce_clip_in_place(A, Y):
    np.clip(A, EPS, 1 - EPS, out=A)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0]


def cce_right(A, Y):
    return -np.sum(Y * np.log(np.clip(A, EPS, 1.0))) / A.shape[0]


def cce_true_class(A, Y):
    m = A.shape[0]
    picked = A[np.arange(m), Y.argmax(axis=1)]
    return -np.mean(np.log(np.maximum(picked, EPS)))


def cce_log0(A, Y):
    return -np.sum(Y * np.log(A)) / A.shape[0]


def cce_mean_everything(A, Y):
    return -np.mean(Y * np.log(np.clip(A, EPS, 1.0)))


def cce_no_m(A, Y):
    return -np.sum(Y * np.log(np.clip(A, EPS, 1.0)))


def cce_binary_formula(A, Y):
    A = np.clip(A, EPS, 1 - EPS)
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / A.shape[0]


def cce_returns_per_example(A, Y):
    return -np.sum(Y * np.log(np.clip(A, EPS, 1.0)), axis=1)


# ---------------------------------------------------------------- gradient_error


def worst_relative(a, b):
    """The course's relative error, written out: the worst element of |a - b| / (|a| + |b|)."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def central(loss, Z, Y, h):
    """Central differences of loss's J, one element of a copy of Z at a time."""
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (loss(up, Y)[0] - loss(down, Y)[0]) / (2 * h)
    return numeric


def gradcheck_right(loss, Z, Y, h=1e-5):
    return worst_relative(loss(Z, Y)[1], central(loss, Z, Y, h))


def gradcheck_nudge_and_restore(loss, Z, Y, h=1e-5):
    Z = Z.copy()
    _, dZ = loss(Z, Y)
    numeric = np.zeros_like(Z)
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            old = Z[i, j]
            Z[i, j] = old + h
            plus = loss(Z, Y)[0]
            Z[i, j] = old - h
            minus = loss(Z, Y)[0]
            Z[i, j] = old
            numeric[i, j] = (plus - minus) / (2 * h)
    from nnlib.gradcheck import rel_error

    return rel_error(dZ, numeric)


def gradcheck_flat_index(loss, Z, Y, h=1e-5):
    flat = Z.ravel()
    numeric = np.empty(flat.size)
    for n in range(flat.size):
        step = np.zeros(flat.size)
        step[n] = h
        numeric[n] = (
            loss((flat + step).reshape(Z.shape), Y)[0] - loss((flat - step).reshape(Z.shape), Y)[0]
        ) / (2 * h)
    return worst_relative(loss(Z, Y)[1], numeric.reshape(Z.shape))


def gradcheck_with_print(loss, Z, Y, h=1e-5):
    error = gradcheck_right(loss, Z, Y, h)
    print(f"relative error {error:.2e}")
    return np.float64(error)


def gradcheck_one_sided(loss, Z, Y, h=1e-5):
    J, dZ = loss(Z, Y)
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up = Z.copy()
        up[index] += h
        numeric[index] = (loss(up, Y)[0] - J) / h
    return worst_relative(dZ, numeric)


def gradcheck_over_h(loss, Z, Y, h=1e-5):
    return worst_relative(loss(Z, Y)[1], 2 * central(loss, Z, Y, h))


def gradcheck_all_at_once(loss, Z, Y, h=1e-5):
    slope = (loss(Z + h, Y)[0] - loss(Z - h, Y)[0]) / (2 * h)
    return worst_relative(loss(Z, Y)[1], np.full(Z.shape, slope))


def gradcheck_absolute(loss, Z, Y, h=1e-5):
    return float(np.max(np.abs(loss(Z, Y)[1] - central(loss, Z, Y, h))))


def gradcheck_norms(loss, Z, Y, h=1e-5):
    dZ, numeric = loss(Z, Y)[1], central(loss, Z, Y, h)
    return np.linalg.norm(dZ - numeric) / (np.linalg.norm(dZ) + np.linalg.norm(numeric))


def gradcheck_never_restored(loss, Z, Y, h=1e-5):
    _, dZ = loss(Z, Y)
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        Z[index] += h
        plus = loss(Z, Y)[0]
        Z[index] -= 2 * h
        numeric[index] = (plus - loss(Z, Y)[0]) / (2 * h)
    return worst_relative(dZ, numeric)


def gradcheck_returns_numeric(loss, Z, Y, h=1e-5):
    return central(loss, Z, Y, h)


def gradcheck_allclose(loss, Z, Y, h=1e-5):
    return np.allclose(loss(Z, Y)[1], central(loss, Z, Y, h))


# ---------------------------------------------------------------- fused gradients


def sce_right(Z, Y):
    m = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_A = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_A) / m, (np.exp(log_A) - Y) / m


def sce_einsum(Z, Y):
    m = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_A = shifted - np.log(np.einsum("ij->i", np.exp(shifted)))[:, None]
    return -np.einsum("ij,ij->", Y, log_A) / m, (np.exp(log_A) - Y) / m


def sce_list(Z, Y):
    J, dZ = sce_right(Z, Y)
    return [np.array([J]), dZ]


def sce_naive_log(Z, Y):
    m = Z.shape[0]
    A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.sum(Y * np.log(A)) / m, (A - Y) / m


def sce_dZ_no_m(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J, dZ * Z.shape[0]


def sce_dZ_from_logits(Z, Y):
    J, _ = sce_right(Z, Y)
    return J, (Z - Y) / Z.shape[0]


def sce_swapped(Z, Y):
    J, dZ = sce_right(Z, Y)
    return dZ, J


def sce_dZ_sign(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J, -dZ


def sce_dZ_m_times_k(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J, dZ / Z.shape[1]


def sce_no_return(Z, Y):
    sce_right(Z, Y)


def sce_by_central_differences(Z, Y):
    def cost(z):
        shifted = z - z.max(axis=1, keepdims=True)
        log_A = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -np.sum(Y * log_A) / z.shape[0]

    dZ, h = np.zeros_like(Z), 1e-5
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += h
        down[index] -= h
        dZ[index] = (cost(up) - cost(down)) / (2 * h)
    return cost(Z), dZ


def sbce_by_central_differences(Z, Y):
    def cost(z):
        return np.sum(np.logaddexp(0, z) - Y * z) / z.shape[0]

    dZ, h = np.zeros_like(Z), 1e-5
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += h
        down[index] -= h
        dZ[index] = (cost(up) - cost(down)) / (2 * h)
    return cost(Z), dZ


def sce_no_Y(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J, dZ + Y / Z.shape[0]


def sce_diagonal_only(Z, Y):
    J, dZ = sce_right(Z, Y)
    A = dZ * Z.shape[0] + Y
    return J, (A - 1) * Y / Z.shape[0]


def sce_softmax_down_columns(Z, Y):
    J, _ = sce_right(Z, Y)
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return J, (E / E.sum(axis=0, keepdims=True) - Y) / Z.shape[0]


def sce_dZ_transposed(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J, dZ.T


def sce_two_slips(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J * Z.shape[0], -dZ


def sce_J_no_m(Z, Y):
    J, dZ = sce_right(Z, Y)
    return J * Z.shape[0], dZ


def sbce_right(Z, Y):
    m = Z.shape[0]
    J = np.sum(np.logaddexp(0, Z) - Y * Z) / m
    A = np.exp(-np.logaddexp(0, -Z))
    return J, (A - Y) / m


def sbce_softplus_by_hand(Z, Y):
    m = Z.shape[0]
    softplus = np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z)))
    A = np.where(
        Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z)))
    )
    return np.sum(softplus - Y * Z) / m, (A - Y) / m


def sbce_naive(Z, Y):
    m = Z.shape[0]
    A = 1 / (1 + np.exp(-Z))
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m, (A - Y) / m


def sbce_extra_sigma_prime(Z, Y):
    J, dZ = sbce_right(Z, Y)
    A = np.exp(-np.logaddexp(0, -Z))
    return J, dZ * A * (1 - A)


def sbce_dZ_from_logits(Z, Y):
    J, _ = sbce_right(Z, Y)
    return J, (Z - Y) / Z.shape[0]


def sbce_dZ_no_m(Z, Y):
    J, dZ = sbce_right(Z, Y)
    return J, dZ * Z.shape[0]


def sbce_clipped(Z, Y):
    A = np.clip(np.exp(-np.logaddexp(0, -Z)), EPS, 1 - EPS)
    m = Z.shape[0]
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m, (A - Y) / m


# ---------------------------------------------------------------- choose_output_and_loss


def choose_right(Y):
    if not np.all(np.isin(Y, [0, 1])):
        return "identity", "mse"
    if Y.shape[1] > 1 and np.all(Y.sum(axis=1) == 1):
        return "softmax", "categorical_cross_entropy"
    return "sigmoid", "binary_cross_entropy"


def choose_with_list(Y):
    values = set(np.unique(Y).tolist())
    if not values <= {0.0, 1.0}:
        return ("identity", "mse")
    rows = [int(sum(row)) for row in Y]
    if Y.shape[1] >= 2 and all(r == 1 for r in rows):
        return ["softmax", "categorical_cross_entropy"]
    return ("sigmoid", "binary_cross_entropy")


def choose_softmax_for_multilabel(Y):
    if not np.all(np.isin(Y, [0, 1])):
        return "identity", "mse"
    if Y.shape[1] > 1:
        return "softmax", "categorical_cross_entropy"
    return "sigmoid", "binary_cross_entropy"


def choose_swapped(Y):
    activation, loss = choose_right(Y)
    return loss, activation


MISTAKES = [
    Mistake("gradient_error", gradcheck_one_sided, "a one-sided difference"),
    Mistake("gradient_error", gradcheck_over_h, "divided by h, not by 2h"),
    Mistake("gradient_error", gradcheck_all_at_once, "every element of Z was nudged at once"),
    Mistake("gradient_error", gradcheck_absolute, "the largest absolute difference"),
    Mistake("gradient_error", gradcheck_norms, "the relative error of the whole arrays", True),
    Mistake("gradient_error", gradcheck_never_restored, "`Z` was changed in place"),
    Mistake("gradient_error", gradcheck_returns_numeric, None),
    Mistake("gradient_error", gradcheck_allclose, None),
    Mistake("softmax_cross_entropy", sce_no_Y, "Y was never subtracted"),
    Mistake("softmax_cross_entropy", sce_diagonal_only, "only the diagonal"),
    Mistake("softmax_cross_entropy", sce_softmax_down_columns, "taken down the columns"),
    Mistake("softmax_cross_entropy", sce_dZ_transposed, "transposed"),
    Mistake("stable_softmax", softmax_naive, "exp() overflowed"),
    Mistake("stable_softmax", softmax_minus_min, "exp() overflowed"),
    Mistake("stable_softmax", softmax_global_max, "the max of the whole array was subtracted"),
    Mistake("stable_softmax", softmax_axis0, "normalised over the wrong axis"),
    Mistake("stable_softmax", softmax_no_exp, "the exp() is missing"),
    Mistake("stable_softmax", softmax_in_place, "`Z` was changed in place"),
    Mistake("stable_softmax", softmax_sum_over_all, "normalised over the whole array"),
    Mistake("binary_cross_entropy", bce_log0, "log(0)"),
    Mistake("binary_cross_entropy", bce_mean_everything, "averaged over all m·k entries"),
    Mistake("binary_cross_entropy", bce_no_m, "the 1/m of the mean over the batch"),
    Mistake("binary_cross_entropy", bce_one_term, "only the y·log(a) term"),
    Mistake("binary_cross_entropy", bce_sign, "wrong sign"),
    Mistake("binary_cross_entropy", bce_clip_in_place, "`A` was changed in place"),
    Mistake("categorical_cross_entropy", cce_log0, "log(0)"),
    Mistake("categorical_cross_entropy", cce_mean_everything, "averaged over all m·k entries"),
    Mistake("categorical_cross_entropy", cce_no_m, "the 1/m of the mean over the batch"),
    Mistake("categorical_cross_entropy", cce_binary_formula, "this is the binary cross-entropy"),
    Mistake("categorical_cross_entropy", cce_returns_per_example, "one cost per example"),
    Mistake("softmax_cross_entropy", sce_naive_log, "J is not finite"),
    Mistake("softmax_cross_entropy", sce_dZ_no_m, "the 1/m of the mean over the batch"),
    Mistake("softmax_cross_entropy", sce_dZ_from_logits, "Y was subtracted from the logits"),
    Mistake("softmax_cross_entropy", sce_swapped, "swapped"),
    Mistake("softmax_cross_entropy", sce_dZ_sign, "wrong sign"),
    Mistake("softmax_cross_entropy", sce_dZ_m_times_k, "divided by m·k"),
    Mistake("softmax_cross_entropy", sce_no_return, "nothing was returned"),
    Mistake("softmax_cross_entropy", sce_J_no_m, "the 1/m of the mean over the batch"),
    Mistake("softmax_cross_entropy", sce_two_slips, "; and dZ has the wrong sign everywhere"),
    Mistake("softmax_cross_entropy", sce_by_central_differences, None, hidden_only=True),
    Mistake("sigmoid_bce", sbce_by_central_differences, None, hidden_only=True),
    Mistake("sigmoid_bce", sbce_naive, "log(0)"),
    Mistake("sigmoid_bce", sbce_extra_sigma_prime, "an extra factor σ'(Z)"),
    Mistake("sigmoid_bce", sbce_dZ_from_logits, "Y was subtracted from the logits"),
    Mistake("sigmoid_bce", sbce_dZ_no_m, "the 1/m of the mean over the batch"),
    Mistake("sigmoid_bce", sbce_clipped, "the loss was clipped"),
    Mistake("choose_output_and_loss", choose_softmax_for_multilabel, "several 1s"),
    Mistake("choose_output_and_loss", choose_swapped, "swapped"),
]

CORRECT = [
    Correct("gradient_error", gradcheck_right),
    Correct("gradient_error", gradcheck_nudge_and_restore),
    Correct("gradient_error", gradcheck_flat_index),
    Correct("gradient_error", gradcheck_with_print),
    Correct("stable_softmax", softmax_right),
    Correct("stable_softmax", softmax_loop),
    Correct("stable_softmax", softmax_logsumexp),
    Correct("stable_softmax", softmax_with_print_and_warning),
    Correct("binary_cross_entropy", bce_right),
    Correct("binary_cross_entropy", bce_where),
    Correct("binary_cross_entropy", bce_as_column),
    Correct("categorical_cross_entropy", cce_right),
    Correct("categorical_cross_entropy", cce_true_class),
    Correct("softmax_cross_entropy", sce_right),
    Correct("softmax_cross_entropy", sce_einsum),
    Correct("softmax_cross_entropy", sce_list),
    Correct("sigmoid_bce", sbce_right),
    Correct("sigmoid_bce", sbce_softplus_by_hand),
    Correct("choose_output_and_loss", choose_right),
    Correct("choose_output_and_loss", choose_with_list),
]
