"""Inside the sandbox's namespaces: build the box, drop privileges, exec the kernel.

Run by ``grader.tool.sandbox.SandboxedKernel`` as ``python -I launcher.py CONFIG`` under
``unshare``. It imports only the standard library, so that it starts fast, and never returns:
it ends by ``exec``ing ipykernel. CONFIG is the JSON that ``SandboxedKernel.start`` writes.
"""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")


def launch(config):
    """Inside the namespaces: build the box, drop privileges, exec the kernel. Never returns.

    config: the JSON written by SandboxedKernel.start (root, mode, binds, home, uid, limits,
            argv, env).
    """
    if config["mode"] != "limits-only":
        _build_root(config["root"], config["binds"])
        os.chroot(config["root"])
    os.chdir(config["home"])
    if config["uid"] is not None:
        os.setgroups([])
        os.setgid(config["uid"])
        os.setuid(config["uid"])
    limits = config["limits"]
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execve(config["argv"][0], config["argv"], config["env"])


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def _build_root(root: str, binds: list) -> None:
    """A tmpfs at ``root`` holding only ``binds``, /dev's harmless nodes, /proc and /tmp."""
    _mount("--make-rprivate", "/")
    os.makedirs(root, exist_ok=True)
    _mount("-t", "tmpfs", "-o", "size=16m,mode=755", "tmpfs", root)
    # /tmp first: a bind below it (a virtualenv under /tmp, say) must land on this tmpfs,
    # not be hidden by it.
    os.makedirs(root + "/tmp")
    _mount("-t", "tmpfs", "-o", "size=64m,mode=1777,nosuid,nodev", "tmpfs", root + "/tmp")
    for source, target, writable in binds:
        inside = root + target
        os.makedirs(inside, exist_ok=True)
        _mount("--rbind", source, inside)
        options = "remount,bind,nosuid,nodev" + ("" if writable else ",ro")
        _mount("-o", options, inside)
    for device in DEVICES:
        Path(root + device).parent.mkdir(parents=True, exist_ok=True)
        Path(root + device).touch()
        _mount("--bind", device, root + device)
    os.makedirs(root + "/proc")
    _mount("-t", "proc", "-o", "nosuid,nodev,noexec", "proc", root + "/proc")
    _mount("-o", "remount,ro", root)


if __name__ == "__main__":
    launch(json.loads(Path(sys.argv[1]).read_text()))
