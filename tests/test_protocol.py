"""Both halves of the kernel protocol, without a kernel: the grader's request and reply reader,
the kernel's ``answer``, and the one verdict loop that the kernel's ``check`` shares with the
autograder."""

import ast

import numpy as np
import pytest

from grader import exercise as framework
from grader import protocol
from grader.checks import CheckFailed, compare
from grader.exercise import Case, Exercise, check, register, verdict
from grader.wire import encode


class Double(Exercise):
    """double(x) -> 2x on two cases, the second of a different shape."""

    name = "test_double"

    def cases(self, rng, hidden):
        return [Case({"x": rng.standard_normal(shape)}) for shape in [(2, 3), (4, 1)]]

    def judge(self, case, outputs):
        compare(
            "y", outputs, 2 * case.inputs["x"], mistakes={"y was not doubled": case.inputs["x"]}
        )


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(framework, "_REGISTRY", {})
    monkeypatch.setattr(framework, "_import_lessons", lambda: None)
    register(Double)


@pytest.fixture
def displayed(monkeypatch):
    """What ``answer`` displays, as the nbformat outputs a kernel would send back."""
    outputs = []

    def display(data, raw=False):
        assert raw
        outputs.append({"output_type": "display_data", "data": data, "metadata": {}})

    monkeypatch.setattr("IPython.display.display", display)
    return outputs


def cases_for(seed=5):
    return framework.get("test_double").cases(np.random.default_rng(seed), False)


def graded_remotely(fn, displayed, nonce="n0"):
    """The verdict as the autograder reaches it: request, answer, reply, verdict."""
    cases = cases_for()
    inputs = [case.inputs for case in cases]
    protocol.answer("test_double", lambda: fn, encode(inputs), nonce)
    results = protocol.read_reply(displayed, nonce)
    answers = [r["outputs"] if "outputs" in r else CheckFailed(r["failed"]) for r in results]
    return verdict(framework.get("test_double"), cases, answers, seed=None)


def test_the_request_is_python_that_calls_answer():
    code = protocol.request("test_double", "my.double", [{"x": np.ones(2)}], "abc")
    ast.parse(code)
    assert "grader.protocol" in code and "'test_double'" in code and "(my.double)" in code


def test_a_correct_function_is_answered_and_passes(registry, displayed):
    assert graded_remotely(lambda x: 2 * x, displayed) is None
    results = protocol.read_reply(displayed, "n0")
    assert [set(r) for r in results] == [{"outputs"}, {"outputs"}]


def test_the_kernel_and_the_autograder_word_a_failure_alike(registry, displayed, capsys):
    remote = graded_remotely(lambda x: x, displayed)
    with pytest.raises(CheckFailed) as local:
        check("test_double", lambda x: x, seed=5)
    assert str(remote) == str(local.value)
    assert remote.diagnosis == local.value.diagnosis == "y was not doubled"
    assert str(remote).endswith("[test_double, case 1 of 2]")


def test_an_exception_in_the_student_code_names_its_case(registry, displayed):
    def second_case_fails(x):
        if x.shape == (4, 1):
            raise ZeroDivisionError("boom")
        return 2 * x

    failure = graded_remotely(second_case_fails, displayed)
    assert "test_double raised ZeroDivisionError: boom" in str(failure)
    assert str(failure).endswith("[test_double, case 2 of 2]")
    assert failure.diagnosis is None


def test_an_undefined_function_is_a_message(registry, displayed):
    def undefined():
        raise NameError("name 'double' is not defined")

    protocol.answer("test_double", undefined, encode([]), "n1")
    [result] = protocol.read_reply(displayed, "n1")
    assert result["failed"].startswith("test_double: name 'double' is not defined")


def test_a_reply_is_read_only_with_its_nonce_and_only_once(registry, displayed):
    graded_remotely(lambda x: 2 * x, displayed, nonce="right")
    assert protocol.read_reply(displayed, "wrong") is None
    assert protocol.read_reply(displayed * 2, "right") is None  # a forged second reply
    assert protocol.read_reply([{"output_type": "stream", "text": "right"}], "right") is None


def test_fewer_results_than_cases_fail_on_the_missing_case(registry):
    cases = cases_for()
    failure = verdict(framework.get("test_double"), cases, [2 * cases[0].inputs["x"]], seed=7)
    assert str(failure) == (
        "test_double: no result came back for this case.\n  [test_double, case 2 of 2, seed 7]"
    )


def test_an_argument_changed_in_place_fails_with_its_diagnosis_in_both_places(registry, displayed):
    def doubles_in_place(x):
        x *= 2
        return x

    remote = graded_remotely(doubles_in_place, displayed)
    with pytest.raises(CheckFailed) as local:
        check("test_double", doubles_in_place, seed=5)
    assert str(remote) == str(local.value)
    assert remote.diagnosis == local.value.diagnosis
    assert remote.diagnosis.startswith("`x` was changed in place: `result = x` makes both names")
