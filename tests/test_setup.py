"""The README's promises about setting up: `make lab` serves the lessons on 127.0.0.1 with the
student's configuration, `make lab-instructor` with the instructor's, and every dependency is
pinned."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nnlib import lab as course_lab

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, timeout: float = 30):
    """GET ``url`` as JSON, retrying while the server is still starting to listen."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def status(url: str) -> int:
    """The HTTP status of a GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_make_lab_serves_the_lessons_on_localhost():
    port = free_port()
    lab = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, printed, url = time.monotonic() + 120, [], None
        while url is None and time.monotonic() < deadline and lab.poll() is None:
            line = lab.stdout.readline()
            printed.append(line)
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", line)
            url = found and found.group(0)
        assert url, "make lab printed no URL with a token:\n" + "".join(printed[-30:])
        token = url.rsplit("=", 1)[1]
        listing = get_json(f"http://127.0.0.1:{port}/api/contents?token={token}")
        folders = {item["name"] for item in listing["content"]}
        lessons = {path.name for path in (REPO / "lessons").iterdir() if path.is_dir()}
        assert lessons and lessons <= folders
        assert "solutions" not in folders, "the server's root must be lessons/, not the repository"
        # The student's configuration: nbgrader's Validate handler, and no Formgrader.
        assert status(f"http://127.0.0.1:{port}/assignments/validate?token={token}") == 405
        assert status(f"http://127.0.0.1:{port}/formgrader?token={token}") == 404
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)


def test_every_dependency_is_pinned():
    for name in ("requirements.txt", "requirements-test.txt", "requirements-colab.txt"):
        lines = [
            line.split("#")[0].strip()
            for line in (REPO / name).read_text().splitlines()
            if line.split("#")[0].strip() and not line.startswith("-")
        ]
        # A pin may hold for some platforms or Pythons only: "pywinpty==3.1.2 ; os_name == 'nt'".
        pinned = r"[A-Za-z0-9_.\-\[\]]+==[\w.+]+( ; [\w.' =!<>()]+)?"
        loose = [line for line in lines if not re.fullmatch(pinned, line)]
        assert lines and loose == [], f"{name}: not pinned with ==: {loose}"


def test_each_role_gets_its_own_nbgrader_tools(tmp_path):
    student = course_lab.configure("student", tmp_path)
    assert student == tmp_path / "etc" / "jupyter-course" / "student"
    server = json.loads((student / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.validate_assignment": True,
        "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False,
        "nbgrader.server_extensions.formgrader": False,
    }
    page = json.loads((student / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {
        "@jupyter/nbgrader:validate-assignment": False,
        "@jupyter/nbgrader:assignment-list": True,
        "@jupyter/nbgrader:course-list": True,
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:menu": True,
    }
    instructor = course_lab.configure("instructor", tmp_path)
    page = json.loads((instructor / "labconfig" / "page_config.json").read_text())
    assert not any(page["disabledExtensions"].values())
    server = json.loads((instructor / "jupyter_server_config.json").read_text())
    assert all(server["ServerApp"]["jpserver_extensions"].values())
    with pytest.raises(ValueError, match="role must be one of"):
        course_lab.configure("teacher", tmp_path)


def test_the_roles_configuration_comes_first_and_keeps_the_users(tmp_path):
    env = course_lab.environment("student", tmp_path, {"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [
        str(tmp_path / "etc" / "jupyter-course" / "student"),
        "/elsewhere",
    ]
    student = course_lab.command("student", 8890, tmp_path)
    instructor = course_lab.command("instructor", 8890, tmp_path)
    assert f"--ServerApp.root_dir={tmp_path / 'lessons'}" in student
    assert f"--ServerApp.root_dir={tmp_path}" in instructor
    assert "--ServerApp.ip=127.0.0.1" in student and "--ServerApp.port=8890" in student


def test_make_lab_instructor_starts_the_instructors_lab():
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "lab-instructor", "PORT=8899"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stderr
    assert (
        dry.stdout.strip().splitlines()[-1]
        == ".venv/bin/python -m nnlib.lab --instructor --port 8899"
    )


def test_make_clean_leaves_the_grades_alone():
    clean = subprocess.run(["make", "-n", "clean"], cwd=REPO, capture_output=True, text=True)
    assert clean.returncode == 0 and ".venv" in clean.stdout
    assert "grading" not in clean.stdout
    unconfirmed = subprocess.run(
        ["make", "delete-grading"], cwd=REPO, capture_output=True, text=True
    )
    assert unconfirmed.returncode != 0
    assert "make delete-grading CONFIRM=yes" in unconfirmed.stdout
    confirmed = subprocess.run(
        ["make", "-n", "delete-grading", "CONFIRM=yes"], cwd=REPO, capture_output=True, text=True
    )
    assert "rm -rf grading" in confirmed.stdout


def test_nbgrader_works_on_a_fresh_clone(tmp_path):
    """nbgrader's own commands, run in a course that has no grading/ folder yet."""
    for name in ("nbgrader_config.py", "solutions/01_perceptron/01_perceptron.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    scripts = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin"
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [str(scripts / "nbgrader"), "generate_assignment", "01_perceptron", "--force"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "lessons" / "01_perceptron" / "01_perceptron.ipynb").is_file()
    assert (tmp_path / "grading" / "gradebook.db").is_file()
