"""``briefing-lint format``: fix and format files (or standard input)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..config import ConfigError, ConfigResolver
from ..engine import FileResult
from ..files import Saved, discover
from ..formatter import FormatResult, format_files, format_text
from .common import (
    EXIT_FAIL,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    print_diff,
    read_stdin,
    resolver,
    warn_skipped,
)


def _err(message: str) -> None:
    print(f"briefing-lint: {message}", file=sys.stderr)


class _Report:
    """Tells the user about each file and keeps the counts and the exit code."""

    def __init__(self, args: argparse.Namespace, out: TextIO, stdin: bool) -> None:
        self.args = args
        self.out = out
        self.stdin = stdin
        self.dry = bool(args.check or args.diff)
        self.exit_code = EXIT_OK
        self.counts = {"changed": 0, "unchanged": 0, "refused": 0, "skipped": 0}

    def fail(self, code: int) -> None:
        self.exit_code = max(self.exit_code, code)

    def file(self, path: Path, text: str, result: FormatResult, saved: Saved | None) -> None:
        for reason in result.refused_fixes:
            _err(f"warning: {path}: fix refused by the structure guard: {reason}")
        if result.refused:
            for reason in result.refused:
                _err(f"error: {path}: not formatted, left unchanged: {reason}")
            self.counts["refused"] += 1
            self.fail(EXIT_INTERNAL)
            return
        if self.stdin and not self.dry:
            sys.stdout.write(result.text)
        if not result.changed:
            self.counts["unchanged"] += 1
            return
        self.counts["changed"] += 1
        if self.dry:
            self.fail(EXIT_FAIL)
            if self.args.diff:
                print_diff([FileResult(path, text=text, fixed_text=result.text)], self.out)
            else:
                self.out.write(f"Would reformat: {path}\n")
        elif saved is not None and saved.error:  # written (or not) by the worker, at once
            _err(f"error: {saved.error}")
            self.counts["changed"] -= 1
            self.fail(EXIT_USAGE)
        elif saved is not None and saved.warning:
            _err(f"warning: {saved.warning}")
            self.counts["changed"] -= 1
            self.counts["skipped"] += 1
            self.fail(EXIT_FAIL)

    def summary(self) -> str:
        verb = "would be reformatted" if self.dry else "reformatted"
        counts = self.counts
        summary = f"{counts['changed']} file(s) {verb}, {counts['unchanged']} left unchanged"
        if counts["refused"]:
            summary += f", {counts['refused']} refused"
        if counts["skipped"]:
            summary += f", {counts['skipped']} changed meanwhile and left alone"
        return summary


def _format_stdin(args: argparse.Namespace, found: ConfigResolver, report: _Report) -> None:
    name = args.stdin_filename
    path = Path(name or "-")
    try:
        config = found.for_path(path if name else None)
        text = read_stdin(config.max_file_size)
        result = format_text(text, config, name)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    report.file(path, text, result, None)


def _format_paths(args: argparse.Namespace, found: ConfigResolver, report: _Report) -> None:
    paths = [Path(p) for p in (args.paths or ["."])]
    for p in paths:
        if not p.exists() and not p.is_symlink():
            _err(f"error: {p}: no such file or directory")
            report.fail(EXIT_USAGE)
    present = [p for p in paths if p.exists() or p.is_symlink()]
    files: list[Path] = []
    try:
        for path in discover(
            present, found, force_exclude=args.force_exclude, on_skip=warn_skipped
        ):
            if path.suffix.lower() == ".mdx":  # JSX and expressions are not CommonMark
                if path in present:
                    _err(f"warning: {path}: MDX files are not formatted")
                continue
            files.append(path)
        done = format_files(files, found, jobs=args.jobs, write=not report.dry)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    for item in done:
        if item.error:
            _err(f"error: {item.error}")
            report.fail(EXIT_USAGE)
        elif item.result is not None:
            report.file(item.path, item.text, item.result, item.saved)


def cmd_format(args: argparse.Namespace, out: TextIO) -> int:
    """Fix and format files. 0 done / nothing to do; 1 (--check/--diff) something would
    change; 2 input or config error; 3 a file refused by the HTML check or the structure guard.
    """
    found = resolver(args)
    stdin = [Path(p) for p in (args.paths or ["."])] == [Path("-")]
    report = _Report(args, out, stdin)
    if stdin:
        _format_stdin(args, found, report)
    else:
        _format_paths(args, found, report)
    if not args.quiet:
        print(report.summary(), file=sys.stderr)
    return report.exit_code
