"""The checks: a right answer passes, each known mistake is named, a wrong answer is located.

Each mistake is written out here the way a student would write it, independently of the
builder in ``grader.mistakes`` that predicts its result, and the test asserts the diagnosis.
The kit's guards (``grader.kit``) are held to their exact wording, which every lesson shares.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from grader import mistakes
from grader.checks import (
    CheckFailed,
    check_gradient,
    compare,
    diagnose,
    failure,
    matches,
)
from grader.kit import expect_dict, expect_scalar, expect_tuple
from nnlib.activations import relu, sigmoid, softmax
from nnlib.dropout import dropout_backward, dropout_forward
from nnlib.gradcheck import numerical_gradient_array, rel_error
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import categorical_cross_entropy

EXERCISES = Path(__file__).parents[1] / "grader" / "exercises"


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def message_of(name, actual, expected, **options) -> str:
    """The message compare raises; fails the test if compare accepts the answer."""
    with pytest.raises(CheckFailed) as caught:
        compare(name, actual, expected, **options)
    return str(caught.value)


# --- the building blocks -------------------------------------------------------------------


def test_rel_error_is_zero_when_equal_and_for_empty_arrays():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == 0.5
    assert rel_error(np.zeros(0), np.zeros(0)) == 0.0
    assert rel_error(np.zeros((3, 0)), np.zeros((3, 0))) == 0.0


def test_rel_error_does_not_overflow_near_the_largest_float():
    big = np.finfo(np.float64).max  # about 1.8e308: |a| + |b| would be inf
    with np.errstate(all="raise"):
        assert rel_error(np.array([big]), np.array([big])) == 0.0
        assert rel_error(np.array([big]), np.array([-big])) == 1.0
        assert rel_error(np.array([1e308]), np.array([0.5e308])) == pytest.approx(1 / 3)


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
    message = message_of("A", actual, expected)
    assert message == (
        "A is wrong at index (1, 2): expected 5, got 99.\n"
        "  shape (2, 3) (expected (2, 3)); relative error 9.04e-01, threshold 1e-07."
    )


def test_a_wrong_scalar_has_no_index():
    message = message_of("J", 0.7, 0.5, rtol=1e-6)
    assert message.startswith("J is wrong: expected 0.5, got 0.7.\n")
    assert "relative error 1.67e-01, threshold 1e-06" in message


def test_a_wrong_shape_gives_both_shapes():
    message = message_of("Z", np.ones((4, 2)), np.ones((4, 3)))
    assert message == "Z has shape (4, 2), expected (4, 3)."


def test_a_wrong_dtype_is_named_after_the_values_pass():
    message = message_of("y", np.array([1, 0, 1]), np.array([1.0, 0.0, 1.0]), dtype=np.float64)
    assert message == "y has the right values but dtype int64; expected float64."


def test_nothing_returned_or_not_numbers():
    assert message_of("dX", None, np.ones(2)) == (
        "dX is None: the value returned for dX is None (a function that ends without "
        "`return` gives None)."
    )
    assert "should be a numpy array of numbers, got str" in message_of("dX", "ones", np.ones(2))


def test_nan_or_inf_is_reported_with_its_index():
    expected = np.ones((2, 2))
    actual = expected.copy()
    actual[1, 0] = np.inf
    message = message_of("A", actual, expected)
    assert message.startswith("A contains inf at index (1, 0) (expected 1); 1 of 4 entries")
    assert "exp() that overflows, a log(0) or a division by zero" in message


def test_the_source_of_the_expected_values_is_named():
    message = message_of("dW", np.array([1.0]), np.array([2.0]), reference="nnlib")
    assert "expected 2 (nnlib), got 1" in message


def test_a_correct_answer_that_overflows_in_the_check_does_not_warn():
    with np.errstate(all="raise"):
        message = message_of("A", np.array([1e308, -1e308]), np.array([-1e308, 1e308]))
    assert "relative error 1.00e+00" in message


# --- generic mistakes ----------------------------------------------------------------------


def test_transposed_matrix_is_diagnosed_with_both_shapes(rng):
    dW = rng.standard_normal((3, 2))
    message = message_of("dW", dW.T, dW)
    assert message.startswith("dW has shape (2, 3), expected (3, 2).")
    assert "Diagnosis: dW looks transposed: its shape should be (3, 2)" in message


def test_flipped_sign_is_diagnosed(rng):
    dX = rng.standard_normal((4, 3))
    assert "Diagnosis: dX has the wrong sign everywhere" in message_of("dX", -dX, dX)


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
    assert "1/m of the mean over the batch (m = 5) is missing" in message_of(
        "dW", X.T @ dZ, dW, mistakes=found
    )
    assert "divided by m = 5 once too often" in message_of(
        "dW", X.T @ dZ / m / m, dW, mistakes=found
    )


def test_bias_gradient_not_summed_over_the_batch(dense):
    X, W, b, dZ = dense
    _, _, db = dense_backward(dZ, X, W)
    found = mistakes.bias_not_summed("db", dZ)
    message = message_of("db", dZ, db, mistakes=found)
    assert message.startswith("db has shape (5, 2), expected (2,).")
    assert "Diagnosis: db was not summed over the batch" in message
    assert "db was summed over the wrong axis" in message_of(
        "db", np.sum(dZ, axis=1), db, mistakes=found
    )


def test_dense_backward_against_central_differences(dense):
    X, W, b, dZ = dense
    dX, dW, db = dense_backward(dZ, X, W)
    before = X.copy()
    check_gradient("dW", dW, lambda W_: dense_forward(X, W_, b), W, dZ, expected=dW)
    check_gradient("db", db, lambda b_: dense_forward(X, W, b_), b, dZ, expected=db)
    check_gradient("dX", dX, lambda X_: dense_forward(X_, W, b), X, dZ)  # no reference
    np.testing.assert_array_equal(X, before)  # central differences nudge a copy


def test_a_wrong_gradient_says_how_it_sits_against_central_differences(dense):
    X, W, b, dZ = dense
    _, dW, _ = dense_backward(dZ, X, W)
    wrong = dW.copy()
    wrong[2, 1] += 1.0
    forward = lambda W_: dense_forward(X, W_, b)  # noqa: E731
    with pytest.raises(CheckFailed) as caught:
        check_gradient("dW", wrong, forward, W, dZ, expected=dW)
    numeric = numerical_gradient_array(forward, W.copy(), dZ)
    message = str(caught.value)
    assert message.startswith(f"dW is wrong at index (2, 1): expected {dW[2, 1]:.6g}, got ")
    assert "threshold 1e-07" in message  # judged against the reference, not the estimate
    assert message.endswith(
        "\n  Central differences of the forward pass agree with the expected dW (relative error "
        f"{rel_error(dW, numeric):.1e}), not with yours (relative error "
        f"{rel_error(wrong, numeric):.1e})."
    )
    assert caught.value.diagnosis is None


def test_the_note_keeps_the_diagnosis_and_leaves_out_what_cannot_be_measured(dense):
    X, W, b, dZ = dense
    _, _, db = dense_backward(dZ, X, W)
    forward = lambda b_: dense_forward(X, W, b_)  # noqa: E731
    found = mistakes.bias_not_summed("db", dZ)
    with pytest.raises(CheckFailed) as caught:
        check_gradient("db", dZ, forward, b, dZ, expected=db, mistakes=found)
    assert caught.value.diagnosis.startswith("db was not summed over the batch")
    lines = str(caught.value).splitlines()
    assert lines[0] == "db has shape (5, 2), expected (2,)."
    assert lines[1].startswith("  Diagnosis: db was not summed over the batch")
    assert re.fullmatch(
        r"  Central differences of the forward pass agree with the expected db "
        r"\(relative error \d\.\de-\d\d\)\.",
        lines[2],
    )
    with pytest.raises(CheckFailed) as caught:
        check_gradient("db", None, forward, b, dZ, expected=db)
    assert str(caught.value) == (
        "db is None: the value returned for db is None (a function that ends without "
        "`return` gives None)."
    )


def test_without_a_reference_the_gradient_is_judged_by_central_differences(dense):
    X, W, b, dZ = dense
    _, dW, _ = dense_backward(dZ, X, W)
    wrong = dW.copy()
    wrong[2, 1] += 1.0
    with pytest.raises(CheckFailed) as caught:
        check_gradient("dW", wrong, lambda W_: dense_forward(X, W_, b), W, dZ)
    message = str(caught.value)
    assert message.startswith(f"dW is wrong at index (2, 1): expected {dW[2, 1]:.6g} ")
    assert "(central differences of the forward pass)" in message
    assert "threshold 1e-06" in message
    assert "agree with the expected" not in message


def test_the_gradient_of_a_cost_with_respect_to_a_number():
    # A cost of one number b: x is a 0-d array, dout is 1.0.
    cost = lambda b: float((b - 3.0) ** 2)  # noqa: E731
    check_gradient("dC_db", -4.0, cost, 1.0, 1.0, expected=-4.0)
    with pytest.raises(CheckFailed, match=r"not with yours \(relative error 3\.3e-01\)\.$"):
        check_gradient("dC_db", -2.0, cost, 1.0, 1.0, expected=-4.0)


# --- activations ---------------------------------------------------------------------------


def test_sigmoid_derivative_from_the_wrong_quantity(rng):
    Z, dA = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    A = sigmoid(Z)
    right = dA * A * (1 - A)
    found = mistakes.sigmoid_derivative("dZ", Z, dA)
    compare("dZ", dA * sigmoid(Z) * (1 - sigmoid(Z)), right, mistakes=found)
    of_activation = dA * sigmoid(A) * (1 - sigmoid(A))  # σ' applied to A
    assert "dZ applies σ' to A = σ(z) instead of to z" in message_of(
        "dZ", of_activation, right, mistakes=found
    )
    of_z = dA * Z * (1 - Z)  # A(1 − A) with z in place of A
    assert "dZ computes z(1 − z): that formula is for A = σ(z)" in message_of(
        "dZ", of_z, right, mistakes=found
    )
    assert "dZ is the local derivative alone: multiply it by the upstream gradient" in message_of(
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
        message = message_of("dZ", wrong, right, mistakes=found)
        assert "the ReLU derivative is taken on the wrong side: it is 1 where z > 0" in message
        assert message.endswith(f"but dZ uses {test}.")
    assert "multiply it by the upstream gradient" in message_of(
        "dZ", (Z > 0) * 1.0, right, mistakes=found
    )


def test_softmax_without_the_max_overflows_and_says_so():
    Z = np.array([[1000.0, 999.0, 0.0], [1.0, 2.0, 3.0]])
    with np.errstate(all="ignore"):
        naive = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    message = message_of("A", naive, softmax(Z), mistakes=mistakes.softmax("A", Z))
    assert message.startswith("A contains nan at index (0, 0) (expected 0.731059)")
    assert "Diagnosis: A overflowed: exp(z) is inf for large z and inf/inf is nan" in message


def test_softmax_over_the_wrong_axis(rng):
    Z = rng.standard_normal((4, 3))
    per_column = np.exp(Z) / np.exp(Z).sum(axis=0)
    message = message_of("A", per_column, softmax(Z), mistakes=mistakes.softmax("A", Z))
    assert "Diagnosis: A is normalised over the wrong axis: each row" in message
    assert "overflowed" not in str(mistakes.softmax("A", Z))


def test_cross_entropy_taking_log_of_zero_says_so():
    A = np.array([[1.0, 0.0], [0.5, 0.5]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    J, _ = categorical_cross_entropy(A, Y)
    with np.errstate(all="ignore"):
        naive = -np.sum(Y * np.log(A)) / 2
    message = message_of("J", naive, J, mistakes=mistakes.cross_entropy_log0("J", A, Y))
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
    assert "dW is missing the factor 2 of the L2 gradient" in message_of(
        "dW", data + lam * W, right, mistakes=found
    )
    assert "dW has no L2 term" in message_of("dW", data, right, mistakes=found)


def test_l2_applied_to_the_biases(rng):
    db, b = rng.standard_normal(2), rng.standard_normal(2)
    message = message_of("db", db + 2 * 0.1 * b, db, mistakes=mistakes.l2_on_bias("db", db, b, 0.1))
    assert "penalty applies to the weights only, never the biases" in message


# --- dropout -------------------------------------------------------------------------------


def test_dropout_forward_not_rescaled_or_p_as_keep_probability(rng):
    X, p = rng.standard_normal((6, 4)), 0.3
    A, keep = dropout_forward(X, p, np.random.default_rng(1))
    found = mistakes.dropout_forward("A", X, keep, p)
    compare("A", X * keep / (1 - p), A, mistakes=found)
    assert "A is not rescaled: inverted dropout divides the kept units by 1 − p" in message_of(
        "A", X * keep, A, mistakes=found
    )
    u = np.random.default_rng(1).random(X.shape)
    assert "A keeps units with probability p, but p is the probability of dropping" in message_of(
        "A", X * (u < p) / (1 - p), A, mistakes=found
    )


def test_dropout_backward_not_rescaled_or_with_a_new_mask(rng):
    dA, p = rng.standard_normal((6, 4)), 0.5
    keep = rng.random((6, 4)) >= p
    right = dropout_backward(dA, keep, p)
    found = mistakes.dropout_backward("dX", dA, keep, p)
    compare("dX", dA * keep / (1 - p), right, mistakes=found)
    assert "dX is not rescaled: divide by 1 − p in the backward pass too" in message_of(
        "dX", dA * keep, right, mistakes=found
    )
    new_keep = np.random.default_rng(99).random((6, 4)) >= p
    assert not np.array_equal(new_keep, keep)
    assert "reuse the forward pass's mask (from the cache) instead of drawing a new one" in (
        message_of("dX", dA * new_keep / (1 - p), right, mistakes=found)
    )


# --- failure and the diagnosis as data -----------------------------------------------------


def test_failure_puts_the_diagnosis_on_its_own_line_and_keeps_it():
    named = failure("h is wrong.", "h has the wrong sign everywhere")
    assert str(named) == "h is wrong.\n  Diagnosis: h has the wrong sign everywhere."
    assert named.diagnosis == "h has the wrong sign everywhere"
    plain = failure("h is wrong.", None)
    assert str(plain) == "h is wrong." and plain.diagnosis is None
    assert named.at("[h, case 1 of 1]").diagnosis == named.diagnosis


def test_compare_carries_its_diagnosis_as_data(rng):
    dX = rng.standard_normal((4, 3))
    with pytest.raises(CheckFailed) as caught:
        compare("dX", -dX, dX)
    assert caught.value.diagnosis == "dX has the wrong sign everywhere: check the sign of each term"
    assert str(caught.value).endswith(f"\n  Diagnosis: {caught.value.diagnosis}.")


# --- the kit: the shapes of result an exercise demands -------------------------------------


def kit_message(guard, *args, **options) -> str:
    with pytest.raises(CheckFailed) as caught:
        guard(*args, **options)
    assert caught.value.diagnosis is None  # a wrong shape of result is not a known mistake
    return str(caught.value)


def test_expect_tuple_accepts_a_tuple_or_a_list_of_the_right_length():
    names = ("dX", "dW", "db")
    assert expect_tuple("dense_backward", (1, 2, 3), names) == (1, 2, 3)
    assert expect_tuple("dense_backward", [1, None, 3], names) == (1, None, 3)


@pytest.mark.parametrize(
    ("outputs", "got"),
    [
        (0.5, "a float"),
        (np.zeros((2, 3)), "an array of shape (2, 3)"),
        ((1, 2), "a tuple of 2 values"),
        ([1], "a list of 1 value"),
        ({"dX": 1}, "a dict"),
        (7, "an int"),
    ],
)
def test_expect_tuple_says_what_came_back(outputs, got):
    assert kit_message(expect_tuple, "dense_backward", outputs, ("dX", "dW", "db")) == (
        f"dense_backward should return 3 values, `return dX, dW, db`; got {got}."
    )


def test_expect_tuple_names_a_missing_return():
    with pytest.raises(CheckFailed) as caught:
        expect_tuple("dense_backward", None, ("dX", "dW", "db"))
    assert caught.value.diagnosis == (
        "nothing was returned: end the function with `return dX, dW, db`"
    )


@pytest.mark.parametrize("number", [0.25, np.array([[0.25]]), np.float64(0.25)])
def test_expect_tuple_names_swapped_return_values(number):
    with pytest.raises(CheckFailed) as caught:
        expect_tuple("softmax_cross_entropy", (np.ones((3, 2)), number), ("J", "dZ"), numbers="J")
    assert str(caught.value).startswith(
        "softmax_cross_entropy should return 2 values, `return J, dZ`; got them in the order dZ, J."
    )
    assert caught.value.diagnosis.startswith("the return values are swapped")
    grads = {"W1": np.ones(2)}
    with pytest.raises(CheckFailed, match="got them in the order grads, penalty"):
        expect_tuple("l2_regularisation", (grads, number), ("penalty", "grads"), numbers="penalty")
    # Right order, or kinds that cannot be told apart: no claim about the order.
    assert expect_tuple("f", (number, np.ones(3)), ("J", "dZ"), numbers="J")[1].shape == (3,)
    assert expect_tuple("f", ("a", np.ones(3)), ("J", "dZ"), numbers="J")[0] == "a"


def test_expect_scalar_names_one_cost_per_example():
    with pytest.raises(CheckFailed) as caught:
        expect_scalar("J", np.ones(4), batch=4)
    assert caught.value.diagnosis.startswith("one cost per example")
    assert kit_message(expect_scalar, "J", np.ones(3), batch=4) == (
        "J should be one number; got an array of shape (3,)."
    )


@pytest.mark.parametrize(
    "value",
    [
        0.25,
        1,
        np.float64(0.25),
        np.int64(1),
        np.array(0.25),
        np.array([0.25]),
        np.array([[0.25]]),
        np.array([True]),
    ],
)
def test_expect_scalar_accepts_any_one_number(value):
    number = expect_scalar("J", value)
    assert type(number) is float and number in (0.25, 1.0)


def test_expect_scalar_keeps_nan_and_inf_for_compare_to_report():
    assert np.isnan(expect_scalar("J", np.array([np.nan])))
    assert expect_scalar("J", -np.inf) == -np.inf
    assert expect_scalar("J", 10**400) == np.inf


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (np.zeros(3), "an array of shape (3,)"),
        (np.zeros((2, 2)), "an array of shape (2, 2)"),
        (np.zeros(0), "an array of shape (0,)"),
        ([0.25], "a list of 1 value"),
        ((0.25, 0.5), "a tuple of 2 values"),
        ("0.25", "a str"),
    ],
)
def test_expect_scalar_rejects_anything_else(value, got):
    assert kit_message(expect_scalar, "J", value) == f"J should be one number; got {got}."


def test_expect_scalar_asks_about_return_only_for_none():
    assert kit_message(expect_scalar, "J", None) == (
        "J is None: the value returned for J is None (a function that ends without `return` "
        "gives None)."
    )
    assert "forget" not in kit_message(expect_scalar, "J", np.array([None]))


KEYS = ("W1", "b1", "W2", "b2")
WANTED = "mlp_backward should return a dict with the keys 'W1', 'b1', 'W2', 'b2'"


def test_expect_dict_accepts_a_dict_with_every_key_and_more():
    grads = {"W1": 1, "b1": 2, "W2": 3, "b2": 4, "extra": None}
    assert expect_dict("mlp_backward", grads, KEYS) is grads


def test_expect_dict_names_what_is_wrong():
    assert kit_message(expect_dict, "mlp_backward", [1, 2], KEYS) == (
        f"{WANTED}; got a list of 2 values."
    )
    assert kit_message(expect_dict, "mlp_backward", {"W1": 1, "W2": 3}, KEYS) == (
        f"{WANTED}; the keys 'b1', 'b2' are missing."
    )
    assert kit_message(expect_dict, "mlp_backward", {"W1": 1, "b1": 2, "W2": 3}, KEYS) == (
        f"{WANTED}; the key 'b2' is missing."
    )


def test_expect_dict_reports_a_value_of_none_as_such_not_as_a_missing_return():
    grads = {"W1": None, "b1": 2, "W2": 3, "b2": 4}
    assert kit_message(expect_dict, "mlp_backward", grads, KEYS) == (
        f"{WANTED}; the value for key 'W1' is None."
    )
    grads["b2"] = None
    assert kit_message(expect_dict, "mlp_backward", grads, KEYS) == (
        f"{WANTED}; the values for keys 'W1', 'b2' are None."
    )


def test_expect_dict_names_the_returned_value_that_should_be_the_dict():
    assert kit_message(expect_dict, "l2_regularisation", None, ("W1",), item="grads") == (
        "l2_regularisation should return grads as a dict with the keys 'W1'; got None."
    )


@pytest.mark.parametrize("module", sorted(EXERCISES.glob("l*.py")), ids=lambda path: path.stem)
def test_exercise_modules_use_the_kit_not_hand_written_guards(module):
    """Shapes of result go through grader.kit, and diagnoses through grader.checks.failure."""
    source = module.read_text(encoding="utf-8")
    assert "isinstance(outputs, (tuple, list))" not in source
    assert "isinstance(outputs, (list, tuple))" not in source
    assert "Diagnosis:" not in source
    assert "np.ndim(" not in source  # a scalar guard: use expect_scalar


@pytest.mark.parametrize("value", [np.float32(0.25), np.array([[0.25]], dtype=np.float32)])
def test_a_float32_number_is_refused_without_values(value):
    with pytest.raises(CheckFailed) as raised:
        expect_scalar("J", value)
    assert str(raised.value).startswith("J is float32: compute in float64.")
    assert "0.25" not in str(raised.value)


def test_a_float32_array_computed_correctly_is_told_to_compute_in_float64():
    X = np.array([[0.1, 0.2], [0.3, 0.4]])
    with pytest.raises(CheckFailed) as raised:
        compare("A", (X * 3).astype(np.float32), X * 3)
    assert str(raised.value).startswith("A is float32: compute in float64.")
    assert raised.value.diagnosis is None


def test_numbers_that_differ_print_differently():
    with pytest.raises(CheckFailed) as raised:
        compare("J", 0.10851705, 0.108517)
    assert "expected 0.108517, got 0.1085171." in str(raised.value)


def test_every_part_names_the_mistake_of_each_wrong_part():
    from grader.failures import every_part

    J, dZ = 0.5, np.array([[0.25, -0.5], [1.0, 2.0], [0.0, 3.0]])
    with pytest.raises(CheckFailed) as caught:
        every_part(
            lambda: compare("J", 3 * J, J, mistakes={"J lost its 1/m": 3 * J}),
            lambda: compare("dZ", -dZ, dZ),
        )
    assert caught.value.diagnosis == (
        "J lost its 1/m; and dZ has the wrong sign everywhere: check the sign of each term"
    )
    assert str(caught.value).startswith("J is wrong: expected 0.5, got 1.5.")
    # A wrong part with no known cause does not stop the other part from being named.
    with pytest.raises(CheckFailed) as caught:
        every_part(
            lambda: compare("J", 3 * J, J, mistakes={"J lost its 1/m": 3 * J}),
            lambda: compare("dZ", dZ + 1, dZ),
        )
    assert caught.value.diagnosis == "J lost its 1/m"
    every_part(lambda: compare("J", J, J), lambda: compare("dZ", dZ, dZ))  # right: no raise
