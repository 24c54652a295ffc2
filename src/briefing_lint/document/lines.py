"""Lines of a source text, and where a line of inline content sits in its source line.

markdown-it normalises line endings; lines correspond one to one between the original text
and the parsed copy, so line tables over the original give exact offsets. Inline content is
a source line minus a prefix (containers, indentation, heading marker, table pipes) and,
on the last line, trailing whitespace or a closing ``#`` run: :func:`locate` finds it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

NEWLINE = re.compile(r"\r\n|\r|\n")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|^#+[ \t]*$")

BOM = "\ufeff"


def split_bom(text: str) -> tuple[str, bool]:
    """Remove a leading BOM; report whether there was one (the fixer puts it back)."""
    if text.startswith(BOM):
        return text[1:], True
    return text, False


@dataclass(frozen=True)
class LineMap:
    """How one line of inline content sits in its source line."""

    content_start: int  # offset of the line in inline.content
    source_start: int  # source offset of its first character
    length: int
    chars: tuple[int, ...] | None = None  # per-character source offsets when not contiguous


class LineIndex:
    """Line starts and ends of a text (any of CRLF, CR, LF), without parsing it."""

    def __init__(self, source: str) -> None:
        self.source = source
        if "\r" not in source:
            # The common case, without a Python step per line break.
            starts = [0, *itertools.accumulate(len(line) + 1 for line in source.split("\n"))]
            starts.pop()
            ends = [start - 1 for start in starts[1:]]
        else:
            starts = [0]
            ends = []
            for m in NEWLINE.finditer(source):
                ends.append(m.start())
                starts.append(m.end())
        ends.append(len(source))
        self.starts = starts
        self.ends = ends

    def text(self, line: int) -> str:
        return self.source[self.starts[line] : self.ends[line]]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column); columns count code points."""
        line = self.line_of(offset)
        return line + 1, offset - self.starts[line] + 1


def map_lines(
    lines: LineIndex,
    content: str,
    first: int,
    heading: bool,
    cell: tuple[int, int] | None = None,
) -> list[LineMap]:
    """Where each line of ``content`` (starting on 0-based source line ``first``) sits;
    ``cell``: the columns ``[lo, hi)`` of a table cell's part of its row."""
    maps: list[LineMap] = []
    offset = 0
    last = len(lines.starts) - 1
    for i, text in enumerate(content.split("\n")):
        line = min(first + i, last)
        src = lines.text(line)
        lo = 0
        if cell is not None and i == 0:
            lo, hi = cell
            src = src[:hi]
        col, chars = locate(text, src, lo, heading)
        base = lines.starts[line]
        positions = None if chars is None else tuple(base + c for c in chars)
        maps.append(LineMap(offset, base + col, len(text), positions))
        offset += len(text) + 1
    return maps


def cell_columns(row: str, cell: int) -> tuple[int, int]:
    """Columns ``[lo, hi)`` of cell ``cell`` of a table row: between the unescaped pipes
    around it, as markdown-it splits the row (a leading pipe opens the first cell)."""
    pipes = [i for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\")]
    if row.lstrip(" \t>").startswith("|"):
        pipes = pipes[1:] if pipes else pipes
        lo = row.index("|") + 1
    else:
        lo = 0
    bounds = [lo, *(p + 1 for p in pipes)]
    if cell >= len(bounds):  # pragma: no cover - markdown-it made no such cell
        return len(row), len(row)
    start = bounds[cell]
    end = pipes[cell] if cell < len(pipes) else len(row)
    return start, end


def locate(text: str, src: str, lo: int, heading: bool) -> tuple[int, list[int] | None]:
    """Column of content line ``text`` inside source line ``src`` (at or after ``lo``).

    Content lines are source lines minus a prefix (containers, indentation, heading marker)
    and, on the last line, trailing whitespace or a closing ``#`` sequence; table cells can
    lose the backslash of ``\\|`` and tabs can become spaces, handled by :func:`_align`.
    """
    if not text:
        stripped = src.rstrip()
        if heading:
            stripped = _ATX_CLOSE.sub("", stripped)
        return max(lo, len(stripped)), None
    candidates = [src]
    rstripped = src.rstrip()
    if rstripped != src:
        candidates.append(rstripped)
    if heading:
        candidates.append(_ATX_CLOSE.sub("", rstripped).rstrip())
    for candidate in candidates:
        if candidate.endswith(text):
            col = len(candidate) - len(text)
            if col >= lo:
                return col, None
    col = src.find(text, lo)
    if col >= 0:
        return col, None
    chars = _align(text, src, lo)
    if chars is not None:
        return chars[0], chars
    return lo, [min(lo, len(src))] * len(text)


def _align(text: str, src: str, lo: int) -> list[int] | None:
    """Per-character alignment for content that is not a plain substring of its line."""
    for start in range(lo, len(src)):
        chars: list[int] = []
        i, j = 0, start
        while i < len(text) and j < len(src):
            if text[i] == src[j]:
                chars.append(j)
                i += 1
                j += 1
            elif src[j] == "\\" and j + 1 < len(src) and src[j + 1] == text[i]:
                j += 1
            elif src[j] == "\t" and text[i] == " ":
                while i < len(text) and text[i] == " ":
                    chars.append(j)
                    i += 1
                j += 1
            else:
                break
        if i == len(text):
            return chars
    return None
