"""Reading an export's files without trusting it: a folder or a zip, entry by entry.

An LMS export is written by students as much as by the LMS: file names, symbolic links and
compressed sizes are all theirs to choose. So nothing here follows a symbolic link (in a zip
or in a folder), nothing is read whole into memory, and every entry is read through a stream
that stops at ``IntakeLimits.notebook_bytes`` and at a compression ratio no notebook reaches.
Each entry that cannot be taken gets a line that says why.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from grader.tool.safe_text import terminal_safe

CHUNK = 1 << 16


@dataclass(frozen=True)
class IntakeLimits:
    """What one export may hold.

    notebook_bytes: the largest file taken, uncompressed (a notebook with plots is ~1 MiB).
    ratio:          the largest uncompressed/compressed size of a zip entry; notebooks
                    compress 3-20x, a zip bomb thousands of times.
    entries:        the most files an export may have.
    """

    notebook_bytes: int = 32 * 2**20
    ratio: float = 200.0
    entries: int = 50_000


class TooLarge(ValueError):
    """An entry grew past a limit while it was read."""


@dataclass
class Entry:
    """One file of an export, not yet read.

    name:     its path inside the export, '/'-separated, Unicode NFC.
    size:     its size as the export declares it, in bytes.
    modified: its time; naive for a zip entry (zip stores local wall time without a zone),
              aware (UTC) for a file in a folder.
    open:     a function returning a binary stream of its bytes.
    compressed: its compressed size in a zip (None in a folder), for the ratio limit.
    """

    name: str
    size: int
    modified: datetime
    open: Callable[[], BinaryIO]
    compressed: int | None = None


def read_entries(source: Path, problems: list[str], limits: IntakeLimits) -> list[Entry]:
    """The regular files of the folder or zip ``source``; anything else gets a line in
    ``problems`` and is left out. Raises ValueError when ``source`` is neither."""
    source = Path(source)
    if source.is_symlink():
        raise ValueError(f"{source} is a symbolic link; give the export itself")
    if source.is_dir():
        entries = _folder_entries(source, problems)
    elif zipfile.is_zipfile(source):
        entries = _zip_entries(source, problems, limits)
    else:
        raise ValueError(f"{source} is neither a folder nor a zip file")
    if len(entries) > limits.entries:
        raise ValueError(
            f"{source} holds {len(entries)} files, more than the limit of {limits.entries}"
        )
    return entries


def _folder_entries(source: Path, problems: list[str]) -> list[Entry]:
    entries = []
    # os.walk lists a link to a folder among ``dirs`` but never descends into it.
    for folder, dirs, files in os.walk(source, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder, name)
            relative = _nfc(path.relative_to(source).as_posix())
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"{_show(relative)} is a symbolic link; skipped")
            elif stat.S_ISREG(info.st_mode):
                entries.append(
                    Entry(
                        relative,
                        info.st_size,
                        datetime.fromtimestamp(info.st_mtime, UTC),
                        lambda path=path: _open_nofollow(path),
                    )
                )
            elif not stat.S_ISDIR(info.st_mode):
                problems.append(f"{_show(relative)} is not a regular file; skipped")
    return sorted(entries, key=lambda e: e.name)


def _open_nofollow(path: Path) -> BinaryIO:
    """Open ``path`` for reading, refusing it if it became a symbolic link since it was listed."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


def _zip_entries(source: Path, problems: list[str], limits: IntakeLimits) -> list[Entry]:
    entries = []
    archive = zipfile.ZipFile(source)  # kept open by the entries' open functions
    for info in archive.infolist():
        shown = _show(info.filename)
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip has no Unix mode
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir():
            continue
        if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", str(path)):
            problems.append(f"zip entry {shown} points outside the folder; skipped")
        elif kind == stat.S_IFLNK:
            problems.append(f"zip entry {shown} is a symbolic link; skipped")
        elif kind and kind != stat.S_IFREG:
            problems.append(f"zip entry {shown} is not a regular file; skipped")
        elif info.flag_bits & 0x1:
            problems.append(f"zip entry {shown} is encrypted; skipped")
        elif info.file_size > limits.notebook_bytes:
            problems.append(
                f"zip entry {shown} is {_mib(info.file_size)} uncompressed, over the limit of "
                f"{_mib(limits.notebook_bytes)}; skipped"
            )
        elif info.file_size > CHUNK and info.file_size > limits.ratio * max(info.compress_size, 1):
            problems.append(
                f"zip entry {shown} expands {info.file_size / max(info.compress_size, 1):.0f} "
                f"times, more than any notebook ({limits.ratio:g}); skipped as a zip bomb"
            )
        else:
            entries.append(
                Entry(
                    _nfc(path.as_posix()),
                    info.file_size,
                    datetime(*info.date_time),
                    lambda info=info: archive.open(info),
                    info.compress_size,
                )
            )
    return entries


def read_limited(entry: Entry, limits: IntakeLimits) -> bytes:
    """The bytes of ``entry``, read in chunks; raises TooLarge past ``limits.notebook_bytes``
    or, for a zip entry, past ``limits.ratio`` times its compressed size (a zip's declared
    sizes are the sender's word, so they are enforced while reading, not believed). Raises
    ValueError with the reason when the zip is damaged."""
    cap = limits.notebook_bytes
    if entry.size > cap:
        raise TooLarge(f"is {_mib(entry.size)}, over the limit of {_mib(cap)}")
    if entry.compressed is not None:
        cap = min(cap, max(int(limits.ratio * max(entry.compressed, 1)), CHUNK))
    chunks, total = [], 0
    try:
        with entry.open() as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > cap:
                    raise TooLarge(
                        f"grew past {_mib(cap)} while it was read (it declared {_mib(entry.size)})"
                    )
                chunks.append(chunk)
    except zipfile.BadZipFile as error:
        raise ValueError(f"is damaged in the zip ({error})") from error
    except NotImplementedError as error:
        raise ValueError(f"uses a compression this tool cannot read ({error})") from error
    except OSError as error:
        raise ValueError(f"could not be read ({error.strerror or error})") from error
    return b"".join(chunks)


def _nfc(name: str) -> str:
    """Names from macOS zips are decomposed (NFD); everything here compares them as NFC."""
    return unicodedata.normalize("NFC", name)


def _show(name: str) -> str:
    return terminal_safe(repr(name))


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"
