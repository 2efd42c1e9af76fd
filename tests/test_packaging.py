"""The package as students install it: pyproject.toml's dependencies, the lock files generated
from them, the Python versions they resolve for, and the wheel that ``grader bundle`` writes."""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from grader.tool.bundle import bundle, wheel

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SUPPORTED = ("3.11", "3.12", "3.13")
LOCKS = ("requirements.txt", "requirements-test.txt", "requirements-colab.txt")


def load_lock_script():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "scripts" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pins(name: str) -> dict[str, list[Requirement]]:
    """A lock file's requirements by normalised package name (a name pinned twice, for two
    Python versions, has two)."""
    found = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            found.setdefault(normalise(requirement.name), []).append(requirement)
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", requirement
    return specifier.version


def test_pyproject_declares_the_students_dependencies_and_the_extras():
    project = PROJECT["project"]
    assert project["requires-python"] == ">=3.11"
    names = {normalise(Requirement(line).name) for line in project["dependencies"]}
    assert names == {
        "numpy", "matplotlib", "ipython", "ipykernel", "ipywidgets", "scikit-learn", "tqdm"
    }  # fmt: skip
    extras = project["optional-dependencies"]
    assert set(extras) == {"lab", "instructor", "test"}
    assert {normalise(Requirement(line).name) for line in extras["lab"]} == {
        "jupyterlab",
        "nbgrader",
    }
    assert "nbgrader" in {normalise(Requirement(line).name) for line in extras["instructor"]}
    tools = {normalise(Requirement(line).name) for line in extras["test"]}
    assert {"pytest", "nbval", "playwright", "torch", "ruff", "uv"} <= tools


def test_the_lower_bounds_are_colabs_versions_which_the_colab_lock_pins():
    lowest = {
        normalise(requirement.name): next(iter(requirement.specifier)).version
        for requirement in map(Requirement, PROJECT["project"]["dependencies"])
    }
    colab_pins = map(Requirement, load_lock_script().COLAB)
    colab = {normalise(pin.name): pinned_version(pin) for pin in colab_pins}
    assert lowest == colab
    locked = pins("requirements-colab.txt")
    assert {name: [pinned_version(r) for r in locked[name]] for name in colab} == {
        name: [version] for name, version in colab.items()
    }


def test_every_lock_satisfies_the_declared_ranges():
    project = PROJECT["project"]
    declared = {
        "requirements.txt": project["dependencies"] + project["optional-dependencies"]["lab"],
        "requirements-test.txt": [
            line for group in project["optional-dependencies"].values() for line in group
        ]
        + project["dependencies"],
        "requirements-colab.txt": project["dependencies"],
    }
    for lock, lines in declared.items():
        locked = pins(lock)
        for requirement in map(Requirement, lines):
            versions = [pinned_version(r) for r in locked.get(normalise(requirement.name), [])]
            assert versions, f"{lock} does not lock {requirement.name}"
            for version in versions:
                assert requirement.specifier.contains(version, prereleases=True), (
                    f"{lock}: {requirement.name}=={version} is outside {requirement}"
                )


def test_the_test_lock_has_the_students_versions():
    student, everything = pins("requirements.txt"), pins("requirements-test.txt")
    assert set(student) <= set(everything)
    # Versions, not whole requirement lines: the instructor's extras may need a package on more
    # platforms than the student's lock does (psutil, for Dask), with the same version.
    changed = {
        name: (str(student[name]), str(everything[name]))
        for name in student
        if sorted(map(pinned_version, student[name]))
        != sorted(map(pinned_version, everything[name]))
    }
    assert changed == {}


@pytest.mark.slow
def test_the_locks_are_what_the_lock_command_writes(tmp_path):
    """Nobody edited a lock by hand: `python scripts/lock.py` rewrites them unchanged."""
    (tmp_path / "scripts").mkdir()
    for name in ("pyproject.toml", "scripts/lock.py", *LOCKS):
        shutil.copy(ROOT / name, tmp_path / name)
    finds = os.environ.get("PIP_FIND_LINKS")
    assert finds, "set PIP_FIND_LINKS to the folder or index that holds the torch CPU wheel"
    run = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "lock.py"), "--find-links", finds],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for name in LOCKS:
        assert (tmp_path / name).read_text() == (ROOT / name).read_text(), name


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    """One download folder for every Python: pip skips the pure-Python wheels already there."""
    return tmp_path_factory.mktemp("wheels")


@pytest.mark.slow
@pytest.mark.parametrize("version", [v for v in SUPPORTED if v != "3.11"])
def test_the_students_lock_resolves_for_newer_pythons(wheels, version):
    """Only 3.11 runs here: pip resolves the student's lock for the others, wheels only."""
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    wanted = ["--only-binary=:all:", "--python-version", version, "--dest", str(wheels)]
    lock = ["-r", str(ROOT / "requirements.txt")]
    run = subprocess.run([*pip, *wanted, *lock], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    tag = "cp" + version.replace(".", "")
    assert any(path.name.startswith("numpy-") and tag in path.name for path in wheels.iterdir())


def test_ruff_and_the_makefile_agree_with_requires_python():
    lowest = SUPPORTED[0].replace(".", "")
    assert PROJECT["tool"]["ruff"]["target-version"] == f"py{lowest}"
    makefile = (ROOT / "Makefile").read_text()
    accepted = re.search(
        r"\((\d+), (\d+)\) <= sys\.version_info\[:2\] <= \((\d+), (\d+)\)", makefile
    )
    assert accepted, "the Makefile no longer checks the Python version"
    low, high = f"{accepted[1]}.{accepted[2]}", f"{accepted[3]}.{accepted[4]}"
    assert (low, high) == (SUPPORTED[0], SUPPORTED[-1])


def wheel_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_wheel_carries_the_kernel_side_with_the_declared_dependencies(tmp_path):
    path = wheel(ROOT, tmp_path)
    assert path.name == f"nn_course-{PROJECT['project']['version']}-py3-none-any.whl"
    members = wheel_members(path)
    assert {"nnlib/plots.py", "nnlib/preflight.py", "grader/checks.py", "grader/__init__.py"} <= (
        set(members)
    )
    assert not any(name.startswith("grader/tool/") for name in members)
    assert "grader/__main__.py" not in members and not any(".pyc" in name for name in members)
    info = f"nn_course-{PROJECT['project']['version']}.dist-info"
    metadata = members[f"{info}/METADATA"].decode()
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if "Requires-Dist" in line]
    assert requires == PROJECT["project"]["dependencies"]
    assert "Requires-Python: >=3.11" in metadata.splitlines()
    for name, digest, size in csv.reader(io.StringIO(members[f"{info}/RECORD"].decode())):
        if name == f"{info}/RECORD":
            continue
        expected = hashlib.sha256(members[name]).digest()
        assert digest == "sha256=" + base64.urlsafe_b64encode(expected).rstrip(b"=").decode()
        assert int(size) == len(members[name])
    (tmp_path / "again").mkdir()
    again = wheel(ROOT, tmp_path / "again")
    assert again.read_bytes() == path.read_bytes(), "the same files give the same wheel"


@pytest.mark.slow
def test_the_wheel_installs_and_its_check_passes(tmp_path):
    path = wheel(ROOT, tmp_path)
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", "import nnlib.preflight as p; print(p.__file__); p.check()"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    where, said = run.stdout.splitlines()
    assert where == str(target / "nnlib" / "preflight.py")
    assert said.startswith("✔ Ready: nn-course ")


def test_the_bundle_holds_the_wheel_and_writes_it_beside_the_zip(tmp_path):
    names = bundle(ROOT, tmp_path / "course.zip")
    beside = tmp_path / f"nn_course-{PROJECT['project']['version']}-py3-none-any.whl"
    assert beside.is_file()
    assert f"nn-course/{beside.name}" in names
    with zipfile.ZipFile(tmp_path / "course.zip") as archive:
        assert archive.read(f"nn-course/{beside.name}") == beside.read_bytes()


def test_the_readme_names_the_current_wheel_and_the_commands_without_make():
    readme = (ROOT / "README.md").read_text()
    wheels = set(re.findall(r"nn_course-[\w.]+-py3-none-any\.whl", readme))
    assert wheels == {f"nn_course-{PROJECT['project']['version']}-py3-none-any.whl"}
    assert "python -m pip install -r requirements.txt -e ." in readme
    assert "python -m nnlib.lab" in readme and "make lab-instructor" in readme
