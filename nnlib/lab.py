"""Start the course's JupyterLab as a student or as an instructor: ``python -m nnlib.lab``.

nbgrader enables all of its JupyterLab plugins and server extensions for the whole
environment. A student needs one of them, the notebook's Validate button; the instructor's
tools (Formgrader, Create Assignment, the course and assignment lists, and the Nbgrader menu
that opens them) stay out of the student's JupyterLab, as nbgrader's documentation advises.

Each role has its own Jupyter configuration folder inside the environment,
``<sys.prefix>/etc/jupyter-course/<role>``, written here on every start. JupyterLab starts
with that folder first on ``JUPYTER_CONFIG_PATH``, so it takes precedence over nbgrader's
environment-wide settings, and other environments and the user's own settings are untouched.

    python -m nnlib.lab                  # the student's JupyterLab, serving lessons/
    python -m nnlib.lab --instructor     # every nbgrader tool, serving the course folder
    python -m nnlib.lab --port 8890

Works the same on Linux, macOS and Windows: ``make lab`` and ``make lab-instructor`` call it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

# nbgrader's JupyterLab plugins, and which ones each role sees.
LAB_PLUGINS = (
    "@jupyter/nbgrader:validate-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:menu",
)
SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.formgrader",
)
# The course is handed out as a zip, not through nbgrader's exchange, so students have no
# use for the assignment list either.
STUDENT_KEEPS = {
    "@jupyter/nbgrader:validate-assignment",
    "nbgrader.server_extensions.validate_assignment",
}
ROLES = ("student", "instructor")


def config_dir(role: str, prefix: str | os.PathLike = sys.prefix) -> Path:
    """The Jupyter configuration folder of ``role`` in the environment at ``prefix``."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}; got {role!r}.")
    return Path(prefix) / "etc" / "jupyter-course" / role


def configure(role: str, prefix: str | os.PathLike = sys.prefix) -> Path:
    """Write ``role``'s configuration: which nbgrader plugins and server extensions are on.

    role: "student" or "instructor".  prefix: the environment (default: this one).
    Returns the folder, to put first on JUPYTER_CONFIG_PATH.
    """
    folder = config_dir(role, prefix)
    on = {n: role == "instructor" or n in STUDENT_KEEPS for n in LAB_PLUGINS + SERVER_EXTENSIONS}
    server = {"ServerApp": {"jpserver_extensions": {n: on[n] for n in SERVER_EXTENSIONS}}}
    page = {"disabledExtensions": {n: not on[n] for n in LAB_PLUGINS}}
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    return folder


def environment(role: str, prefix: str | os.PathLike = sys.prefix, base=None) -> dict:
    """The process environment for a JupyterLab of ``role``: ``base`` (default os.environ)
    with the role's configuration folder, freshly written, first on JUPYTER_CONFIG_PATH."""
    base = dict(os.environ if base is None else base)
    paths = [str(configure(role, prefix))]
    if base.get("JUPYTER_CONFIG_PATH"):
        paths.append(base["JUPYTER_CONFIG_PATH"])
    return {**base, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}


def command(role: str, port: int, course: Path) -> list[str]:
    """The command line that starts JupyterLab for ``role`` on 127.0.0.1:``port``: the
    student's serves ``course/lessons``, the instructor's the whole course folder (nbgrader's
    Formgrader reads nbgrader_config.py there)."""
    root = course / "lessons" if role == "student" else course
    line = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    if getattr(os, "geteuid", lambda: None)() == 0:  # JupyterLab refuses root unless told
        line.append("--allow-root")
    return line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Start the course's JupyterLab.")
    parser.add_argument("--instructor", action="store_true", help="enable nbgrader's tools")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course folder")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "lessons").is_dir():
        parser.error(f"{course} has no lessons/ folder: run this in the course folder")
    role = "instructor" if args.instructor else "student"
    try:
        return subprocess.call(command(role, args.port, course), env=environment(role))
    except KeyboardInterrupt:  # Ctrl-C stops JupyterLab, which has already said goodbye
        return 0


if __name__ == "__main__":
    sys.exit(main())
