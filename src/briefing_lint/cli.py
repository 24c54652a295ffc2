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
from typing import TYPE_CHECKING, Any, TextIO

from .__about__ import __version__

if TYPE_CHECKING:
    from .files import FileOutcome

SUBCOMMANDS = ("check", "rules", "rule", "config", "format")

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command line: exit 2."""


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
        if args.command == "rules":
            return cmd_rules(sys.stdout)
        if args.command == "rule":
            return cmd_rule(args.code, sys.stdout)
        if args.command == "config":
            return cmd_config(args, sys.stdout)
        if args.command == "format":
            return cmd_format(args, sys.stdout)
        return cmd_check(args, sys.stdout)
    except UsageError as exc:
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


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    from .diagnostics import Severity

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
        from .config import parse_size

        try:
            out["max_file_size"] = parse_size(args.max_file_size)
        except ValueError as exc:
            raise UsageError(f"--max-file-size: {exc}") from None
    return out


def _warn_skipped(path: Path, message: str) -> None:
    print(f"briefing-lint: warning: {message}", file=sys.stderr)


def _read_stdin(max_size: int) -> str:
    """Standard input, bounded like a file: ``max_size`` bytes at most are kept."""
    text = sys.stdin.read(max_size + 1)  # characters: never fewer bytes than that
    if len(text) > max_size or len(text.encode("utf-8", "surrogatepass")) > max_size:
        raise UsageError(
            f"standard input: too large (more than max-file-size, {max_size} bytes); not checked"
        )
    return text


def _resolver(args: argparse.Namespace) -> Any:
    from .config import ConfigError, ConfigResolver
    from .registry import UnknownRuleError, resolve

    overrides = _overrides(args)
    for key in ("select", "ignore", "extend_select"):
        for item in overrides.get(key, ()):
            if item.upper() == "ALL":
                continue
            try:
                resolve(item)
            except UnknownRuleError:
                flag = "--" + key.replace("_", "-")
                raise UsageError(f"{flag}: unknown rule {item!r}") from None
    try:
        return ConfigResolver(args.config, overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .config import ConfigError
    from .diagnostics import Severity
    from .files import discover, process_text
    from .output import RunInfo
    from .runner import run_files

    if args.output_format not in ("text", "concise", "json", "json-lines", "github", "sarif"):
        raise UsageError(f"--output-format: unknown format {args.output_format!r}")
    if args.refresh and not args.online:
        raise UsageError("--refresh: only with --online")
    resolver = _resolver(args)
    paths = [Path(p) for p in (args.paths or ["."])]
    outcomes: list[FileOutcome] = []
    info = RunInfo()
    exit_code = EXIT_OK
    fix = args.fix or args.diff
    stdin = paths == [Path("-")]

    try:
        if stdin:
            name = args.stdin_filename or "-"
            cfg = resolver.for_path(Path(name) if args.stdin_filename else None)
            text = _read_stdin(cfg.max_file_size)
            outcome = process_text(Path(name), text, cfg, fix=fix, unsafe=args.unsafe_fixes)
            outcomes.append(outcome)
        else:
            missing = [p for p in paths if not p.exists() and not p.is_symlink()]
            for p in missing:
                message = f"{p}: no such file or directory"
                print(f"briefing-lint: error: {message}", file=sys.stderr)
                info.input_errors.append(message)
                exit_code = EXIT_USAGE
            present = [p for p in paths if p not in missing]
            files = list(
                discover(present, resolver, force_exclude=args.force_exclude, on_skip=_warn_skipped)
            )
            # Each fixed file is written as soon as it is fixed (by the worker that fixed
            # it), and only if nobody changed it meanwhile.
            outcomes = run_files(
                files,
                resolver,
                fix=fix,
                unsafe=args.unsafe_fixes,
                jobs=args.jobs,
                use_cache=not args.no_cache and not fix,
                cache_dir=args.cache_dir,
                write=args.fix and not args.diff,
            )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    if args.online:
        outcomes = _online(args, outcomes, resolver, stdin)

    from .crossfile import cross_file_diagnostics

    cross_file_diagnostics(outcomes, resolver)

    changed_files = 0
    not_written = False
    for outcome in outcomes:
        if outcome.error:
            print(f"briefing-lint: error: {outcome.error}", file=sys.stderr)
            info.input_errors.append(outcome.error)
            exit_code = max(exit_code, EXIT_USAGE)
            continue
        if not outcome.converged:
            rules = ", ".join(outcome.failing_rules)
            print(
                f"briefing-lint: error: {outcome.path}: fixes did not settle after 10 passes "
                f"(rules: {rules}); file left unchanged",
                file=sys.stderr,
            )
            exit_code = EXIT_INTERNAL
        for reason in outcome.refused:
            print(
                f"briefing-lint: error: {outcome.path}: fix refused by the structure guard: "
                f"{reason}",
                file=sys.stderr,
            )
        if args.fix and not args.diff and outcome.fixed_text is not None:
            if stdin:
                sys.stdout.write(outcome.fixed_text)
                continue
            saved = outcome.saved
            if saved is None:
                continue
            if saved.error:
                print(f"briefing-lint: error: {saved.error}", file=sys.stderr)
                exit_code = max(exit_code, EXIT_USAGE)
            elif saved.warning:
                print(f"briefing-lint: warning: {saved.warning}", file=sys.stderr)
                not_written = True
            else:
                changed_files += 1

    if getattr(args, "add_suppressions", False) and not stdin:
        added = _add_suppressions(outcomes)
        if added == EXIT_FAIL:
            not_written = True
        exit_code = max(exit_code, added if added != EXIT_FAIL else EXIT_OK)

    from .output.render import render

    stdin_fix = args.fix and not args.diff and stdin
    diff_nonempty = False
    info.no_files = not stdin and not outcomes and not info.input_errors
    if info.no_files:  # as ruff does: a warning, and exit 0
        print(
            "briefing-lint: warning: no Markdown files found under the given paths",
            file=sys.stderr,
        )
    if args.diff:
        diff_nonempty = _print_diff(outcomes, out)
    elif not stdin_fix:
        render(args.output_format, outcomes, out, args, info)
    else:
        render(args.output_format, outcomes, sys.stderr, args, info)
    failed = len(info.input_errors)
    if failed and (args.diff or args.output_format in ("json", "json-lines", "github")):
        print(
            f"briefing-lint: error: {failed} path{'' if failed == 1 else 's'} could not be "
            "read; the output covers only the files that were checked",
            file=sys.stderr,
        )

    if any(o.refused for o in outcomes):  # a rule offered a damaging fix: a bug to report
        exit_code = max(exit_code, EXIT_INTERNAL)
    if exit_code in (EXIT_USAGE, EXIT_INTERNAL):
        return exit_code
    if args.exit_zero:
        return EXIT_OK
    if args.diff:
        return EXIT_FAIL if diff_nonempty else EXIT_OK
    if args.exit_non_zero_on_fix and changed_files:
        return EXIT_FAIL
    if not_written:  # a file changed under us still needs its fixes
        return EXIT_FAIL
    for outcome in outcomes:
        cfg = resolver.for_path(None if str(outcome.path) == "-" else outcome.path)
        threshold: Severity = cfg.fail_on
        if any(d.severity.rank >= threshold.rank for d in outcome.diagnostics):
            return EXIT_FAIL
    return EXIT_OK


def _online(
    args: argparse.Namespace, outcomes: list[FileOutcome], resolver: Any, stdin: bool
) -> list[FileOutcome]:
    # Imported here: the HTTP stack is loaded only for --online (start-up speed).
    try:
        from .online.run import Options, check_run
    except ModuleNotFoundError as exc:
        if exc.name not in ("httpx", "httpcore"):
            raise
        raise UsageError("--online needs httpx: pip install 'briefing-lint[online]'") from None

    options = Options(
        refresh=args.refresh,
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
        fix=args.fix or args.diff,
        unsafe=args.unsafe_fixes,
        write=args.fix and not args.diff and not stdin,
        stdin=stdin,
    )
    return check_run(
        outcomes, lambda o: resolver.for_path(None if str(o.path) == "-" else o.path), options
    )


def _add_suppressions(outcomes: list[FileOutcome]) -> int:
    """Insert the comments and save each file (as ``--fix`` does): 0, 1 if a file changed
    meanwhile and was left alone, 2 if one could not be written."""
    from .adopt import add_suppressions
    from .document import BOM, split_bom
    from .files import save

    exit_code = EXIT_OK
    for outcome in outcomes:
        if outcome.error or not outcome.diagnostics or outcome.snapshot is None:
            continue
        if outcome.saved is not None and not outcome.saved.written:
            continue  # the fixes were not written: neither are the suppressions
        current = outcome.fixed_text if outcome.fixed_text is not None else outcome.text
        body, bom = split_bom(current)
        new = add_suppressions(body, outcome.diagnostics, str(outcome.path))
        if new == body:
            if outcome.diagnostics:
                print(
                    f"briefing-lint: warning: {outcome.path}: suppressions not added "
                    "(they would change the block structure)",
                    file=sys.stderr,
                )
            continue
        saved = save(outcome.path, (BOM if bom else "") + new, current, outcome.snapshot)
        if not saved.written:
            print(f"briefing-lint: error: {saved.error or saved.warning}", file=sys.stderr)
            exit_code = max(exit_code, EXIT_USAGE if saved.error else EXIT_FAIL)
            continue
        print(
            f"{outcome.path}: added suppressions for {len(outcome.diagnostics)} diagnostics",
            file=sys.stderr,
        )
        outcome.diagnostics = []
    return exit_code


def _print_diff(outcomes: list[FileOutcome], out: TextIO) -> bool:
    import difflib

    any_diff = False
    for outcome in outcomes:
        if outcome.fixed_text is None or not outcome.changed:
            continue
        any_diff = True
        name = str(outcome.path)
        diff = difflib.unified_diff(
            outcome.text.splitlines(keepends=True),
            outcome.fixed_text.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
        for line in diff:
            out.write(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            )
    return any_diff


def cmd_rules(out: TextIO) -> int:
    from .registry import RULES
    from .ruledoc import severity_range

    rows = []
    for rule in RULES:
        meta = rule.meta()
        fix = {"none": "-", "safe": "safe", "unsafe": "unsafe"}[meta.fix]
        enabled = "" if meta.default_enabled else " (off by default)"
        rows.append((meta.code, meta.name, severity_range(meta), fix, meta.summary + enabled))
    header = ("code", "name", "severity", "fix", "summary")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(4)]
    for row in (header, *rows):
        out.write("  ".join(c.ljust(widths[i]) if i < 4 else c for i, c in enumerate(row)) + "\n")
    return EXIT_OK


def cmd_rule(code: str, out: TextIO) -> int:
    from .registry import UnknownRuleError, resolve, rules_by_code
    from .ruledoc import rule_markdown

    try:
        resolved = resolve(code)
    except UnknownRuleError as exc:
        raise UsageError(str(exc)) from None
    out.write(rule_markdown(rules_by_code()[resolved].meta()))
    return EXIT_OK


def cmd_config(args: argparse.Namespace, out: TextIO) -> int:
    import yaml

    from .config import ConfigError, ConfigResolver

    try:
        resolver = ConfigResolver(args.config)
        path = Path(args.path)
        cfg = resolver.for_path(path if path.is_file() else path / "x.md")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    from .provenance import effective_config

    data = effective_config(cfg)
    if path.exists():
        data["newsletter"]["detected"] = _detected_names(path, resolver)
    out.write(f"# config file: {cfg.source or '(none: defaults)'}\n")
    out.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return EXIT_OK


def _detected_names(path: Path, resolver: Any) -> dict[str, Any]:
    """The campaign tag values BL001 takes for the newsletter's names in the files under
    ``path``, with the sites and files that show it."""
    from .document import Document
    from .files import InputError, discover, read_text
    from .registry import rules_by_code
    from .rules.tracking_params import detected_names, document_tag_sites

    sites: dict[str, set[str]] = {}
    files: dict[str, set[str]] = {}
    threshold = 3
    for file in discover([path], resolver):
        cfg = resolver.for_path(file)
        if "BL001" not in cfg.selected_codes():
            continue
        threshold = int(cfg.options_for(rules_by_code()["BL001"].meta())["detect_names"])
        try:
            doc = Document(read_text(file), str(file))
        except InputError:
            continue
        for value, found in document_tag_sites(doc).items():
            sites.setdefault(value, set()).update(found)
            files.setdefault(value, set()).add(str(file))
        doc.release()
    return {
        name: {
            "from": f"tags links to {len(sites[name])} sites in {len(files[name])} file(s)",
            "sites": sorted(sites[name])[:10],
        }
        for name in sorted(detected_names(sites, threshold))
    }


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


def cmd_format(args: argparse.Namespace, out: TextIO) -> int:
    """Fix and format files. 0 done / nothing to do; 1 (--check/--diff) something would
    change; 2 input or config error; 3 a file refused by the HTML check or the structure guard.
    """
    from .config import ConfigError
    from .files import FileOutcome, Saved, discover
    from .formatter import FormatResult, format_files, format_text

    resolver = _resolver(args)
    paths = [Path(p) for p in (args.paths or ["."])]
    stdin = paths == [Path("-")]
    dry = args.check or args.diff
    exit_code = EXIT_OK
    counts = {"changed": 0, "unchanged": 0, "refused": 0, "skipped": 0}

    def err(message: str) -> None:
        print(f"briefing-lint: {message}", file=sys.stderr)

    def one(path: Path, name: str | None) -> None:
        try:
            cfg = resolver.for_path(path if name else None)
            text = _read_stdin(cfg.max_file_size)
            result = format_text(text, cfg, name)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        report(path, text, result)

    def report(path: Path, text: str, result: FormatResult, saved: Saved | None = None) -> None:
        nonlocal exit_code
        for reason in result.refused_fixes:
            err(f"warning: {path}: fix refused by the structure guard: {reason}")
        if result.refused:
            for reason in result.refused:
                err(f"error: {path}: not formatted, left unchanged: {reason}")
            counts["refused"] += 1
            exit_code = max(exit_code, EXIT_INTERNAL)
            return
        if stdin and not dry:
            sys.stdout.write(result.text)
        if not result.changed:
            counts["unchanged"] += 1
            return
        counts["changed"] += 1
        if dry:
            exit_code = max(exit_code, EXIT_FAIL)
            if args.diff:
                _print_diff([FileOutcome(path, text=text, fixed_text=result.text)], out)
            else:
                out.write(f"Would reformat: {path}\n")
        elif saved is not None and saved.error:  # written (or not) by the worker, at once
            err(f"error: {saved.error}")
            counts["changed"] -= 1
            exit_code = max(exit_code, EXIT_USAGE)
        elif saved is not None and saved.warning:
            err(f"warning: {saved.warning}")
            counts["changed"] -= 1
            counts["skipped"] += 1
            exit_code = max(exit_code, EXIT_FAIL)

    if stdin:
        name = args.stdin_filename
        one(Path(name or "-"), name)
    else:
        for p in paths:
            if not p.exists() and not p.is_symlink():
                err(f"error: {p}: no such file or directory")
                exit_code = max(exit_code, EXIT_USAGE)
        present = [p for p in paths if p.exists() or p.is_symlink()]
        files: list[Path] = []
        try:
            found = discover(
                present, resolver, force_exclude=args.force_exclude, on_skip=_warn_skipped
            )
            for path in found:
                if path.suffix.lower() == ".mdx":  # JSX and expressions are not CommonMark
                    if path in present:
                        err(f"warning: {path}: MDX files are not formatted")
                    continue
                files.append(path)
            done = format_files(files, resolver, jobs=args.jobs, write=not dry)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        for item in done:
            if item.error:
                err(f"error: {item.error}")
                exit_code = max(exit_code, EXIT_USAGE)
            elif item.result is not None:
                report(item.path, item.text, item.result, item.saved)
    if not args.quiet:
        verb = "would be reformatted" if dry else "reformatted"
        summary = f"{counts['changed']} file(s) {verb}, {counts['unchanged']} left unchanged"
        if counts["refused"]:
            summary += f", {counts['refused']} refused"
        if counts["skipped"]:
            summary += f", {counts['skipped']} changed meanwhile and left alone"
        print(summary, file=sys.stderr)
    return exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
