"""The grader's client of a sandboxed kernel: it caps what iopub accepts, never redials a
socket, and tells a well-formed kernel message from anything else the kernel might send."""

from __future__ import annotations

import zmq
from jupyter_client.blocking import BlockingKernelClient


class CappedClient(BlockingKernelClient):
    """A kernel client whose iopub socket refuses any single message above a size, and
    whose sockets never reconnect (a socket path is dialled once, while the grader alone has
    run code in the box).

    ZeroMQ drops the connection when an oversized message arrives; a monitor socket reports
    the disconnection, so that ``oversized`` can tell a flood of output from a silent kernel.
    """

    max_message_bytes = 2**20

    def __init__(self, **kwargs):
        context = zmq.Context()
        context.setsockopt(zmq.RECONNECT_IVL, -1)
        super().__init__(context=context, **kwargs)

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

    def close(self) -> None:
        self.stop_channels()
        self.context.destroy(linger=0)


def well_formed(message) -> bool:
    """True when a kernel message has the fields the grader reads, of the right types."""
    return (
        isinstance(message, dict)
        and isinstance(message.get("parent_header"), dict)
        and isinstance(message.get("msg_type"), str)
        and isinstance(message.get("content"), dict)
    )
