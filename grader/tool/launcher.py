"""The first step of a sandboxed kernel: prepare what bubblewrap needs, drop root, exec it.

Run by ``grader.tool.sandbox.SandboxedKernel`` as ``python -I launcher.py CONFIG_JSON`` in a
private mount namespace of its own (``unshare --mount`` as root, ``unshare --user
--map-root-user --mount`` otherwise). It imports only the standard library, so that it starts
fast, and never returns: it ends by ``exec``ing its ``argv`` (bubblewrap, which builds the box
and runs ipykernel as an unprivileged uid without capabilities).

Why a step before bubblewrap: bubblewrap cannot give a tmpfs an inode limit, and as an
unprivileged uid it cannot reach a Python installed under a folder it may not enter (such as
``/root``). Both mounts made here exist only in this private mount namespace.

In "limits-only" mode (no namespaces) it only sets the resource limits and execs the kernel.
"""

import json
import os
import resource
import shutil
import subprocess
import sys


def launch(config):
    """Prepare, drop privileges, set the limits, exec ``config["argv"]``. Never returns.

    config: a dict with
      stage:   a folder to mount the staging tmpfs on (then shown at /tmp), or None for
               "limits-only" (no namespaces: only the limits are set);
      binds:   [(host path, name)]: what to show as /tmp/NAME (folders or files);
      overlays: [(name, [names])]: read-only overlays shown as /tmp/NAME, each of the
               bound folders NAMES, the first on top;
      area:    where, in the stage, to mount the kernel's writable tmpfs;
      options: that tmpfs's mount options (size, nr_inodes, mode, uid, gid);
      uid:     the uid to drop to, or None to stay as this namespace's root;
      files:   a folder whose contents are copied into AREA/home after dropping root, or None;
      limits:  {"memory_bytes", "processes", "file_bytes", ...};
      chdir:   the folder to run the kernel in, or None (bubblewrap chooses it);
      argv, env: what to exec.
    """
    if config["stage"] is not None:
        stage = config["stage"]
        _mount("--make-rprivate", "/")
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", stage)
        for source, name in config["binds"]:
            target = os.path.join(stage, name)
            if os.path.isdir(source):
                os.mkdir(target)
            else:
                open(target, "x").close()
            _mount("--rbind", source, target)
        os.mkdir(stage + "/area")
        _mount("-t", "tmpfs", "-o", config["options"], "tmpfs", stage + "/area")
        for name, _ in config["overlays"]:
            os.mkdir(os.path.join(stage, name))
        _mount("--rbind", stage, "/tmp")
        # Mounted once the stage is at /tmp, so that the overlay's options name no host path.
        for name, layers in config["overlays"]:
            lower = ":".join(f"/tmp/{layer}" for layer in layers)
            _mount("-t", "overlay", "-o", f"ro,lowerdir={lower}", "overlay", f"/tmp/{name}")
    if config["uid"] is not None:
        os.setgroups([])
        os.setgid(config["uid"])
        os.setuid(config["uid"])
    if config["stage"] is not None:
        for name in ("home", "tmp", "run"):
            os.mkdir(os.path.join(config["area"], name), 0o700)
        if config["files"] is not None:
            home = os.path.join(config["area"], "home")
            shutil.copytree(config["files"], home, dirs_exist_ok=True)
    if config["chdir"] is not None:
        os.chdir(config["chdir"])
    limits = config["limits"]
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execvpe(config["argv"][0], config["argv"], config["env"])


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


if __name__ == "__main__":
    launch(json.loads(sys.argv[1]))
