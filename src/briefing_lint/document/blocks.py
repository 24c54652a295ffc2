"""Inline blocks (paragraph, heading, table cell content) and headings of a document.

An :class:`InlineBlock` maps its content back to source offsets line by line (:mod:`.lines`),
and positions inside the content from its children (:func:`briefing_lint.spans.align`), or a
recording re-tokenization of just that block when the walk cannot place them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from markdown_it.token import Token

from .. import parser
from ..diagnostics import Span
from ..spans import align, content_offset
from .lines import LineMap, cell_columns, map_lines

if TYPE_CHECKING:
    from .core import Document

BlockKind = Literal["paragraph", "heading", "table_cell", "other"]


class InlineBlock:
    """One ``inline`` token (paragraph, heading or table cell content) and its source map."""

    def __init__(self, doc: Document, index: int, kind: BlockKind, cell: int = 0) -> None:
        self.doc = doc
        self.index = index
        self.token: Token = doc.tokens[index]
        self.kind = kind
        self.cell = cell  # position among the cells of a table row
        self.map: tuple[int, int] = tuple(self.token.map or (0, 1))  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"InlineBlock({self.kind}, lines {self.map[0] + 1}-{self.map[1]})"

    @property
    def content(self) -> str:
        return str(self.token.content)

    @property
    def children(self) -> list[Token]:
        return self.token.children or []

    @property
    def open_token(self) -> Token:
        return self.doc.tokens[self.index - 1]

    # -- content -> source -------------------------------------------------------------

    @cached_property
    def _line_maps(self) -> list[LineMap]:
        doc = self.doc
        first = self.map[0]
        cell = None
        if self.kind == "table_cell":
            cell = cell_columns(doc.line_text(min(first, doc.line_count - 1)), self.cell)
        return map_lines(doc.lines, self.content, first, self.kind == "heading", cell)

    @cached_property
    def _line_map_starts(self) -> list[int]:
        return [m.content_start for m in self._line_maps]

    def source_offset(self, content_offset: int) -> int:
        """Source offset of a content offset (``len(content)`` maps to the end)."""
        maps = self._line_maps
        i = max(0, bisect.bisect_right(self._line_map_starts, content_offset) - 1)
        m = maps[i]
        within = content_offset - m.content_start
        if within > m.length:  # the "\n" joining two content lines
            within = m.length
        if m.chars is None:
            return m.source_start + within
        if within < len(m.chars):
            return m.chars[within]
        return (m.chars[-1] + 1) if m.chars else m.source_start

    def content_span(self, start: int, end: int) -> Span:
        """Source span of ``content[start:end]``."""
        s = self.source_offset(start)
        if end <= start:
            return Span(s, s)
        return Span(s, self.source_offset(end - 1) + 1)

    @cached_property
    def span(self) -> Span:
        found = self.one_line_range()
        if found is not None:
            return Span(found[1], found[2])
        return self.content_span(0, len(self.token.content))

    def one_line_range(self) -> tuple[int, int, int] | None:
        """(0-based line, start, end) of a one-line block whose source line ends with its
        content: most blocks, placed without a content map. None for any other block."""
        content = self.token.content
        if self.kind == "table_cell" or not content or "\n" in content:
            return None
        doc = self.doc
        line = min(self.map[0], doc.line_count - 1)
        end = doc.line_end(line)
        start = end - len(content)
        if start < doc.line_start(line) or not doc.source.startswith(content, start):
            return None
        return line, start, end

    def text_children(self) -> Iterator[tuple[int, Token, bool]]:
        """``(index, token, in_link)`` for every text child (``in_link``: inside link text)."""
        depth = 0
        for i, token in enumerate(self.children):
            ttype = token.type
            if ttype == "text":
                yield i, token, depth > 0
            elif ttype == "link_open":
                depth += 1
            elif ttype == "link_close":
                depth -= 1

    # -- recorded inline tokens --------------------------------------------------------

    @cached_property
    def recorded(self) -> list[Token]:
        """Children with positions (``meta["pos"]``, ``meta["pieces"]``); index-aligned with
        :attr:`children`. Placed by walking the children along the content when every child
        allows it (one pass, no parse); else the block is re-tokenized with positions."""
        children = self.children
        placed = align(self.content, children)
        if placed is None:
            tokens, _ = parser.tokenize_inline_recording(self.content, self.doc.env)
            return tokens
        for token, (pos, pieces) in zip(children, placed, strict=True):
            token.meta["pos"] = pos
            if pieces is not None:
                token.meta["pieces"] = pieces
        return children

    def child_span(self, i: int) -> Span:
        """Exact source span of child token ``i``."""
        start, end = self.recorded[i].meta["pos"]
        return self.content_span(start, end)

    def text_offset(self, i: int, index: int) -> int:
        """Source offset of character ``index`` of text child ``i`` (escapes accounted for)."""
        return self.source_offset(content_offset(self.recorded[i], index))

    def text_span(self, i: int, start: int, end: int) -> Span:
        """Source span of ``children[i].content[start:end]`` for a text child."""
        s = self.text_offset(i, start)
        if end <= start:
            return Span(s, s)
        return Span(s, self.text_offset(i, end - 1) + 1)


@dataclass
class Heading:
    """An ATX or setext heading."""

    level: int
    block: InlineBlock
    setext: bool

    @property
    def text(self) -> str:
        return self.block.content

    @cached_property
    def marker_span(self) -> Span:
        """The ``#`` run of an ATX heading, or the underline of a setext one."""
        doc = self.block.doc
        if self.setext:
            line = (self.block.open_token.map or self.block.map)[1] - 1
            text = doc.line_text(line)
            stripped = text.lstrip(" \t>")
            start = doc.line_start(line) + len(text) - len(stripped)
            return Span(start, start + len(stripped.rstrip()))
        line = self.block.map[0]
        text = doc.line_text(line)
        content_col = self.block.span.start - doc.line_start(line)
        if not self.block.content:
            content_col = len(text)
        hashes = text.rfind("#" * self.level, 0, content_col)
        start = doc.line_start(line) + max(hashes, 0)
        return Span(start, start + self.level)
