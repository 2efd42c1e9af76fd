"""Intake that cannot be fooled: what ``collect`` refuses in a zip or a folder, and why, with
memory bounded whatever the zip declares."""

from __future__ import annotations

import os
import resource
import shutil
import zipfile
from pathlib import Path

import pytest

from grader.tool.archive import IntakeLimits
from grader.tool.collect import collect
from grader.tool.course import course_config

NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
WHEN = (2026, 11, 20, 12, 0, 0)
DEFLATED = zipfile.ZIP_DEFLATED


@pytest.fixture
def config(course, tmp_path):
    """nbgrader configuration of a private copy of the session's course."""
    skip = shutil.ignore_patterns("submitted", "autograded", "feedback")
    return course_config(shutil.copytree(course, tmp_path / "course", ignore=skip))


def submitted(config) -> Path:
    return Path(config.CourseDirectory.root) / "grading" / "submitted"


def test_zip_entries_that_are_not_plain_files_are_named_for_what_they_are(config, tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        link = zipfile.ZipInfo("eve/fx.ipynb", date_time=WHEN)
        link.external_attr = 0o120777 << 16  # a symbolic link, as Info-ZIP stores one
        archive.writestr(link, "../../solutions/fx/fx.ipynb")
        fifo = zipfile.ZipInfo("fred/fx.ipynb", date_time=WHEN)
        fifo.external_attr = 0o010644 << 16
        archive.writestr(fifo, b"")
        archive.writestr(zipfile.ZipInfo("eve/bob/fx.ipynb", date_time=WHEN), NOTEBOOK)
        archive.writestr(zipfile.ZipInfo("bob\n/fx.ipynb", date_time=WHEN), NOTEBOOK)
        archive.writestr(zipfile.ZipInfo("alice/fx.ipynb", date_time=WHEN), NOTEBOOK)
    result = collect(config, "fx", path)
    assert result.problems == [
        "zip entry 'eve/fx.ipynb' is a symbolic link; skipped",
        "zip entry 'fred/fx.ipynb' is not a regular file; skipped",
        "'eve/bob/fx.ipynb': is in nested folders (eve/bob/), which the folder layout does "
        "not have (e.g. 'alice/05_backprop.ipynb'); skipped",
        "'bob\\n/fx.ipynb': student id 'bob\\n' may only use letters, digits, '.', '_', '@' "
        "and '-'; skipped",
    ]
    assert sorted(p.name for p in submitted(config).iterdir()) == ["alice"]


def test_a_zip_bomb_is_refused_before_it_is_read(config, tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, size in [("big_fx.ipynb", 64 * 2**20), ("dense_fx.ipynb", 8 * 2**20)]:
            archive.writestr(zipfile.ZipInfo(name, date_time=WHEN), b" " * size, DEFLATED)
        ratio = 8 * 2**20 / archive.getinfo("dense_fx.ipynb").compress_size
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = collect(config, "fx", path)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.problems == [
        "zip entry 'big_fx.ipynb' is 64.0 MiB uncompressed, over the limit of 32.0 MiB; skipped",
        f"zip entry 'dense_fx.ipynb' expands {ratio:.0f} times, more than any notebook (200); "
        "skipped as a zip bomb",
    ]
    assert result.written == []
    assert grown_mib < 16


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_reading(config, tmp_path):
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mallory_fx.ipynb", date_time=WHEN), b"{" * 4 * 2**20, DEFLATED
        )
    data = bytearray(path.read_bytes())
    # claim 1 KiB uncompressed, in the local header and in the central directory
    declared = (4 * 2**20).to_bytes(4, "little")
    for offset in [i for i in range(len(data) - 4) if data[i : i + 4] == declared]:
        data[offset : offset + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    result = collect(config, "fx", path)
    assert len(result.problems) == 1
    assert result.problems[0].startswith("mallory: 'mallory_fx.ipynb' is damaged in the zip (")
    assert result.written == []


def test_a_folder_export_follows_no_symbolic_link(config, tmp_path):
    export = tmp_path / "export"
    (export / "alice").mkdir(parents=True)
    (export / "alice" / "fx.ipynb").write_bytes(NOTEBOOK)
    (export / "mallory").mkdir()
    secret = tmp_path / "solution.ipynb"
    secret.write_bytes(NOTEBOOK)
    os.symlink(secret, export / "mallory" / "fx.ipynb")
    os.symlink(tmp_path, export / "trudy")
    (export / "bigfoot").mkdir()
    (export / "bigfoot" / "fx.ipynb").write_bytes(b" " * (2 * 2**20))
    limits = IntakeLimits(notebook_bytes=2**20)
    result = collect(config, "fx", export, limits=limits)
    assert sorted(result.problems) == [
        "'mallory/fx.ipynb' is a symbolic link; skipped",
        "'trudy' is a symbolic link; skipped",
        "bigfoot: 'bigfoot/fx.ipynb' is 2.0 MiB, over the limit of 1.0 MiB; skipped",
    ]
    assert sorted(p.name for p in submitted(config).iterdir()) == ["alice"]


def test_a_link_planted_where_collect_writes_is_replaced_not_followed(config, tmp_path):
    folder = submitted(config) / "alice" / "fx"
    folder.mkdir(parents=True)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    os.symlink(target, folder / "fx.ipynb")
    export = tmp_path / "export"
    (export / "alice").mkdir(parents=True)
    (export / "alice" / "fx.ipynb").write_bytes(NOTEBOOK)
    collect(config, "fx", export)
    assert target.read_text() == "keep me"
    assert not (folder / "fx.ipynb").is_symlink()
    assert (folder / "fx.ipynb").read_bytes() == NOTEBOOK


def test_bad_options_say_what_to_fix(config, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="unknown time zone 'CEST'; use a name like"):
        collect(config, "fx", tmp_path / "empty", timezone="CEST")
    with pytest.raises(ValueError, match="unknown layout 'webct'; the layouts are: canvas"):
        collect(config, "fx", tmp_path / "empty", layout="webct")
    with pytest.raises(ValueError, match="is neither a folder nor a zip file"):
        collect(config, "fx", tmp_path / "nothing.zip")
