"""The Python a graded kernel sees: the packages students are told to install, nothing else.

The grading machine has more installed than a student's environment (PyTorch and the test
tools, for the course's own tests; the course itself as an editable install, whose finder
names the repository's path). A kernel that could import ``torch.autograd`` would pass every
backward-pass exercise without writing one. So the sandbox shows an empty site-packages
folder with only the entries that belong to the distributions ``requirements.txt`` declares
bound into it (``declared_entries``), and hides every other site-packages folder.
"""

from __future__ import annotations

import sys
import sysconfig
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from grader.tool.course import ROOT

REQUIREMENTS = ROOT / "requirements.txt"


def site_packages() -> Path:
    """The site-packages folder this Python installs into (the venv's, in a venv)."""
    return Path(sysconfig.get_path("purelib"))


def hidden_site_packages() -> list[Path]:
    """Other site-packages folders of this installation (the base Python's, under a venv)."""
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    folders = {Path(sysconfig.get_path(key, vars=base)) for key in ("purelib", "platlib")}
    folders |= {Path(sysconfig.get_path("platlib"))}
    return sorted(f for f in folders if f != site_packages() and f.is_dir())


def declared_names(requirements: Path) -> list[str]:
    """The distribution names in a requirements file (one requirement a line) whose
    environment marker holds on this machine (``appnope ; sys_platform == 'darwin'`` does
    not on Linux)."""
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                names.append(requirement.name)
    return names


@cache
def declared_entries(requirements: Path = REQUIREMENTS) -> tuple[str, ...]:
    """The names in ``site_packages()`` that belong to a declared distribution.

    requirements: the students' requirements file.
    Returns top-level packages, modules, ``.libs`` folders and ``.dist-info`` folders, sorted.
    Raises ValueError naming a declared distribution that is not installed here.
    """
    folder = site_packages()
    entries = set()
    for name in declared_names(requirements):
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ValueError(
                f"{name} is in {requirements.name} but not installed for {sys.executable}; "
                f"install the requirements first (pip install -r {requirements.name})"
            ) from None
        for file in distribution.files or ():
            top = file.parts[0]
            if top not in ("..", "__pycache__") and (folder / top).exists():
                entries.add(top)
    return tuple(sorted(entries))
