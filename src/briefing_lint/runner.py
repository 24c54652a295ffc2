"""Run many files: in order, or across worker processes, with deterministic output order."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path

from .config import ConfigResolver
from .files import FileOutcome, process_file

#: Parsing allocates millions of short-lived, acyclic objects (tokens); the default cyclic-GC
#: threshold (700) makes the collector rescan them constantly. Documents are dropped after
#: each file, so collecting less often costs little memory and saves ~10 % of a run.
GC_THRESHOLD = (50_000, 20, 100)


def tune_gc() -> None:
    gc.freeze()  # modules and rule data loaded so far are never garbage
    gc.set_threshold(*GC_THRESHOLD)


#: Below this many files a process pool costs more than it saves.
_MIN_FILES_PER_WORKER = 4


#: Files handed to a worker at a time: small, so the last chunks finish together.
_MAX_CHUNK = 4


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _work(item: tuple[Path, ConfigResolver, bool, bool, bool]) -> FileOutcome:
    path, resolver, fix, unsafe, write = item
    return process_file(path, resolver.for_path(path), fix=fix, unsafe=unsafe, write=write)


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
    """Outcomes for ``files``, in the order given.

    With ``write``, each fixed file is saved by the process that fixed it, right after the
    fix: the time in which an edit made meanwhile could be lost is one file's, not the
    whole run's (and :func:`~briefing_lint.files.save` still refuses to overwrite one).
    """
    from .cache import Cache

    tune_gc()
    cache = Cache.open(cache_dir) if use_cache else None
    outcomes: list[FileOutcome | None] = [None] * len(files)
    todo: list[int] = []
    for i, path in enumerate(files):
        hit = cache.get(path, resolver.for_path(path)) if cache else None
        if hit is not None:
            outcomes[i] = hit
        else:
            todo.append(i)
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    workers = min(workers, max(1, len(todo) // _MIN_FILES_PER_WORKER))
    if workers <= 1:
        for i in todo:
            outcomes[i] = process_file(
                files[i], resolver.for_path(files[i]), fix=fix, unsafe=unsafe, write=write
            )
    else:
        from concurrent.futures import ProcessPoolExecutor

        # Largest files first, in small chunks: no worker is left with a big file when the
        # others are done (outcomes go back to their places, so order stays deterministic).
        todo.sort(key=lambda i: _size(files[i]), reverse=True)
        items = [(files[i], resolver, fix, unsafe, write) for i in todo]
        chunk = max(1, min(_MAX_CHUNK, len(items) // (workers * 8)))
        with ProcessPoolExecutor(max_workers=workers, initializer=tune_gc) as pool:
            for i, outcome in zip(todo, pool.map(_work, items, chunksize=chunk), strict=True):
                outcomes[i] = outcome
    result = [o for o in outcomes if o is not None]
    if cache is not None:
        for i in todo:
            done = outcomes[i]
            if done is not None:
                cache.put(files[i], resolver.for_path(files[i]), done)
        cache.close()
    return result
