"""``briefing-lint check``: turn the flags into a run, render its result, pick the exit code."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import TextIO

from ..config import ConfigError, ConfigResolver
from ..engine import RunOptions, RunResult, run, run_text
from ..output import FORMATS, Display
from ..output.render import render
from .common import (
    EXIT_FAIL,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    print_diff,
    print_notices,
    read_stdin,
    resolver,
)


def _check_online_flags(args: argparse.Namespace) -> None:
    if args.refresh and not args.online:
        raise UsageError("--refresh: only with --online")
    if args.online and importlib.util.find_spec("httpx") is None:
        raise UsageError("--online needs httpx: pip install 'briefing-lint[online]'")


def options(args: argparse.Namespace) -> RunOptions:
    fix = args.fix or args.diff
    return RunOptions(
        fix=fix,
        unsafe=args.unsafe_fixes,
        # Each fixed file is written as soon as it is fixed (by the worker that fixed
        # it), and only if nobody changed it meanwhile.
        write=args.fix and not args.diff,
        jobs=args.jobs,
        use_cache=not args.no_cache and not fix,
        cache_dir=args.cache_dir,
        force_exclude=args.force_exclude,
        add_suppressions=args.add_suppressions,
        online=args.online,
        refresh=args.refresh,
        online_cache=not args.no_cache,
    )


def _stdin_run(args: argparse.Namespace, found: ConfigResolver, opts: RunOptions) -> RunResult:
    name = args.stdin_filename or "-"
    config = found.for_path(Path(name) if args.stdin_filename else None)
    text = read_stdin(config.max_file_size)
    return run_text(Path(name), text, config, found, opts)


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    if args.output_format not in FORMATS:
        raise UsageError(f"--output-format: unknown format {args.output_format!r}")
    _check_online_flags(args)
    found = resolver(args)
    opts = options(args)
    paths = [Path(p) for p in (args.paths or ["."])]
    stdin = paths == [Path("-")]
    try:
        result = _stdin_run(args, found, opts) if stdin else run(paths, found, opts)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    print_notices(result.notices)
    stdin_fix = opts.fix and not args.diff and stdin
    if stdin_fix:
        for file in result:
            if file.fixed_text is not None:
                sys.stdout.write(file.fixed_text)
    diff_nonempty = False
    display = Display(args.statistics, args.show_fixes, args.quiet)
    if args.diff:
        diff_nonempty = print_diff(result, out)
    else:
        render(args.output_format, result, sys.stderr if stdin_fix else out, display)
    failed = len(result.input_errors)
    if failed and (args.diff or args.output_format in ("json", "json-lines", "github")):
        print(
            f"briefing-lint: error: {failed} path{'' if failed == 1 else 's'} could not be "
            "read; the output covers only the files that were checked",
            file=sys.stderr,
        )
    return exit_code(args, result, diff_nonempty)


def exit_code(args: argparse.Namespace, result: RunResult, diff_nonempty: bool) -> int:
    """Exit 3 for a bug (a fix that did not settle or was refused), 2 for what could not be
    read or written, else 1 when findings at or above ``fail-on`` remain."""
    if any(not f.converged or f.refused for f in result):
        return EXIT_INTERNAL
    if result.input_errors or result.write_errors:
        return EXIT_USAGE
    if args.exit_zero:
        return EXIT_OK
    if args.diff:
        return EXIT_FAIL if diff_nonempty else EXIT_OK
    if args.exit_non_zero_on_fix and result.changed_files:
        return EXIT_FAIL
    if result.not_written or result.failing:  # a file changed under us still needs its fixes
        return EXIT_FAIL
    return EXIT_OK
