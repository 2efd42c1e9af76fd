"""What the autograder trusts: test cells parsed with ast, and the nnlib copy without answers."""

import importlib.util
import sys

import pytest

from grader.shadow import build, without
from grader.testcells import CheckCall, parse_test_cell


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


def test_references_are_cut_out_of_the_source():
    source = (
        "X = 1\n\ndef f(a):\n    return a + X\n\nclass K:\n    def m(self):\n        return 2\n"
    )
    cut = without(source, {"f", "K.m"}, "nnlib.demo")
    assert "a + X" not in cut and "return 2" not in cut
    namespace = {}
    exec(cut, namespace)
    with pytest.raises(RuntimeError, match="nnlib.demo.f is not available while grading"):
        namespace["f"](1)
    with pytest.raises(RuntimeError, match="nnlib.demo.K.m is not available"):
        namespace["K"]().m()
    with pytest.raises(ValueError, match="nnlib.demo does not define g"):
        without(source, {"g"}, "nnlib.demo")


def test_the_copy_of_nnlib_has_no_answer_but_works_otherwise(tmp_path):
    copy = build(tmp_path / "course", {"nnlib.layers.dense_forward"})
    text = (copy / "nnlib" / "layers.py").read_text()
    assert "X @ W" not in text.split("def dense_backward")[0].split("def dense_forward")[1]
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "nnlib"}
    try:
        for name in saved:
            del sys.modules[name]
        sys.path.insert(0, str(copy))
        spec = importlib.util.find_spec("nnlib")
        assert spec.origin == str(copy / "nnlib" / "__init__.py")
        import nnlib

        with pytest.raises(RuntimeError, match="not available while grading"):
            nnlib.layers.dense_forward(1, 2, 3)
        assert float(nnlib.activations.sigmoid(0.0)) == 0.5
    finally:
        sys.path.remove(str(copy))
        for name in [n for n in sys.modules if n.split(".")[0] == "nnlib"]:
            del sys.modules[name]
        sys.modules.update(saved)
