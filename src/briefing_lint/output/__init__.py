"""Output formats. Each takes a run's :class:`~briefing_lint.engine.RunResult` and writes
it to a stream."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic
from ..document import LineIndex
from ..engine import RunResult

FORMATS = ("text", "concise", "json", "json-lines", "github", "sarif")

#: What a terminal or a CI log would act on rather than show: C0 controls, DEL, C1 controls
#: and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(m: re.Match[str]) -> str:
    ch = m.group()
    short = _SHORT.get(ch)
    if short is not None:
        return short
    return f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}"


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``, ``\\u2028``).

    A file name, a source line or a URL quoted in a message can hold an escape sequence or a
    line break: raw, it would drive the terminal or start a new line that a CI runner reads
    as a workflow command (``::error ...``). Human output shows these escaped.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape_one, text)


def finding_line(item: Located) -> str:
    """``path:line:col: CODE severity [*] message``: the first line of a finding in the text
    and concise formats alike (``[*]``: a safe fix)."""
    d = item.diagnostic
    marker = " [*]" if d.fix is not None and d.fix.applicability.value == "safe" else ""
    return (
        f"{visible(item.path)}:{item.line}:{item.column}: {d.code} {d.severity.value}{marker} "
        f"{visible(d.message)}"
    )


@dataclass(frozen=True)
class Located:
    """A diagnostic with its file and 1-based display positions resolved."""

    path: str
    diagnostic: Diagnostic
    line: int
    column: int
    end_line: int
    end_column: int
    source_line: str
    fix_edits: tuple[tuple[int, int, int, int, str], ...]


def locate(path: str, doc: LineIndex, diagnostic: Diagnostic) -> Located:
    if diagnostic.located:  # the engine did it
        line, column = diagnostic.line, diagnostic.column
        end_line, end_column = diagnostic.end_line, diagnostic.end_column
    else:
        line, column = doc.position(diagnostic.span.start)
        end_line, end_column = doc.position(diagnostic.span.end)
    edits: tuple[tuple[int, int, int, int, str], ...] = ()
    if diagnostic.fix is not None:
        edits = tuple(
            (*doc.position(e.span.start), *doc.position(e.span.end), e.replacement)
            for e in diagnostic.fix.edits
        )
    return Located(
        path,
        diagnostic,
        line,
        column,
        end_line,
        end_column,
        doc.text(line - 1),
        edits,
    )


def as_json(item: Located) -> dict[str, Any]:
    """The JSON object of one diagnostic (keys as DESIGN.md specifies)."""
    d = item.diagnostic
    fix: dict[str, Any] | None = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "title": d.fix.title,
            "edits": [
                {"line": a, "column": b, "end_line": c, "end_column": e, "content": content}
                for a, b, c, e, content in item.fix_edits
            ],
        }
    return {
        "path": item.path,
        "code": d.code,
        "name": d.name,
        "line": item.line,
        "column": item.column,
        "end_line": item.end_line,
        "end_column": item.end_column,
        "message": d.message,
        "severity": d.severity.value,
        "fix": fix,
    }


@dataclass(frozen=True)
class Display:
    """What the human formats show besides the findings (``check``'s flags)."""

    #: Counts per rule instead of the findings (``--statistics``).
    statistics: bool = False
    #: The fixes applied, per file (``--show-fixes``).
    show_fixes: bool = False
    #: Findings only, no summary (``--quiet``).
    quiet: bool = False


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def summary_lines(items: Sequence[Located], result: RunResult) -> list[str]:
    """The closing lines of the human formats: what was found, fixed and not read."""
    if result.no_files and not result.input_errors:
        return []  # said on stderr as a warning
    fixable = unsafe = 0
    by_sev = {"error": 0, "warning": 0, "info": 0}
    for i in items:
        d = i.diagnostic
        by_sev[d.severity.value] += 1
        if d.fix is not None:
            if d.fix.applicability.value == "safe":
                fixable += 1
            elif d.fix.applicability.value == "unsafe":
                unsafe += 1
    total = len(items)
    applied = sum(f.applied for f in result)
    files = sum(1 for f in result if not f.error)
    failed = len(result.input_errors)
    lines = []
    if applied:
        lines.append(f"Fixed {applied} problem{_s(applied)}.")
    if total:
        detail = ", ".join(f"{n} {s}{_s(n) if s != 'info' else ''}" for s, n in by_sev.items() if n)
        found = f"Found {total} problem{_s(total)} ({detail}) in {files} file{_s(files)}."
        if failed:
            found = found[:-1] + f"; {failed} path{_s(failed)} could not be read."
        lines.append(found)
        if fixable:
            lines.append(f"[*] {fixable} fixable with `--fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.")
    elif failed:
        checked = f"No problems in {files} file{_s(files)} checked" if files else "Nothing checked"
        lines.append(f"{checked}; {failed} path{_s(failed)} could not be read (see the errors).")
    else:
        lines.append(f"All checks passed ({files} file{_s(files)}).")
    return lines


def statistics_lines(items: Sequence[Located]) -> list[str]:
    """Findings counted per rule, most frequent first (``--statistics``)."""
    counts = Counter(i.diagnostic.code for i in items)
    fixable = Counter(
        i.diagnostic.code
        for i in items
        if i.diagnostic.fix is not None and i.diagnostic.fix.applicability.value == "safe"
    )
    names = {i.diagnostic.code: i.diagnostic.name for i in items}
    lines = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "[*]" if fixable[code] else "   "
        lines.append(f"{count:>6}  {code}  {mark} {names[code]}  ({fixable[code]} fixable)")
    return lines
