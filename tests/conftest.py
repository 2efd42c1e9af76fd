"""Shared fixtures: the sample assignment, its kernels' search path, empty gradebooks, the
catalogue's entries; and the figures that tests report for the end of the run (the browser
tests' slider latencies)."""

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

from grader.tool.course import put_python_on_path

SAMPLE = Path(__file__).parent / "fixtures" / "sample_assignment"


@pytest.fixture
def sample_kernel_path(monkeypatch):
    """Let kernels started by the test import the sample's exercises, and find nbgrader's tools.

    Kernels inherit the environment, so the sample folder goes on PYTHONPATH; the venv's
    scripts go on PATH because nbgrader runs ``alembic`` to create a gradebook.
    Returns the sample assignment's folder.
    """
    paths = [str(SAMPLE), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path for path in paths if path))
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))  # restored after the test
    put_python_on_path()
    return SAMPLE


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory):
    """An empty nbgrader gradebook, made once per session: creating one runs ``alembic`` in a
    subprocess, which takes seconds. Returns the path of the sqlite file; copy it, never use it."""
    from nbgrader.api import Gradebook

    put_python_on_path()
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    Gradebook(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def gradebook_url(empty_gradebook, tmp_path):
    """The URL of a fresh empty gradebook in the test's own folder."""
    path = tmp_path / "gradebook.db"
    shutil.copyfile(empty_gradebook, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def catalogue():
    """``catalogue(name)``: tests/catalogue/<name>.py, imported by path, for tests that reuse
    its entries (a right answer, a mistake) instead of writing them again."""
    folder = Path(__file__).parent / "catalogue"
    sys.path.insert(0, str(folder))  # for the entries' ``from entries import ...``
    loaded = {}

    def load(name):
        if name not in loaded:
            spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
            loaded[name] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(loaded[name])
        return loaded[name]

    return load


def pytest_terminal_summary(terminalreporter):
    """Print every ``figure`` a passing test recorded with ``record_property("figure", text)``.

    pytest hides a passing test's output, and with xdist it runs in another process; recorded
    properties travel with the test's report to the process that prints this summary.
    """
    figures = [
        value
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "figure"
    ]
    if figures:
        terminalreporter.write_sep("=", "figures measured by the tests")
        for line in sorted(figures):
            terminalreporter.write_line(line)
