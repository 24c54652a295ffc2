"""Many files: in order, or across worker processes, with deterministic output order.

``check`` and ``format`` share this pool: each hands it a module-level function (it must be
picklable) and one work item per file.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Parsing allocates millions of short-lived, acyclic objects (tokens); the default cyclic-GC
#: threshold (700) makes the collector rescan them constantly. Documents are dropped after
#: each file, so collecting less often costs little memory and saves ~10 % of a run.
GC_THRESHOLD = (50_000, 20, 100)

#: Below this many files a process pool costs more than it saves.
MIN_FILES_PER_WORKER = 4

#: Files handed to a worker at a time: small, so the last chunks finish together.
MAX_CHUNK = 4


def tune_gc() -> None:
    gc.freeze()  # modules and rule data loaded so far are never garbage
    gc.set_threshold(*GC_THRESHOLD)


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def workers_for(count: int, jobs: int) -> int:
    """Worker processes for ``count`` files: ``jobs`` (0: one per CPU), fewer for few files."""
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    return min(workers, max(1, count // MIN_FILES_PER_WORKER))


def map_files(
    work: Callable[[T], R], items: Sequence[T], paths: Sequence[Path], *, jobs: int = 0
) -> list[R]:
    """``work`` over ``items`` (one per path in ``paths``), results in the order given."""
    workers = workers_for(len(items), jobs)
    if workers <= 1:
        return [work(item) for item in items]
    from concurrent.futures import ProcessPoolExecutor  # lazy: a one-file run never needs it

    # Largest files first, in small chunks: no worker is left with a big file when the
    # others are done (results go back to their places, so order stays deterministic).
    order = sorted(range(len(items)), key=lambda i: file_size(paths[i]), reverse=True)
    chunk = max(1, min(MAX_CHUNK, len(items) // (workers * 8)))
    out: list[R | None] = [None] * len(items)
    with ProcessPoolExecutor(max_workers=workers, initializer=tune_gc) as pool:
        done = pool.map(work, [items[i] for i in order], chunksize=chunk)
        for i, result in zip(order, done, strict=True):
            out[i] = result
    return [r for r in out if r is not None]
