"""Existence checks of files a document refers to (BL004's local images).

Linting is otherwise a pure function of the text and the config, which is what the cache
relies on. A check that asks the file system is recorded here: :func:`checking` opens a
:class:`Probe` for one file read from disk, rules ask :func:`current` for it (no probe, as
for stdin or ``lint_text``: nothing is looked up), and the file's outcome carries what was
looked up so a cached result is reused only while every answer is still the same
(:func:`still_valid`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: One (path, existed) pair per path looked up while linting a file.
Checks = tuple[tuple[str, bool], ...]


def _exists(path: str) -> bool | None:
    """True / False, or None when the answer is unknown (permissions, a bad name)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return None
    return True


class Probe:
    """The lookups made for one file, each path asked once."""

    def __init__(self) -> None:
        self._seen: dict[str, bool | None] = {}

    def exists(self, path: str) -> bool | None:
        if path not in self._seen:
            self._seen[path] = _exists(path)
        return self._seen[path]

    @property
    def checks(self) -> Checks:
        return tuple((p, e) for p, e in self._seen.items() if e is not None)


_CURRENT: ContextVar[Probe | None] = ContextVar("briefing_lint_probe", default=None)


def current() -> Probe | None:
    """The probe of the file being linted, or None when the text has no file on disk."""
    return _CURRENT.get()


@contextmanager
def checking() -> Iterator[Probe]:
    """Allow file lookups for the document(s) linted inside the block."""
    probe = Probe()
    token = _CURRENT.set(probe)
    try:
        yield probe
    finally:
        _CURRENT.reset(token)


def still_valid(checks: Iterable[tuple[str, bool]]) -> bool:
    """Every recorded lookup still gives the same answer (a cached result may be reused)."""
    return all(_exists(path) is existed for path, existed in checks)
