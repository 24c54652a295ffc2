"""Content cache: unchanged files are not parsed again.

An entry is keyed by everything that decides a file's findings: its bytes, its path (per-file
ignores, ``.md`` or ``.mdx``), the effective config, and, through the folder name, the rule
data, the version and the code. It stores the file's diagnostics and cross-file facts,
and the files the result depends on (BL004's local images, as path and whether it existed):
an entry whose lookups no longer give the same answers is a miss.

The cache folder is untrusted input: anyone who can write it (a shared ``--cache-dir``, a
restored CI cache, a committed folder) controls what is read back. So an entry is plain JSON
decoded through an explicit schema into the package's own value types; nothing in it names
anything importable. Whatever does not fit the schema exactly (bad JSON, unknown fields or
codes, wrong types, spans outside the text, too large, not a regular file) is a miss and is
overwritten. Entries are written to a temporary file in the same folder and renamed into
place, so concurrent runs never see half an entry. Symbolic links are never followed: the
folders are opened with ``O_NOFOLLOW`` and everything inside is reached relative to them. A
folder that cannot be used (a file, a link, not writable) means running without the cache,
after one warning. The folder holds a ``.gitignore`` of ``*`` so it never shows up in a
repository.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from .__about__ import __version__
from .cache_codec import SCHEMA, decode, encode
from .config import Config
from .fileio import InputError, read_bytes, read_small_regular
from .files import FileOutcome
from .localfiles import still_valid
from .registry import current as current_registry
from .ruledata import data_fingerprint

CACHE_DIR_NAME = ".briefing-lint-cache"

#: An entry above this size is not read (a real one is a few kB per file).
MAX_ENTRY_BYTES = 64 << 20

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as an entry must not block open
#: Without folder descriptors and O_NOFOLLOW links cannot be refused safely: no cache there.
SUPPORTED = bool(_O_NOFOLLOW and _O_DIRECTORY) and os.open in os.supports_dir_fd
_DIR_FLAGS = os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC



def project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git``; else ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def code_fingerprint() -> str:
    """Name, size and mtime of the package's modules: an edited checkout never reads old
    results (installed releases are covered by the version anyway)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        digest.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def config_fingerprint(config: Config) -> str:
    stable = dataclasses.replace(config, provenance={})
    return hashlib.sha256(repr(stable).encode()).hexdigest()[:16]


def _stderr_warning(message: str) -> None:
    print(f"briefing-lint: warning: {message}", file=sys.stderr)


class Cache:
    def __init__(self, root: Path, warn: Callable[[str], None] = _stderr_warning) -> None:
        self.root = root
        self.folder = root / f"v{__version__}-{data_fingerprint()}-{code_fingerprint()}"
        plugins = current_registry().fingerprint()  # installed rule plugins, if any
        if plugins:
            self.folder = self.folder.with_name(f"{self.folder.name}-{plugins}")
        self._warn = warn
        #: Descriptor of :attr:`folder`, opened without following links; None until needed.
        self._fd: int | None = None
        #: The folder is not there yet: every read is a miss, the first write creates it.
        self._absent = False
        self._disabled = not SUPPORTED
        #: Config fingerprints by identity: a run has a few configs and many files.
        self._fingerprints: dict[int, tuple[Config, str]] = {}

    @classmethod
    def open(cls, cache_dir: Path | None) -> Cache:
        return cls(cache_dir or project_root(Path.cwd()) / CACHE_DIR_NAME)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keys -------------------------------------------------------------------------

    def _key(self, raw: bytes, path: Path, config: Config) -> str:
        known = self._fingerprints.get(id(config))
        if known is None or known[0] is not config:
            known = self._fingerprints[id(config)] = (config, config_fingerprint(config))
        # The path exactly as the document is named: per-file ignores match it, the suffix
        # picks the comment syntax, messages may quote it. Length-prefixed: no two
        # (path, bytes) pairs hash the same input. The folder name (version, rule data,
        # code) is in it too, so an entry copied from another folder's run is a miss.
        name = os.fsencode(str(path))
        digest = hashlib.sha256(f"{SCHEMA}/{self.folder.name}/{known[1]}/".encode())
        digest.update(len(name).to_bytes(8, "little"))
        digest.update(name)
        digest.update(raw)
        return digest.hexdigest()

    # -- reading ----------------------------------------------------------------------

    def get(self, path: Path, config: Config) -> FileOutcome | None:
        folder = self._folder(create=False)
        if folder is None:
            return None
        # The same guarded read as linting: a FIFO or a huge file is a miss, never a hang.
        try:
            raw, snapshot = read_bytes(path, config.max_file_size)
            text = raw.decode("utf-8")  # the bytes about to be hashed: no second read
        except (InputError, UnicodeDecodeError):
            return None
        key = self._key(raw, path, config)
        data = _read_entry(folder, key)
        if data is None:
            return None
        try:
            diagnostics, facts, checks = decode(data, key, len(text))
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        if checks and not still_valid(checks):
            return None
        return FileOutcome(
            path,
            text=text,
            diagnostics=diagnostics,
            facts=facts,
            cached=True,
            file_checks=checks,
            snapshot=snapshot,
        )

    # -- writing ----------------------------------------------------------------------

    def put(self, path: Path, config: Config, outcome: FileOutcome) -> None:
        if self._disabled or outcome.error or outcome.fixed_text is not None:
            return
        raw = outcome.text.encode("utf-8")
        key = self._key(raw, path, config)
        try:
            data = encode(key, outcome.diagnostics, outcome.facts, outcome.file_checks)
        except (ValueError, TypeError):
            return  # a value outside the schema: such a file is simply linted every time
        if len(data) > MAX_ENTRY_BYTES:
            return
        folder = self._folder(create=True)
        if folder is None:
            return
        try:
            _write_entry(folder, key, data)
        except OSError as exc:
            self._give_up(self.folder, exc)

    # -- the folder -------------------------------------------------------------------

    def _folder(self, *, create: bool) -> int | None:
        """Descriptor of the version folder, or None: not there yet (reading) or unusable."""
        if self._fd is not None or self._disabled:
            return self._fd
        if self._absent and not create:
            return None
        where = self.root
        try:
            if create:
                self.root.mkdir(parents=True, exist_ok=True)
            root = os.open(self.root, _DIR_FLAGS)
            try:
                if create:
                    _ensure_gitignore(root)
                where = self.folder
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(self.folder.name, 0o777, dir_fd=root)
                self._fd = os.open(self.folder.name, _DIR_FLAGS, dir_fd=root)
            finally:
                os.close(root)
        except FileNotFoundError:
            if create:
                self._give_up(where, FileNotFoundError(errno.ENOENT, "no such folder"))
            self._absent = True
            return None
        except OSError as exc:
            self._give_up(where, exc)
            return None
        self._absent = False
        return self._fd

    def _give_up(self, where: Path, exc: OSError) -> None:
        """Run on without the cache, and say so once."""
        if self._disabled:
            return
        self._disabled = True
        self.close()
        if exc.errno == errno.ELOOP or _is_link(where):
            reason = "is a symbolic link"
        elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
            reason = "is not a folder"
        else:
            reason = exc.strerror or str(exc)
        self._warn(f"cache folder {where}: {reason}; running without the cache")


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _read_entry(folder: int, name: str) -> bytes | None:
    """The entry's bytes when it is a regular file of sane size; never through a link."""
    return read_small_regular(name, MAX_ENTRY_BYTES, dir_fd=folder)


def _write_entry(folder: int, name: str, data: bytes) -> None:
    """Temp file in the same folder, then one rename; a link in the entry's place is left
    alone (and nothing is written)."""
    tmp = f".tmp-{secrets.token_hex(8)}"
    fd = os.open(tmp, _CREATE_FLAGS, 0o644, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            st = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:
            if not stat.S_ISREG(st.st_mode):
                os.unlink(tmp, dir_fd=folder)
                return
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        raise


def _ensure_gitignore(root: int) -> None:
    """Best effort: a missing ``.gitignore`` is created; anything else there (a link
    included) is left as it is."""
    with contextlib.suppress(OSError):
        try:
            os.stat(".gitignore", dir_fd=root, follow_symlinks=False)
        except FileNotFoundError:
            _write_entry(root, ".gitignore", b"# created by briefing-lint\n*\n")
