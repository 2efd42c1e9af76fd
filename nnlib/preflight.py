"""The "run me first" check of every lesson: is the course's package installed, with versions
of its dependencies that it works with? It says so, or says what to install, in one line.

    from nnlib.preflight import check
    check()

The dependencies and their lowest versions are read from the installed package's own metadata
(pyproject.toml's ``dependencies``), so this file never needs updating when they change.

A lesson's first cell also has to speak when the course's package is not installed at all
(a fresh Colab session), when this module cannot be imported: ``first_cell()`` gives that
cell's source, which falls back to printing the install line.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import re
import sys

DISTRIBUTION = "nn-course"
REQUIRES_PYTHON = (3, 11)
LOCAL_INSTALL = "python -m pip install -r requirements.txt -e .  (in the course folder)"


def wheel_name(version: str | None) -> str:
    """The file name of the course's wheel for ``version`` (what ``grader bundle`` writes); for
    None, a pattern that the shell under Colab's %pip expands to the wheel uploaded."""
    return f"{DISTRIBUTION.replace('-', '_')}-{version or '*'}-py3-none-any.whl"


def on_colab() -> bool:
    """True inside Google Colab, whose kernel always has the google.colab package."""
    return importlib.util.find_spec("google") is not None and (
        importlib.util.find_spec("google.colab") is not None
    )


def install_line() -> str:
    """What to run to install the course: the wheel with %pip on Colab, else the local lock."""
    if on_colab():
        return f"%pip install {wheel_name(_course_version())}"
    return LOCAL_INSTALL


def problems() -> list[str]:
    """What is missing or too old, one short phrase each ([] when all is well)."""
    found = []
    if sys.version_info[:2] < REQUIRES_PYTHON:
        wanted = ".".join(map(str, REQUIRES_PYTHON))
        found.append(f"Python {wanted} or newer (this is {sys.version.split()[0]})")
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return [*found, f"the course package {DISTRIBUTION} (not installed)"]
    for requirement in requirements:
        if "extra ==" in requirement:  # the lab, instructor and test extras are optional
            continue
        name, lowest = _name_and_lowest(requirement)
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
            continue
        if lowest and _release(installed) < _release(lowest):
            found.append(f"{name}>={lowest} (found {installed})")
    return found


def check() -> None:
    """Print one line: that the course is ready, with the versions that matter, or what is
    missing and the command that installs it."""
    missing = problems()
    if missing:
        print(f"✘ Missing: {'; '.join(missing)}. Install with:  {install_line()}")
        return
    shown = ("numpy", "matplotlib", "ipywidgets")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in shown)
    python = ".".join(map(str, sys.version_info[:3]))
    print(f"✔ Ready: {DISTRIBUTION} {_course_version()} on Python {python}, {versions}.")


def first_cell(version: str) -> str:
    """The source of a lesson's first cell: ``check()``, or, when the course's package cannot
    be imported at all, one line that says how to install it.

    version: the course's version (pyproject.toml's), for the wheel's name."""
    return (
        "# Run me first: checks that the course's package and its dependencies are installed.\n"
        "try:\n"
        "    from nnlib.preflight import check\n"
        "except ImportError as error:\n"
        '    print(f"✘ Missing: {error.name or error}. Install the course: in Colab, upload '
        f"{wheel_name(version)} and run  %pip install {wheel_name(version)};"
        f' elsewhere run  {LOCAL_INSTALL}")\n'
        "else:\n"
        "    check()\n"
    )


def _course_version() -> str | None:
    """The installed course's version; None for a source tree that was never installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def _name_and_lowest(requirement: str) -> tuple[str, str | None]:
    """("numpy", "2.1.0") from "numpy>=2.1.0"; the lowest version is None when not given."""
    found = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([\w.]+))?", requirement)
    return found.group(1), found.group(2)


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: (2, 1, 0) from "2.1.0rc1" or "2.1.0+cpu"."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])
