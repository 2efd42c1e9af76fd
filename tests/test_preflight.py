"""The lessons' "run me first" check: one line that says the course is ready, or what to
install, on the student's machine and on Colab."""

from __future__ import annotations

import importlib.metadata as metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nnlib import preflight

REPO = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture
def installed(monkeypatch):
    """Pretend that the course declares ``requires`` and that ``versions`` are installed."""

    def pretend(requires, versions, colab=False):
        def version(name):
            if name not in versions:
                raise metadata.PackageNotFoundError(name)
            return versions[name]

        def requirements(name):
            if name != "nn-course" or "nn-course" not in versions:
                raise metadata.PackageNotFoundError(name)
            return requires

        monkeypatch.setattr(preflight.metadata, "version", version)
        monkeypatch.setattr(preflight.metadata, "requires", requirements)
        monkeypatch.setattr(preflight, "on_colab", lambda: colab)

    return pretend


READY = {
    "nn-course": "0.1.0",
    "numpy": "2.4.6",
    "matplotlib": "3.11.2",
    "ipywidgets": "8.1.9",
    "scikit-learn": "1.9.1",
}
REQUIRES = [
    "numpy>=2.1.0",
    "matplotlib>=3.10.0",
    "ipywidgets>=7.7.1",
    "scikit-learn>=1.6.1",
    'nbgrader>=0.9.6; extra == "lab"',
]


def test_ready_says_so_in_one_line(installed, capsys):
    installed(REQUIRES, READY)
    assert preflight.problems() == []
    preflight.check()
    python = ".".join(map(str, sys.version_info[:3]))
    assert capsys.readouterr().out == (
        f"✔ Ready: nn-course 0.1.0 on Python {python}, numpy 2.4.6, matplotlib 3.11.2, "
        "ipywidgets 8.1.9.\n"
    )


def test_missing_and_old_packages_are_named_with_the_local_install_line(installed, capsys):
    versions = {**READY, "matplotlib": "3.8.4"}
    del versions["numpy"]
    installed(REQUIRES, versions)
    assert preflight.problems() == ["numpy (not installed)", "matplotlib>=3.10.0 (found 3.8.4)"]
    preflight.check()
    assert capsys.readouterr().out == (
        "✘ Missing: numpy (not installed); matplotlib>=3.10.0 (found 3.8.4). Install with:  "
        "python -m pip install -r requirements.txt -e .  (in the course folder)\n"
    )


def test_on_colab_the_line_is_the_wheels_pip_install(installed, capsys):
    installed(REQUIRES, {**READY, "numpy": "2.0.2"}, colab=True)
    preflight.check()
    assert capsys.readouterr().out == (
        "✘ Missing: numpy>=2.1.0 (found 2.0.2). Install with:  "
        "%pip install nn_course-0.1.0-py3-none-any.whl\n"
    )
    installed(REQUIRES, {"numpy": "2.1.0"}, colab=True)
    assert preflight.problems() == ["the course package nn-course (not installed)"]
    assert preflight.install_line() == "%pip install nn_course-*-py3-none-any.whl"


def test_versions_compare_by_release_number():
    assert preflight._release("2.10.0") > preflight._release("2.9.9")
    assert preflight._release("2.1.0rc1") == (2, 1, 0)
    assert preflight._release("2.13.0+cpu") == (2, 13, 0)
    assert preflight._name_and_lowest("numpy>=2.1.0") == ("numpy", "2.1.0")
    assert preflight._name_and_lowest("tqdm") == ("tqdm", None)


def run_first_cell(python: str, cwd: Path, env: dict) -> str:
    cell = preflight.first_cell(VERSION)
    run = subprocess.run(
        [python, "-c", cell], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_the_first_cell_checks_when_the_course_is_installed(tmp_path):
    said = run_first_cell(sys.executable, tmp_path, dict(os.environ))
    assert said.startswith("✔ Ready: nn-course ") and said.count("\n") == 1


def test_the_first_cell_says_how_to_install_when_the_course_is_missing(tmp_path):
    """A fresh Colab session: a Python without the course (here: isolated, no site-packages)
    gets one line, and no traceback."""
    isolated = [sys.executable, "-I", "-S"]
    cell = preflight.first_cell(VERSION)
    run = subprocess.run([*isolated, "-c", cell], cwd=tmp_path, capture_output=True, text=True)
    assert run.stdout == (
        f"✘ Missing: nnlib. Install the course: in Colab, upload nn_course-{VERSION}-py3-none-any"
        f".whl and run  %pip install nn_course-{VERSION}-py3-none-any.whl; elsewhere run  "
        "python -m pip install -r requirements.txt -e .  (in the course folder)\n"
    )
