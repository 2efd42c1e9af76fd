"""``uids.lease``: a kernel's host uid is its own on the whole machine, across threads, runs
and processes, and comes back when its holder ends or dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from grader.tool import uids

HOLDER = """
import sys
from pathlib import Path
from grader.tool import uids
with uids.lease(Path(sys.argv[1])) as slot:
    print(slot, flush=True)
    sys.stdin.read()  # hold it until killed
"""


def _held_by_another_process(locks):
    """A process that leases a slot from ``locks`` and holds it; returns (process, slot)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locks)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return holder, int(holder.stdout.readline())


def test_threads_of_one_process_hold_different_slots_and_a_released_one_is_reused(tmp_path):
    locks = tmp_path / "locks"
    with uids.lease(locks) as first, uids.lease(locks) as second:
        assert (first, second) == (0, 1)
        seen = []
        thread = threading.Thread(target=lambda: seen.append(_lease_once(locks)))
        thread.start()
        thread.join()
        assert seen == [2]
    with uids.lease(locks) as again:
        assert again == 0
    assert oct(os.stat(locks).st_mode & 0o777) == "0o700"


def _lease_once(locks):
    with uids.lease(locks) as slot:
        return slot


def test_another_process_holds_its_slot_until_it_dies(tmp_path):
    locks = tmp_path / "locks"
    holder, held = _held_by_another_process(locks)
    try:
        assert held == 0
        with uids.lease(locks) as mine:
            assert mine == 1
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with uids.lease(locks) as mine:
        assert mine == 0  # a killed holder's lock went with its file descriptors


def test_when_every_slot_is_held_the_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(uids, "SLOTS", 2)
    locks = tmp_path / "locks"
    with uids.lease(locks), uids.lease(locks):
        with pytest.raises(RuntimeError) as full:
            _lease_once(locks)
    assert str(full.value) == (
        "all 2 kernel uids of this machine are in use: grade with fewer workers at once"
    )


@pytest.mark.parametrize("kind", ["writable by others", "a link", "a file"])
def test_a_lock_folder_others_could_write_is_refused(tmp_path, kind):
    locks = tmp_path / "locks"
    if kind == "writable by others":
        locks.mkdir()
        locks.chmod(0o777)
    elif kind == "a link":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        locks.symlink_to(tmp_path / "elsewhere")
    else:
        locks.write_text("")
    with pytest.raises(RuntimeError) as refused:
        _lease_once(locks)
    assert str(refused.value) == (
        f"{locks} must be a folder of uid {os.geteuid()} that only it may write; "
        "remove it and grade again"
    )
    assert list((tmp_path / "elsewhere").iterdir() if kind == "a link" else []) == []


def test_where_the_first_lock_folder_cannot_be_made_the_next_is_used(tmp_path, monkeypatch):
    (tmp_path / "read-only").write_text("")  # a file: no folder can be made below it
    unusable, usable = tmp_path / "read-only" / "locks", tmp_path / "locks"
    monkeypatch.setattr(uids, "LOCKS", (unusable, usable))
    with uids.lease() as slot:
        assert slot == 0
        assert (usable / "0").is_file() and not unusable.exists()
