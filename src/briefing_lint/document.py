"""A parsed Markdown file with exact source positions.

markdown-it normalises line endings and gives inline tokens no positions. ``Document`` keeps
the ORIGINAL text (BOM removed, line endings as found), parses a newline-normalised copy once,
and recovers exact source spans on demand:

* block tokens carry line ranges (``map``); lines correspond one to one between the two texts;
* inline content is mapped back to source columns line by line (container prefixes such as
  ``> `` and list indentation, heading markers and table pipes are what is left out);
* positions inside inline content come from a recording re-tokenization of just that block
  (:mod:`briefing_lint.spans`), done lazily for the blocks a rule asks about.

Offsets are ``str`` indices into :attr:`Document.source`; :meth:`Document.position` turns one
into a 1-based (line, column) counted in code points.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from markdown_it.common.utils import normalizeReference
from markdown_it.helpers import parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import parser
from .autolink import find_bare_urls
from .diagnostics import Span
from .spans import align, content_offset

_NEWLINE = re.compile(r"\r\n|\r|\n")
_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|^#+[ \t]*$")
_HTML_ATTR = re.compile(
    r"""(?<![\w-])(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)
_HTML_TAG = re.compile(r"<(a|img)\b[^>]*>", re.IGNORECASE | re.DOTALL)

BlockKind = Literal["paragraph", "heading", "table_cell", "other"]
LinkKind = Literal["inline", "reference", "autolink", "bare", "html"]

BOM = "\ufeff"
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


def split_bom(text: str) -> tuple[str, bool]:
    """Remove a leading BOM; report whether there was one (the fixer puts it back)."""
    if text.startswith(BOM):
        return text[1:], True
    return text, False


@dataclass(frozen=True)
class _LineMap:
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
            for m in _NEWLINE.finditer(source):
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
    def _line_maps(self) -> list[_LineMap]:
        return self.doc._map_content(self)

    def source_offset(self, content_offset: int) -> int:
        """Source offset of a content offset (``len(content)`` maps to the end)."""
        maps = self._line_maps
        starts = [m.content_start for m in maps]
        i = max(0, bisect.bisect_right(starts, content_offset) - 1)
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


@dataclass
class Definition:
    """A link reference definition ``[label]: dest "title"``."""

    label: str  # normalised (as markdown-it keys env["references"])
    span: Span
    label_span: Span
    dest_span: Span
    title_span: Span | None
    doc: Document = field(repr=False)

    @property
    def dest(self) -> str:
        raw = self.doc.source[self.dest_span.start : self.dest_span.end]
        return raw


@dataclass
class Link:
    """A link or image, wherever it came from.

    ``href`` is the destination as markdown-it resolved it (normalised, entities decoded);
    the raw text to edit is at :attr:`dest_span`. Spans are computed on first access.
    """

    kind: LinkKind
    is_image: bool
    href: str
    block: InlineBlock | None
    child: int = -1  # index of the link_open / image token in block.children
    in_link: bool = False  # an image inside a link: [![alt](src)](href)
    _span: Span | None = None
    _dest_span: Span | None = None
    _text_span: Span | None = None
    _title_span: Span | None = None
    _parsed: bool = False
    _definition: Definition | None = None
    attrs_line: int = -1  # for html links in html blocks
    #: For bare URLs: range in the text child's content; for inline HTML: range of the
    #: attribute value in the tag's content. Turned into source spans on first access.
    _range: tuple[int, int] | None = None

    @property
    def doc(self) -> Document:
        assert self.block is not None
        return self.block.doc

    @property
    def definition(self) -> Definition | None:
        """The reference definition a reference-style link uses."""
        self._parse()
        return self._definition

    def _parse(self) -> None:
        if self._parsed:
            return
        self._parsed = True
        assert self.block is not None
        block = self.block
        if self.kind == "bare":
            assert self._range is not None
            self._span = block.text_span(self.child, *self._range)
            self._dest_span = self._text_span = self._span
            return
        if len(block.children) == 1:
            # Alone in its block (most briefing images): it spans the whole content, which
            # is known without re-tokenizing the block.
            start, end = 0, len(block.content)
        else:
            # Links and images carry their range from the parse; inline HTML does not.
            pos = block.children[self.child].meta.get("pos")
            start, end = pos if pos is not None else block.recorded[self.child].meta["pos"]
        self._span = block.content_span(start, end)
        if self.kind == "html":
            assert self._range is not None
            self._dest_span = block.content_span(start + self._range[0], start + self._range[1])
            return
        if self.kind == "reference":
            raw = block.content[start:end]
            label = normalizeReference(_reference_label(raw, self.is_image))
            self._definition = next(
                (d for d in index(block.doc).definitions if d.label == label), None
            )
        if self.kind == "autolink":
            self._dest_span = block.content_span(start + 1, end - 1)
            self._text_span = self._dest_span
            return
        content = block.content
        label_open = start + 1 if self.is_image else start
        state = StateInline(content, parser.markdown(), block.doc.env, [])
        state.posMax = end
        label_end = parseLinkLabel(state, label_open, not self.is_image)
        if label_end < 0:  # pragma: no cover - markdown-it accepted it, so it parses
            return
        self._text_span = block.content_span(label_open + 1, label_end)
        pos = label_end + 1
        if self.kind == "inline" and pos < end and content[pos] == "(":
            pos += 1
            while pos < end and content[pos] in " \t\n":
                pos += 1
            res = parser.parse_link_destination(content, pos, end)
            if res.ok:
                self._dest_span = block.content_span(pos, res.pos)
                pos = res.pos
                while pos < end and content[pos] in " \t\n":
                    pos += 1
                title = parseLinkTitle(content, pos, end)
                if title.ok and title.pos > pos:
                    self._title_span = block.content_span(pos, title.pos)
            else:
                self._dest_span = block.content_span(pos, pos)
        elif self._definition is not None:
            self._dest_span = self._definition.dest_span
            self._title_span = self._definition.title_span
        else:  # pragma: no cover - markdown-it resolved it, so a definition exists
            self._dest_span = Span(self._span.end, self._span.end)

    @property
    def span(self) -> Span:
        """The whole construct: ``[text](dest)``, ``![alt](src)``, ``<url>``, the bare URL."""
        self._parse()
        assert self._span is not None
        return self._span

    @property
    def dest_span(self) -> Span:
        """The raw destination as written (inside ``<...>`` when angle-bracketed)."""
        self._parse()
        assert self._dest_span is not None
        return self._dest_span

    @property
    def text_span(self) -> Span | None:
        """Link text or image alt (without brackets)."""
        self._parse()
        return self._text_span

    @property
    def title_span(self) -> Span | None:
        self._parse()
        return self._title_span

    @property
    def raw_dest(self) -> str:
        span = self.dest_span
        raw = self.doc.source[span.start : span.end]
        if raw.startswith("<") and raw.endswith(">") and self.kind == "inline":
            return raw[1:-1]
        return raw

    @property
    def text(self) -> str:
        span = self.text_span
        return "" if span is None else self.doc.source[span.start : span.end]


@dataclass
class TextNode:
    """A text child of an inline block (escapes resolved, adjacent text merged)."""

    block: InlineBlock
    child: int
    content: str
    in_link: bool

    @property
    def span(self) -> Span:
        return self.block.child_span(self.child)

    def offset(self, index: int) -> int:
        return self.block.text_offset(self.child, index)

    def substring_span(self, start: int, end: int) -> Span:
        return self.block.text_span(self.child, start, end)


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
            self.normalized = _NEWLINE.sub("\n", self.source)
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

    # -- inline content mapping ------------------------------------------------------------

    def _map_content(self, block: InlineBlock) -> list[_LineMap]:
        lines = block.content.split("\n")
        first = block.map[0]
        maps: list[_LineMap] = []
        offset = 0
        lo_by_line: dict[int, int] = {}
        if block.kind == "table_cell":
            lo_by_line[first] = self._cell_start(block)
        for i, text in enumerate(lines):
            line = min(first + i, self.line_count - 1)
            src = self.line_text(line)
            lo = lo_by_line.get(line, 0)
            col, chars = _locate(text, src, lo, block.kind == "heading")
            base = self._line_starts[line]
            maps.append(
                _LineMap(
                    offset,
                    base + col,
                    len(text),
                    None if chars is None else tuple(base + c for c in chars),
                )
            )
            offset += len(text) + 1
        return maps

    def _cell_start(self, block: InlineBlock) -> int:
        """Column where cell ``block.cell`` of its row may start (after the previous cells)."""
        if block.cell == 0:
            return 0
        previous = next(
            b
            for b in self.inline_blocks
            if b.kind == "table_cell" and b.map == block.map and b.cell == block.cell - 1
        )
        end = previous.span.end - self._line_starts[block.map[0]]
        return end


def _locate(text: str, src: str, lo: int, heading: bool) -> tuple[int, list[int] | None]:
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


class DocumentIndex:
    """Links, images, definitions and text nodes of a document, each collected on first use."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    @cached_property
    def links(self) -> list[Link]:
        """Every link, image, autolink, bare URL and HTML href/src, in source order."""
        self._links: list[Link] = []
        for block in self.doc.inline_blocks:
            content = block.token.content
            # Most blocks hold no link at all: skip them without touching their tokens.
            if (
                "[" not in content
                and "<" not in content
                and "://" not in content
                and ("www." not in content)
            ):
                continue
            self._walk_block(block)
        if self._html_blocks():
            self._links.sort(key=lambda lk: lk.block.map[0] if lk.block else lk.attrs_line)
        return self._links

    def _walk_block(self, block: InlineBlock) -> None:
        links = self._links
        depth = 0
        for i, token in enumerate(block.children):
            ttype = token.type
            if ttype == "text":
                if depth == 0:
                    content = token.content
                    if "://" in content or "www." in content:
                        self._bare_urls(block, i, content)
            elif ttype == "link_open":
                depth += 1
                href = str(token.attrs.get("href", ""))
                if token.markup == "autolink":
                    kind: LinkKind = "autolink"
                elif token.meta.get("ref"):
                    kind = "reference"
                else:
                    kind = "inline"
                links.append(Link(kind, False, href, block, i))
            elif ttype == "link_close":
                depth -= 1
            elif ttype == "image":
                src = str(token.attrs.get("src", ""))
                kind = "reference" if token.meta.get("ref") else "inline"
                links.append(Link(kind, True, src, block, i, in_link=depth > 0))
            elif ttype == "html_inline" and _HTML_TAG.match(token.content):
                self._html_inline(block, i, token.content)

    @cached_property
    def text_nodes(self) -> list[TextNode]:
        """Text children of every inline block (``in_link`` when inside a link's text)."""
        return [
            TextNode(block, i, token.content, in_link)
            for block in self.doc.inline_blocks
            for i, token, in_link in block.text_children()
        ]

    def _bare_urls(self, block: InlineBlock, i: int, content: str) -> None:
        for start, end in find_bare_urls(content):
            url = content[start:end]
            self._links.append(Link("bare", False, url, block, i, _range=(start, end)))

    def _html_inline(self, block: InlineBlock, i: int, content: str) -> None:
        tag = _HTML_TAG.match(content)
        assert tag is not None
        is_image = tag.group(1).lower() == "img"
        for m in _HTML_ATTR.finditer(content):
            if (m.group(1).lower() == "src") != is_image:
                continue
            group = 2 if m.group(2) is not None else 3 if m.group(3) is not None else 4
            rng = (m.start(group), m.end(group))
            self._links.append(Link("html", is_image, m.group(group), block, i, _range=rng))

    def _html_blocks(self) -> bool:
        """Add href/src of ``<a>``/``<img>`` in HTML blocks; True when any was found."""
        doc = self.doc
        found = False
        for token in doc.tokens:
            if token.type != "html_block" or token.map is None:
                continue
            if token.content.lstrip().startswith("<!--"):
                continue
            first, last = token.map[0], min(token.map[1], doc.line_count) - 1
            source = doc.source
            # Over the block's whole source: a tag may spread its attributes over lines.
            for tag in _HTML_TAG.finditer(source, doc.line_start(first), doc.line_end(last)):
                is_image = tag.group(1).lower() == "img"
                for m in _HTML_ATTR.finditer(source, tag.start(), tag.end()):
                    if (m.group(1).lower() == "src") != is_image:
                        continue
                    group = 2 if m.group(2) is not None else 3 if m.group(3) is not None else 4
                    self._links.append(
                        Link(
                            "html",
                            is_image,
                            m.group(group),
                            None,
                            _span=Span(tag.start(), tag.end()),
                            _dest_span=Span(m.start(group), m.end(group)),
                            _parsed=True,
                            attrs_line=doc.line_of(tag.start()),
                        )
                    )
                    found = True
        return found

    @cached_property
    def definitions(self) -> list[Definition]:
        """Reference definitions; markdown-it records the line each one starts on."""
        doc = self.doc
        out: list[Definition] = []
        for label, ref in (doc.env.get("references") or {}).items():
            line = (ref.get("map") or [None])[0]
            if line is None:  # pragma: no cover - markdown-it-py >= 4 records it
                continue
            definition = _parse_definition(doc, line)
            if definition is not None and definition.label == label:
                out.append(definition)
        out.sort(key=lambda d: d.span.start)
        return out

    @property
    def urls(self) -> Iterator[Link]:
        """Every link and image destination in the document (reference uses excluded)."""
        return (link for link in self.links if link.kind != "reference")


_CONTAINER_PREFIX = re.compile(r"^[ \t>]*")
_DEF_START = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*[ \t]{0,3}\[")


def _parse_definition(doc: Document, line: int) -> Definition | None:
    text = doc.line_text(line)
    m = _DEF_START.match(text)
    if m is None:
        return None
    # The definition may continue on the next lines; there, container prefixes (``> ``,
    # list indentation) are not part of it.
    window_lines = [text]
    shifts = [0]
    for k in range(line + 1, min(line + 4, doc.line_count)):
        raw = doc.line_text(k)
        body = _CONTAINER_PREFIX.sub("", raw, count=1)
        window_lines.append(body)
        shifts.append(len(raw) - len(body))
    window = "\n".join(window_lines)
    bracket = m.end() - 1
    state = StateInline(window, parser.markdown(), doc.env, [])
    label_end = parseLinkLabel(state, bracket, False)
    if label_end < 0 or label_end + 1 >= len(window) or window[label_end + 1] != ":":
        return None
    label = normalizeReference(window[bracket + 1 : label_end])
    pos = label_end + 2
    while pos < len(window) and window[pos] in " \t\n":
        pos += 1
    dest = parser.parse_link_destination(window, pos, len(window))
    if not dest.ok:
        return None
    dest_start, dest_end = pos, dest.pos
    pos = dest.pos
    end = pos
    title_span: tuple[int, int] | None = None
    probe = pos
    while probe < len(window) and window[probe] in " \t\n":
        probe += 1
    title = parseLinkTitle(window, probe, len(window))
    if title.ok and probe > pos:
        after = title.pos
        rest = window[after:].split("\n", 1)[0]
        if not rest.strip():
            title_span = (probe, after)
            end = after

    def to_source(offset: int) -> int:
        k = window.count("\n", 0, offset)
        line_start = window.rfind("\n", 0, offset) + 1
        return doc.line_start(line + k) + shifts[k] + (offset - line_start)

    return Definition(
        label,
        Span(to_source(m.start()), to_source(end)),
        Span(to_source(bracket + 1), to_source(label_end)),
        Span(to_source(dest_start), to_source(dest_end)),
        None if title_span is None else Span(to_source(title_span[0]), to_source(title_span[1])),
        doc,
    )


def _reference_label(raw: str, is_image: bool) -> str:
    """The label a reference-style link refers to: ``[t][label]``, ``[label][]``, ``[label]``."""
    body = raw[1:] if is_image else raw
    if body.endswith("[]"):
        return body[1:-3]
    i = body.rfind("[")
    if i > 0 and body[i - 1] == "]":
        return body[i + 1 : -1]
    return body[1:-1]


_INDEX_ATTR = "_briefing_index"


def index(doc: Document) -> DocumentIndex:
    """The document's link/text index, built once and shared by every rule."""
    cached: DocumentIndex | None = doc.__dict__.get(_INDEX_ATTR)
    if cached is None:
        cached = DocumentIndex(doc)
        doc.__dict__[_INDEX_ATTR] = cached
    return cached
