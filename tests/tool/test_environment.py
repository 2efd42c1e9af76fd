"""The kernel's packages as the box shows them: compiled files moved to the box's path, and the
cache that holds them rebuilt only when the packages change."""

from __future__ import annotations

import importlib.util
import marshal
import os

from grader.tool import environment

SOURCE = """
def outer():
    def inner():
        return 1
    return inner

class Shape:
    def area(self):
        return lambda: 0
"""
HOST = "/home/me/course/.venv/lib/python3.11/site-packages"
BOX = "/opt/venv/lib/python3.11/site-packages"


def pyc_of(code, mtime: int = 0) -> bytes:
    """A .pyc of ``code`` as Python writes one: magic, flags, source mtime and size, code."""
    header = importlib.util.MAGIC_NUMBER + bytes(4) + mtime.to_bytes(4, "little") + bytes(4)
    return header + marshal.dumps(code)


def file_names(code) -> list[str]:
    """co_filename of ``code`` and of every code object nested in it, depth first."""
    names = [code.co_filename]
    for constant in code.co_consts:
        if hasattr(constant, "co_filename"):
            names += file_names(constant)
    return names


def test_every_code_object_of_a_pyc_is_moved_to_the_box_path_and_the_header_kept():
    code = compile(SOURCE, f"{HOST}/shapes/area.py", "exec")
    pyc = pyc_of(code, 1_700_000_000)
    moved = environment.relocated(pyc, HOST, BOX)
    assert moved[: environment.HEADER] == pyc[: environment.HEADER]
    names = file_names(marshal.loads(moved[environment.HEADER :]))
    assert names == [f"{BOX}/shapes/area.py"] * 6  # module, outer, inner, Shape, area, lambda
    assert HOST.encode() not in moved
    # A folder that only begins with the same letters is not the host's.
    other = compile("x = 1", f"{HOST}-old/x.py", "exec")
    kept = environment.relocated(pyc_of(other), HOST, BOX)
    assert file_names(marshal.loads(kept[environment.HEADER :])) == [f"{HOST}-old/x.py"]


def test_a_pyc_of_another_python_is_left_empty():
    assert importlib.util.MAGIC_NUMBER != b"\x00\x00\r\n"
    assert environment.relocated(b"\x00\x00\r\n" + bytes(40), HOST, BOX) == b""


def test_the_cache_is_built_once_and_rebuilt_when_a_package_changes(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    (site / "pkg" / "__pycache__").mkdir(parents=True)
    code = compile("x = 1", f"{site}/pkg/__init__.py", "exec")
    pyc = site / "pkg" / "__pycache__" / "__init__.cpython-311.pyc"
    pyc.write_bytes(pyc_of(code))
    monkeypatch.setattr(environment, "site_packages", lambda: site)
    monkeypatch.setattr(environment, "declared_entries", lambda: ("pkg",))
    build = environment.bytecode.__wrapped__  # without the per-process memo
    folder = build(BOX, tmp_path / "cache")
    built = folder / "pkg" / "__pycache__" / "__init__.cpython-311.pyc"
    moved = marshal.loads(built.read_bytes()[environment.HEADER :])
    assert moved.co_filename == f"{BOX}/pkg/__init__.py"
    assert oct(built.stat().st_mode & 0o777) == "0o644"
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == "0o700"
    first = built.stat().st_ino
    assert build(BOX, tmp_path / "cache") == folder and built.stat().st_ino == first
    # A reinstalled package: a new .pyc, a second later.
    changed = pyc.stat().st_mtime_ns + 10**9
    pyc.write_bytes(pyc_of(code, 1))
    os.utime(pyc, ns=(changed, changed))
    assert build(BOX, tmp_path / "cache") == folder and built.stat().st_ino != first
    assert build(str(site), tmp_path / "cache") is None  # the box shows the host's own path
