"""Output formats. Each formatter takes the run's results and writes to a stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic
from ..document import LineIndex

FORMATS = ("text", "concise", "json", "json-lines", "github", "sarif")


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
