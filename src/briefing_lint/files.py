"""Reading, walking and safely rewriting files.

* Files are decoded as UTF-8 (a BOM is remembered and written back); anything else is an
  input error for that file, which is then never rewritten.
* Rewrites go to a temporary file in the same folder, then ``os.replace``: a crash leaves
  either the old or the new file, never half of one. Permissions are kept, and a symlink
  is written through (its target changes, the link stays a link).
* Folders are walked for ``*.md``, ``*.markdown`` and ``*.mdx``, skipping ``.git``,
  ``node_modules``, the cache folder and whatever ``.gitignore`` files exclude.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pathspec

from .config import Config, ConfigResolver
from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from .rule import Rule

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
SKIP_DIRS = frozenset({".git", "node_modules", ".briefing-lint-cache", ".hg", ".svn", ".venv"})


class InputError(Exception):
    """A file that cannot be read as UTF-8 text (exit 2 for that file)."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str


def read_text(path: Path) -> str:
    """Decode a file as UTF-8, keeping a BOM (as U+FEFF) and every line ending."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "file left unchanged"
        ) from None


def write_atomic(path: Path, text: str) -> None:
    """Replace the file's content atomically, through symlinks, keeping its mode.

    The new content goes to a temporary file in the target's own folder (so the rename
    never crosses file systems), is flushed to disk, gets the old file's permission bits
    and then replaces the target in one ``os.replace``. A symlink is resolved first: the
    file it points to is replaced and the link itself is left as it was.
    """
    target = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


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


def _walk(root: Path, resolver: ConfigResolver) -> Iterator[Path]:
    ignores = _Ignores()
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
            yield path


def discover(
    paths: Iterable[Path], resolver: ConfigResolver, *, force_exclude: bool = False
) -> Iterator[Path]:
    """Files to lint: folders walked, explicit files kept (unless ``force_exclude``)."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found: Iterable[Path] = _walk(path, resolver)
        else:
            if force_exclude and path.exists() and resolver.for_path(path).is_excluded(path):
                continue
            found = (path,)
        for item in found:
            key = item.absolute()
            if key not in seen:
                seen.add(key)
                yield item


def process_file(
    path: Path, config: Config, *, fix: bool = False, unsafe: bool = False
) -> FileOutcome:
    """Lint (and optionally fix) one file; the caller decides whether to write."""
    from .localfiles import checking

    try:
        text = read_text(path)
    except InputError as exc:
        return FileOutcome(path, error=str(exc))
    with checking() as probe:  # a file on disk: its local images can be looked up
        outcome = process_text(path, text, config, fix=fix, unsafe=unsafe)
    outcome.file_checks = probe.checks
    return outcome


def process_text(
    path: Path, text: str, config: Config, *, fix: bool = False, unsafe: bool = False
) -> FileOutcome:
    """Lint (and optionally fix) ``text`` known as ``path`` (a file's or stdin's)."""
    from .api import fix_text
    from .document import Document
    from .linter import lint_document

    name = str(path)
    facts: dict[str, object] = {}
    if not fix:
        doc = Document(text, name)
        diagnostics = lint_document(doc, config, facts=facts)
        doc.release()
        return FileOutcome(path, text=text, diagnostics=diagnostics, facts=facts)
    cross_file = any(r.cross_file for r in _cross_file_rules(config))
    result = fix_text(text, config, name, unsafe=unsafe, cross_file=cross_file)
    if cross_file:
        doc = Document(result.text, name)
        lint_document(doc, config, facts=facts)
        doc.release()
    return FileOutcome(
        path,
        text=text,
        fixed_text=result.text,
        diagnostics=list(result.remaining),
        applied=len(result.applied),
        failing_rules=list(result.failing_rules),
        refused=list(result.refused),
        converged=result.converged,
        facts=facts,
    )


def _cross_file_rules(config: Config) -> list[type[Rule]]:
    from .registry import rules_by_code

    return [rules_by_code()[c] for c in config.selected_codes() if rules_by_code()[c].cross_file]


@dataclass
class FileOutcome:
    """What happened to one file: its diagnostics, and with ``--fix`` the new text."""

    path: Path
    text: str = ""
    fixed_text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    applied: int = 0
    failing_rules: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    converged: bool = True
    #: Per-file facts of cross-file rules, by rule code.
    facts: dict[str, object] = field(default_factory=dict)
    cached: bool = False
    #: Files looked up while linting, as (path, existed): the result holds while they do.
    file_checks: tuple[tuple[str, bool], ...] = ()

    @property
    def changed(self) -> bool:
        return self.fixed_text is not None and self.fixed_text != self.text
