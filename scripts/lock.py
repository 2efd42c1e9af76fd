"""Write the course's lock files from the dependencies that pyproject.toml declares.

    .venv/bin/python scripts/lock.py             # rewrite all three, keeping current versions
    .venv/bin/python scripts/lock.py --upgrade   # take the newest versions that fit

- requirements.txt: the student's environment (the package with its ``lab`` extra), one set
  of versions for Python 3.11 to 3.13 on Linux, macOS and Windows. ``make lab`` installs it.
- requirements-test.txt: the same versions plus the ``instructor`` and ``test`` extras, for
  the course's own machines. ``make test`` installs it on top of requirements.txt.
- requirements-colab.txt: Google Colab's stack (``COLAB`` below: its versions of the packages
  the lessons lean on, which are also pyproject.toml's lower bounds) with the package's other
  dependencies and nbval. ``make test`` runs every solution notebook in it.

uv, pinned in the ``test`` extra, resolves each file; it prefers the versions already in the
file it writes, so a run changes nothing unless pyproject.toml or COLAB changed.

PyTorch (the test suite's referee) is locked as the CPU build, ``torch==…+cpu``, whose wheels
come from PyTorch's CPU index or a local folder, not PyPI: pass that folder or index with
``--find-links`` (by default the ``PIP_FIND_LINKS`` that pip uses here).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Colab's published versions of what the lessons use; pyproject.toml's lower bounds.
COLAB = (
    "numpy==2.1.0",
    "matplotlib==3.10.0",
    "ipython==7.34.0",
    "ipykernel==6.17.0",
    "ipywidgets==7.7.1",
    "scikit-learn==1.6.1",
    "tqdm==4.67.1",
)
# What running the solution notebooks with nbval needs, beside the package.
NBVAL = ("pytest==9.2.0", "pytest-xdist==3.8.0", "nbval==0.11.0")
TORCH_CPU = "torch==2.13.0+cpu"
HEADERS = {
    "requirements.txt": "The student's environment, fully pinned: what `make lab` installs.",
    "requirements-test.txt": (
        "Everything (student, instructor, tests), fully pinned: `make test` installs it on top\n"
        f"# of requirements.txt. torch is the CPU build ({TORCH_CPU}): it installs from a local\n"
        "# wheel, or with pip's --extra-index-url https://download.pytorch.org/whl/cpu."
    ),
    "requirements-colab.txt": (
        "Google Colab's stack (ipywidgets 7, IPython 7, numpy 2.1, matplotlib 3.10), with\n"
        "# nbval: `make test` runs every solution notebook in it."
    ),
}


def lines_file(folder: Path, name: str, lines) -> str:
    """Write ``lines`` to ``folder/name`` and return its path."""
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def compile_lock(output: str, sources: list[str], options: list[str], upgrade: bool) -> None:
    """Run ``uv pip compile`` into ``output`` (relative to the course root), then put the
    course's own header first."""
    command = [
        sys.executable, "-m", "uv", "pip", "compile", *sources, *options,
        "--no-annotate", "--quiet",
        "--custom-compile-command", "python scripts/lock.py",
        "-o", output,
    ]  # fmt: skip
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, cwd=ROOT, check=True)
    path = ROOT / output
    path.write_text(f"# {HEADERS[output]}\n" + path.read_text())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="take the newest versions")
    parser.add_argument(
        "--find-links",
        default=os.environ.get("PIP_FIND_LINKS"),
        help=f"a folder or index holding {TORCH_CPU} (default: $PIP_FIND_LINKS)",
    )
    args = parser.parse_args(argv)
    if not args.find_links:
        parser.error(f"say where {TORCH_CPU} is, with --find-links (a folder or an index URL)")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    universal = ["--universal", "--python-version", "3.11", "--fork-strategy", "fewest"]
    with tempfile.TemporaryDirectory() as folder:
        # `make` installs the package with --no-build-isolation: its build tools are locked too.
        build = lines_file(Path(folder), "build.in", project["build-system"]["requires"])
        compile_lock(
            "requirements.txt",
            ["pyproject.toml", build],
            [*universal, "--extra", "lab"],
            args.upgrade,
        )
        torch = lines_file(Path(folder), "torch.txt", [TORCH_CPU])
        compile_lock(
            "requirements-test.txt",
            ["pyproject.toml", build],
            [
                *universal,
                *("--extra", "lab", "--extra", "instructor", "--extra", "test"),
                *("-c", "requirements.txt", "--override", torch, "--find-links", args.find_links),
            ],
            args.upgrade,
        )
        colab = lines_file(Path(folder), "colab.txt", COLAB)
        tools = lines_file(Path(folder), "nbval.in", NBVAL)
        compile_lock(
            "requirements-colab.txt",
            ["pyproject.toml", build, tools],
            [*universal, "-c", colab],
            args.upgrade,
        )


if __name__ == "__main__":
    main()
