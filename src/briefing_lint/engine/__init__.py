"""The engine: one run pipeline behind ``check``, ``format`` and ``lint_paths``."""

from __future__ import annotations

from .onefile import fix_source, process_file, process_text
from .pool import map_files, tune_gc
from .result import FileResult, Notice, RunResult
from .run import RunOptions, finish, locate, run, run_files, run_text

__all__ = [
    "FileResult",
    "Notice",
    "RunOptions",
    "RunResult",
    "finish",
    "fix_source",
    "locate",
    "map_files",
    "process_file",
    "process_text",
    "run",
    "run_files",
    "run_text",
    "tune_gc",
]
