"""``--add-suppressions``: start an existing archive clean, then improve it file by file.

Above every block that still has diagnostics a ``disable-next-line`` comment is inserted,
naming the rules and carrying a reason placeholder to fill in. Blocks nested in a list or a
blockquote get a ``disable-line`` comment at the end of the line instead, because a comment
line between list items would split the list. The result is checked: the block structure,
HTML comments aside, must be unchanged, or the file is left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from markdown_it.token import Token

from .diagnostics import Diagnostic, Edit, Span
from .document import Document
from .fixer import apply_edits
from .guard import parsed

REASON = "TODO: reason"
_NOT_SUPPRESSIBLE = {"BL014"}


def _comment(action: str, codes: set[str], mdx: bool) -> str:
    body = f"briefing-lint-{action} {' '.join(sorted(codes))} -- {REASON}"
    return f"{{/* {body} */}}" if mdx else f"<!-- {body} -->"


def add_suppressions(text: str, diagnostics: Sequence[Diagnostic], path: str | None = None) -> str:
    """``text`` with suppression comments for ``diagnostics`` (BOM-less text, same endings)."""
    doc = Document(text, path)
    mdx = bool(path) and str(path).lower().endswith(".mdx")
    top: dict[int, set[str]] = defaultdict(set)  # first line of a top-level block -> codes
    inline: dict[int, set[str]] = defaultdict(set)  # line -> codes
    starts: dict[int, Token] = {}
    for t in doc.tokens:
        if t.map is not None and t.nesting >= 0:
            starts.setdefault(t.map[0], t)
    for diag in diagnostics:
        if diag.code in _NOT_SUPPRESSIBLE:
            continue
        line = doc.line_of(diag.span.start)
        block = next(((lo, hi) for lo, hi in doc.block_ranges if lo <= line < hi), None)
        token = starts.get(block[0]) if block else None
        if block is not None and token is not None and token.level == 0:
            top[block[0]].add(diag.code)
        else:
            inline[line].add(diag.code)
    edits: list[Edit] = []
    for first, codes in top.items():
        at = doc.line_start(first)
        edits.append(Edit(Span(at, at), _comment("disable-next-line", codes, mdx) + doc.newline))
    for line, codes in inline.items():
        at = doc.line_end(line)
        edits.append(Edit(Span(at, at), " " + _comment("disable-line", codes, mdx)))
    if not edits:
        return text
    result = apply_edits(text, edits)
    if _without_html(result) != _without_html(text):
        return text
    return result


def _without_html(text: str) -> list[tuple[str, str, int]]:
    """Block tokens as (type, tag, nesting), HTML blocks (the comments) left out."""
    return [
        (t.type, t.tag, t.nesting)
        for t in parsed(text).tokens
        if t.type not in ("inline", "html_block")
    ]
