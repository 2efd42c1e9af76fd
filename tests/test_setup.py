"""The README's promises about setting up: `make lab` serves the lessons on 127.0.0.1, and every
dependency is pinned."""

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
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)


def test_every_dependency_is_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        lines = [
            line.split("#")[0].strip()
            for line in (REPO / name).read_text().splitlines()
            if line.split("#")[0].strip() and not line.startswith("-")
        ]
        loose = [line for line in lines if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.+]+", line)]
        assert lines and loose == [], f"{name}: not pinned with ==: {loose}"


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
