"""What a sandboxed kernel's box shows, as the launcher's configuration and bubblewrap's argv.

Inside the box the kernel finds only:

- the system folders (``/usr``, ``/etc`` and their links), read-only;
- Python, with a site-packages that holds only the students' declared packages
  (``environment``); a virtualenv is shown at ``/opt/venv``, never at its host path, and its
  compiled files through an overlay of copies that name ``/opt/venv`` (``environment.bytecode``);
- the generated course copy at ``/opt/course``, read-only;
- ``/home/student`` and ``/tmp``: one tmpfs with a size and an inode limit, new at every start;
- ``/run/kernel`` for the kernel's sockets (on the same tmpfs) and ``/run/connection.json``;
- a minimal ``/dev``, and no ``/proc`` or ``/sys``, so that no mount table names a host path.

Everything the box needs from the host is first bound by the launcher, before it drops root,
into a small tmpfs that it shows at ``/tmp`` of its private mount namespace (``STAGE``):
so bubblewrap, running as an unprivileged uid, never opens a host path itself, and no path it
opens is one the student could have changed.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from grader.tool import environment
from grader.tool.isolation import FIRST_UID, Isolation, Limits

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
STAGE = "/tmp"  # where the launcher's staging tmpfs is seen, in its own mount namespace
AREA = f"{STAGE}/area"  # the kernel's writable tmpfs: home/, tmp/ and run/
COURSE_MOUNT = "/opt/course"
VENV_MOUNT = "/opt/venv"
HOME = "/home/student"
RUN = "/run/kernel"
CONNECTION = "/run/connection.json"
INSIDE_UID = 1000  # the kernel's uid inside its user namespace: not root, no capabilities
THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def kernel_uid(box: Isolation, slot: int) -> int | None:
    """The host uid a kernel drops to before bubblewrap: its own as root, else None."""
    return FIRST_UID + slot if box.mode == "namespaces" else None


def python_layout() -> tuple[str | None, str, str]:
    """Where Python is shown in the box.

    Returns (the base installation to show at its own path, or None when the system folders
    hold it; the interpreter in the box; site-packages in the box). A virtualenv is shown at
    VENV_MOUNT as only its interpreter, a pyvenv.cfg (``venv_config``) and site-packages, so
    that no file of it names its host path.
    """
    base = os.path.realpath(sys.base_prefix)
    shown = None if base.startswith(SYSTEM_DIRS) else base
    site = str(environment.site_packages())
    if sys.prefix == sys.base_prefix:
        return shown, os.path.realpath(sys.executable), site
    relative = os.path.relpath(site, os.path.realpath(sys.prefix))
    return shown, f"{VENV_MOUNT}/bin/python", f"{VENV_MOUNT}/{relative}"


def prepare() -> None:
    """Build what every box shares, once per process (the compiled files relocated to the
    box's site-packages), before any kernel's clock starts."""
    environment.bytecode(python_layout()[2])


def venv_config() -> str:
    """The box's pyvenv.cfg: the base interpreter's folder and version, nothing else."""
    home = os.path.dirname(os.path.realpath(sys.executable))
    version = ".".join(map(str, sys.version_info[:3]))
    return f"home = {home}\ninclude-system-site-packages = false\nversion = {version}\n"


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``, readable by the kernel's uid; it must not exist, so
    that nothing planted there is followed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as file:
        file.write(text)


def plan(
    box: Isolation, slot: int, limits: Limits, folder: Path, course: Path, files: Path | None
) -> tuple[dict, str, str]:
    """How to start one kernel in ``folder`` (a new folder that only the grader writes).

    Returns (the launcher's configuration, the kernel's socket prefix as the kernel sees it,
    the socket folder as the launcher's mount namespace sees it).
    In "limits-only" mode the kernel's home and sockets are plain folders in ``folder``.
    """
    if box.safe:
        (folder / "stage").mkdir()
        config = launch_config(box, slot, limits, folder, course, files)
        return config, f"{RUN}/kernel", f"{AREA}/run"
    home, run = folder / "home", folder / "run"
    home.mkdir()
    run.mkdir()
    if files is not None:
        shutil.copytree(files, home, dirs_exist_ok=True)
    python = sys.executable
    config = {
        "stage": None,
        "uid": None,
        "limits": asdict(limits),
        "argv": kernel_argv(python, str(folder / "connection.json")),
        "env": kernel_environment(python, str(home), str(course)),
        "chdir": str(home),
    }
    # Relative to the kernel's working folder (home): a unix socket's path may hold only 107
    # bytes, which a course under a deep folder would exceed.
    return config, "../run/kernel", str(run)


def launch_config(
    box: Isolation, slot: int, limits: Limits, folder: Path, course: Path, files: Path | None
) -> dict:
    """The launcher's configuration (see ``launcher.launch``) for one start of a kernel.

    folder: this start's own folder, which only the grader writes; holds connection.json and
            the mount point ``stage``.
    course: the course copy; files: folder copied into the kernel's home, or None.
    """
    uid = kernel_uid(box, slot)
    base, python, site = python_layout()
    binds = [(str(course), "course"), (str(folder / "connection.json"), "connection.json")]
    compiled = environment.bytecode(site)
    if compiled is None:
        binds.append((str(environment.site_packages()), "site"))
        overlays = []
    else:
        # Site-packages seen through the relocated .pyc files, which hide the host's.
        binds += [(str(environment.site_packages()), "packages"), (str(compiled), "bytecode")]
        overlays = [("site", ["bytecode", "packages"])]
    if base is not None:
        binds.append((base, "python"))
    if python.startswith(VENV_MOUNT):
        write_new(folder / "pyvenv.cfg", venv_config())
        binds.append((str(folder / "pyvenv.cfg"), "pyvenv.cfg"))
    if files is not None:
        binds.append((str(files), "files"))
    owner = uid if uid is not None else 0
    options = f"size={limits.disk_bytes},nr_inodes={limits.disk_files},mode=0700"
    return {
        "chdir": None,
        "stage": str(folder / "stage"),
        "binds": binds,
        "overlays": overlays,
        "options": f"{options},uid={owner},gid={owner}",
        "area": AREA,
        "uid": uid,
        "files": f"{STAGE}/files" if files is not None else None,
        "limits": asdict(limits),
        "argv": _bwrap(base, python, site),
        "env": {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    }


def _bwrap(base: str | None, python: str, site: str) -> list[str]:
    """bubblewrap's argv: build the box and exec ipykernel in it."""
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    argv += ["--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--hostname", "box"]
    argv += ["--die-with-parent", "--new-session"]
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            argv += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            argv += ["--ro-bind", folder, folder]
    if base is not None:
        argv += ["--ro-bind", f"{STAGE}/python", base]
    for hidden in environment.hidden_site_packages():
        argv += ["--tmpfs", str(hidden), "--remount-ro", str(hidden)]
    if python.startswith(VENV_MOUNT):
        argv += ["--symlink", os.path.realpath(sys.executable), python]
        argv += ["--ro-bind", f"{STAGE}/pyvenv.cfg", f"{VENV_MOUNT}/pyvenv.cfg"]
    argv += ["--tmpfs", site]
    for entry in environment.declared_entries():
        argv += ["--ro-bind", f"{STAGE}/site/{entry}", f"{site}/{entry}"]
    argv += ["--remount-ro", site]
    argv += ["--ro-bind", f"{STAGE}/course", COURSE_MOUNT, "--dev", "/dev"]
    argv += ["--bind", f"{AREA}/home", HOME, "--bind", f"{AREA}/tmp", "/tmp"]
    argv += ["--bind", f"{AREA}/run", RUN, "--ro-bind", f"{STAGE}/connection.json", CONNECTION]
    argv += ["--remount-ro", "/", "--chdir", HOME, "--clearenv"]
    for key, value in kernel_environment(python, HOME, COURSE_MOUNT).items():
        argv += ["--setenv", key, value]
    return [*argv, *kernel_argv(python, CONNECTION)]


def kernel_argv(python: str, connection: str) -> list[str]:
    """ipykernel's command line."""
    return [python, "-m", "ipykernel_launcher", "-f", connection, "--HistoryManager.enabled=False"]


def kernel_environment(python: str, home: str, course: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the instructor's is passed on."""
    return {
        "PATH": f"{os.path.dirname(python)}:/usr/bin:/bin",
        "PYTHONPATH": course,
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": home,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter",
        "MPLBACKEND": "Agg",
        "NBGRADER_EXECUTION": "autograde",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        # One thread each: the workers already use every core.
        **dict.fromkeys(THREADS, "1"),
    }
