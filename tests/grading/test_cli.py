"""Every instructor command has --help, and bundle leaves out solutions and hidden tests."""

import zipfile

import pytest

from grader.bundle import bundle
from grader.cli import main
from grader.release import ROOT


@pytest.mark.parametrize(
    "command", ["bundle", "collect", "autograde", "feedback", "export", "report"]
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: python -m grader " + command in capsys.readouterr().out


def test_bundle_has_lessons_and_library_but_no_solutions(tmp_path):
    names = bundle(ROOT, tmp_path / "course.zip")
    assert "nn-course/requirements.txt" in names
    assert "nn-course/nnlib/layers.py" in names
    assert not any(name.startswith(("nn-course/solutions", "nn-course/tests")) for name in names)
    with zipfile.ZipFile(tmp_path / "course.zip") as archive:
        for name in names:
            if name.endswith(".ipynb"):
                assert b"BEGIN HIDDEN TESTS" not in archive.read(name)
