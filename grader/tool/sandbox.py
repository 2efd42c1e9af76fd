"""A Jupyter kernel in a box: where a student's code runs while it is graded.

The kernel is started through a launcher (``grader/tool/launcher.py CONFIG``) that runs under
``unshare`` in new mount, network and PID namespaces. The launcher builds a fresh root on a
tmpfs holding only the system directories, the Python installation and the generated course
copy (all read-only) and the submission's private working directory, ``chroot``s into it,
drops to an unprivileged uid, sets resource limits and ``exec``s ipykernel. So the repository,
the gradebook, the solutions and the other submissions do not exist for the student's code,
the network is a loopback that is down, and a fork bomb dies with the namespace.

Kernel messages travel over unix sockets (``transport="ipc"``) in the working directory,
because TCP loopback does not cross a network namespace. The parent reads iopub itself, with
a cap on bytes, a timeout per request, and a check that the kernel is still alive.

Without root, the same box is built inside a user namespace (``unshare --user
--map-root-user``) and the uid is not changed; without ``unshare`` at all, only the resource
limits apply: see ``isolation``. What a request gives back is a ``reply.Reply``.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from grader.tool.isolation import Limits, isolation
from grader.tool.reply import KernelDied, Reply, Status

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
COURSE_MOUNT = "/opt/course"
HOME = "/home/student"
LAUNCHER = Path(__file__).with_name("launcher.py")  # run as a script: no package imports
FIRST_UID = 200_000  # far above any real account; each kernel gets its own uid


class _CappedClient(BlockingKernelClient):
    """A kernel client whose iopub socket refuses any single message above a size.

    ZeroMQ drops the connection when such a message arrives; a monitor socket reports the
    disconnection, so that ``oversized`` can tell a flood of output from a silent kernel.
    """

    max_message_bytes = 2**20

    def connect_iopub(self, identity=None):
        socket = self.context.socket(zmq.SUB)
        socket.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        socket.linger = 0
        self.iopub_monitor = socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        socket.connect(self._make_url("iopub"))
        socket.setsockopt(zmq.SUBSCRIBE, b"")
        return socket

    def oversized(self) -> bool:
        """True once the kernel has sent a message above ``max_message_bytes``."""
        return bool(self.iopub_monitor.poll(0))


class SandboxedKernel:
    """An ipykernel running in the sandbox on one submission's private working directory.

    workdir:  a directory only this submission uses; it becomes the kernel's home and cwd.
    course:   the generated course copy (nnlib and grader), mounted read-only.
    limits:   a Limits.
    slot:     a small integer that makes the uid unique among concurrent kernels.
    """

    def __init__(self, workdir: Path, course: Path, limits: Limits, slot: int = 0):
        self.workdir = Path(workdir)
        self.course = Path(course)
        self.limits = limits
        self.uid = FIRST_UID + slot
        self.process: subprocess.Popen | None = None
        self.client: _CappedClient | None = None

    def start(self) -> None:
        """Start the kernel and wait until it answers; raises KernelDied if it does not."""
        box = isolation()
        os.makedirs(self.workdir, exist_ok=True)
        inside = HOME if box.mode != "limits-only" else str(self.workdir)
        outside_info = _connection_info(self.workdir / "kernel")
        kernel_info = {**outside_info, "ip": f"{inside}/kernel"}
        kernel_file = self.workdir / "connection.json"
        kernel_file.write_text(json.dumps(kernel_info))
        config = {
            "root": str(self.workdir.parent / "root"),
            "mode": box.mode,
            "binds": self._binds(inside),
            "home": inside,
            "uid": self.uid if box.mode == "namespaces" else None,
            "limits": asdict(self.limits),
            "argv": [
                sys.executable,
                "-m",
                "ipykernel_launcher",
                "-f",
                f"{inside}/connection.json",
                "--HistoryManager.enabled=False",
            ],
            "env": self._environment(inside),
        }
        config_file = self.workdir.parent / "launch.json"
        config_file.write_text(json.dumps(config))
        if box.mode == "namespaces":
            os.chown(self.workdir, self.uid, self.uid)
            os.chown(kernel_file, self.uid, self.uid)
        self.process = subprocess.Popen(
            [*box.unshare, sys.executable, "-I", str(LAUNCHER), str(config_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir.parent / "kernel.log", "wb"),
            start_new_session=True,
            cwd=self.workdir,
        )
        self.client = _CappedClient()
        self.client.max_message_bytes = self.limits.output_bytes
        self.client.load_connection_info(outside_info)
        self.client.start_channels()
        deadline = time.monotonic() + self.limits.start_timeout
        while True:
            self._check_alive()
            try:
                self.client.wait_for_ready(timeout=min(2.0, deadline - time.monotonic()))
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise KernelDied(
                        f"the kernel did not start in {self.limits.start_timeout:.0f} s"
                    ) from None

    def _binds(self, inside: str) -> list[tuple[str, str, bool]]:
        """(source, target, writable) for each directory the box shows."""
        python_dirs = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
        binds = [(d, d, False) for d in SYSTEM_DIRS if os.path.isdir(d)]
        binds += [(d, d, False) for d in sorted(python_dirs) if not d.startswith(SYSTEM_DIRS)]
        if sys.prefix != os.path.realpath(sys.prefix):
            binds.append((os.path.realpath(sys.prefix), sys.prefix, False))
        binds += [(str(self.course), COURSE_MOUNT, False), (str(self.workdir), inside, True)]
        return binds

    def _environment(self, home: str) -> dict[str, str]:
        course = COURSE_MOUNT if isolation().mode != "limits-only" else str(self.course)
        return {
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin",
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
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }

    def _check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise KernelDied("the kernel exited")

    def execute(self, code: str, timeout: float | None = None) -> Reply:
        """Run ``code`` and collect its outputs.

        code:    Python source for the kernel.
        timeout: seconds before the request is interrupted (default Limits.cell_timeout).
        Returns a Reply. After DIED the kernel is gone; after TIMEOUT or OUTPUT_LIMIT it was
        interrupted and, if it did not stop, killed (the next call then says DIED).
        """
        if self.process is None or self.process.poll() is not None:
            return Reply(Status.DIED)
        timeout = self.limits.cell_timeout if timeout is None else timeout
        msg_id = self.client.execute(
            code, store_history=False, allow_stdin=False, stop_on_error=False
        )
        reply = Reply(Status.OK)
        size = 0
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                return self._stop(reply, Status.TIMEOUT)
            try:
                message = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    reply.status = Status.DIED
                    return reply
                if self.client.oversized():
                    return self._stop(reply, Status.OUTPUT_LIMIT)
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                return reply
            if kind not in ("stream", "display_data", "execute_result", "error"):
                continue
            size += len(json.dumps(content))
            if size > self.limits.output_bytes:
                return self._stop(reply, Status.OUTPUT_LIMIT)
            output = {"output_type": kind, **content}
            output.pop("transient", None)
            if kind == "error":
                reply.status = Status.ERROR
                reply.error = (str(content.get("ename")), str(content.get("evalue")))
            reply.outputs.append(output)

    def _stop(self, reply: Reply, status: Status) -> Reply:
        """Interrupt the running request; kill the kernel if it does not stop in 3 s."""
        reply.status = status
        self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                message = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if (
                message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                self._drain()
                return reply
        self.kill()
        return reply

    def _drain(self) -> None:
        """Drop the messages left from an interrupted request."""
        while True:
            try:
                self.client.get_iopub_msg(timeout=0.3)
            except queue.Empty:
                return

    def kill(self) -> None:
        """Kill the kernel and everything it started; safe to call twice."""
        if self.client is not None:
            self.client.stop_channels()
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.kill()


def _connection_info(ipc_prefix: Path) -> dict:
    """A connection file's contents for unix sockets named ``<ipc_prefix>-<n>``."""
    path, info = write_connection_file(
        fname=str(ipc_prefix) + ".tmp.json", transport="ipc", ip=str(ipc_prefix)
    )
    os.remove(path)
    return {
        key: value.decode() if isinstance(value, bytes) else value for key, value in info.items()
    }
