"""Links, images, reference definitions and text nodes of a document, each collected on
first use and shared by every rule through :func:`index`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from markdown_it.common.utils import normalizeReference
from markdown_it.helpers import parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .. import parser
from ..autolink import find_bare_urls
from ..diagnostics import Span
from .core import Document, InlineBlock

_HTML_ATTR = re.compile(
    r"""(?<![\w-])(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)
_HTML_TAG = re.compile(r"<(a|img)\b[^>]*>", re.IGNORECASE | re.DOTALL)

LinkKind = Literal["inline", "reference", "autolink", "bare", "html"]


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
        start, end = self._content_range(block)
        self._span = block.content_span(start, end)
        if self.kind == "html":
            assert self._range is not None
            self._dest_span = block.content_span(start + self._range[0], start + self._range[1])
        elif self.kind == "autolink":
            self._dest_span = block.content_span(start + 1, end - 1)
            self._text_span = self._dest_span
        else:
            if self.kind == "reference":
                raw = block.content[start:end]
                label = normalizeReference(_reference_label(raw, self.is_image))
                self._definition = next(
                    (d for d in index(block.doc).definitions if d.label == label), None
                )
            self._parse_label_and_dest(block, start, end)

    def _content_range(self, block: InlineBlock) -> tuple[int, int]:
        """Where the construct is in its block's content."""
        if len(block.children) == 1:
            # Alone in its block (most briefing images): it spans the whole content.
            return 0, len(block.content)
        # Links and images carry their range from the parse; inline HTML does not.
        pos: tuple[int, int] | None = block.children[self.child].meta.get("pos")
        if pos is None:
            pos = block.recorded[self.child].meta["pos"]
        return pos

    def _parse_label_and_dest(self, block: InlineBlock, start: int, end: int) -> None:
        """Text, destination and title spans of ``[text](dest "title")`` or ``[text][ref]``."""
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
            self._parse_dest_and_title(block, pos + 1, end)
        elif self._definition is not None:
            self._dest_span = self._definition.dest_span
            self._title_span = self._definition.title_span
        else:  # pragma: no cover - markdown-it resolved it, so a definition exists
            assert self._span is not None
            self._dest_span = Span(self._span.end, self._span.end)

    def _parse_dest_and_title(self, block: InlineBlock, pos: int, end: int) -> None:
        """``dest "title")`` from just after the ``(``."""
        content = block.content
        while pos < end and content[pos] in " \t\n":
            pos += 1
        res = parser.parse_link_destination(content, pos, end)
        if not res.ok:
            self._dest_span = block.content_span(pos, pos)
            return
        self._dest_span = block.content_span(pos, res.pos)
        pos = res.pos
        while pos < end and content[pos] in " \t\n":
            pos += 1
        title = parseLinkTitle(content, pos, end)
        if title.ok and title.pos > pos:
            self._title_span = block.content_span(pos, title.pos)

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
                links.append(Link(_link_kind(token), False, href, block, i))
            elif ttype == "link_close":
                depth -= 1
            elif ttype == "image":
                src = str(token.attrs.get("src", ""))
                kind: LinkKind = "reference" if token.meta.get("ref") else "inline"
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


def _link_kind(token: Token) -> LinkKind:
    """What made a ``link_open``: an autolink, a reference or an inline link."""
    if token.markup == "autolink":
        return "autolink"
    return "reference" if token.meta.get("ref") else "inline"


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
