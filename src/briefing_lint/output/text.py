"""Human output: grouped by file, the source line with the span underlined, a summary.

Colour only on a terminal (rich decides; ``NO_COLOR`` is honoured). The underline is
placed by display cells, so it sits right under CJK text and emoji.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from . import Located, visible

if TYPE_CHECKING:
    from ..files import FileOutcome

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def write_text(
    items: Sequence[Located], outcomes: Sequence[FileOutcome], out: TextIO, args: Namespace
) -> None:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=out, soft_wrap=True, highlight=False, emoji=False)
    for item in items:
        d = item.diagnostic
        safe = d.fix is not None and d.fix.applicability.value == "safe"
        marker = " [*]" if safe else ""
        console.print(
            f"[bold]{escape(visible(item.path))}[/bold]:{item.line}:{item.column}: "
            f"[{_STYLE[d.severity.value]}]{d.code}[/]{escape(marker)} {escape(visible(d.message))}"
        )
        source = item.source_line.replace("\t", " ")
        if source.strip():
            start = item.column - 1
            end = item.end_column - 1 if item.end_line == item.line else len(source)
            end = max(end, start + 1)
            # Measured on the escaped text, so the carets stay under what is shown.
            pad = cell_len(visible(source[:start]))
            width = max(1, cell_len(visible(source[start:end])))
            gutter = f"{item.line:>5} | "
            console.print(f"[dim]{gutter}[/dim]{escape(visible(source))}")
            console.print(
                " " * len(gutter)
                + " " * pad
                + f"[{_STYLE[d.severity.value]}]"
                + "^" * width
                + "[/]"
            )
    if getattr(args, "show_fixes", False):
        for outcome in outcomes:
            if outcome.applied:
                console.print(f"fixed {outcome.applied} in {escape(visible(str(outcome.path)))}")
    if getattr(args, "quiet", False):
        return
    total = len(items)
    fixable = sum(
        1
        for i in items
        if i.diagnostic.fix is not None and i.diagnostic.fix.applicability.value == "safe"
    )
    unsafe = sum(
        1
        for i in items
        if i.diagnostic.fix is not None and i.diagnostic.fix.applicability.value == "unsafe"
    )
    applied = sum(o.applied for o in outcomes)
    files = sum(1 for o in outcomes if not o.error)
    parts = []
    if applied:
        parts.append(f"Fixed {applied} problem{'s' if applied != 1 else ''}.")
    if total:
        by_sev = {s: sum(1 for i in items if i.diagnostic.severity.value == s) for s in _STYLE}
        detail = ", ".join(f"{n} {s}{_s(n) if s != 'info' else ''}" for s, n in by_sev.items() if n)
        parts.append(f"Found {total} problem{_s(total)} ({detail}) in {files} file{_s(files)}.")
        if fixable:
            parts.append(f"[*] {fixable} fixable with `--fix`.")
        if unsafe:
            parts.append(f"{unsafe} more with `--fix --unsafe-fixes`.")
    else:
        parts.append(f"All checks passed ({files} file{'s' if files != 1 else ''}).")
    console.print(escape(" ".join(parts)))


def _s(n: int) -> str:
    return "" if n == 1 else "s"
