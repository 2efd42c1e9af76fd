"""What one request to a sandboxed kernel gives back: how it ended (``Status``), and the
outputs it produced (``Reply``); ``KernelDied`` when a kernel cannot be had at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from grader.tool.isolation import Limits


class KernelDied(RuntimeError):
    """The kernel exited or was killed while it ran a request."""


class Status(Enum):
    """How one request to the kernel ended."""

    OK = "ok"
    ERROR = "error"  # the code raised an exception; the kernel is fine
    TIMEOUT = "timeout"  # it ran past Limits.cell_timeout and was interrupted
    OUTPUT_LIMIT = "output-limit"  # it printed more than Limits.output_bytes and was interrupted
    DIED = "died"  # the kernel is gone (exit, kill, crash, or an interrupt it ignored)

    @property
    def finished(self) -> bool:
        """True when the code ran to its end, with or without an exception."""
        return self in (Status.OK, Status.ERROR)

    def explain(self, limits: Limits) -> str:
        """What the student's code did, to end a sentence that names it (a cell, a function).

        Only for a status that did not finish: e.g. "did not finish in 30 s (an infinite
        loop?) and was stopped".
        """
        return {
            Status.TIMEOUT: f"did not finish in {limits.cell_timeout:g} s (an infinite loop?) "
            "and was stopped",
            Status.OUTPUT_LIMIT: f"printed more than {limits.output_bytes} bytes and was stopped",
            Status.DIED: "made the kernel die (exit, kill or crash); it was restarted and the "
            "earlier cells replayed",
        }[self]


@dataclass
class Reply:
    """What one execute request produced.

    status:   how it ended.
    outputs:  nbformat output dicts, capped at Limits.output_bytes in total.
    error:    (ename, evalue) of the exception, if the status is "error".
    dropped:  messages of the kernel's that could not be parsed, and were dropped.
    """

    status: Status
    outputs: list[dict] = field(default_factory=list)
    error: tuple[str, str] | None = None
    dropped: int = 0

    def limit_hit(self, limits: Limits) -> str | None:
        """Which limit the code's exception shows it ran into, to end a sentence that names
        the cell (e.g. "ran out of its 3 GiB of memory (--memory)"), or None."""
        if self.error is None:
            return None
        name, value = self.error
        if name == "MemoryError":
            return f"ran out of its {limits.memory_bytes / 2**30:g} GiB of memory (--memory)"
        if "No space left on device" in value:
            return (
                f"filled its writable area of {limits.disk_bytes // 2**20} MiB or "
                f"{limits.disk_files} files (--disk-mib, --disk-files)"
            )
        if "File too large" in value:
            return f"wrote a file above {limits.file_bytes // 2**20} MiB"
        return None
