"""Test cells as the autograder reads them: parsed with ast into check calls, nothing else."""

import pytest

from grader.tool.testcells import CheckCall, parse_test_cell


def test_a_test_cell_becomes_its_check_calls():
    source = (
        "from grader import check\n"
        'check("dense_forward", dense_forward)  # visible\n'
        "### BEGIN HIDDEN TESTS\n"
        'check("dense_forward", my.dense_forward, hidden=True)\n'
        "### END HIDDEN TESTS\n"
    )
    assert parse_test_cell(source, "t") == [
        CheckCall("dense_forward", "dense_forward", False),
        CheckCall("dense_forward", "my.dense_forward", True),
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("assert f(1) == 2", "test cell 't', line 1: only imports and check"),
        ('check("dense_forward", f, seed=3)', "only imports and check"),
        ('check("no_such_exercise", f)', "no exercise is named 'no_such_exercise'"),
        ("# nothing", "has no check"),
        ("check(", "not valid Python"),
    ],
)
def test_anything_else_in_a_test_cell_is_refused(source, message):
    with pytest.raises((ValueError, KeyError), match=message):
        parse_test_cell(source, "t")
