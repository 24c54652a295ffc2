"""The :class:`Document`: one file's original text, its line table and its one parse; and
its inline blocks and headings.

markdown-it normalises line endings and gives inline tokens no positions. ``Document`` keeps
the ORIGINAL text (BOM removed, line endings as found), parses a newline-normalised copy once,
and recovers exact source spans on demand through its inline blocks: an :class:`InlineBlock`
maps its content back to source offsets line by line (:mod:`.lines`), and positions inside the
content from its children (:func:`briefing_lint.spans.align`), or a recording re-tokenization
of just that block when the walk cannot place them.

Offsets are ``str`` indices into :attr:`Document.source`; :meth:`Document.position` turns one
into a 1-based (line, column) counted in code points.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeVar

from markdown_it.token import Token

from .. import parser
from ..diagnostics import Span
from ..spans import align, content_offset
from .lines import NEWLINE, LineIndex, LineMap, cell_columns, map_lines, split_bom

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


_T = TypeVar("_T")

_LEAF_BLOCKS = frozenset(
    {
        "paragraph_open",
        "heading_open",
        "table_open",
        "fence",
        "code_block",
        "html_block",
        "hr",
        "front_matter",
    }
)


class Document:
    """One file: original text, line table, one parse, lazy exact spans."""

    def __init__(
        self,
        text: str,
        path: str | None = None,
        *,
        parsed: tuple[list[Token], dict[str, Any]] | None = None,
    ) -> None:
        """``parsed``: tokens and env of this same text parsed before (the fixer's guard)."""
        self.path = path
        self.source, self.bom = split_bom(text)
        self.lines = LineIndex(self.source)
        self._line_starts = self.lines.starts
        self._line_ends = self.lines.ends
        if "\r" in self.source:
            self.normalized = NEWLINE.sub("\n", self.source)
        else:
            self.normalized = self.source
        self.tokens, self.env = parsed if parsed is not None else parser.parse(self.normalized)

    _BASE = frozenset(
        {"path", "source", "bom", "lines", "_line_starts", "_line_ends", "normalized",
         "tokens", "env"}
    )  # fmt: skip

    def release(self) -> None:
        """Drop everything computed from the parse (blocks, index, items, spans).

        Those objects point back at the document, so without this a linted document is
        freed only by a full cyclic collection: over a large archive, memory and time grow
        faster than the number of files.
        """
        for key in [k for k in self.__dict__ if k not in self._BASE]:
            del self.__dict__[key]

    def analysis(self, key: Hashable, build: Callable[[Document], _T]) -> _T:
        """``build(self)``, computed once per document and shared by every rule that asks
        with the same ``key`` (dropped by :meth:`release` with the rest)."""
        cache: dict[Hashable, Any] = self.__dict__.setdefault("_analyses", {})
        try:
            return cache[key]  # type: ignore[no-any-return]
        except KeyError:
            found = cache[key] = build(self)
            return found

    # -- lines and positions ------------------------------------------------------------

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        """Source offset of 0-based ``line``."""
        return self._line_starts[line]

    def line_end(self, line: int) -> int:
        """Source offset of the end of 0-based ``line`` (before its line break)."""
        return self._line_ends[line]

    def line_text(self, line: int) -> str:
        return self.lines.text(line)

    def line_of(self, offset: int) -> int:
        """0-based line containing ``offset``."""
        return self.lines.line_of(offset)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``offset``; columns count code points."""
        return self.lines.position(offset)

    @cached_property
    def newline(self) -> str:
        """The file's dominant line break (what inserted lines should use)."""
        crlf = self.source.count("\r\n")
        lf = self.source.count("\n") - crlf
        return "\r\n" if crlf > lf else "\n"

    # -- blocks ------------------------------------------------------------------------

    @cached_property
    def inline_blocks(self) -> list[InlineBlock]:
        blocks: list[InlineBlock] = []
        cell = 0
        for i, token in enumerate(self.tokens):
            if token.type != "inline":
                if token.type == "tr_open":
                    cell = 0
                continue
            parent = self.tokens[i - 1].type if i else ""
            if parent == "paragraph_open":
                blocks.append(InlineBlock(self, i, "paragraph"))
            elif parent == "heading_open":
                blocks.append(InlineBlock(self, i, "heading"))
            elif parent in ("th_open", "td_open"):
                blocks.append(InlineBlock(self, i, "table_cell", cell))
                cell += 1
            else:  # pragma: no cover - plugins may add other containers
                blocks.append(InlineBlock(self, i, "other"))
        return blocks

    @cached_property
    def headings(self) -> list[Heading]:
        out: list[Heading] = []
        for block in self.inline_blocks:
            if block.kind == "heading":
                open_token = block.open_token
                out.append(Heading(int(open_token.tag[1]), block, open_token.markup in ("=", "-")))
        return out

    @cached_property
    def code_lines(self) -> frozenset[int]:
        """0-based lines inside fenced/indented code, front matter and HTML comments."""
        lines: set[int] = set()
        for token in self.tokens:
            if token.map is None:
                continue
            if token.type in ("fence", "code_block", "front_matter") or (
                token.type == "html_block" and token.content.lstrip().startswith("<!--")
            ):
                lines.update(range(token.map[0], token.map[1]))
        return frozenset(lines)

    @cached_property
    def verbatim_lines(self) -> frozenset[int]:
        """0-based lines of fenced/indented code and front matter."""
        lines: set[int] = set()
        for token in self.tokens:
            if token.map is not None and token.type in ("fence", "code_block", "front_matter"):
                lines.update(range(token.map[0], token.map[1]))
        return frozenset(lines)

    @cached_property
    def block_ranges(self) -> list[tuple[int, int]]:
        """Line ranges of leaf blocks (paragraphs, headings, tables, code, HTML), in order."""
        return [
            (t.map[0], t.map[1])
            for t in self.tokens
            if t.map is not None and t.type in _LEAF_BLOCKS
        ]

    @cached_property
    def front_matter_span(self) -> Span | None:
        for token in self.tokens:
            if token.type == "front_matter" and token.map:
                end_line = min(token.map[1], self.line_count) - 1
                return Span(0, self.line_end(end_line))
        return None

    @cached_property
    def _block_lines(self) -> list[tuple[int, int, InlineBlock]]:
        return [(b.map[0], b.map[1], b) for b in self.inline_blocks]

    def block_at(self, offset: int) -> InlineBlock | None:
        """The inline block whose lines contain ``offset`` (None in code, HTML, blank lines)."""
        line = self.line_of(offset)
        candidates = [b for lo, hi, b in self._block_lines if lo <= line < hi]
        for block in candidates:
            if len(candidates) == 1 or block.span.start <= offset <= block.span.end:
                return block
        return None

    @cached_property
    def _code_span_cache(self) -> dict[int, list[Span]]:
        return {}

    def code_spans(self, block: InlineBlock) -> list[Span]:
        """Source spans of inline code (and inline HTML comments) in ``block``."""
        cache = self._code_span_cache
        if block.index not in cache:
            spans = [
                block.child_span(i)
                for i, t in enumerate(block.children)
                if t.type == "code_inline"
                or (t.type == "html_inline" and t.content.startswith("<!--"))
            ]
            cache[block.index] = spans
        return cache[block.index]

    def is_code(self, offset: int) -> bool:
        """True inside any kind of code, front matter or an HTML comment."""
        if self.line_of(offset) in self.code_lines:
            return True
        block = self.block_at(offset)
        if block is None or not any(
            t.type in ("code_inline", "html_inline") for t in block.children
        ):
            return False
        return any(s.start <= offset < s.end for s in self.code_spans(block))
