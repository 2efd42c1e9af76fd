"""The course on disk: its root, nbgrader's configuration of it, and its lessons.

Every instructor command starts here: ``course_config()`` loads ``nbgrader_config.py`` from the
course root, and ``find_lessons``/``known_lessons`` turn lesson names into folders.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[2]


def find_lessons(source: Path) -> list[str]:
    """The lesson folders in ``source`` that hold their notebook, sorted.

    source: a folder of assignments, e.g. ``solutions/``.
    Returns names such as ["01_perceptron", "02_logic_gates"]: every ``NAME/NAME.ipynb``.
    """
    if not Path(source).is_dir():
        raise ValueError(f"{source} is not a folder of lessons")
    return sorted(
        folder.name
        for folder in Path(source).iterdir()
        if folder.is_dir() and (folder / f"{folder.name}.ipynb").is_file()
    )


def known_lessons(names: Sequence[str] | None, source: Path) -> list[str]:
    """``names``, checked against the lessons in ``source``; every lesson when None.

    Raises ValueError naming the unknown lessons and listing the known ones.
    """
    available = find_lessons(source)
    names = available if names is None else list(names)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ValueError(
            f"no lesson named {', '.join(unknown)} in {Path(source).name}/; "
            f"the lessons are: {', '.join(available) or 'none yet'}"
        )
    return names


def put_python_on_path() -> None:
    """Make the programs installed next to this Python findable, as an activated venv would.

    nbgrader runs the ``alembic`` program to set up its gradebook, so ``make lessons``
    (which calls ``.venv/bin/python`` without activating the venv) would otherwise fail.
    """
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, path]) if path else scripts


def course_config(root: Path = ROOT, db: str | None = None) -> Config:
    """nbgrader's configuration from ``root/nbgrader_config.py``, rooted at ``root``.

    db: a gradebook URL that overrides the file's (``--db``): sqlite:///… or postgresql://….
    A relative sqlite gradebook URL ("sqlite:///grading/gradebook.db") would be resolved
    against the current directory by sqlite; here it is resolved against ``root``, and the
    database's folder is created.
    """
    root = Path(root)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    if db:
        from grader.tool.gradebook import use

        use(config, db)
    url = config.CourseDirectory.db_url
    relative = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not relative.startswith("/"):
        database = root / relative
        database.parent.mkdir(parents=True, exist_ok=True)
        config.CourseDirectory.db_url = f"sqlite:///{database}"
    return config
