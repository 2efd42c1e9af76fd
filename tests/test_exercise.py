"""The exercise framework: the registry, running the student's code, and ``check``'s messages."""

import copy
import warnings

import numpy as np
import pytest

from grader import exercise as framework
from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, check, get, register
from grader.return_order import returned_names
from grader.student import changed_part, describe_inputs, run_student


class Sigmoid(Exercise):
    """sigmoid(z) on values large enough to overflow a naive exp(-z)."""

    name = "test_sigmoid"

    def cases(self, rng, hidden):
        z = rng.standard_normal((2, 3)) * 1000 if hidden else np.array([-1000.0, 0.0, 2.0])
        return [Case({"z": z}, label="large |z|")]

    def call(self, fn, inputs):
        return fn(inputs["z"])

    def judge(self, case, outputs):
        compare("A", outputs, np.exp(-np.logaddexp(0.0, -case.inputs["z"])))


@pytest.fixture
def registry(monkeypatch):
    """A registry holding only the test's exercise, so the course's stays untouched."""
    monkeypatch.setattr(framework, "_REGISTRY", {})
    monkeypatch.setattr(framework, "_import_lessons", lambda: None)
    register(Sigmoid)
    return framework._REGISTRY


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_a_correct_answer_passes_and_says_so(registry, capsys):
    check("test_sigmoid", lambda z: np.exp(-np.logaddexp(0.0, -z)))
    assert capsys.readouterr().out == "✔ test_sigmoid: 1 check passed\n"


def test_numpy_warnings_of_a_correct_answer_stay_off_stderr(registry, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escaped would now fail the test
        with np.errstate(over="warn"):
            check("test_sigmoid", naive_sigmoid)
            check("test_sigmoid", naive_sigmoid, hidden=True, seed=3)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("✔") == 2


def test_a_wrong_answer_names_the_case(registry):
    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", np.tanh)
    message = str(caught.value)
    assert message.startswith("A is wrong at index (0,): expected 0, got -1.")
    assert message.endswith("[test_sigmoid, case 1 of 1 (large |z|)]")


def test_a_hidden_failure_prints_its_seed_to_reproduce_it(registry):
    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", np.tanh, hidden=True, seed=11)
    assert str(caught.value).endswith("[test_sigmoid, case 1 of 1 (large |z|), seed 11]")


def test_an_unwritten_answer_says_what_to_do(registry):
    def sigmoid(z):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match=r"test_sigmoid: not written yet\. Replace the"):
        check("test_sigmoid", sigmoid)


def test_an_error_in_the_answer_names_it_and_the_inputs(registry):
    def sigmoid(z):
        return z @ np.ones((2, 2))

    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", sigmoid)
    assert str(caught.value).startswith("test_sigmoid raised ValueError: ")
    assert "\n  on z (3,)" in str(caught.value)


def test_an_answer_that_changes_its_argument_fails_and_says_which(registry):
    def sigmoid(z):
        s = z
        s *= -1.0  # changes z too
        return 1 / (1 + np.exp(s))

    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", sigmoid)
    assert str(caught.value).startswith("test_sigmoid changed the z it was given")
    assert caught.value.diagnosis.startswith(
        "`z` was changed in place: `result = z` makes both names point to one array"
    )


def test_a_change_inside_an_argument_is_named_by_its_path():
    before = {"params": [np.zeros(2), np.ones(3)], "activations": ["tanh"], "lr": 0.5}
    after = copy.deepcopy(before)
    assert changed_part("spec", before, after) is None
    after["params"][1][2] = 0.0
    assert changed_part("spec", before, after) == "spec['params'][1]"
    assert changed_part("x", np.array([np.nan]), np.array([np.nan])) is None
    assert changed_part("x", float("nan"), float("nan")) is None
    assert changed_part("x", np.zeros(2), np.zeros(2, dtype=np.float32)) == "x"


def test_an_error_in_a_matrix_product_names_the_shapes_and_the_transpose_that_fits(registry):
    def product(z):
        a = z[None, :]
        W = np.ones((2, 3))
        return a @ W

    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", product)
    message = str(caught.value)
    assert "`return a @ W`" in message
    assert (
        "`a @ W` multiplies shapes (1, 3) and (2, 3): the inner sizes 3 and 2 must be equal."
        in message
    )
    assert "`a @ W.T` fits, with shape (1, 2)." in message


def test_an_axis_error_says_which_axis_holds_the_batch(registry):
    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", lambda z: z.sum(axis=1))
    assert "the batch is axis 0" in str(caught.value)


def test_not_a_function(registry):
    with pytest.raises(CheckFailed, match="test_sigmoid: expected a function, got int"):
        check("test_sigmoid", 3)


def test_run_student_returns_the_outputs(registry):
    case = Case({"z": np.array([0.0])})
    assert run_student(get("test_sigmoid"), naive_sigmoid, case) == pytest.approx([0.5])


def test_names_are_unique(registry):
    with pytest.raises(ValueError, match="two exercises are named 'test_sigmoid'"):
        register(Sigmoid)


def test_an_unknown_name_lists_the_known_ones(registry):
    with pytest.raises(
        KeyError, match="no exercise is named 'nope'; known exercises: test_sigmoid"
    ):
        get("nope")


def test_an_unknown_name_imports_the_lessons_even_when_others_are_registered(registry, monkeypatch):
    imports = []
    monkeypatch.setattr(framework, "_import_lessons", lambda: imports.append("lessons"))
    get("test_sigmoid")
    assert imports == []
    with pytest.raises(KeyError):
        get("dense_backward_nowhere")
    assert imports == ["lessons"]


def test_describe_inputs():
    assert (
        describe_inputs({"X": np.zeros((4, 3)), "p": 0.5, "rng": object()})
        == "X (4, 3), p=0.5, rng"
    )
    assert describe_inputs({}) == "no inputs"


class Scaled(Exercise):
    """scaled(x) -> 2x on three cases; the judge names two mistakes that coincide on case 1."""

    name = "test_scaled"

    def cases(self, rng, hidden):
        return [Case({"x": np.array(value)}, label=f"x={value}") for value in (1.0, 2.0, -3.0)]

    def judge(self, case, outputs):
        x = case.inputs["x"]
        # "squared" and "plus x" give the same answer for x = 1, differ elsewhere.
        compare(
            "y",
            outputs,
            2 * x,
            mistakes={"y is x squared": x * x, "y is x + 1": x + 1.0, "y is 3x": 3 * x},
        )


@pytest.fixture
def scaled(monkeypatch):
    monkeypatch.setattr(framework, "_REGISTRY", {})
    monkeypatch.setattr(framework, "_import_lessons", lambda: None)
    register(Scaled)


def failure_of(fn):
    with pytest.raises(CheckFailed) as caught:
        check("test_scaled", fn)
    return caught.value


def test_the_mistake_that_fits_every_case_is_named_though_another_fits_the_first(scaled):
    assert failure_of(lambda x: x + 1.0).diagnosis == "y is x + 1"
    assert failure_of(lambda x: x * x).diagnosis == "y is x squared"


def test_a_case_no_mistake_explains_leaves_the_cause_unnamed(scaled):
    def odd(x):
        return 3 * x if x < 1.5 else x + 10.0  # 3x on case 1, nothing known on case 2

    failure = failure_of(odd)
    assert failure.diagnosis is None and "Diagnosis" not in str(failure)
    assert str(failure).startswith("y is wrong: expected 2, got 3.")


def test_two_mistakes_on_different_cases_are_both_named(scaled):
    def mixed(x):
        return 3 * x if x > 0 else x * x

    failure = failure_of(mixed)
    assert failure.diagnosis == "y is 3x; and on case 3 (x=-3.0), y is x squared"
    assert str(failure).endswith(
        "\n  Diagnosis: y is 3x; and on case 3 (x=-3.0), y is x squared.\n"
        "  [test_scaled, case 1 of 3 (x=1.0)]"
    )


def test_an_array_used_as_a_list_index_gets_a_sentence_to_act_on(registry):
    def sigmoid(z):
        return [0.5, 0.5, 0.5][np.argsort(z)]

    with pytest.raises(CheckFailed) as caught:
        check("test_sigmoid", sigmoid)
    assert caught.value.diagnosis.startswith(
        "An array was used where Python wants one integer: a list indexed with an array"
    )
    assert "of your code: `return [0.5, 0.5, 0.5][np.argsort(z)]`" in str(caught.value)


def _course_failure(name, fn, hidden=False):
    with pytest.raises(CheckFailed) as caught:
        check(name, fn, hidden=hidden, seed=4 if hidden else None)
    return caught.value


REORDERED = "the right values came back in the wrong order: return them "


@pytest.mark.parametrize("hidden", [False, True])
def test_right_values_in_another_order_are_named_with_the_order_to_return(hidden):
    from nnlib.layers import dense_backward

    def rotated(dZ, X, W):
        dX, dW, db = dense_backward(dZ, X, W)
        return dW, db, dX

    failure = _course_failure("dense_backward", rotated, hidden)
    assert failure.diagnosis == REORDERED + "as `return dX, dW, db`"

    def scaled(X_train, X_test):
        mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)
        sigma = np.where(sigma == 0, 1.0, sigma)
        return (X_test - mu) / sigma, (X_train - mu) / sigma

    failure = _course_failure("z_score_scale", scaled, hidden)
    assert failure.diagnosis == REORDERED + "as `return X_train_scaled, X_test_scaled`"


def test_values_in_another_order_that_are_also_wrong_name_no_order():
    from nnlib.layers import dense_backward

    def rotated_and_unaveraged(dZ, X, W):
        dX, dW, db = dense_backward(dZ, X, W)
        return dW, 2 * db, dX

    failure = _course_failure("dense_backward", rotated_and_unaveraged)
    assert failure.diagnosis is None
    assert str(failure).startswith("dX has shape (2, 3), expected (4, 2).")


def test_the_names_to_return_come_from_the_exercise_docstring_when_it_lists_them():
    class Listed(Exercise):
        """f(x) -> (a, b_2): two values."""

    class Described(Exercise):
        """g(x) -> both halves, scaled."""

    class Formulas(Exercise):
        """h(x) -> (dC/dw (n,), dC/db)."""

    assert returned_names(Listed()) == ["a", "b_2"]
    assert returned_names(Described()) is None
    assert returned_names(Formulas()) is None
