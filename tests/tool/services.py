"""Real services for the cluster tests, started on 127.0.0.1 and stopped by their pid.

- ``DaskCluster``: ``dask scheduler`` and ``dask worker`` processes (one process, one thread
  each, no nanny, so that a worker killed with SIGKILL stays dead and its pid is the one the
  test holds).
- ``PostgreSQL``: a PostgreSQL 15 server from Debian's ``postgresql-15`` package (installed
  with apt-get when missing, as root, under the lock file the bubblewrap fixture uses), its
  cluster made with ``initdb`` in a temporary folder and run as the unprivileged user of
  ``test_unprivileged.py``, since PostgreSQL refuses to run as root.

``conftest.py`` loads this module and hands its classes to the tests as fixtures.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
APT_LOCK = "/tmp/nn-course-apt.lock"  # the bubblewrap fixture's: apt runs once at a time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    """Return once ``port`` accepts connections; fail with ``process``'s log if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds} s")


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop ``process`` by its pid: ``sig``, then SIGKILL after 20 s."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class DaskCluster:
    """A scheduler and ``workers`` worker processes on 127.0.0.1; ``stop`` ends them all.

    address: the scheduler's "tcp://127.0.0.1:PORT".
    workers: {worker address: its process}.
    """

    def __init__(self, workers: int = 2, log: Path | None = None):
        self.log = open(log or os.devnull, "ab")
        self.port = free_port()
        self.address = f"tcp://{HOST}:{self.port}"
        self.workers: dict[str, subprocess.Popen] = {}
        self.killed: set[str] = set()
        self.scheduler = self._start(
            "scheduler", "--host", HOST, "--port", str(self.port), "--dashboard-address", ":0"
        )
        _wait_for_port(self.port, self.scheduler, "dask scheduler")
        for _ in range(workers):
            self.start_worker()

    def _start(self, *arguments: str) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "dask"), *arguments],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def start_worker(self) -> str:
        """Start one more worker; returns its address once the scheduler knows it."""
        port = free_port()
        address = f"tcp://{HOST}:{port}"
        self.workers[address] = self._start(
            "worker", self.address, "--no-nanny", "--nthreads", "1", "--host", HOST,
            "--worker-port", str(port), "--dashboard-address", ":0",
        )  # fmt: skip
        _wait_for_port(port, self.workers[address], "dask worker")
        self._wait_until_registered(address)
        return address

    def _wait_until_registered(self, address: str, seconds: float = 60.0) -> None:
        """Wait until the scheduler lists the worker at ``address``: a worker listens on its
        port a moment before it has registered, and a run started then finds fewer workers."""
        deadline = time.monotonic() + seconds
        with Client(self.address, timeout=seconds, set_as_default=False) as client:
            while address not in client.scheduler_info()["workers"]:
                if self.workers[address].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dask worker at {address} never registered")
                time.sleep(0.05)

    def kill_worker(self, address: str) -> None:
        """SIGKILL the worker at ``address``, as the kernel's OOM killer would."""
        self.workers[address].kill()
        self.workers[address].wait()
        self.killed.add(address)

    def stop_scheduler(self) -> None:
        """SIGKILL the scheduler, as a lost machine would take it."""
        self.scheduler.kill()
        self.scheduler.wait()

    def stop(self) -> None:
        """Stop every worker, then the scheduler, each by its pid."""
        for process in self.workers.values():
            _stop(process)
        _stop(self.scheduler)
        self.log.close()


def unprivileged_user() -> tuple[int, int]:
    """(uid, gid) of ``test_unprivileged.py``'s user, created if missing."""
    path = Path(__file__).with_name("test_unprivileged.py")
    spec = importlib.util.spec_from_file_location("unprivileged_user", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(APT_LOCK, "w") as lock:  # two test processes must not both run useradd
        fcntl.flock(lock, fcntl.LOCK_EX)
        return module._user()


def install_postgres() -> None:
    """Debian's PostgreSQL 15 server, installed with apt-get if missing (needs root)."""
    if (POSTGRES_BIN / "postgres").exists():
        return
    if os.geteuid() != 0:
        raise RuntimeError("PostgreSQL 15 is missing: sudo apt-get install postgresql-15")
    with open(APT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (POSTGRES_BIN / "postgres").exists():
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
            install = ["apt-get", "install", "-y", "-qq", "postgresql-15"]
            subprocess.run(install, check=True, env=env)


class PostgreSQL:
    """A PostgreSQL 15 server in a temporary folder, run as an unprivileged user, trusting
    local connections; ``database()`` makes a new database and returns its URL."""

    def __init__(self):
        install_postgres()
        self.uid, self.gid = unprivileged_user()
        self.folder = Path(tempfile.mkdtemp(prefix="postgres-"))
        os.chown(self.folder, self.uid, self.gid)
        self.port = free_port()
        self.count = 0
        data = self.folder / "data"
        self._as_user(POSTGRES_BIN / "initdb", "-D", data, "-U", "grader", "--auth=trust", "-E",
                      "UTF8", "--no-sync")  # fmt: skip
        self.server = subprocess.Popen(
            self._user_command(
                POSTGRES_BIN / "postgres",
                "-D",
                data,
                "-k",
                self.folder,
                "-h",
                HOST,
                "-p",
                self.port,
                "-c",
                "fsync=off",
            ),  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "ab"),
        )
        _wait_for_port(self.port, self.server, "postgres")

    def _user_command(self, *arguments) -> list[str]:
        drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
        return [*drop, *map(str, arguments)]

    def _as_user(self, *arguments) -> None:
        done = subprocess.run(
            self._user_command(*arguments), capture_output=True, text=True, cwd=self.folder
        )
        if done.returncode != 0:
            raise RuntimeError(f"{arguments[0]} failed: {done.stderr}")

    def database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        self.count += 1
        name = f"gradebook{self.count}"
        self._as_user(POSTGRES_BIN / "createdb", "-h", HOST, "-p", self.port, "-U", "grader", name)
        return f"postgresql://grader@{HOST}:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server by its pid (a fast shutdown), and remove its folder."""
        _stop(self.server, signal.SIGINT)
        shutil.rmtree(self.folder, ignore_errors=True)
