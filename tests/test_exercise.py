"""The exercise framework: the registry, running the student's code, and ``check``'s messages."""

import warnings

import numpy as np
import pytest

from grader import exercise as framework
from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, check, describe_inputs, get, register, run_student


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


def test_the_answer_cannot_change_what_is_judged(registry):
    def sigmoid(z):
        z[...] = 0.0  # the judge must still see the original z
        return np.full(z.shape, 0.5)

    with pytest.raises(CheckFailed, match="expected 0, got 0.5"):
        check("test_sigmoid", sigmoid)


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
