"""A whole run: discover -> cache -> pool -> cross-file rules -> writes -> :class:`RunResult`.

The CLI's ``check`` and the library's ``lint_paths`` both run this; they differ only in how
they present the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache
from ..config import Config, ConfigResolver
from ..crossfile import cross_file_diagnostics
from ..diagnostics import Diagnostic
from ..document import LineIndex, split_bom
from ..files import FileOutcome, discover
from .onefile import process_file, process_text
from .pool import map_files, tune_gc
from .result import FileResult, Notice, RunResult


@dataclass(frozen=True)
class RunOptions:
    """How to run: what ``check``'s flags (or ``lint_paths``' arguments) ask for."""

    fix: bool = False
    unsafe: bool = False
    #: Save fixed files (each right after it is fixed, by the process that fixed it).
    write: bool = False
    jobs: int = 0
    use_cache: bool = False
    cache_dir: Path | None = None
    force_exclude: bool = False
    #: Insert disable comments for what remains, and save the files.
    add_suppressions: bool = False
    #: Check links and images over HTTP after linting (``--online``); ``refresh`` asks
    #: again for what the online cache holds.
    online: bool = False
    refresh: bool = False
    #: Read and write the online answers' cache (``--no-cache`` turns it off).
    online_cache: bool = True


def _work(item: tuple[Path, ConfigResolver, RunOptions]) -> FileOutcome:
    path, resolver, options = item
    return process_file(
        path, resolver.for_path(path), fix=options.fix, unsafe=options.unsafe, write=options.write
    )


def run_files(
    files: Sequence[Path], resolver: ConfigResolver, options: RunOptions
) -> list[FileOutcome]:
    """Outcomes for ``files``, in the order given: cached ones from the cache (when
    ``use_cache``), the rest linted in the pool and then stored."""
    tune_gc()
    cache = Cache.open(options.cache_dir) if options.use_cache else None
    outcomes: list[FileOutcome | None] = [None] * len(files)
    todo: list[int] = []
    for i, path in enumerate(files):
        hit = cache.get(path, resolver.for_path(path)) if cache else None
        if hit is not None:
            outcomes[i] = hit
        else:
            todo.append(i)
    items = [(files[i], resolver, options) for i in todo]
    done = map_files(_work, items, [files[i] for i in todo], jobs=options.jobs)
    for i, outcome in zip(todo, done, strict=True):
        outcomes[i] = outcome
    if cache is not None:
        for i, outcome in zip(todo, done, strict=True):
            cache.put(files[i], resolver.for_path(files[i]), outcome)
        cache.close()
    return [o for o in outcomes if o is not None]


def run(paths: Sequence[Path], resolver: ConfigResolver, options: RunOptions) -> RunResult:
    """Check (and fix) the files under ``paths``. A missing path is an input error; a
    config error (:class:`~briefing_lint.config.ConfigError`) is raised."""
    notices: list[Notice] = []
    input_errors: list[str] = []
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    for p in missing:
        message = f"{p}: no such file or directory"
        notices.append(Notice("error", message))
        input_errors.append(message)

    def skipped(path: Path, message: str) -> None:
        notices.append(Notice("warning", message))

    present = [p for p in paths if p not in missing]
    files = list(discover(present, resolver, force_exclude=options.force_exclude, on_skip=skipped))
    outcomes = run_files(files, resolver, options)
    return finish(outcomes, resolver, options, notices, input_errors)


def run_text(
    path: Path, text: str, config: Config, resolver: ConfigResolver, options: RunOptions
) -> RunResult:
    """Check (and fix) one text that is no file on disk (standard input), named ``path``;
    nothing is written."""
    outcome = process_text(path, text, config, fix=options.fix, unsafe=options.unsafe)
    options = dataclasses.replace(options, write=False, add_suppressions=False)
    return finish([outcome], resolver, options, [], [], stdin=True)


def finish(
    outcomes: list[FileOutcome],
    resolver: ConfigResolver,
    options: RunOptions,
    notices: list[Notice],
    input_errors: list[str],
    *,
    stdin: bool = False,
) -> RunResult:
    """Judge the online checks and the cross-file rules, report each file, add
    suppressions: the RunResult."""
    if options.online:
        outcomes = _online(outcomes, resolver, options, stdin)
    cross_file_diagnostics(outcomes, resolver)
    write_errors: list[str] = []
    not_written = False
    for outcome in outcomes:
        if outcome.error:
            notices.append(Notice("error", outcome.error))
            input_errors.append(outcome.error)
            continue
        notices.extend(_fix_notices(outcome))
        saved = outcome.saved
        if saved is not None and saved.error:
            notices.append(Notice("error", saved.error))
            write_errors.append(saved.error)
        elif saved is not None and saved.warning:
            notices.append(Notice("warning", saved.warning))
            not_written = True
    if options.add_suppressions:
        from .suppress import add_suppressions  # lazy: rarely used (start-up time)

        errors, skipped = add_suppressions(outcomes, notices)
        write_errors.extend(errors)
        not_written = not_written or skipped
    no_files = not stdin and not outcomes and not input_errors
    if no_files:  # as ruff does: a warning, and exit 0
        notices.append(Notice("warning", "no Markdown files found under the given paths"))
    return RunResult(
        tuple(_public(o, resolver) for o in outcomes),
        tuple(notices),
        tuple(input_errors),
        no_files,
        tuple(write_errors),
        not_written,
    )


def _online(
    outcomes: list[FileOutcome], resolver: ConfigResolver, options: RunOptions, stdin: bool
) -> list[FileOutcome]:
    # Imported here: the HTTP stack is loaded only for --online (start-up time).
    from . import online

    stage = online.Options(
        refresh=options.refresh,
        use_cache=options.online_cache,
        cache_dir=options.cache_dir,
        fix=options.fix,
        unsafe=options.unsafe,
        write=options.write and not stdin,
        stdin=stdin,
    )
    return online.check_run(
        outcomes, lambda o: resolver.for_path(None if str(o.path) == "-" else o.path), stage
    )


def _fix_notices(outcome: FileOutcome) -> list[Notice]:
    out = []
    if not outcome.converged:
        rules = ", ".join(outcome.failing_rules)
        out.append(
            Notice(
                "error",
                f"{outcome.path}: fixes did not settle after 10 passes "
                f"(rules: {rules}); file left unchanged",
            )
        )
    out.extend(
        Notice("error", f"{outcome.path}: fix refused by the structure guard: {reason}")
        for reason in outcome.refused
    )
    return out


def locate(text: str, diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """``diagnostics`` with their 1-based positions in ``text`` (a BOM is not counted)."""
    if not diagnostics:
        return ()
    lines = LineIndex(split_bom(text)[0])
    out = []
    for d in diagnostics:
        line, column = lines.position(d.span.start)
        end_line, end_column = lines.position(d.span.end)
        out.append(
            dataclasses.replace(
                d, line=line, column=column, end_line=end_line, end_column=end_column
            )
        )
    return tuple(out)


def _public(outcome: FileOutcome, resolver: ConfigResolver) -> FileResult:
    if outcome.error:
        return FileResult(outcome.path, error=outcome.error)
    shown = outcome.fixed_text if outcome.fixed_text is not None else outcome.text
    config = resolver.for_path(None if str(outcome.path) == "-" else outcome.path)
    threshold = config.fail_on.rank
    saved = outcome.saved
    return FileResult(
        outcome.path,
        locate(shown, outcome.diagnostics),
        None,
        outcome.text,
        outcome.fixed_text,
        outcome.applied,
        dict(outcome.fixed_codes),
        outcome.converged,
        tuple(outcome.failing_rules),
        tuple(outcome.refused),
        written=saved is not None and saved.written,
        write_error=saved.error if saved is not None else "",
        write_warning=saved.warning if saved is not None else "",
        failing=any(d.severity.rank >= threshold for d in outcome.diagnostics),
    )
