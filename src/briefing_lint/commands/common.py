"""What every subcommand shares: exit codes, usage errors, config from the flags."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..config import ConfigError, ConfigResolver, parse_size
from ..diagnostics import Severity
from ..engine import FileResult, Notice
from ..registry import UnknownRuleError, resolve
from . import EXIT_FAIL, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["EXIT_FAIL", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "UsageError"]


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The config keys the command line sets (they win over config files)."""
    out: dict[str, Any] = {}
    if args.select is not None:
        out["select"] = tuple(args.select)
    if args.ignore is not None:
        out["ignore"] = tuple(args.ignore)
    if args.extend_select is not None:
        out["extend_select"] = tuple(args.extend_select)
    if getattr(args, "fail_on", None):
        out["fail_on"] = Severity(args.fail_on)
    if getattr(args, "unsafe_fixes", False):
        out["unsafe_fixes"] = True
    if getattr(args, "max_file_size", None) is not None:
        try:
            out["max_file_size"] = parse_size(args.max_file_size)
        except ValueError as exc:
            raise UsageError(f"--max-file-size: {exc}") from None
    return out


def resolver(args: argparse.Namespace) -> ConfigResolver:
    """Each path's config: the files found (or ``--config``) with the flags on top."""
    flags = overrides(args)
    for key in ("select", "ignore", "extend_select"):
        for item in flags.get(key, ()):
            if item.upper() == "ALL":
                continue
            try:
                resolve(item)
            except UnknownRuleError:
                flag = "--" + key.replace("_", "-")
                raise UsageError(f"{flag}: unknown rule {item!r}") from None
    try:
        return ConfigResolver(args.config, flags)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def warn_skipped(path: Path, message: str) -> None:
    print(f"briefing-lint: warning: {message}", file=sys.stderr)


def print_notices(notices: Iterable[Notice]) -> None:
    for notice in notices:
        prefix = f"briefing-lint: {notice.level}: " if notice.level else ""
        print(prefix + notice.message, file=sys.stderr)


def read_stdin(max_size: int) -> str:
    """Standard input, bounded like a file: ``max_size`` bytes at most are kept."""
    text = sys.stdin.read(max_size + 1)  # characters: never fewer bytes than that
    if len(text) > max_size or len(text.encode("utf-8", "surrogatepass")) > max_size:
        raise UsageError(
            f"standard input: too large (more than max-file-size, {max_size} bytes); not checked"
        )
    return text


def print_diff(files: Iterable[FileResult], out: TextIO) -> bool:
    """A unified diff of each changed file; whether there was any."""
    import difflib  # lazy: only --diff needs it (start-up time)

    any_diff = False
    for file in files:
        if file.fixed_text is None or not file.changed:
            continue
        any_diff = True
        name = str(file.path)
        diff = difflib.unified_diff(
            file.text.splitlines(keepends=True),
            file.fixed_text.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
        for line in diff:
            out.write(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            )
    return any_diff
