"""Command line: ``briefing-lint [check] PATHS``, ``rules``, ``rule``, ``config``, ``format``.

Exit codes: 0 nothing at or above ``--fail-on`` remains; 1 something does; 2 usage, config
or input error (stderr names the file and the key); 3 internal error, non-convergence or a
fix refused by the structure guard.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .__about__ import __version__
from .commands import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError
from .errors import PluginError

SUBCOMMANDS = ("check", "rules", "rule", "config", "format", "server")


def _comma_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--select", type=_comma_list, help="only these rules (codes or names, comma separated)"
    )
    p.add_argument("--ignore", type=_comma_list, help="skip these rules")
    p.add_argument("--extend-select", type=_comma_list, help="add these rules to the selection")
    p.add_argument("--config", type=Path, help="use this config file for every path")
    p.add_argument(
        "--max-file-size",
        metavar="SIZE",
        help="report larger files instead of checking them (e.g. 20MB, the default)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing-lint",
        description="Lint and fix curated Markdown newsletters (briefings).",
    )
    parser.add_argument("--version", action="version", version=f"briefing-lint {__version__}")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="lint files (the default command)")
    check.add_argument("paths", nargs="*", help="files or folders (default: .); - reads stdin")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")
    check.add_argument(
        "--diff", action="store_true", help="print the diff --fix would write; write nothing"
    )
    _add_selection(check)
    check.add_argument(
        "--output-format",
        default="text",
        help="text | concise | json | json-lines | github | sarif",
    )
    check.add_argument("--statistics", action="store_true", help="count diagnostics per rule")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied")
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that fails the run (default warning)",
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when diagnostics remain"
    )
    check.add_argument(
        "--exit-non-zero-on-fix", action="store_true", help="exit 1 when --fix changed a file"
    )
    check.add_argument(
        "--quiet", "-q", action="store_true", help="print diagnostics only, no summary"
    )
    check.add_argument("--stdin-filename", help="path to use for stdin (config lookup, messages)")
    check.add_argument(
        "--jobs", "-j", type=int, default=0, help="worker processes (default: CPU count)"
    )
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    check.add_argument("--cache-dir", type=Path, help="cache folder (default .briefing-lint-cache)")
    check.add_argument(
        "--force-exclude", action="store_true", help="apply exclude to paths given explicitly"
    )
    check.add_argument(
        "--online",
        action="store_true",
        help="also check links and images over HTTP (dead links, short links resolved)",
    )
    check.add_argument(
        "--refresh", action="store_true", help="with --online: ignore the cached answers"
    )
    check.add_argument(
        "--add-suppressions",
        action="store_true",
        help="insert a disable comment (with a reason placeholder) for every remaining diagnostic",
    )

    sub.add_parser("rules", help="list the rules")
    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", help="a code (BL001) or name (tracking-params)")
    cfg = sub.add_parser(
        "config", help="show the effective config for a path and where each value came from"
    )
    cfg.add_argument("path", nargs="?", default=".", help="file or folder (default: .)")
    cfg.add_argument("--config", type=Path, help="use this config file")
    _add_format_parser(sub)
    server = sub.add_parser("server", help="run the language server (needs briefing-lint[lsp])")
    server.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    return parser


def _suggest(word: str, choices: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown_command(word: str) -> str | None:
    """The error for a first word that is neither a command nor a path, else None.

    ``briefing-lint a.md`` checks ``a.md`` (``check`` is the default command), so a word
    that names an existing path, or looks like a file name, is left to ``check``."""
    if word.startswith("-") or word in SUBCOMMANDS or Path(word).exists():
        return None
    if "/" in word or "\\" in word or "." in word:  # a path: `check` reports it missing
        return None
    hint = _suggest(word, SUBCOMMANDS)
    if not hint:
        return None
    return f"unknown command {word!r}{hint} (commands: {', '.join(SUBCOMMANDS)})"


def _unknown_options(
    parser: argparse.ArgumentParser, args_list: list[str], extra: list[str]
) -> list[str]:
    """Unrecognised options, each with the nearest known one."""
    command = args_list[0] if args_list and args_list[0] in SUBCOMMANDS else None
    sub = parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            sub = action.choices[command]
    known = [opt for action in sub._actions for opt in action.option_strings]
    return [
        f"unknown option {w.split('=', 1)[0]!r}{_suggest(w.split('=', 1)[0], known)}"
        for w in extra
        if w.startswith("-") and w != "-"
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and (problem := _unknown_command(args_list[0])):
        print(f"briefing-lint: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if not args_list or (
        args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "check")
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(args_list)
        problems = _unknown_options(parser, args_list, extra)
        for problem in problems:
            print(f"briefing-lint: error: {problem}", file=sys.stderr)
        if problems:
            return EXIT_USAGE
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse: 2 on usage errors, 0 for --help/--version
        return int(exc.code or 0)
    try:
        return _dispatch(args)
    except (UsageError, PluginError) as exc:
        for line in str(exc).splitlines() or [""]:  # several config errors: one line each
            print(f"briefing-lint: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover
        return EXIT_OK
    except Exception:  # a bug: exit 3, not 1 ("problems found"), and show where it happened
        import traceback

        traceback.print_exc()
        print("briefing-lint: internal error (the traceback above says where)", file=sys.stderr)
        return EXIT_INTERNAL


def cmd_server() -> int:
    # Imported here, not at the top: pygls is an optional extra, and `check` should not
    # pay for importing it.
    try:
        from .server.main import serve
    except ImportError as exc:
        raise UsageError(
            f"the language server needs the lsp extra: pip install 'briefing-lint[lsp]' ({exc})"
        ) from exc
    return serve()


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen subcommand, importing only its module (start-up time)."""
    if args.command == "format":
        from .commands.format import cmd_format

        return cmd_format(args, sys.stdout)
    if args.command in ("rules", "rule", "config"):
        from .commands import info

        if args.command == "rules":
            return info.cmd_rules(sys.stdout)
        if args.command == "rule":
            return info.cmd_rule(args.code, sys.stdout)
        return info.cmd_config(args, sys.stdout)
    if args.command == "server":
        return cmd_server()
    from .commands.check import cmd_check

    return cmd_check(args, sys.stdout)


def _add_format_parser(sub: Any) -> None:
    fmt = sub.add_parser(
        "format", help="apply safe fixes, then normalise with mdformat (briefing conventions kept)"
    )
    fmt.add_argument("paths", nargs="*", help="files or folders (default: .); - reads stdin")
    fmt.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file would change"
    )
    fmt.add_argument(
        "--diff", action="store_true", help="print what would change as a diff; write nothing"
    )
    _add_selection(fmt)
    fmt.add_argument("--stdin-filename", help="path to use for stdin (config lookup, messages)")
    fmt.add_argument(
        "--force-exclude", action="store_true", help="apply exclude to paths given explicitly"
    )
    fmt.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    fmt.add_argument(
        "--jobs", "-j", type=int, default=0, help="worker processes (default: CPU count)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
