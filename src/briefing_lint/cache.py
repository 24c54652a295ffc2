"""Content cache: unchanged files are not parsed again.

An entry is keyed by the file's bytes, the effective config, the rule data and the version,
and stores the file's diagnostics and cross-file facts, plus the files the result depends on
(BL004's local images, as path and whether it existed): an entry whose lookups no longer
give the same answers is a miss. Entries are separate files written
atomically (temp file + rename), so concurrent runs never see half an entry; a damaged entry
is a miss. The folder holds a ``.gitignore`` of ``*`` so it never shows up in a repository.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from .__about__ import __version__
from .config import Config
from .files import FileOutcome, InputError, read_bytes
from .localfiles import still_valid
from .ruledata import data_fingerprint

CACHE_DIR_NAME = ".briefing-lint-cache"


class _Restricted(pickle.Unpickler):
    """Unpickles only this package's own value types: an entry planted in the cache folder
    can name no other callable, so reading the cache can never run foreign code."""

    _BUILTINS = frozenset({"tuple", "list", "dict", "set", "frozenset", "str", "int", "bool"})

    def find_class(self, module: str, name: str) -> Any:
        if module == "briefing_lint" or module.startswith("briefing_lint."):
            return super().find_class(module, name)
        if module == "builtins" and name in self._BUILTINS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache entry")


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


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ready = False
        #: Config fingerprints by identity: a run has a few configs and many files.
        self._fingerprints: dict[int, tuple[Config, str]] = {}

    @classmethod
    def open(cls, cache_dir: Path | None) -> Cache:
        folder = cache_dir or project_root(Path.cwd()) / CACHE_DIR_NAME
        return cls(folder / f"v{__version__}-{data_fingerprint()}-{code_fingerprint()}")

    def _key(self, raw: bytes, config: Config) -> str:
        known = self._fingerprints.get(id(config))
        if known is None or known[0] is not config:
            known = self._fingerprints[id(config)] = (config, config_fingerprint(config))
        digest = hashlib.sha256(raw)
        digest.update(known[1].encode())
        return digest.hexdigest()

    def get(self, path: Path, config: Config) -> FileOutcome | None:
        # The same guarded read as linting: a FIFO or a huge file is a miss, never a hang.
        try:
            raw, snapshot = read_bytes(path, config.max_file_size)
        except InputError:
            return None
        entry = self.folder / self._key(raw, config)
        try:
            with entry.open("rb") as fh:
                diagnostics, facts, checks = _Restricted(fh).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return None
        if checks and not still_valid(checks):
            return None
        try:
            text = raw.decode("utf-8")  # the bytes just hashed: no second read
        except UnicodeDecodeError:
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

    def put(self, path: Path, config: Config, outcome: FileOutcome) -> None:
        if outcome.error or outcome.fixed_text is not None:
            return
        raw = outcome.text.encode("utf-8")
        self._ensure()
        entry = self.folder / self._key(raw, config)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                entry_data = (outcome.diagnostics, outcome.facts, outcome.file_checks)
                pickle.dump(entry_data, fh, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _ensure(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder.parent / ".gitignore"
        if not ignore.exists():
            with contextlib.suppress(OSError):
                ignore.write_text("# created by briefing-lint\n*\n", encoding="utf-8")
        self._ready = True
