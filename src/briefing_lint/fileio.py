"""Reading one file safely: regular files only, bounded in size, decoded as UTF-8.

A leaf module (nothing of the package below it), so the config loader and the cache read
files through the same guarded path as the linter without importing the rest of ``files``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are reported, never parsed: a stray dump or a link to a huge
#: file must not take the run's memory. 20 MB (binary units, like every size here).
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024

OPEN_FLAGS = (
    getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_CHUNK = 1 << 20


class InputError(Exception):
    """A file that cannot be read as UTF-8 text (exit 2 for that file)."""


class NotRegularFile(InputError):
    """A FIFO, device or socket: never opened for reading, it could block or never end."""


@dataclass(frozen=True)
class Snapshot:
    """A file as it was read: it is rewritten only while it is still exactly so."""

    dev: int
    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Snapshot:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _check_regular(path: Path, st: os.stat_result, max_size: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(
            f"{path}: not a regular file ({file_kind(st.st_mode)}); skipped, not opened"
        )
    if st.st_size > max_size:
        raise InputError(_too_large(path, st.st_size, max_size))


def _too_large(path: Path, size: int | None, max_size: int) -> str:
    actual = f"{size} bytes" if size is not None else f"more than {max_size} bytes"
    return (
        f"{path}: too large ({actual}; max-file-size is {max_size} bytes); not checked "
        "(raise max-file-size in the config or with --max-file-size to check it)"
    )


def read_bytes(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[bytes, Snapshot]:
    """A regular file's bytes (at most ``max_size``) and its snapshot; else :class:`InputError`."""
    try:
        _check_regular(path, os.stat(path), max_size)
        fd = os.open(path, os.O_RDONLY | OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)  # the file opened, not the one stat-ed: it may have been swapped
        _check_regular(path, st, max_size)
        chunks: list[bytes] = []
        total = 0
        while total <= max_size:
            chunk = os.read(fd, min(_CHUNK, max_size + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > max_size:  # grew while read, or a size that lies (/proc)
        raise InputError(_too_large(path, None, max_size))
    return b"".join(chunks), Snapshot.of(st)


def decode_text(path: Path, raw: bytes) -> str:
    """UTF-8 text of ``raw`` (a BOM kept as U+FEFF); else :class:`InputError` naming the byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "file left unchanged"
        ) from None


def read_source(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[str, Snapshot]:
    """A file's text (BOM as U+FEFF, every line ending kept) and its snapshot for :func:`save`."""
    raw, snapshot = read_bytes(path, max_size)
    return decode_text(path, raw), snapshot


def read_text(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """Decode a file as UTF-8, keeping a BOM (as U+FEFF) and every line ending."""
    return read_source(path, max_size)[0]


#: Opening a cache file: never through a symbolic link, never blocking on a FIFO.
_NO_LINK_READ = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def read_small_regular(name: str | Path, limit: int, *, dir_fd: int | None = None) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes, never read through a link;
    None for anything else (missing, a link, a FIFO, too large, unreadable). For the caches,
    where any odd entry is simply a miss."""
    try:
        fd = os.open(name, _NO_LINK_READ, dir_fd=dir_fd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            data = fh.read(limit + 1)  # it may have grown since
        except OSError:
            return None
    return data if len(data) <= limit else None
