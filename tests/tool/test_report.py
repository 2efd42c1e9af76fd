"""The class report counts mistakes by the diagnosis recorded with each check, not by its text."""

from grader.tool.penalties import Late
from grader.tool.report import late_table, mistake, summarise, table


def result(student, *checks):
    return {"student": student, "checks": list(checks)}


def failed(message, diagnosis=None, exercise="dense_backward"):
    return {
        "exercise": exercise,
        "passed": False,
        "message": message,
        "diagnosis": diagnosis,
        "cell": "t",
        "hidden": True,
    }


def passed(exercise="dense_backward"):
    return {
        "exercise": exercise,
        "passed": True,
        "message": "",
        "diagnosis": None,
        "cell": "t",
        "hidden": False,
    }


def test_a_diagnosis_is_counted_as_recorded():
    # The message's own wording cannot change the count: only the recorded diagnosis does.
    check = failed(
        "dW is wrong at index (0, 1)\n  Diagnosis: something else.", "dW looks transposed"
    )
    assert mistake(check) == "dW looks transposed"


def test_without_a_diagnosis_the_first_line_counts_with_its_numbers_blanked():
    assert mistake(failed("dW is wrong at index (0, 1): expected 0.25, got -3e-07.")) == (
        "dW is wrong at index (N, N): expected N, got N."
    )
    assert mistake(failed("")) == "no message"


def test_the_same_mistake_of_two_students_counts_twice_and_pass_rates_add_up():
    results = [
        result("ann", failed("x\n  Diagnosis: db not summed.", "db not summed"), passed("relu")),
        result("bob", failed("y\n  Diagnosis: db not summed.", "db not summed")),
        result("cat", passed(), passed("relu")),
    ]
    rates, mistakes = summarise(results)
    assert rates == [("dense_backward", 1, 3), ("relu", 2, 2)]
    assert mistakes == {("dense_backward", "db not summed"): 2}
    assert "   2 × dense_backward: db not summed" in table(rates, mistakes)


def test_late_notebooks_show_their_penalty_beside_the_raw_score():
    late = [Late("bob", "fx", 25.5 * 3600, 3.0, 0.6)]
    assert late_table(late).splitlines() == [
        "",
        "late submissions (after any extension):",
        f"  {'bob':<24}{'fx':<24}   25.5 h late   raw 3, penalty 0.6",
    ]
    assert late_table([]) == ""
