"""The course copy a graded kernel sees: nnlib without the assignment's answers, and only the
kernel side of grader."""

import importlib.util
import sys

import pytest

from grader.tool.shadow import build, without


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


def test_the_copy_of_grader_holds_the_kernel_side_only(tmp_path):
    copy = build(tmp_path / "course", set())
    assert (copy / "grader" / "protocol.py").is_file()
    assert (copy / "grader" / "exercises" / "l05_backprop.py").is_file()
    assert not (copy / "grader" / "tool").exists()
    assert not (copy / "grader" / "__main__.py").exists()
