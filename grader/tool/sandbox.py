"""A Jupyter kernel in a box: where a student's code runs while it is graded.

``SandboxedKernel.start`` writes a connection file with a fresh random key, with O_EXCL in a
new folder that only the grader writes, then runs the launcher (``launcher.py``) in a private
mount namespace: it stages what the box shows, drops root and execs bubblewrap, which builds
the box (``box.py``) and runs ipykernel in it as an unprivileged uid without capabilities. The
repository, the gradebook, the solutions and the other submissions do not exist for the
student's code; the network is a loopback of its own; the writable area is a tmpfs with a size
and an inode limit, new at every start; a fork bomb dies with the PID namespace. Nothing of
the grader's is ever written where the kernel can write.

Messages travel over unix sockets (``transport="ipc"``) in the box's ``/run/kernel``, which
the grader opens through the box's mount namespace (``/proc/PID/root``) before any student
code runs; the client never reconnects, so a socket path the student replaces is never
dialled. The parent reads iopub itself, with a cap on bytes, a deadline per request, a drain
with a deadline, and a check that the kernel is still alive. In "limits-only" mode
(``--unsafe``) the kernel runs with resource limits alone, in a plain folder.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.tool import box as layout
from grader.tool.client import CappedClient, well_formed
from grader.tool.isolation import Isolation, Limits
from grader.tool.reply import KernelDied, Reply, Status

LAUNCHER = Path(__file__).with_name("launcher.py")  # run as a script: no package imports
SOCKETS = ("shell", "iopub", "stdin", "control", "hb")
INTERRUPT_SECONDS = 3.0  # how long an interrupted request may take to stop before a kill
DRAIN_SECONDS = 2.0  # at most this long dropping what an interrupted request still prints


class SandboxedKernel:
    """An ipykernel running in the sandbox.

    folder: a folder only the grader writes (created if missing); each start makes one in it.
    course: the generated course copy (nnlib and grader), shown read-only at /opt/course.
    limits: a Limits.
    box:    an Isolation (its mode decides how the kernel is contained).
    slot:   the kernel's host uid is FIRST_UID + slot as root; lease it (``uids.lease``) so
            that no other kernel on this machine has it.
    files:  a folder whose contents are copied into the kernel's home at each start, or None.
    """

    def __init__(
        self,
        folder: Path,
        course: Path,
        limits: Limits,
        box: Isolation,
        slot: int = 0,
        files: Path | None = None,
    ):
        self.folder, self.course, self.files = Path(folder), Path(course), files
        self.limits, self.box, self.slot = limits, box, slot
        self.starts = 0
        self.process: subprocess.Popen | None = None
        self.client: CappedClient | None = None
        self._sockets: int | None = None  # a file descriptor of the kernel's socket folder
        self._log: Path | None = None
        if box.safe:
            layout.prepare()

    def start(self) -> None:
        """Start the kernel and wait until it answers; raises KernelDied if it does not."""
        self.folder.mkdir(mode=0o711, parents=True, exist_ok=True)
        self.starts += 1
        folder = self.folder / f"start{self.starts}-{secrets.token_hex(4)}"
        folder.mkdir(mode=0o711)  # raises if anything is there already
        info = {
            "transport": "ipc",
            "key": secrets.token_hex(32),
            "signature_scheme": "hmac-sha256",
            "kernel_name": "",
            **{f"{name}_port": n for n, name in enumerate(SOCKETS, start=1)},
        }
        config, inside, sockets = layout.plan(
            self.box, self.slot, self.limits, folder, self.course, self.files
        )
        self._log = folder / "kernel.log"
        layout.write_new(folder / "connection.json", json.dumps({**info, "ip": inside}))
        with open(self._log, "xb") as log:
            self.process = subprocess.Popen(
                [*self.box.unshare, sys.executable, "-I", str(LAUNCHER), json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
                cwd=folder,
            )
        deadline = time.monotonic() + self.limits.start_timeout
        if self.box.safe:
            sockets = f"/proc/{self.process.pid}/root{sockets}"
        self._sockets = self._wait_for_sockets(sockets, deadline)
        self.client = CappedClient()
        self.client.max_message_bytes = self.limits.output_bytes
        self.client.load_connection_info({**info, "ip": f"/proc/self/fd/{self._sockets}/kernel"})
        self.client.start_channels()
        while True:
            self._check_alive()
            try:
                self.client.wait_for_ready(timeout=max(0.1, min(2.0, deadline - time.monotonic())))
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise self._late() from None

    def _late(self) -> KernelDied:
        """Kill a kernel that did not start in time; the error to raise."""
        self.kill()
        return KernelDied(f"the kernel did not start in {self.limits.start_timeout:.0f} s")

    def _wait_for_sockets(self, folder: str, deadline: float) -> int:
        """Wait until the kernel has made all its sockets in ``folder``; returns a file
        descriptor of that folder, opened without following a link."""
        while True:
            self._check_alive()
            try:
                names = set(os.listdir(folder))
            except OSError:
                names = set()
            if names >= {f"kernel-{n}" for n in range(1, len(SOCKETS) + 1)}:
                return os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
            if time.monotonic() > deadline:
                raise self._late()
            time.sleep(0.05)

    def _check_alive(self) -> None:
        """Raise KernelDied, with the last line the launcher or kernel logged, if it exited."""
        if self.process is None or self.process.poll() is not None:
            lines = self._log.read_text(errors="replace").strip().splitlines() if self._log else []
            raise KernelDied("the kernel exited" + (f": {lines[-1][:200]}" if lines else ""))

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
                message = None
            except Exception:  # a message the client cannot parse (e.g. a 5,000-digit int)
                reply.dropped += 1
                continue
            if message is None:
                if self.process.poll() is not None:
                    reply.status = Status.DIED
                    return reply
                if self.client.oversized():
                    # A dying kernel drops its sockets too: give it a second to be seen dead.
                    if _exits(self.process, within=1.0):
                        reply.status = Status.DIED
                        return reply
                    return self._stop(reply, Status.OUTPUT_LIMIT)
                continue
            if not well_formed(message) or message["parent_header"].get("msg_id") != msg_id:
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
        """Interrupt the running request; kill the kernel if it does not stop within
        INTERRUPT_SECONDS, or if it overflowed iopub (the socket that dropped it is never
        reconnected)."""
        reply.status = status
        if self.client.oversized():
            self.kill()
            return reply
        self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + INTERRUPT_SECONDS
        while time.monotonic() < deadline:
            try:
                message = self.client.get_iopub_msg(timeout=0.2)
            except Exception:  # nothing yet, or a message that cannot be parsed
                continue
            if (
                well_formed(message)
                and message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                self._drain()
                return reply
        self.kill()
        return reply

    def _drain(self) -> None:
        """Drop the messages left from an interrupted request: until iopub has been quiet for
        0.3 s, and never longer than DRAIN_SECONDS (a thread may print forever)."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            try:
                self.client.get_iopub_msg(timeout=min(0.3, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                return
            except Exception:  # a message that cannot be parsed is dropped like the others
                continue

    def kill(self) -> None:
        """Kill the kernel and everything it started; safe to call twice."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._sockets is not None:
            os.close(self._sockets)
            self._sockets = None
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


def _exits(process: subprocess.Popen, within: float) -> bool:
    """True when ``process`` has exited, or does within ``within`` seconds."""
    try:
        process.wait(timeout=within)
        return True
    except subprocess.TimeoutExpired:
        return False
