"""A probe, run as a student's code inside the box, that looks for host paths in everything the
kernel can read: every readable file under the folders it can see (``sys.path``, the Python
prefixes, ``/opt``, ``/etc``, ``/home``, ``/tmp``, ``/run`` and ``/proc/self`` if there is a
``/proc``), its environment variables, ``sys.path``, ``sys.prefix``, its argv and working folder.

Shared by ``test_sandbox.py`` (root, both boxed modes) and ``test_unprivileged.py`` (a real user
who is not root), which load it by path.
"""

from __future__ import annotations

SCAN = """
import os, subprocess, sys
needles, control = {needles!r}, {control!r}
roots = {{*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix}}
roots |= {{"/opt", "/etc", "/home", "/tmp", "/run", "/proc/self"}}
roots = sorted(root.rstrip("/") + "/" for root in roots if root and os.path.exists(root))
roots = [root for root in roots if not any(root.startswith(r) for r in roots if r != root)]
patterns = [argument for needle in [*needles, control] for argument in ("-e", needle)]
# -r follows no link, -D skip reads no device, -s is quiet about unreadable files; binary
# files (.pyc, .so) are searched too.
grep = subprocess.run(
    ["grep", "-rlsF", "-D", "skip", *patterns, *roots], capture_output=True, text=True
)
found = {{}}
for path in grep.stdout.split():
    data = open(path, "rb").read()
    for needle in [*needles, control]:
        if needle.encode() in data:
            found.setdefault(needle, []).append(path)
strings = [*os.environ.values(), *sys.path, sys.prefix, sys.base_prefix, sys.executable]
strings += [*sys.orig_argv, os.getcwd()]
print("control in", len(found.get(control, [])), "files")
print("files", sorted(path for needle in needles for path in found.get(needle, [])))
print("strings", [text for text in strings if any(needle in text for needle in needles)])
print("proc", os.path.exists("/proc"))
"""

CLEAN = ["files []", "strings []", "proc False"]  # what SCAN prints after its first line


def scan_code(needles: list[str], control: str) -> str:
    """The probe's source, looking for each of ``needles`` (host paths), and for ``control``, a
    box path that the compiled files name, to show that they were searched."""
    return SCAN.format(needles=sorted(set(needles)), control=control)
