"""The checks: a right answer passes, each known mistake is named, a wrong answer is located.

Each mistake is written out here the way a student would write it, independently of the
builder in ``grader.mistakes`` that predicts its result, and the test asserts the diagnosis.
"""

import numpy as np
import pytest

from grader import mistakes
from grader.checks import (
    CheckFailed,
    check_gradient,
    compare,
    diagnose,
    matches,
    relative_error,
)
from nnlib.activations import relu, sigmoid, softmax
from nnlib.dropout import dropout_backward, dropout_forward
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import categorical_cross_entropy


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def failure(name, actual, expected, **options) -> str:
    """The message compare raises; fails the test if compare accepts the answer."""
    with pytest.raises(CheckFailed) as caught:
        compare(name, actual, expected, **options)
    return str(caught.value)


# --- the building blocks -------------------------------------------------------------------


def test_relative_error_is_cs231n_rel_error():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert relative_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == 0.5
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0


def test_matches_needs_shape_values_and_the_same_special_values():
    assert matches([1.0, 2.0], [1.0, 2.0 + 1e-9])
    assert not matches([1.0, 2.0], [[1.0, 2.0]])
    assert not matches([1.0, 2.1], [1.0, 2.0])
    assert matches([np.nan, np.inf], [np.nan, np.inf])
    assert not matches([np.nan, 1.0], [0.0, 1.0])
    assert not matches([np.inf], [-np.inf])
    assert not matches(["a"], [1.0])


def test_diagnose_accepts_arrays_and_predicates_in_order():
    found = {"skipped": None, "is negative": lambda a: bool(np.all(a < 0)), "double": [2.0]}
    assert diagnose(np.array([2.0]), found) == "double"
    assert diagnose(np.array([-1.0]), found) == "is negative"
    assert diagnose(np.array([5.0]), found) is None


# --- forward checks: value, shape, dtype ---------------------------------------------------


def test_a_right_answer_passes_within_the_threshold():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    compare("A", expected * (1 + 1e-9), expected)
    compare("J", 0.25, 0.25)
    compare("A", expected.tolist(), expected, dtype=np.float64)


def test_a_wrong_value_names_the_worst_element_error_and_threshold():
    expected = np.arange(6.0).reshape(2, 3)
    actual = expected.copy()
    actual[1, 2] = 99.0
    actual[0, 1] = 1.5
    message = failure("A", actual, expected)
    assert message == (
        "A is wrong at index (1, 2): expected 5, got 99.\n"
        "  shape (2, 3) (expected (2, 3)); relative error 9.04e-01, threshold 1e-07."
    )


def test_a_wrong_scalar_has_no_index():
    message = failure("J", 0.7, 0.5, rtol=1e-6)
    assert message.startswith("J is wrong: expected 0.5, got 0.7.\n")
    assert "relative error 1.67e-01, threshold 1e-06" in message


def test_a_wrong_shape_gives_both_shapes():
    message = failure("Z", np.ones((4, 2)), np.ones((4, 3)))
    assert message == "Z has shape (4, 2), expected (4, 3)."


def test_a_wrong_dtype_is_named_after_the_values_pass():
    message = failure("y", np.array([1, 0, 1]), np.array([1.0, 0.0, 1.0]), dtype=np.float64)
    assert message == "y has the right values but dtype int64; expected float64."


def test_nothing_returned_or_not_numbers():
    assert failure("dX", None, np.ones(2)) == "dX is None: did you forget to `return` it?"
    assert "should be a numpy array of numbers, got str" in failure("dX", "ones", np.ones(2))


def test_nan_or_inf_is_reported_with_its_index():
    expected = np.ones((2, 2))
    actual = expected.copy()
    actual[1, 0] = np.inf
    message = failure("A", actual, expected)
    assert message.startswith("A contains inf at index (1, 0) (expected 1); 1 of 4 entries")
    assert "exp() that overflows, a log(0) or a division by zero" in message


def test_the_source_of_the_expected_values_is_named():
    message = failure("dW", np.array([1.0]), np.array([2.0]), reference="nnlib")
    assert "expected 2 (nnlib), got 1" in message


def test_a_correct_answer_that_overflows_in_the_check_does_not_warn():
    with np.errstate(all="raise"):
        message = failure("A", np.array([1e308, -1e308]), np.array([-1e308, 1e308]))
    assert "relative error 1.00e+00" in message


# --- generic mistakes ----------------------------------------------------------------------


def test_transposed_matrix_is_diagnosed_with_both_shapes(rng):
    dW = rng.standard_normal((3, 2))
    message = failure("dW", dW.T, dW)
    assert message.startswith("dW has shape (2, 3), expected (3, 2).")
    assert "Diagnosis: dW looks transposed: expected shape (3, 2), got (2, 3)" in message


def test_flipped_sign_is_diagnosed(rng):
    dX = rng.standard_normal((4, 3))
    assert "Diagnosis: dX has the wrong sign everywhere" in failure("dX", -dX, dX)


# --- the dense layer's backward pass -------------------------------------------------------


@pytest.fixture
def dense(rng):
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    dZ = rng.standard_normal((5, 2))
    return X, W, b, dZ


def test_missing_and_extra_one_over_m(dense):
    X, W, b, dZ = dense
    m = X.shape[0]
    dW = X.T @ dZ / m  # the gradient of a cost averaged over the batch
    found = mistakes.batch_scale("dW", dW, m)
    assert "1/m of the mean over the batch (m = 5) is missing" in failure(
        "dW", X.T @ dZ, dW, mistakes=found
    )
    assert "divided by m = 5 once too often" in failure("dW", X.T @ dZ / m / m, dW, mistakes=found)


def test_bias_gradient_not_summed_over_the_batch(dense):
    X, W, b, dZ = dense
    _, _, db = dense_backward(dZ, X, W)
    found = mistakes.bias_not_summed("db", dZ)
    message = failure("db", dZ, db, mistakes=found)
    assert message.startswith("db has shape (5, 2), expected (2,).")
    assert "Diagnosis: db was not summed over the batch" in message
    assert "db was summed over the wrong axis" in failure(
        "db", np.sum(dZ, axis=1), db, mistakes=found
    )


def test_dense_backward_against_central_differences(dense):
    X, W, b, dZ = dense
    dX, dW, db = dense_backward(dZ, X, W)
    check_gradient("dW", dW, lambda W_: dense_forward(X, W_, b), W, dZ, expected=dW)
    check_gradient("db", db, lambda b_: dense_forward(X, W, b_), b, dZ, expected=db)
    check_gradient("dX", dX, lambda X_: dense_forward(X_, W, b), X, dZ, expected=dX)


def test_a_wrong_gradient_is_measured_against_central_differences(dense):
    X, W, b, dZ = dense
    _, dW, _ = dense_backward(dZ, X, W)
    wrong = dW.copy()
    wrong[2, 1] += 1.0
    with pytest.raises(CheckFailed) as caught:
        check_gradient("dW", wrong, lambda W_: dense_forward(X, W_, b), W, dZ, expected=dW)
    message = str(caught.value)
    assert message.startswith(f"dW is wrong at index (2, 1): expected {dW[2, 1]:.6g} ")
    assert "(central differences of the forward pass)" in message
    assert "threshold 1e-06" in message


# --- activations ---------------------------------------------------------------------------


def test_sigmoid_derivative_from_the_wrong_quantity(rng):
    Z, dA = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    A = sigmoid(Z)
    right = dA * A * (1 - A)
    found = mistakes.sigmoid_derivative("dZ", Z, dA)
    compare("dZ", dA * sigmoid(Z) * (1 - sigmoid(Z)), right, mistakes=found)
    of_activation = dA * sigmoid(A) * (1 - sigmoid(A))  # σ' applied to A
    assert "dZ applies σ' to A = σ(z) instead of to z" in failure(
        "dZ", of_activation, right, mistakes=found
    )
    of_z = dA * Z * (1 - Z)  # A(1 − A) with z in place of A
    assert "dZ computes z(1 − z): that formula is for A = σ(z)" in failure(
        "dZ", of_z, right, mistakes=found
    )
    assert "dZ is the local derivative alone: multiply it by the upstream gradient" in failure(
        "dZ", A * (1 - A), right, mistakes=found
    )


def test_relu_derivative_on_the_wrong_side(rng):
    # Exact zeros, where z < 0 and z <= 0 differ, as an exercise's cases should have.
    Z = np.round(rng.standard_normal((4, 3)))
    dA = rng.standard_normal((4, 3))
    assert np.any(Z == 0)
    right = dA * (Z > 0)
    found = mistakes.relu_derivative("dZ", Z, dA)
    compare("dZ", np.where(relu(Z) > 0, dA, 0.0), right, mistakes=found)
    for wrong, test in ((dA * (Z < 0), "z < 0"), (np.where(Z <= 0, dA, 0.0), "z <= 0")):
        message = failure("dZ", wrong, right, mistakes=found)
        assert "the ReLU derivative is taken on the wrong side: it is 1 where z > 0" in message
        assert message.endswith(f"but dZ uses {test}.")
    assert "multiply it by the upstream gradient" in failure(
        "dZ", (Z > 0) * 1.0, right, mistakes=found
    )


def test_softmax_without_the_max_overflows_and_says_so():
    Z = np.array([[1000.0, 999.0, 0.0], [1.0, 2.0, 3.0]])
    with np.errstate(all="ignore"):
        naive = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    message = failure("A", naive, softmax(Z), mistakes=mistakes.softmax("A", Z))
    assert message.startswith("A contains nan at index (0, 0) (expected 0.731059)")
    assert "Diagnosis: A overflowed: exp(z) is inf for large z and inf/inf is nan" in message


def test_softmax_over_the_wrong_axis(rng):
    Z = rng.standard_normal((4, 3))
    per_column = np.exp(Z) / np.exp(Z).sum(axis=0)
    message = failure("A", per_column, softmax(Z), mistakes=mistakes.softmax("A", Z))
    assert "Diagnosis: A is normalised over the wrong axis: each row" in message
    assert "overflowed" not in str(mistakes.softmax("A", Z))


def test_cross_entropy_taking_log_of_zero_says_so():
    A = np.array([[1.0, 0.0], [0.5, 0.5]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    J, _ = categorical_cross_entropy(A, Y)
    with np.errstate(all="ignore"):
        naive = -np.sum(Y * np.log(A)) / 2
    message = failure("J", naive, J, mistakes=mistakes.cross_entropy_log0("J", A, Y))
    assert message.startswith(f"J contains inf (expected {J:.6g}); 1 of 1 entries")
    assert "Diagnosis: J took log(0) = -inf" in message
    assert mistakes.cross_entropy_log0("J", np.full((2, 2), 0.5), Y) == {}


def test_binary_cross_entropy_log0_gives_nan():
    A, Y = np.array([1.0, 0.2]), np.array([1.0, 0.0])
    found = mistakes.cross_entropy_log0("J", A, Y, binary=True)
    with np.errstate(all="ignore"):
        naive = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    assert np.isnan(naive)
    assert diagnose(naive, found).startswith("J took log(0)")


# --- regularisation ------------------------------------------------------------------------


def test_l2_gradient_missing_its_factor_2_or_the_penalty(rng):
    W, data = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    lam = 0.1
    right = data + 2 * lam * W
    found = mistakes.l2_gradient("dW", data, W, lam)
    compare("dW", right, right, mistakes=found)
    assert "dW is missing the factor 2 of the L2 gradient" in failure(
        "dW", data + lam * W, right, mistakes=found
    )
    assert "dW has no L2 term" in failure("dW", data, right, mistakes=found)


def test_l2_applied_to_the_biases(rng):
    db, b = rng.standard_normal(2), rng.standard_normal(2)
    message = failure("db", db + 2 * 0.1 * b, db, mistakes=mistakes.l2_on_bias("db", db, b, 0.1))
    assert "penalty applies to the weights only, never the biases" in message


# --- dropout -------------------------------------------------------------------------------


def test_dropout_forward_not_rescaled_or_p_as_keep_probability(rng):
    X, p = rng.standard_normal((6, 4)), 0.3
    A, keep = dropout_forward(X, p, np.random.default_rng(1))
    found = mistakes.dropout_forward("A", X, keep, p)
    compare("A", X * keep / (1 - p), A, mistakes=found)
    assert "A is not rescaled: inverted dropout divides the kept units by 1 − p" in failure(
        "A", X * keep, A, mistakes=found
    )
    u = np.random.default_rng(1).random(X.shape)
    assert "A keeps units with probability p, but p is the probability of dropping" in failure(
        "A", X * (u < p) / (1 - p), A, mistakes=found
    )


def test_dropout_backward_not_rescaled_or_with_a_new_mask(rng):
    dA, p = rng.standard_normal((6, 4)), 0.5
    keep = rng.random((6, 4)) >= p
    right = dropout_backward(dA, keep, p)
    found = mistakes.dropout_backward("dX", dA, keep, p)
    compare("dX", dA * keep / (1 - p), right, mistakes=found)
    assert "dX is not rescaled: divide by 1 − p in the backward pass too" in failure(
        "dX", dA * keep, right, mistakes=found
    )
    new_keep = np.random.default_rng(99).random((6, 4)) >= p
    assert not np.array_equal(new_keep, keep)
    assert "reuse the forward pass's mask (from the cache) instead of drawing a new one" in (
        failure("dX", dA * new_keep / (1 - p), right, mistakes=found)
    )
