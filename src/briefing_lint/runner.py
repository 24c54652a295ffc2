"""Old home of the run loop, kept so existing imports work: see :mod:`briefing_lint.engine`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .config import ConfigResolver
from .engine import RunOptions, tune_gc
from .engine import run_files as _run_files
from .engine.pool import GC_THRESHOLD
from .files import FileOutcome

__all__ = ["GC_THRESHOLD", "run_files", "tune_gc"]


def run_files(
    files: Sequence[Path],
    resolver: ConfigResolver,
    *,
    fix: bool = False,
    unsafe: bool = False,
    jobs: int = 0,
    use_cache: bool = False,
    cache_dir: Path | None = None,
    write: bool = False,
) -> list[FileOutcome]:
    """Outcomes for ``files``, in the order given (:func:`briefing_lint.engine.run_files`)."""
    options = RunOptions(fix, unsafe, write, jobs, use_cache, cache_dir)
    return _run_files(files, resolver, options)
