"""One notebook's time with a sandboxed kernel: restarts with replay, a wall-clock budget for
the whole notebook, and a cap on the output kept for it.

A kernel that dies is started afresh (a new box, a new key) and the cells that ran are
replayed, at most ``MAX_RESTARTS`` times. Every request, replays included, runs against one
deadline: ``Limits.notebook_timeout`` from the session's start; once it has passed,
``OutOfTime`` ends the grading of the notebook. So a notebook holds a kernel for at most
``longest_hold(limits)``: its budget, plus one kernel start and the stop of one request.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

import nbformat

from grader.tool import uids
from grader.tool.isolation import Isolation, Limits
from grader.tool.reply import KernelDied, Reply, Status
from grader.tool.sandbox import DRAIN_SECONDS, INTERRUPT_SECONDS, SandboxedKernel

MAX_RESTARTS = 3


def longest_hold(limits: Limits) -> float:
    """The most seconds one notebook's session can last, whatever the notebook does: its
    budget; then a kernel start begun just before the budget ran out (``start_timeout``), or
    a request that the deadline cut short, interrupted, then drained (or killed)."""
    stop = INTERRUPT_SECONDS + DRAIN_SECONDS
    return limits.notebook_timeout + max(limits.start_timeout, stop)


class OutOfTime(KernelDied):
    """The notebook's wall-clock budget is spent."""


class KernelSession:
    """A sandboxed kernel for one notebook, restarted and replayed if it dies; ``close`` it.

    Takes ``SandboxedKernel``'s arguments but the slot (folder, course, limits, box, files):
    as root, it leases a host uid for the kernel that no other kernel on this machine holds
    until ``close`` (``uids.lease``). Starts the kernel; raises KernelDied if it does not
    start, RuntimeError if no uid is free.
    """

    def __init__(self, folder, course, limits: Limits, box: Isolation, files=None):
        self.limits = limits
        self.deadline = time.monotonic() + limits.notebook_timeout
        self.history: list[str] = []
        self.restarts = 0
        self.executing = 0.0
        self.kept = 0  # bytes of output kept so far for the notebook
        self.dropped_from: int | None = None  # the first cell whose outputs were dropped
        self._held = ExitStack()  # the kernel's host uid, released by close
        slot = self._held.enter_context(uids.lease()) if box.mode == "namespaces" else 0
        self.kernel = SandboxedKernel(folder, course, limits, box, slot, files)
        try:
            self.kernel.start()
        except BaseException:
            self.close()
            raise

    def out_of_time(self) -> OutOfTime:
        """The error that ends a notebook whose budget is spent (its text is the summary line)."""
        return OutOfTime(
            f"the notebook used up its {self.limits.notebook_timeout:g} s budget (restarts "
            "and replays included); grading stopped"
        )

    def run(self, code: str, remember: bool) -> Reply:
        """Run ``code``; with ``remember``, replay it after a restart if it ran to its end.

        Raises OutOfTime when the notebook's budget ran out, KernelDied when the kernel
        cannot be revived.
        """
        reply = self._execute(code)
        if remember and reply.status.finished:
            self.history.append(code)
        if not reply.status.finished:
            self.revive()
        return reply

    def _execute(self, code: str) -> Reply:
        """One request, with the cell timeout or what is left of the budget if that is less."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.out_of_time()
        started = time.perf_counter()
        reply = self.kernel.execute(code, timeout=min(self.limits.cell_timeout, left))
        self.executing += time.perf_counter() - started
        if reply.status is Status.TIMEOUT and left < self.limits.cell_timeout:
            raise self.out_of_time()
        return reply

    def revive(self) -> None:
        """Start a fresh kernel if this one is gone, and replay the cells that ran."""
        if self.kernel.process.poll() is None:
            return
        self.kernel.kill()
        if self.restarts >= MAX_RESTARTS:
            raise KernelDied(f"the kernel died {MAX_RESTARTS + 1} times; grading stopped")
        if time.monotonic() > self.deadline:  # no kernel start begins after the budget
            raise self.out_of_time()
        self.restarts += 1
        self.kernel.start()
        for code in self.history:
            self._execute(code)

    def keep(self, outputs: list[dict], cell: int) -> list:
        """The outputs of code cell number ``cell`` to keep in the autograded notebook: valid
        nbformat outputs only, and none once the notebook's outputs reach
        ``Limits.notebook_output_bytes`` (``dropped_from`` then names the first such cell)."""
        kept = []
        for output in outputs:
            size = len(repr(output))
            if self.kept + size > self.limits.notebook_output_bytes:
                self.dropped_from = self.dropped_from or cell
                break
            node = _valid_output(output)
            if node is not None:
                kept.append(node)
                self.kept += size
        return kept

    def close(self) -> None:
        """Kill the kernel, then give its uid back; safe to call twice."""
        self.kernel.kill()
        self._held.close()


def _valid_output(output: dict):
    """``output`` as an nbformat node, or None if it is not a valid nbformat-4 output."""
    try:
        node = nbformat.from_dict(output)
        cell = nbformat.v4.new_code_cell(outputs=[node])
        nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))
        return node
    except Exception:  # whatever the student's output holds, it is only dropped
        return None
