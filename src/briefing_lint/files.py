"""Reading, walking and safely rewriting files.

* Only regular files are read. A FIFO, device or socket (named on the command line, found
  by the folder walk or reached through a symlink) is never opened for reading: it could
  block for ever (a FIFO) or never end (``/dev/zero``). The file is stat-ed first, opened
  with ``O_NONBLOCK`` and checked again with ``fstat``, which closes the race with a file
  swapped for a FIFO in between.
* A file larger than ``max-file-size`` is reported and not parsed; at most that many bytes
  plus one are ever read, so a file that grows, or lies about its size, is stopped too.
* Files are decoded as UTF-8 (a BOM is remembered and written back); anything else is an
  input error for that file, which is then never rewritten.
* A fixed file is written right after it is fixed, and only if it is still what was read
  (same inode, size, mtime and bytes): an edit saved meanwhile is kept, a file deleted
  meanwhile is not brought back (:func:`save`).
* A file the user may not write (no write bit, or ``os.access`` says no) is refused.
  Rewrites keep the mode, owner, group and extended attributes. Normally they go to a
  temporary file in the same folder, then ``os.replace``: a crash leaves either the old or
  the new file, never half of one. A hard-linked file, or one whose owner could not be
  given back, is overwritten in place instead (:func:`_write_in_place` says why). A symlink
  is written through (its target changes, the link stays a link).
* Folders are walked for ``*.md``, ``*.markdown`` and ``*.mdx``, skipping ``.git``,
  ``node_modules``, the cache folder and whatever ``.gitignore`` files exclude. Symlinked
  folders are not descended into, so a symlink loop cannot trap the walk.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from .config import ConfigResolver
from .diagnostics import Diagnostic
from .fileio import (  # re-exported: the old import paths keep working
    DEFAULT_MAX_FILE_SIZE,
    OPEN_FLAGS,
    InputError,
    NotRegularFile,
    Snapshot,
    decode_text,
    file_kind,
    read_bytes,
    read_source,
    read_text,
)

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "OPEN_FLAGS",
    "InputError",
    "NotRegularFile",
    "Snapshot",
    "decode_text",
    "file_kind",
    "read_bytes",
    "read_source",
    "read_text",
]

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
SKIP_DIRS = frozenset({".git", "node_modules", ".briefing-lint-cache", ".hg", ".svn", ".venv"})


class WriteRefused(Exception):
    """The user may not write this file (read-only, someone else's): exit 2, file untouched."""


class WriteConflict(Exception):
    """The file changed or went away after it was read: nothing is written (a warning)."""



# -- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """How writing one fixed file went: written (its new snapshot), skipped or refused."""

    snapshot: Snapshot | None = None
    #: Refused or failed: exit 2, the file is as it was.
    error: str = ""
    #: Changed or deleted since it was read: not written, the file is as it is now.
    warning: str = ""

    @property
    def written(self) -> bool:
        return self.snapshot is not None


def save(path: Path, text: str, original: str, snapshot: Snapshot) -> Saved:
    """Write ``text`` over ``path`` if it still holds ``original`` as read; never raises
    ``OSError``. Serves ``check --fix``, ``format`` and ``--add-suppressions`` alike."""
    try:
        return Saved(write_if_unchanged(path, text, original, snapshot))
    except WriteConflict as exc:
        return Saved(warning=str(exc))
    except WriteRefused as exc:
        return Saved(error=str(exc))
    except OSError as exc:
        return Saved(error=f"{path}: cannot write: {exc}")


def write_if_unchanged(path: Path, text: str, original: str, snapshot: Snapshot) -> Snapshot:
    """Replace the file's content with ``text`` only if it is still what was read.

    Fixes are computed from what was read; an editor may have saved the file since, or a
    branch switch deleted it. Writing then would lose that edit or bring the file back, so
    the inode, size, mtime and bytes are compared first, and any difference is a
    :class:`WriteConflict` with nothing written. (A change in the instant between this
    check and the write cannot be seen without locks that editors do not take.)
    """
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise WriteConflict(f"{path}: deleted since it was read; not recreated") from None
    if Snapshot.of(st) == snapshot and stat.S_ISREG(st.st_mode):
        check_writable(path, st)
        try:
            now, _ = read_bytes(target, snapshot.size)
        except InputError:
            now = None
        if now == original.encode("utf-8"):
            return _write_content(path, target, text.encode("utf-8"), st)
    raise WriteConflict(
        f"{path}: changed since it was read; fixes not written, the file is left as it is now"
    )


def write_atomic(path: Path, text: str) -> Snapshot:
    """Write ``text`` to ``path`` (created if missing), through symlinks, keeping mode,
    owner, group, xattrs and hard links; refuses a read-only file (:class:`WriteRefused`)."""
    target = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        _write_replacing(target, data, None)
        return Snapshot.of(os.stat(target))
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"{path}: not a regular file ({file_kind(st.st_mode)}); not written")
    check_writable(path, st)
    return _write_content(path, target, data, st)


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def check_writable(path: Path, st: os.stat_result) -> None:
    """Refuse a file the user may not write. The mode bits are read as well as
    ``os.access``: root may write anything, but a file made read-only says "leave me"."""
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o222 or (st.st_uid == _euid() and not mode & stat.S_IWUSR):
        raise WriteRefused(f"{path}: read-only (mode {mode:04o}); not rewritten")
    if not os.access(path, os.W_OK):
        raise WriteRefused(
            f"{path}: not writable by this user (owner uid {st.st_uid}, mode {mode:04o}); "
            "not rewritten"
        )


def _write_content(path: Path, target: Path, data: bytes, st: os.stat_result) -> Snapshot:
    euid = _euid()
    keeps_owner = euid in (0, st.st_uid) or not hasattr(os, "chown")
    if st.st_nlink > 1 or not keeps_owner:
        _write_in_place(path, target, data, st)
    else:
        _write_replacing(target, data, st)
    return Snapshot.of(os.stat(target))


def _synced_copy(target: Path, data: bytes, suffix: str) -> str:
    """``data`` in a new temporary file beside ``target``, flushed to disk (removed again if
    that fails): the first step of both ways of writing."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _write_replacing(target: Path, data: bytes, st: os.stat_result | None) -> None:
    """New content in a temporary file in the target's folder (so the rename never crosses
    file systems), flushed to disk, given the old file's owner, mode and xattrs, then moved
    over the target in one ``os.replace``: readers see the old file or the new, never half."""
    tmp = _synced_copy(target, data, ".tmp")
    try:
        if st is None:
            os.chmod(tmp, 0o666 & ~_umask())
        else:
            _copy_metadata(st, target, Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


def _write_in_place(path: Path, target: Path, data: bytes, st: os.stat_result) -> None:
    """Overwrite the file's own inode, for a hard-linked file or one whose owner could not
    be given back.

    ``os.replace`` gives the name a new inode: the file's other names (hard links) would
    keep the old text, and someone else's file would become ours. Writing into the inode
    keeps both, and its mode, owner, group and xattrs with it. That write is not atomic for
    readers, so it is made crash-safe another way: the new content is first written to a
    temporary copy in the same folder and fsynced; then the original is overwritten from
    offset 0 through a file descriptor, truncated to the new length and fsynced; then the
    copy is removed. Should the overwrite fail halfway, the copy is kept and named in the
    error, so the fixed text is never lost.
    """
    tmp = _synced_copy(target, data, ".new")
    touched = False
    try:
        out = os.open(target, os.O_WRONLY | OPEN_FLAGS)
        try:
            now = os.fstat(out)
            if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (
                st.st_dev,
                st.st_ino,
            ):
                raise WriteConflict(f"{path}: replaced since it was read; not written")
            touched = True
            os.lseek(out, 0, os.SEEK_SET)
            view = memoryview(data)
            done = 0
            while done < len(data):
                done += os.write(out, view[done:])
            os.ftruncate(out, len(data))
            os.fsync(out)
        finally:
            os.close(out)
    except OSError as exc:
        if not touched:
            os.unlink(tmp)
            raise
        raise OSError(
            exc.errno, f"{exc.strerror or exc}; the fixed text is kept in {tmp}"
        ) from None
    except BaseException:
        if not touched:
            os.unlink(tmp)
        raise
    os.unlink(tmp)


def _copy_metadata(st: os.stat_result, source: Path, dest: Path) -> None:
    """Owner and group first (``chown`` may clear set-id bits), then mode, then xattrs
    (ACLs and labels among them), each as far as the platform and the user's rights allow."""
    euid = _euid()
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            if euid == 0:
                os.chown(dest, st.st_uid, st.st_gid)
            elif euid == st.st_uid:
                os.chown(dest, -1, st.st_gid)  # allowed only if the user is in that group
    os.chmod(dest, stat.S_IMODE(st.st_mode))
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(source)
        except OSError:
            return
        for name in names:
            with contextlib.suppress(OSError):
                os.setxattr(dest, name, os.getxattr(source, name))


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    if os.name != "posix":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Ignores:
    """``.gitignore`` files met on the way down, each relative to its own folder."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec[Any] | None] = {}

    def _spec(self, folder: Path) -> pathspec.PathSpec[Any] | None:
        if folder not in self._specs:
            gitignore = folder / ".gitignore"
            spec = None
            if gitignore.is_file():
                try:
                    lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = pathspec.PathSpec.from_lines("gitignore", lines)
                except OSError:
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def ignored(self, path: Path, root: Path, is_dir: bool) -> bool:
        folder = path.parent
        while True:
            spec = self._spec(folder)
            if spec is not None:
                rel = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
                if spec.match_file(rel):
                    return True
            if folder == root or folder.parent == folder:
                return False
            folder = folder.parent


#: Told about each path skipped because it is not a regular file (path, message).
SkipHandler = Callable[[Path, str], None]


def _walk(root: Path, resolver: ConfigResolver, on_skip: SkipHandler | None) -> Iterator[Path]:
    ignores = _Ignores()
    # followlinks=False (the default): a symlinked folder is listed, never entered, so a
    # loop of folder links cannot trap the walk.
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            sub = here / name
            if name in SKIP_DIRS or ignores.ignored(sub, root, True):
                continue
            if resolver.for_path(sub / "x.md").is_excluded(sub):
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.lower().endswith(MARKDOWN_SUFFIXES):
                continue
            path = here / name
            cfg = resolver.for_path(path)
            if cfg.respect_gitignore and ignores.ignored(path, root, False):
                continue
            if cfg.is_excluded(path):
                continue
            try:
                mode = os.stat(path).st_mode
            except OSError:
                mode = stat.S_IFREG  # a dangling link: reading it says what is wrong
            if not stat.S_ISREG(mode):
                if on_skip is not None:
                    on_skip(path, f"{path}: not a regular file ({file_kind(mode)}); skipped")
                continue
            yield path


def discover(
    paths: Iterable[Path],
    resolver: ConfigResolver,
    *,
    force_exclude: bool = False,
    on_skip: SkipHandler | None = None,
) -> Iterator[Path]:
    """Files to lint: folders walked, explicit files kept (unless ``force_exclude``).

    A FIFO, device or socket found by the walk is left out (``on_skip`` is told); one named
    explicitly is kept, and reading it reports it as an input error.
    """
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found: Iterable[Path] = _walk(path, resolver, on_skip)
        else:
            if force_exclude and path.exists() and resolver.for_path(path).is_excluded(path):
                continue
            found = (path,)
        for item in found:
            key = item.absolute()
            if key not in seen:
                seen.add(key)
                yield item


@dataclass
class FileOutcome:
    """What happened to one file: its diagnostics, and with ``--fix`` the new text."""

    path: Path
    text: str = ""
    fixed_text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    applied: int = 0
    #: Fixes applied, by rule code (``--show-fixes``).
    fixed_codes: dict[str, int] = field(default_factory=dict)
    failing_rules: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    converged: bool = True
    #: Per-file facts of cross-file rules, by rule code.
    facts: dict[str, object] = field(default_factory=dict)
    cached: bool = False
    #: Files looked up while linting, as (path, existed): the result holds while they do.
    file_checks: tuple[tuple[str, bool], ...] = ()
    #: The file as read, then as written: what a later write must still find.
    snapshot: Snapshot | None = None
    #: How writing the fixed text went (``--fix`` with a changed text only).
    saved: Saved | None = None

    @property
    def changed(self) -> bool:
        return self.fixed_text is not None and self.fixed_text != self.text
