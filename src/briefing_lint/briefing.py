"""The news-item model: what the items of a briefing are, their numbers, links and sections.

BL002 (source attribution), BL003 (item numbering), BL005 (stated count) and BL006
(duplicate item) all judge *items*. They must agree on what an item is, so the detection
lives here, is computed once per document (cached on the :class:`~.document.Document`,
keyed by the selector) and is shared by every rule of a run.

Item shapes
-----------
``heading``
    A heading that carries a number marker (``### <font color="red">1、标题</font>``,
    ``# 1. [标题](url)``, ``## [1. 标题](url)``) or whose first inline is a link
    (``## [标题](url)``). Only one heading level holds items: the most frequent level among
    such headings (or ``item_heading_level``). A numbered heading whose section holds other
    items (numbered paragraphs or deeper item headings), such as ``## 一、行业动态`` above
    ``1、[标题](url)`` paragraphs, is a *section*, not an item. The primary link is the
    heading's first link, or else the first link of its body (``项目地址：https://…``).
``paragraph``
    A paragraph that starts with a number marker followed by a link:
    ``1、[标题](url)（英文）``, ``1\\. [标题](url)``, ``（1）[标题](url)``, ``[1. 标题](url)``.
``list-item``
    A top-level list item whose first inline is a link: ``- [标题](url) - 说明``,
    ``1. [标题](url)``. Nested list items belong to the body of the item they are in.

Which shapes count when several appear in one file (``items: auto``, the default):
numbered shapes win over plain lists. If the file has heading items or numbered-paragraph
items, the more numerous of the two is the file's item shape (headings on a tie) and list
items are *not* items: a trailing ``# 其他`` list of links under numbered headings is
boilerplate, not news, and BL005 does not count it. List items are items only in a file
with neither numbered paragraphs nor heading items (awesome-list style). Tables, code,
HTML blocks and front matter never hold items. ``items: headings | paragraphs |
list-items`` forces one shape.

Number markers (the plain text after leading inline HTML such as ``<font>``, emphasis, and
one optional link bracket): ``dot`` ``1.`` ``1\\.``; ``dunhao`` ``1、``; ``paren_r`` ``1)``
``1）``; ``paren_both`` ``(1)`` ``（1）``; ``cn_dunhao`` ``一、`` ``十二、``; ``circled``
``①``; ``no`` ``No.1`` ``#1``; ``bare_padded`` ``01 标题`` (only when some number of the
file is zero-padded); ``list`` for CommonMark ordered-list markers. Guards: decimals and
versions (``3.0 发布``, ``1.1 小节``), numbers with more than three digits (``2024 年``),
numbers glued to a word (``5G``, ``3D``) and counts (``10 个技巧``) are not markers.

Sections: an item's section is the nearest heading above it of a higher level (for
paragraphs and list items: the nearest heading above it). An item's body runs to the next
item or the next heading of the same or a higher level, whichever comes first.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal
from urllib.parse import unquote

from markdown_it.token import Token

from .diagnostics import Span
from .document import Document, Heading, InlineBlock, Link, index
from .urls import clean_url, split_url

Shape = Literal["heading", "paragraph", "list-item"]
SELECTOR_CHOICES = ("auto", "headings", "paragraphs", "list-items")

# -- number markers --------------------------------------------------------------------

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千]"
#: A count as written in prose: Arabic digits or Chinese numerals.
NUMBER = rf"(?:\d{{1,4}}|{CN_NUMERAL}{{1,5}})"

#: Counters and units: a number followed by one of these is a count, not an item number.
_UNIT_AFTER = "个条篇款种年月日号周天位名岁倍万亿元次期章节页张台部本集期届"

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren_both", re.compile(r"[（(][ \t]*(?P<n>\d{1,3})[ \t]*[)）]")),
    ("no", re.compile(r"(?:No\.?[ \t]*|#)(?P<n>\d{1,3})(?![\d.,])(?=[ \t:：、.]|$)[:：、.]?")),
    ("dunhao", re.compile(r"(?P<n>\d{1,3})[ \t]*、")),
    ("dot", re.compile(r"(?P<n>\d{1,3})\.(?![\d.])")),
    ("paren_r", re.compile(r"(?P<n>\d{1,3})[ \t]*[)）]")),
    ("cn_dunhao", re.compile(rf"(?P<n>{CN_NUMERAL}{{1,4}})[ \t]*、")),
    ("circled", re.compile(r"(?P<n>[\u2460-\u2473])")),
    ("bare_padded", re.compile(rf"(?P<n>\d{{2}})[ \t]+(?=[^\s{_UNIT_AFTER}])")),
)


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral (``十二`` -> 12, ``一百零五`` -> 105); None if malformed."""
    if not text:
        return None
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:  # 一〇五 style
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in text:
        if ch in CN_DIGITS:
            if digit and CN_DIGITS[ch]:
                return None  # two digits in a row: "三四"
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            if CN_UNITS[ch] >= last_unit:
                return None  # "十十", "十百"
            last_unit = CN_UNITS[ch]
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def int_to_cn(value: int) -> str:
    """``12`` -> ``十二``, ``105`` -> ``一百零五`` (the form item numbers are written in)."""
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    if value < 20:
        return "十" + (digits[value - 10] if value > 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return digits[tens] + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(value, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    if rest < 10:
        return digits[hundreds] + "百零" + digits[rest]
    tail = int_to_cn(rest)
    return digits[hundreds] + "百" + (tail if rest >= 20 else "一" + tail)


def parse_count(text: str) -> int | None:
    """A count written with digits or Chinese numerals."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return cn_to_int(text)


@dataclass(frozen=True)
class MarkerMatch:
    """A number marker found at the start of a string (offsets into that string)."""

    style: str
    value: int
    digits: str
    start: int
    digits_start: int
    digits_end: int
    end: int  # end of the marker (separator included, trailing whitespace not)
    rest: int  # start of what follows, after whitespace


#: Marker styles that number the same level; other families (``（1）`` under ``4、其他``,
#: ``一、`` sections) are separate sequences.
STYLE_FAMILY = {"dot": "arabic", "dunhao": "arabic", "no": "arabic", "bare_padded": "arabic",
                "paren_r": "paren_r", "paren_both": "paren", "cn_dunhao": "cn",
                "circled": "circled", "list": "list"}  # fmt: skip


def match_marker(text: str, pos: int = 0) -> MarkerMatch | None:
    """The number marker at ``text[pos:]``, if any (see the module docstring for guards)."""
    for style, pattern in _MARKERS:
        m = pattern.match(text, pos)
        if m is None:
            continue
        digits = m.group("n")
        if style == "circled":
            value = ord(digits) - 0x2460 + 1
        elif style == "cn_dunhao":
            parsed = cn_to_int(digits)
            if parsed is None:
                continue
            value = parsed
        else:
            value = int(digits)
        end = m.end()
        if style == "dot" and end < len(text) and text[end].isascii() and text[end].isalnum():
            continue  # "302.AI", "1.x", "3.NET": part of a name
        rest = end
        while rest < len(text) and text[rest] in " \t\u3000":
            rest += 1
        return MarkerMatch(style, value, digits, m.start(), m.start("n"), m.end("n"), end, rest)
    return None


def format_number(value: int, style: str, like: str) -> str:
    """``value`` written as the marker ``like`` was (same numeral system, same padding)."""
    if style == "cn_dunhao":
        return int_to_cn(value)
    if style == "circled":
        return chr(0x2460 + value - 1) if 1 <= value <= 20 else str(value)
    text = str(value)
    if len(like) > 1 and like.startswith("0"):
        text = text.zfill(len(like))
    return text


class NumberMarker:
    """An item's number as written: style, value and exact source spans (computed lazily)."""

    def __init__(
        self,
        style: str,
        value: int,
        digits: str,
        separator: str,
        locate: Callable[[], tuple[Span, Span]],
    ) -> None:
        self.style = style
        self.value = value
        self.digits = digits
        self.separator = separator
        self._locate = locate

    def __repr__(self) -> str:
        return f"NumberMarker({self.style}, {self.value})"

    @property
    def padded(self) -> bool:
        """Written with leading zeros (``01``)."""
        return len(self.digits) > 1 and self.digits.startswith("0")

    @property
    def width(self) -> int:
        return len(self.digits)

    @cached_property
    def _spans(self) -> tuple[Span, Span]:
        return self._locate()

    @property
    def digits_span(self) -> Span:
        """Source span of the number itself (what renumbering replaces)."""
        return self._spans[0]

    @property
    def span(self) -> Span:
        """Source span of the whole marker (``1、``, ``（1）``, ``No.1``)."""
        return self._spans[1]

    def is_fixable(self) -> bool:
        """The number can be rewritten in place (not an ordered-list marker or ``①`` > 20)."""
        return self.style != "list"


# -- items -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSelector:
    """Which blocks are items: ``shapes`` is auto / headings / paragraphs / list-items."""

    shapes: str = "auto"
    heading_level: int = 0  # 0: auto

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ItemSelector:
        """The selector a rule's options describe (options ``items`` and ``item_heading_level``)."""
        shapes = str(options.get("items", "auto"))
        if shapes not in SELECTOR_CHOICES:
            shapes = "auto"
        level = options.get("item_heading_level", 0)
        return cls(shapes, int(level) if isinstance(level, int) else 0)


@dataclass
class Item:
    """One news item."""

    shape: Shape
    block: InlineBlock | None  # the heading / paragraph holding the title (None: empty item)
    first_line: int  # 0-based
    end_line: int  # exclusive: the body ends before this line
    marker: NumberMarker | None
    link: Link | None  # primary link
    link_in_title: bool  # the primary link is in the heading/paragraph, not later in the body
    title: str
    section: Heading | None
    sections: tuple[Heading, ...] = ()  # every enclosing heading, outermost first
    level: int = 0  # heading level of heading items
    heading: Heading | None = None
    ordinal: int = 0  # position among the document's items
    doc: Document = field(repr=False, default=None)  # type: ignore[assignment]

    @property
    def body(self) -> Span:
        """Source span from the item's first line to the end of its body."""
        doc = self.doc
        last = max(self.first_line, self.end_line - 1)
        while last > self.first_line and not doc.line_text(last).strip():
            last -= 1
        return Span(doc.line_start(self.first_line), doc.line_end(last))

    @property
    def title_span(self) -> Span:
        """Where to report things about the item as a whole: its heading/paragraph content."""
        if self.block is not None:
            span = first_line_span(self.block)
            if len(span):
                return span
        start = self.doc.line_start(self.first_line)
        return Span(start, self.doc.line_end(self.first_line))

    @property
    def line(self) -> int:
        """1-based line of the item's first line."""
        return self.first_line + 1


def first_line_span(block: InlineBlock) -> Span:
    """The block's content span cut at the end of its first line."""
    found = one_line_range(block)
    if found is not None:
        return Span(found[1], found[2])
    span = block.span
    doc = block.doc
    return Span(span.start, min(span.end, doc.line_end(doc.line_of(span.start))))


def one_line_range(block: InlineBlock) -> tuple[int, int, int] | None:
    """(0-based line, start, end) of a one-line block whose source line ends with its content.

    That is the common case, and the only one many rules ever report on, so it is worth
    answering without mapping the content; None for anything else (ask ``block.span``).
    """
    if "span" in block.__dict__ or block.kind == "table_cell":
        return None
    text = block.token.content
    if not text or "\n" in text:
        return None
    doc = block.doc
    line = min(block.map[0], doc.line_count - 1)
    if not doc.line_text(line).endswith(text):
        return None
    end = doc.line_end(line)
    return line, end - len(text), end


@dataclass
class Briefing:
    """The items of one document and how they were chosen."""

    items: list[Item]
    shape: Shape | None
    candidates: dict[str, int]
    #: Numbered headings that hold items (``## 一、行业动态``), as items of their own.
    sections: list[Item]
    #: In files whose items are numbered paragraphs: the numbered paragraphs that are not
    #: items because no link comes first (``1、**标题**（[链接](url)）``, an empty ``1、``).
    #: They are not news items, but they take part in the numbering (BL003).
    numbered_text: list[Item] = field(default_factory=list)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


_CACHE_ATTR = "_briefing_items"


def items_for(doc: Document, options: Mapping[str, Any]) -> Briefing:
    """The items as a rule's ``items``/``item_heading_level`` options select them."""
    return items(doc, ItemSelector.from_options(options))


def items(doc: Document, selector: ItemSelector | None = None) -> Briefing:
    """The document's items, computed once per selector and shared by every rule."""
    selector = selector or ItemSelector()
    cache: dict[ItemSelector, Briefing] = doc.__dict__.setdefault(_CACHE_ATTR, {})
    found = cache.get(selector)
    if found is None:
        found = _Detector(doc, selector).run()
        cache[selector] = found
    return found


# -- detection ---------------------------------------------------------------------------

_SKIP_LEADING = frozenset({"em_open", "strong_open", "s_open", "softbreak"})
_HTML_TAG = re.compile(r"^<(?!!--)/?[A-Za-z][^>]*>$", re.DOTALL)


@dataclass
class _Lead:
    """What a heading/paragraph starts with."""

    marker: MarkerMatch | None
    marker_child: int  # text child holding the marker (-1: none)
    link_child: int  # link_open child that comes first (after the marker), -1: none
    title: str


@dataclass
class _Candidate:
    shape: Shape
    block: InlineBlock
    lead: _Lead
    level: int = 0
    heading: Heading | None = None
    list_token: Token | None = None  # list_item_open
    list_end_line: int = 0


#: Characters an item's heading/paragraph can start with (marker, link, HTML, emphasis).
_LEAD_CHARS = frozenset("0123456789（([<*_#N\\" + "零〇一二两三四五六七八九十百千") | frozenset(
    chr(c) for c in range(0x2460, 0x2474)
)


def _may_lead(content: str, need_marker: bool) -> bool:
    """Cheap test before :func:`analyse_lead`: could this block start with a marker or link?

    ``need_marker``: a plain paragraph is an item only with a number, so a leading link
    must then carry the number in its text (``[1. 标题](url)``).
    """
    stripped = content.lstrip(" \t\u3000")
    if not stripped or stripped[0] not in _LEAD_CHARS:
        return False
    if need_marker and stripped[0] == "[":
        return len(stripped) > 1 and stripped[1] in _LEAD_CHARS and stripped[1] != "["
    return True


def _is_skippable(token: Token) -> bool:
    if token.type in _SKIP_LEADING:
        return True
    if token.type == "html_inline":
        return bool(_HTML_TAG.match(token.content.strip()))
    return token.type == "text" and not token.content.strip()


def plain_text(children: Sequence[Token], start: int = 0, stop: int | None = None) -> str:
    """Plain text of inline children (HTML tags dropped, code kept, breaks as spaces)."""
    out: list[str] = []
    for token in children[start:stop]:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "image":
            out.append(token.content)
    return "".join(out)


def _any_between(lines: list[int], start: int, end: int) -> bool:
    """Is any of the sorted ``lines`` strictly between ``start`` and ``end``?"""
    k = bisect.bisect_right(lines, start)
    return k < len(lines) and lines[k] < end


def link_close_index(children: Sequence[Token], open_index: int) -> int:
    """Index of the ``link_close`` matching the ``link_open`` at ``open_index``."""
    depth = 0
    for i in range(open_index, len(children)):
        ttype = children[i].type
        if ttype == "link_open":
            depth += 1
        elif ttype == "link_close":
            depth -= 1
            if depth == 0:
                return i
    return len(children) - 1


def _next_meaningful(children: Sequence[Token], i: int) -> int:
    while i < len(children) and _is_skippable(children[i]):
        i += 1
    return i


def analyse_lead(children: Sequence[Token], in_link_text: bool = True) -> _Lead:
    """Number marker and leading link of a heading/paragraph, from its tokens alone.

    ``in_link_text``: also look for the marker inside the leading link's text
    (``[1. 标题](url)``); never for zero-padding-only markers (``[24 Days of Rust](url)``).
    """
    i = _next_meaningful(children, 0)
    if i >= len(children):
        return _Lead(None, -1, -1, "")
    token = children[i]
    if token.type == "text":
        text = token.content
        start = len(text) - len(text.lstrip(" \t\u3000"))
        marker = match_marker(text, start)
        if marker is None:
            return _Lead(None, -1, -1, plain_text(children, i).strip())
        rest = text[marker.rest :]
        if rest.strip():
            return _Lead(marker, i, -1, (rest + plain_text(children, i + 1)).strip())
        j = _next_meaningful(children, i + 1)
        if j < len(children) and children[j].type == "link_open":
            close = link_close_index(children, j)
            return _Lead(marker, i, j, plain_text(children, j + 1, close).strip())
        return _Lead(marker, i, -1, plain_text(children, j).strip())
    if token.type == "link_open":
        close = link_close_index(children, i)
        k = _next_meaningful(children, i + 1)
        title = plain_text(children, i + 1, close).strip()
        if in_link_text and k < close and children[k].type == "text":
            inner = children[k].content
            marker = match_marker(inner, len(inner) - len(inner.lstrip()))
            if (
                marker is not None
                and marker.style != "bare_padded"
                and inner[marker.rest :].strip()
            ):
                rest = (inner[marker.rest :] + plain_text(children, k + 1, close)).strip()
                return _Lead(marker, k, i, rest)
        return _Lead(None, -1, i, title)
    return _Lead(None, -1, -1, plain_text(children, i).strip())


class _Detector:
    def __init__(self, doc: Document, selector: ItemSelector) -> None:
        self.doc = doc
        self.selector = selector
        self.headings = doc.headings
        self._heading_by_block = {h.block.index: h for h in self.headings}
        self._heading_lines = [h.block.map[0] for h in self.headings]
        #: Numbered paragraphs that do not start with a link (``1、标题`` then the link).
        self.text_numbered: list[_Candidate] = []

    # -- candidates --------------------------------------------------------------------

    def _candidates(self) -> tuple[list[_Candidate], list[_Candidate], list[_Candidate]]:
        doc = self.doc
        blocks = {b.index: b for b in doc.inline_blocks}
        headings: list[_Candidate] = []
        paragraphs: list[_Candidate] = []
        lists: list[_Candidate] = []
        tokens = doc.tokens
        quoted = 0  # inside a blockquote: a numbered list quoted in a description
        list_stack: list[tuple[Token, bool]] = []  # (list_item_open, first paragraph seen)
        for i, token in enumerate(tokens):
            ttype = token.type
            if ttype == "list_item_open":
                list_stack.append((token, False))
                continue
            if ttype == "list_item_close":
                list_stack.pop()
                continue
            if ttype == "blockquote_open":
                quoted += 1
                continue
            if ttype == "blockquote_close":
                quoted -= 1
                continue
            if ttype != "inline":
                continue
            block = blocks.get(i)
            if block is None:
                continue
            plain_paragraph = block.kind == "paragraph" and not list_stack
            if not _may_lead(token.content, plain_paragraph):
                if block.kind == "paragraph" and list_stack and not list_stack[-1][1]:
                    list_stack[-1] = (list_stack[-1][0], True)
                continue
            if block.kind == "heading":
                lead = analyse_lead(block.children)
                if lead.marker is not None or lead.link_child >= 0:
                    heading = self._heading_by_block[i]
                    headings.append(
                        _Candidate("heading", block, lead, heading.level, heading=heading)
                    )
            elif block.kind == "paragraph":
                first_in_item = False
                if list_stack and not list_stack[-1][1]:
                    first_in_item = tokens[i - 2].type == "list_item_open"
                    list_stack[-1] = (list_stack[-1][0], True)
                if list_stack and (not first_in_item or len(list_stack) > 1):
                    continue  # later paragraphs and nested lists belong to the item's body
                lead = analyse_lead(block.children, in_link_text=not first_in_item)
                if first_in_item:
                    if lead.link_child >= 0:
                        item_token = list_stack[-1][0]
                        end = (item_token.map or block.map)[1]
                        lists.append(
                            _Candidate(
                                "list-item", block, lead, list_token=item_token, list_end_line=end
                            )
                        )
                elif lead.marker is not None and lead.link_child >= 0:
                    paragraphs.append(_Candidate("paragraph", block, lead))
                elif lead.marker is not None and lead.marker.style != "bare_padded" and not quoted:
                    self.text_numbered.append(_Candidate("paragraph", block, lead))
        return headings, paragraphs, lists

    # -- choice ------------------------------------------------------------------------

    def run(self) -> Briefing:
        heading_cands, para_cands, list_cands = self._candidates()
        heading_cands = self._drop_unpadded_bare(heading_cands)
        para_cands = self._drop_unpadded_bare(para_cands)
        section_cands: list[_Candidate] = []
        # A numbered heading whose body holds numbered paragraphs or deeper item headings
        # is a section heading, not an item.
        # An unnumbered heading that is a link (``### [Approved RFCs](url)``) is one too when
        # list items with links follow it.
        para_lines = [c.block.map[0] for c in para_cands]
        list_lines = [c.block.map[0] for c in list_cands]
        kept: list[_Candidate] = []
        for n, cand in enumerate(heading_cands):
            numbered = cand.lead.marker is not None
            if numbered and cand.lead.link_child >= 0:
                kept.append(cand)
                continue
            start, end = self._section_range(cand)
            inner = _any_between(para_lines, start, end)
            for later in heading_cands[n + 1 :]:
                if later.block.map[0] >= end:
                    break
                if later.level > cand.level:
                    inner = True
                    break
            if not numbered:
                inner = inner or _any_between(list_lines, start, end)
            if inner:
                if numbered:
                    section_cands.append(cand)
                continue
            kept.append(cand)
        level = self.selector.heading_level
        if kept and not level:
            # The level with the most numbered items, then the most items, then the highest.
            score: dict[int, tuple[int, int, int]] = {}
            for c in kept:
                num, total, _ = score.get(c.level, (0, 0, 0))
                score[c.level] = (num + (c.lead.marker is not None), total + 1, -c.level)
            level = -max(score.values())[2]
        heading_items = [c for c in kept if c.level == level]
        counts_by_shape = {
            "heading": len(heading_items),
            "paragraph": len(para_cands),
            "list-item": len(list_cands),
        }
        mode = self.selector.shapes
        chosen: list[_Candidate]
        shape: Shape | None
        if mode == "headings":
            chosen, shape = heading_items, "heading"
        elif mode == "paragraphs":
            chosen, shape = para_cands, "paragraph"
        elif mode == "list-items":
            chosen, shape = list_cands, "list-item"
        else:
            with_numbers = sum(1 for c in heading_items if c.lead.marker is not None)
            if with_numbers or para_cands:
                if (with_numbers, len(heading_items)) >= (len(para_cands), len(para_cands)):
                    chosen, shape = heading_items, "heading"
                else:
                    chosen, shape = para_cands, "paragraph"
            elif heading_items and len(heading_items) >= len(list_cands):
                chosen, shape = heading_items, "heading"
            elif list_cands:
                chosen, shape = list_cands, "list-item"
            else:
                chosen, shape = [], None
        sections = self._build(section_cands) if chosen else []
        if shape is None or not chosen:
            return Briefing([], None, counts_by_shape, sections)
        text_numbered = self._build(self.text_numbered) if shape == "paragraph" else []
        return Briefing(self._build(chosen), shape, counts_by_shape, sections, text_numbered)

    @staticmethod
    def _drop_unpadded_bare(cands: list[_Candidate]) -> list[_Candidate]:
        """``12 标题`` is a number only when some number of the file is zero-padded."""
        bare = [
            c for c in cands if c.lead.marker is not None and c.lead.marker.style == "bare_padded"
        ]
        if not bare or any(c.lead.marker and c.lead.marker.digits.startswith("0") for c in bare):
            return cands
        out = []
        for c in cands:
            if c in bare:
                if c.lead.link_child < 0:
                    continue  # without its number a text heading is no item
                c.lead = _Lead(None, -1, c.lead.link_child, c.lead.title)
            out.append(c)
        return out

    def _section_range(self, cand: _Candidate) -> tuple[int, int]:
        """Lines of a heading's section: up to the next heading of the same or higher level."""
        start = cand.block.map[0]
        return start, self._end_of_section(start, self.doc.line_count, cand.level)

    @cached_property
    def _chains(self) -> list[tuple[Heading, ...]]:
        """``_chains[k]``: the open headings (outermost first) after heading ``k``."""
        chains: list[tuple[Heading, ...]] = []
        stack: list[Heading] = []
        for h in self.headings:
            # A heading with no text (an image underlined by "-" becomes one) opens no section.
            if any(t.type in ("text", "code_inline") and t.content.strip()
                   for t in h.block.children):  # fmt: skip
                while stack and stack[-1].level >= h.level:
                    stack.pop()
                stack.append(h)
            chains.append(tuple(stack))
        return chains

    def _enclosing(self, line: int, level: int) -> tuple[Heading, ...]:
        """Headings enclosing ``line`` with a level below ``level`` (0: any), outermost first.

        The open-heading stack filtered by level is the stack of the filtered headings,
        because levels strictly increase along it.
        """
        k = bisect.bisect_left(self._heading_lines, line)
        if k == 0:
            return ()
        chain = self._chains[k - 1]
        if level:
            chain = tuple(h for h in chain if h.level < level)
        return chain

    def _end_of_section(self, first: int, end: int, level: int) -> int:
        """First heading line in ``(first, end)`` with a level <= ``level`` (0: any level)."""
        lines = self._heading_lines
        k = bisect.bisect_right(lines, first)
        while k < len(lines) and lines[k] < end:
            if not level or self.headings[k].level <= level:
                return lines[k]
            k += 1
        return end

    @cached_property
    def _links(self) -> tuple[dict[tuple[int, int], Link], list[Link], list[int]]:
        """Links by (block, child); and in document order with their block indexes."""
        link_at: dict[tuple[int, int], Link] = {}
        ordered: list[tuple[int, int, int, Link]] = []
        for n, found in enumerate(index(self.doc).links):
            if found.block is None or found.is_image or found.kind == "html":
                continue
            link_at.setdefault((found.block.index, found.child), found)
            # Bare URLs of one text node are listed in text order: ``n`` keeps that order.
            ordered.append((found.block.index, found.child, n, found))
        ordered.sort(key=lambda t: (t[0], t[1], t[2]))
        return link_at, [t[3] for t in ordered], [t[0] for t in ordered]

    def _build(self, chosen: list[_Candidate]) -> list[Item]:
        doc = self.doc
        starts = [c.block.map[0] for c in chosen]
        out: list[Item] = []
        for n, cand in enumerate(chosen):
            block = cand.block
            first = block.map[0]
            next_item = starts[n + 1] if n + 1 < len(chosen) else doc.line_count
            if cand.shape == "heading":
                end = self._end_of_section(first, next_item, cand.level)
                chain = self._enclosing(first, cand.level)
            elif cand.shape == "paragraph":
                end = self._end_of_section(first, next_item, 0)
                chain = self._enclosing(first, 0)
            else:
                end = min(cand.list_end_line, next_item)
                chain = self._enclosing(first, 0)
            lead = cand.lead
            link: Link | None = None
            in_title = False
            if lead.link_child >= 0:
                link = self._links[0].get((block.index, lead.link_child))
                in_title = link is not None
            if link is None and cand.shape == "heading":
                _, body_links, link_blocks = self._links
                k = bisect.bisect_right(link_blocks, block.index)
                if k < len(body_links):
                    candidate = body_links[k]
                    assert candidate.block is not None
                    if candidate.block.map[0] < end:
                        link = candidate
            marker = self._marker(cand)
            out.append(
                Item(
                    shape=cand.shape,
                    block=block,
                    first_line=first,
                    end_line=max(end, first + 1),
                    marker=marker,
                    link=link,
                    link_in_title=in_title,
                    title=lead.title,
                    section=chain[-1] if chain else None,
                    sections=chain,
                    level=cand.level,
                    heading=cand.heading,
                    ordinal=n,
                    doc=doc,
                )
            )
        return out

    def _marker(self, cand: _Candidate) -> NumberMarker | None:
        lead = cand.lead
        block = cand.block
        if lead.marker is not None:
            m = lead.marker
            child = lead.marker_child
            text = block.children[child].content

            def locate(
                block: InlineBlock = block, child: int = child, m: MarkerMatch = m
            ) -> tuple[Span, Span]:
                digits = block.text_span(child, m.digits_start, m.digits_end)
                whole = block.text_span(child, m.start, m.end)
                return digits, whole

            separator = text[m.digits_end : m.end]
            return NumberMarker(m.style, m.value, m.digits, separator, locate)
        token = cand.list_token
        if token is not None and token.info and token.info.isdigit():
            info = str(token.info)
            doc = self.doc
            line = block.map[0]

            def locate_list(line: int = line, info: str = info) -> tuple[Span, Span]:
                text = doc.line_text(line)
                col = block.span.start - doc.line_start(line)
                found = None
                for mm in re.finditer(r"(\d{1,9})([.)])", text[: max(col, 0)]):
                    found = mm
                base = doc.line_start(line)
                if found is None:
                    return Span(base, base), Span(base, base)
                return (
                    Span(base + found.start(1), base + found.end(1)),
                    Span(base + found.start(), base + found.end()),
                )

            return NumberMarker("list", int(info), info, str(token.markup), locate_list)
        return None


# -- links --------------------------------------------------------------------------------


_SCHEME_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")
_HOST_END = re.compile(r"[/?#]")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_QUERY_SEP = re.compile(r"&amp;|&")


@functools.lru_cache(maxsize=4096)
def host_of(url: str) -> str:
    """Lowercased host of an absolute URL, without ``www.`` and port ('' if none).

    Memoised: BL002 and BL006 both ask for the host of every item link.
    """
    m = _SCHEME_HOST.match(url.strip())
    if m is None:
        if url.startswith("www."):
            return _authority_host(_HOST_END.split(url, maxsplit=1)[0])
        return ""
    return _authority_host(m.group(1))


def _authority_host(authority: str) -> str:
    host = authority.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@functools.lru_cache(maxsize=64)
def host_set(patterns: tuple[str, ...]) -> frozenset[str]:
    """Host patterns normalised for :func:`host_matches` (lower case, no ``www.``)."""
    out = set()
    for p in patterns:
        p = p.lower().strip()
        out.add(p[4:] if p.startswith("www.") else p)
    return frozenset(out)


def host_matches(host: str, patterns: Sequence[str]) -> bool:
    """``host`` equals one of ``patterns`` or is a subdomain of one."""
    return host_in(host, host_set(tuple(patterns)))


def host_in(host: str, wanted: frozenset[str]) -> bool:
    """:func:`host_matches` for patterns already normalised by :func:`host_set`."""
    while host:
        if host in wanted:
            return True
        host = host.partition(".")[2]
    return False


# -- link identity ---------------------------------------------------------------------------

#: Fragments that do not pick a different part of the page (WeChat's ``#rd``, text
#: fragments, ``k=v`` tracking); any other fragment (``/jobs/#berlin-security``,
#: ``CHANGELOG.md#v056``) is part of the link's identity.
_NOISE_FRAGMENT = re.compile(r"^(?:|rd|wechat_redirect|top|:~:.*|[^/]*=.*)$", re.DOTALL)
_WECHAT_TOKEN = re.compile(r"^/s/(?P<token>[A-Za-z0-9_-]{8,})/?$")
_TRACKING_KEY = re.compile(
    r"^(?:utm_\w*|spm|spm_id_from|scene|subscene|ascene|chksm|share_\w+|sharer_\w+|"
    r"mpshare|srcid|ref_src|fbclid|gclid|igshid|mc_cid|mc_eid|xtrack|isappinstalled)$"
)


@functools.lru_cache(maxsize=8192)
def canonical_link(url: str) -> str | None:
    """The identity of a link for duplicate detection (None for non-web links).

    ``https://www.Example.org/a/?utm_source=x#top`` and ``http://example.org/a`` are the
    same (scheme, ``www.``, trailing ``/``, tracking parameters, parameter order and
    fragments that do not select a part of the page do not count); a WeChat article is
    ``wechat:<__biz>:<mid>:<idx>`` (or ``wechat:/s/<token>``) whatever it carries.
    """
    url = url.strip()
    if url.lower().startswith("www."):
        url = "http://" + url
    if not _HTTP.match(url):
        return None
    if "?" not in url and "#" not in url:
        # No query, no fragment: what the general path below reduces to, without splitting.
        rest = url[url.index("://") + 3 :]
        slash = rest.find("/")
        host = _authority_host(rest if slash < 0 else rest[:slash])
        if not host:
            return None
        path = unquote(rest[slash:]) if slash >= 0 else ""
        if host == "mp.weixin.qq.com":
            token = _WECHAT_TOKEN.match(path)
            if token is not None:
                return "wechat:/s/" + token.group("token")
        return host + path.rstrip("/")
    if "?" in url:
        url = clean_url(url).full_url  # BL001's removals, so both rules agree
    parts = split_url(url)
    host = host_of(url)
    if not host:
        return None
    path = unquote(parts.path)
    query = parts.query or ""
    pairs: list[tuple[str, str]] = []
    for seg in _QUERY_SEP.split(query):
        if not seg:
            continue
        key, _, value = seg.partition("=")
        key = unquote(key).lower()
        if _TRACKING_KEY.match(key):
            continue
        pairs.append((key, unquote(value)))
    if host == "mp.weixin.qq.com":
        token = _WECHAT_TOKEN.match(path)
        if token is not None:
            return "wechat:/s/" + token.group("token")
        fields = dict(pairs)
        if fields.get("__biz") and fields.get("mid"):
            return "wechat:{}:{}:{}".format(
                fields["__biz"], fields["mid"], fields.get("idx") or "1"
            )
    path = path.rstrip("/")
    key = host + path
    if pairs:
        key += "?" + "&".join(f"{k}={v}" for k, v in sorted(pairs))
    fragment = parts.fragment
    if fragment is not None and not _NOISE_FRAGMENT.match(fragment):
        key += "#" + fragment
    return key
