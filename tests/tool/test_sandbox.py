"""The sandboxed kernel on its own, in each containment mode the tool can fall back to.

CI runs as root, where the tool uses full namespaces; an instructor without root gets a user
namespace, or only resource limits where even that is refused. The fallbacks are forced here so
that they run in CI too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.tool import sandbox, shadow
from grader.tool.isolation import Isolation, Limits, isolation
from grader.tool.reply import Status
from grader.tool.sandbox import SandboxedKernel

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return shadow.build(tmp_path_factory.mktemp("copy") / "course", set())


def stdout(reply) -> str:
    return "".join(o.get("text", "") for o in reply.outputs if o["output_type"] == "stream")


def run(kernel: SandboxedKernel, code: str) -> str:
    reply = kernel.execute(code, timeout=30)
    assert reply.status is Status.OK, reply
    return stdout(reply).strip()


def force_mode(monkeypatch, mode: str) -> None:
    """Make ``isolation()`` answer as it would on a machine that allows only ``mode``."""
    strongest = isolation()
    assert strongest.mode == "namespaces", "these tests expect to run as root, as CI does"
    commands = {
        "namespaces": strongest.unshare,
        "user-namespace": ("unshare", "--user", "--map-root-user", *strongest.unshare[1:]),
        "limits-only": (),
    }
    # The kernel asks ``isolation()`` by the name it imported into the sandbox module.
    monkeypatch.setattr(sandbox, "isolation", lambda: Isolation(mode, commands[mode]))


SEES_REPOSITORY = f"import os; print(os.path.exists({str(REPO / 'solutions')!r}))"
OPENS_SOCKET = """
import socket
try:
    socket.create_connection(("127.0.0.1", 22), timeout=2)
    print("connected")
except OSError as error:
    print(type(error).__name__)
"""


@pytest.mark.parametrize("mode", ["namespaces", "user-namespace"])
def test_contained_modes_hide_the_repository_and_the_network(mode, course, tmp_path, monkeypatch):
    force_mode(monkeypatch, mode)
    with SandboxedKernel(tmp_path / "work" / "home", course, Limits()) as kernel:
        assert run(kernel, "import nnlib, grader; print(nnlib.__file__)").startswith(
            sandbox.COURSE_MOUNT
        )
        assert run(kernel, SEES_REPOSITORY) == "False"
        assert run(kernel, OPENS_SOCKET) != "connected"
        assert run(kernel, "import os; print(os.getcwd())") == sandbox.HOME


def test_limits_only_mode_still_runs_and_caps_memory(course, tmp_path, monkeypatch):
    force_mode(monkeypatch, "limits-only")
    with SandboxedKernel(tmp_path / "work" / "home", course, Limits()) as kernel:
        assert run(kernel, "print(6 * 7)") == "42"
        # 16 GiB, far above the default cap of 3 GiB (and below this machine's memory).
        reply = kernel.execute("import numpy as np; big = np.ones(2**31)", timeout=30)
        assert reply.status is Status.ERROR and reply.error[0] == "MemoryError"


def test_a_folder_under_tmp_stays_visible_inside(course, tmp_path, monkeypatch):
    # The box mounts its own /tmp; a Python installed under /tmp (a repository cloned there)
    # must still be visible, so binds below /tmp go on top of the box's /tmp, not under it.
    force_mode(monkeypatch, "namespaces")
    shown = tmp_path / "shown"
    shown.mkdir()
    (shown / "note.txt").write_text("still here")
    shown.chmod(0o755)
    binds = SandboxedKernel._binds
    monkeypatch.setattr(
        SandboxedKernel,
        "_binds",
        lambda self, inside: [*binds(self, inside), (str(shown), str(shown), False)],
    )
    with SandboxedKernel(tmp_path / "work" / "home", course, Limits()) as kernel:
        assert run(kernel, f"print(open({str(shown / 'note.txt')!r}).read())") == "still here"
