"""The news-item model: what the items of a briefing are, their numbers, links and sections.

BL002 (source attribution), BL003 (item numbering), BL005 (stated count) and BL006
(duplicate item) all judge *items*. They must agree on what an item is, so the detection
lives here, is computed once per document (cached on the :class:`~.document.Document`,
keyed by the selector) and is shared by every rule of a run.

Item shapes
-----------
Before a block's number marker or link, *decoration* is skipped: emoji and pictographs
(``🐕`` ``🔥``), bullet symbols (``·`` ``•`` ``▶`` ``→``), short bracketed tags (``【工具】``
``[新闻]`` ``〔观点〕``), leading inline HTML (``<font>``) and emphasis. Decoration followed by
words (``🔥 本周要闻 [链接](url)``) is a label, not an item.

``heading``
    A heading that carries a number marker (``### <font color="red">1、标题</font>``,
    ``# 1. [标题](url)``, ``## [1. 标题](url)``, ``### 🔥 1、[标题](url)``) or whose first
    meaningful inline, after decoration, is a link (``## [标题](url)``, ``### 🐕 [标题](url)``,
    ``### 【工具】[标题](url)``). Only one heading level holds items: the most frequent level
    among such headings (or ``item_heading_level``). A numbered heading whose section holds
    other items (numbered paragraphs or deeper item headings), such as ``## 一、行业动态``
    above ``1、[标题](url)`` paragraphs, is a *section*, not an item. The primary link is the
    heading's first link, or else the first link of its body (``项目地址：https://…``).
``paragraph``
    A paragraph that starts with a number marker followed (after decoration) by a link:
    ``1、[标题](url)（英文）``, ``1\\. [标题](url)``, ``（1）[标题](url)``, ``[1. 标题](url)``,
    ``1、【AI】[标题](url)``. Without a number a paragraph is never an item.
``list-item``
    A top-level list item whose first meaningful inline, after decoration, is a link:
    ``- [标题](url) - 说明``, ``1. [标题](url)``, ``- ▶ [标题](url)``, ``- 【工具】[标题](url)``.
    Nested list items belong to the body of the item they are in.

Precedence, when several shapes appear in one file (``items: auto``, the default):

1. numbered shapes win over plain lists. If the file has heading items or numbered-paragraph
   items, the more numerous of the two is the file's item shape (headings on a tie) and
   list items are *not* items: a trailing ``# 其他`` list of links under numbered headings
   is boilerplate, not news, and BL005 does not count it;
2. heading items without a number come next: they are the items when at least as many as
   the list items;
3. list items are items only in a file with neither (awesome-list style).

Tables, code, HTML blocks and front matter never hold items. ``items: headings | paragraphs
| list-items`` forces one shape.

Non-news blocks
---------------
Sponsor, jobs, share/subscribe, references and promo blocks (the newsletter's own back
issues and posts) hold no items, whatever their shape. A block is opened by a heading whose
text names the kind (``## 本期赞助``, ``## Jobs``, ``### 往期回顾``; patterns in
``rules/sections.yaml``, extended by the config key ``items.exclude_sections``) and runs to
the next heading of the same or a higher level; by an item heading whose title starts with
a tag (``### [招聘｜某公司](url)``, ``### Sponsor: …``); or by a lone label paragraph
(``参考链接：``, ``**References:**``) followed by a list (the list) or by link paragraphs (up
to the first other block or a number that does not continue them). A heading that would
take in most of the file's items is its title, not a block. The blocks are
:attr:`Briefing.non_news_ranges` (:meth:`Briefing.section_kind_at`); the blocks of the item
shape inside them are :attr:`Briefing.non_news`, which BL003 sees only where they take the
next number of the news sequence (a sponsor slot numbered 9 between 8 and 10).

Number markers (the plain text after decoration and one optional link bracket): ``dot``
``1.`` ``1\\.``; ``dunhao`` ``1、``; ``paren_r`` ``1)`` ``1）``; ``paren_both`` ``(1)`` ``（1）``;
``cn_dunhao`` ``一、`` ``十二、``; ``circled`` ``①``; ``no`` ``No.1`` ``#1``; ``bare_padded`` ``01
标题`` (only when some number of the file is zero-padded); ``list`` for CommonMark
ordered-list markers. A marker glued to a Latin word (``[4.DeepSeek …](url)``,
``4.DeepSeek``) is a marker only when the previous or next number of the file continues it
(``3.NET`` alone is a name). Guards: decimals and versions (``3.0 发布``, ``1.1 小节``,
``1.x``), numbers with more than three digits (``2024 年``), numbers glued to a word (``5G``,
``3D``) and counts (``10 个技巧``) are not markers.

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
from typing import Any, Literal, NamedTuple
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


class MarkerMatch(NamedTuple):
    """A number marker found at the start of a string (offsets into that string)."""

    style: str
    value: int
    digits: str
    start: int
    digits_start: int
    digits_end: int
    end: int  # end of the marker (separator included, trailing whitespace not)
    rest: int  # start of what follows, after whitespace
    #: ``4.DeepSeek``: a dot marker glued to a Latin word. Such a marker is only believed
    #: when its neighbours in the file continue the sequence (``3.NET`` alone is a name).
    glued: bool = False


#: Marker styles that number the same level; other families (``（1）`` under ``4、其他``,
#: ``一、`` sections) are separate sequences.
STYLE_FAMILY = {"dot": "arabic", "dunhao": "arabic", "no": "arabic", "bare_padded": "arabic",
                "paren_r": "paren_r", "paren_both": "paren", "cn_dunhao": "cn",
                "circled": "circled", "list": "list"}  # fmt: skip


_DIGIT = re.compile(r"\d")
_CN_NUMERAL_CHARS = frozenset(CN_DIGITS) | frozenset(CN_UNITS)
_MARKERS_BY_START: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}


def _markers_starting(ch: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The markers (in :data:`_MARKERS` order) whose first character can be ``ch``."""
    found = _MARKERS_BY_START.get(ch)
    if found is None:
        if ch in "(（":
            styles: tuple[str, ...] = ("paren_both",)
        elif ch in "N#":
            styles = ("no",)
        elif ch in _CN_NUMERAL_CHARS:
            styles = ("cn_dunhao",)
        elif "\u2460" <= ch <= "\u2473":
            styles = ("circled",)
        elif _DIGIT.match(ch):
            styles = ("dunhao", "dot", "paren_r", "bare_padded")
        else:
            styles = ()
        found = tuple(m for m in _MARKERS if m[0] in styles)
        if len(_MARKERS_BY_START) < 4096:
            _MARKERS_BY_START[ch] = found
    return found


#: After a glued dot marker: a Latin word of two letters or more (``4.DeepSeek``, not ``1.x``).
_GLUED_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]")


def match_marker(text: str, pos: int = 0, glued: bool = False) -> MarkerMatch | None:
    """The number marker at ``text[pos:]``, if any (see the module docstring for guards).

    ``glued``: also return a dot marker glued to a Latin word (``4.DeepSeek``), flagged
    :attr:`MarkerMatch.glued`; the caller must confirm it from the neighbouring numbers.
    """
    if pos >= len(text):
        return None
    for style, pattern in _markers_starting(text[pos]):
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
        is_glued = False
        if style == "dot" and end < len(text) and text[end].isascii() and text[end].isalnum():
            # "302.AI", "1.x", "3.NET": part of a name, unless the sequence says otherwise.
            if not glued or not _GLUED_WORD.match(text, end):
                continue
            is_glued = True
        rest = end
        while rest < len(text) and text[rest] in " \t\u3000":
            rest += 1
        return MarkerMatch(
            style, value, digits, m.start(), m.start("n"), m.end("n"), end, rest, is_glued
        )
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

    __slots__ = ("_args", "_found", "_locate", "digits", "separator", "style", "value")

    def __init__(
        self,
        style: str,
        value: int,
        digits: str,
        separator: str,
        locate: Callable[..., tuple[Span, Span]],
        *args: Any,
    ) -> None:
        self.style = style
        self.value = value
        self.digits = digits
        self.separator = separator
        self._locate = locate  # called with ``args`` when a span is first asked for
        self._args = args
        self._found: tuple[Span, Span] | None = None

    def __repr__(self) -> str:
        return f"NumberMarker({self.style}, {self.value})"

    @property
    def padded(self) -> bool:
        """Written with leading zeros (``01``)."""
        return len(self.digits) > 1 and self.digits.startswith("0")

    @property
    def width(self) -> int:
        return len(self.digits)

    @property
    def _spans(self) -> tuple[Span, Span]:
        if self._found is None:
            self._found = self._locate(*self._args)
        return self._found

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
    """Which blocks are items: ``shapes`` is auto / headings / paragraphs / list-items;
    ``exclude`` adds non-news heading patterns per section kind (``items.exclude_sections``)."""

    shapes: str = "auto"
    heading_level: int = 0  # 0: auto
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ItemSelector:
        """The selector a rule's options describe (options ``items``, ``item_heading_level``
        and ``exclude_sections``, the last set from the config's ``items`` mapping)."""
        shapes = str(options.get("items", "auto"))
        if shapes not in SELECTOR_CHOICES:
            shapes = "auto"
        level = options.get("item_heading_level", 0)
        extra = options.get("exclude_sections") or {}
        exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()
        if isinstance(extra, Mapping):
            exclude = tuple(
                sorted(
                    (str(kind), tuple(str(p) for p in patterns))
                    for kind, patterns in extra.items()
                    if isinstance(patterns, (list, tuple))
                )
            )
        return cls(shapes, int(level) if isinstance(level, int) else 0, exclude)


@dataclass(slots=True)
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
    #: The non-news kind (``sponsor``, ``jobs``, …) of the block the item stands in; such
    #: items are in :attr:`Briefing.non_news`, never in :attr:`Briefing.items`.
    non_news: str | None = None

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
    found = block.one_line_range()
    if found is not None:
        return Span(found[1], found[2])
    span = block.span
    doc = block.doc
    return Span(span.start, min(span.end, doc.line_end(doc.line_of(span.start))))


class NonNewsRange(NamedTuple):
    """Lines ``[start, end)`` of a sponsor, jobs, share, references or promo block."""

    start: int  # 0-based line of the heading or label that opens it
    end: int  # exclusive
    kind: str


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
    #: Blocks of the item shape that stand in a non-news block (a numbered job ad, a
    #: reference list after ``参考链接：``): not items, but BL003 still sees their numbers.
    non_news: list[Item] = field(default_factory=list)
    #: The file's non-news blocks, sorted by first line (nested blocks may overlap).
    non_news_ranges: list[NonNewsRange] = field(default_factory=list)

    def section_kind_at(self, line: int) -> str | None:
        """The non-news kind of the block holding 0-based ``line`` (None: news)."""
        ranges = self.non_news_ranges
        if not ranges:
            return None
        hit = _range_at(ranges, [r.start for r in ranges], line)
        return None if hit is None else hit.kind

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


class _Lead(NamedTuple):
    """What a heading/paragraph starts with."""

    marker: MarkerMatch | None
    marker_child: int  # text child holding the marker (-1: none)
    link_child: int  # link_open child that comes first (after the marker), -1: none
    title: str


_NO_LEAD = _Lead(None, -1, -1, "")
#: How a token changes the (open list items, open blockquotes) count.
_CONTAINER_STEP = {
    "list_item_open": (1, 0),
    "list_item_close": (-1, 0),
    "blockquote_open": (0, 1),
    "blockquote_close": (0, -1),
}


@dataclass(slots=True)
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


def _is_skippable(token: Token) -> bool:
    ttype = token.type
    if ttype == "text":
        return not token.content.strip()
    if ttype == "html_inline":
        return bool(_HTML_TAG.match(token.content.strip()))
    return ttype in _SKIP_LEADING


def plain_text(children: Sequence[Token], start: int = 0, stop: int | None = None) -> str:
    """Plain text of inline children (HTML tags dropped, code kept, breaks as spaces)."""
    out: list[str] = []
    for token in children[start:stop]:
        ttype = token.type
        if ttype == "text" or ttype == "code_inline" or ttype == "image":
            out.append(token.content)
        elif ttype == "softbreak" or ttype == "hardbreak":
            out.append(" ")
    return "".join(out)


def _any_between(lines: list[int], start: int, end: int) -> bool:
    """Is any of the sorted ``lines`` strictly between ``start`` and ``end``?"""
    k = bisect.bisect_right(lines, start)
    return k < len(lines) and lines[k] < end


def _full_link_text(cand: _Candidate) -> str:
    return _link_text(cand.block.children, cand.lead.link_child)[1]


def _emphasised(children: Sequence[Token]) -> bool:
    """The whole block is one emphasised run (``**References**``)."""
    meaningful = [t for t in children if not (t.type == "text" and not t.content.strip())]
    return (
        len(meaningful) >= 3
        and meaningful[0].type in ("strong_open", "em_open")
        and meaningful[-1].type in ("strong_close", "em_close")
    )


def _range_at(
    ranges: Sequence[NonNewsRange], starts: Sequence[int], line: int
) -> NonNewsRange | None:
    """The innermost (last opened) range holding ``line``."""
    k = bisect.bisect_right(starts, line)
    while k > 0:
        k -= 1
        r = ranges[k]
        if r.start <= line < r.end:
            return r
    return None


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
    n = len(children)
    while i < n and _is_skippable(children[i]):
        i += 1
    return i


_SPACES = " \t\u3000"


def _link_text(children: Sequence[Token], open_index: int) -> tuple[int, str]:
    """(index of the matching ``link_close``, plain text of the link)."""
    if open_index + 2 < len(children) and children[open_index + 2].type == "link_close":
        inner = children[open_index + 1]
        if inner.type == "text":  # the usual ``[title](url)``
            return open_index + 2, inner.content.strip()
    close = link_close_index(children, open_index)
    return close, plain_text(children, open_index + 1, close).strip()


#: Decoration that may stand before an item's number or link: emoji and pictographs,
#: bullet symbols (``·`` ``▶`` ``•``), short bracketed tags (``【工具】`` ``[新闻]``), spaces.
_DECORATION = re.compile(
    r"(?:[ \t\u3000]"
    r"|[\U0001F000-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2B00-\u2BFF"
    r"\uFE0F\u200D\u20E3\U000E0020-\U000E007F]"
    r"|[·•‣◦∙▪▫►▸▹▶▷➤➢➔→»※]"
    r"|【[^【】\n]{1,12}】|\[[^\[\]\n]{1,12}\]|〔[^〔〕\n]{1,12}〕|［[^［］\n]{1,12}］"
    r")+"
)
#: Characters decoration can start with (a cheap test before the regular expression).
_DECORATION_START = re.compile(
    r"[\U0001F000-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2B00-\u2BFF"
    r"·•‣◦∙▪▫►▸▹▶▷➤➢➔→»※【\[〔［]"
)


def _decoration_end(text: str, pos: int) -> int:
    """End of the decoration at ``text[pos:]`` (``pos`` itself when there is none)."""
    m = _DECORATION.match(text, pos)
    return m.end() if m is not None else pos


def _after_decoration(children: Sequence[Token], i: int) -> int:
    """The first child from ``i`` on that is neither skippable, a closing emphasis tag
    (``**【工具】**``) nor pure decoration."""
    n = len(children)
    while i < n:
        token = children[i]
        closing = token.type in ("em_close", "strong_close", "s_close")
        decoration = token.type == "text" and _decoration_end(token.content, 0) == len(
            token.content
        )
        if not (closing or decoration or _is_skippable(token)):
            break
        i += 1
    return i


def analyse_lead(children: Sequence[Token], in_link_text: bool = True) -> _Lead:
    """Number marker and leading link of a heading/paragraph, from its tokens alone.

    ``in_link_text``: also look for the marker inside the leading link's text
    (``[1. 标题](url)``); never for zero-padding-only markers (``[24 Days of Rust](url)``).
    Decoration (emoji, bullet symbols, bracketed tags) may stand before the marker or the
    link, and between them. Without marker and leading link the block is no item and its
    title is left empty. A glued marker (``4.DeepSeek``) is returned flagged, to be settled
    against its neighbours.
    """
    n = len(children)
    i = _next_meaningful(children, 0)
    if i >= n:
        return _NO_LEAD
    token = children[i]
    ttype = token.type
    if ttype == "text":
        text = token.content
        pos = len(text) - len(text.lstrip(_SPACES))
        marker = match_marker(text, pos, glued=True)
        if marker is None:
            after = _decoration_end(text, pos)
            if after == pos:
                return _NO_LEAD
            marker = match_marker(text, after, glued=True)  # ``🔥 1、标题``
            if marker is None:
                if after < len(text):
                    return _NO_LEAD  # decoration, then words: a label, not an item
                j = _after_decoration(children, i + 1)
                if j < n and children[j].type == "link_open":
                    return _Lead(None, -1, j, _link_text(children, j)[1])
                return _NO_LEAD
        rest = text[marker.rest :]
        if rest.strip() and _decoration_end(rest, 0) < len(rest):
            return _Lead(marker, i, -1, (rest + plain_text(children, i + 1)).strip())
        j = _after_decoration(children, i + 1)
        if j < n and children[j].type == "link_open":
            return _Lead(marker, i, j, _link_text(children, j)[1])
        return _Lead(marker, i, -1, (rest + plain_text(children, i + 1)).strip())
    if ttype == "link_open":
        if in_link_text:
            k = _next_meaningful(children, i + 1)
            if k < n and children[k].type == "text":
                inner = children[k].content
                marker = match_marker(inner, len(inner) - len(inner.lstrip()), glued=True)
                if (
                    marker is not None
                    and marker.style != "bare_padded"
                    and inner[marker.rest :].strip()
                ):
                    close = link_close_index(children, i)
                    if k < close:
                        rest = (inner[marker.rest :] + plain_text(children, k + 1, close)).strip()
                        return _Lead(marker, k, i, rest)
        return _Lead(None, -1, i, _link_text(children, i)[1])
    return _NO_LEAD


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
        tokens = self.doc.tokens
        heading_by_block = self._heading_by_block
        headings: list[_Candidate] = []
        paragraphs: list[_Candidate] = []
        lists: list[_Candidate] = []
        lead_chars = _LEAD_CHARS
        containers: tuple[list[int], list[tuple[int, int]]] | None = None
        for block in self.doc.inline_blocks:
            kind = block.kind
            if kind != "heading" and kind != "paragraph":
                continue
            content = block.token.content
            stripped = content.lstrip(_SPACES)
            if not stripped or (
                stripped[0] not in lead_chars and _DECORATION_START.match(stripped) is None
            ):
                continue  # no marker, link, HTML, emphasis or decoration first: no item
            i = block.index
            if kind == "heading":
                lead = analyse_lead(block.children)
                if lead.marker is not None or lead.link_child >= 0:
                    heading = heading_by_block[i]
                    headings.append(
                        _Candidate("heading", block, lead, heading.level, heading=heading)
                    )
                continue
            # Open list items and blockquotes around the paragraph: none at level 0, one
            # list item for the first paragraph of a top-level list's item; else count them.
            item_token = tokens[i - 2]
            if tokens[i - 1].level == 0:
                depth = quoted = 0
            elif item_token.type == "list_item_open" and item_token.level == 1:
                depth, quoted = 1, 0
            else:
                if containers is None:
                    containers = self._containers()
                k = bisect.bisect_left(containers[0], i)
                depth, quoted = containers[1][k - 1] if k else (0, 0)
            if depth:
                # Only the first paragraph of a top-level list item can hold an item: later
                # paragraphs and nested lists belong to the item's body.
                if depth > 1 or item_token.type != "list_item_open":
                    continue
                lead = analyse_lead(block.children, in_link_text=False)
                if lead.link_child >= 0:
                    end = (item_token.map or block.map)[1]
                    lists.append(
                        _Candidate(
                            "list-item", block, lead, list_token=item_token, list_end_line=end
                        )
                    )
                continue
            # A plain paragraph is an item only with a number, so a leading link must
            # then carry the number in its text (``[1. 标题](url)``).
            if stripped[0] == "[" and (
                len(stripped) < 2 or stripped[1] not in lead_chars or stripped[1] == "["
            ):
                continue
            lead = analyse_lead(block.children)
            if lead.marker is None:
                continue
            if lead.link_child >= 0:
                paragraphs.append(_Candidate("paragraph", block, lead))
            elif lead.marker.style != "bare_padded" and not quoted:
                self.text_numbered.append(_Candidate("paragraph", block, lead))
        return headings, paragraphs, lists

    def _containers(self) -> tuple[list[int], list[tuple[int, int]]]:
        """Indexes of the tokens that open or close a list item or blockquote, and the
        (open list items, open blockquotes) after each: looked up by bisection."""
        tokens = self.doc.tokens
        events = [i for i, token in enumerate(tokens) if token.type in _CONTAINER_STEP]
        after: list[tuple[int, int]] = []
        depth = quoted = 0
        for i in events:
            step_depth, step_quoted = _CONTAINER_STEP[tokens[i].type]
            depth += step_depth
            quoted += step_quoted
            after.append((depth, quoted))
        return events, after

    # -- choice ------------------------------------------------------------------------

    def run(self) -> Briefing:
        heading_cands, para_cands, list_cands = self._candidates()
        heading_cands = self._settle_glued(self._drop_unpadded_bare(heading_cands))
        para_cands = self._drop_unpadded_bare(para_cands)
        if self.text_numbered or any(c.lead.marker and c.lead.marker.glued for c in para_cands):
            in_order = sorted([*para_cands, *self.text_numbered], key=lambda c: c.block.map[0])
            settled = self._settle_glued(in_order)
            para_cands = [c for c in settled if c.lead.marker and c.lead.link_child >= 0]
            self.text_numbered = [c for c in settled if c.lead.marker and c.lead.link_child < 0]
        for c in list_cands:
            if c.lead.marker is not None and c.lead.marker.glued:
                c.lead = _Lead(None, -1, c.lead.link_child, _full_link_text(c))
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
        ranges = self._non_news_ranges(heading_cands, [*para_cands, *list_cands])
        non_news: list[_Candidate] = []
        if ranges:
            starts = [r.start for r in ranges]

            def news(cands: list[_Candidate]) -> list[_Candidate]:
                out = []
                for c in cands:
                    if _range_at(ranges, starts, c.block.map[0]) is None:
                        out.append(c)
                    else:
                        non_news.append(c)
                return out

            kept, para_cands, list_cands = news(kept), news(para_cands), news(list_cands)
            self.text_numbered = [
                c for c in self.text_numbered if _range_at(ranges, starts, c.block.map[0]) is None
            ]
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
            return Briefing([], None, counts_by_shape, sections, non_news_ranges=ranges)
        text_numbered = self._build(self.text_numbered) if shape == "paragraph" else []
        excluded = sorted(
            (c for c in non_news if c.shape == shape and (shape != "heading" or c.level == level)),
            key=lambda c: c.block.map[0],
        )
        found = self._build(sorted([*chosen, *excluded], key=lambda c: c.block.map[0]))
        if excluded:
            starts = [r.start for r in ranges]
            for item in found:
                hit = _range_at(ranges, starts, item.first_line)
                if hit is not None:
                    item.non_news = hit.kind
        news_items = [it for it in found if it.non_news is None]
        for n, item in enumerate(news_items):
            item.ordinal = n
        return Briefing(
            news_items,
            shape,
            counts_by_shape,
            sections,
            text_numbered,
            non_news=[it for it in found if it.non_news is not None],
            non_news_ranges=ranges,
        )

    # -- non-news sections ----------------------------------------------------------------

    def _non_news_ranges(
        self, heading_cands: list[_Candidate], other_cands: list[_Candidate]
    ) -> list[NonNewsRange]:
        """Where the sponsor, jobs, share, references and promo blocks of the file are.

        A heading opens one when its text names such a section (an item heading with a link
        only when its title starts with a tag: ``[招聘｜…](url)``, ``Sponsor: …``); a lone
        label paragraph (``参考链接：``, ``**References:**``) opens one over the list or the
        run of link paragraphs right after it.
        """
        from .sections import section_kind, tag_kind

        extra = dict(self.selector.exclude)
        doc = self.doc
        linked = {c.block.index for c in heading_cands if c.lead.link_child >= 0}
        out: list[NonNewsRange] = []
        for h in self.headings:
            title = plain_text(h.block.children).strip()
            if not title:
                continue
            # An item heading with a link is news prose: only a tag makes it non-news.
            judge = tag_kind if h.block.index in linked else section_kind
            kind = judge(title, extra)
            if kind is None:
                continue
            start = h.block.map[0]
            out.append(
                NonNewsRange(start, self._end_of_section(start, doc.line_count, h.level), kind)
            )
        out.extend(self._label_ranges(extra))
        if not out:
            return out
        # A heading that names a non-news kind but holds most of the file's items is the
        # file's title (``# Sponsored by …: issue 12``), not a block to leave out.
        lines = sorted(c.block.map[0] for c in [*heading_cands, *other_cands])
        total = len(lines)
        kept = []
        for r in out:
            inside = bisect.bisect_left(lines, r.end) - bisect.bisect_right(lines, r.start)
            if inside >= 4 and inside * 2 > total:
                continue
            kept.append(r)
        kept.sort()
        return kept

    def _label_ranges(self, extra: Mapping[str, Sequence[str]]) -> list[NonNewsRange]:
        from .sections import section_kind

        doc = self.doc
        tokens = doc.tokens
        blocks = doc.inline_blocks
        out: list[NonNewsRange] = []
        for n, block in enumerate(blocks):
            if block.kind != "paragraph" or tokens[block.index - 1].level != 0:
                continue
            content = block.token.content
            if len(content) > 40 or "\n" in content.strip() or "](" in content:
                continue
            stripped = content.strip().strip("*_ \t")
            if not stripped.endswith((":", "：")) and not _emphasised(block.children):
                continue
            kind = section_kind(stripped, extra)
            if kind is None:
                continue
            after = tokens[block.index + 2] if block.index + 2 < len(tokens) else None
            start = block.map[0]
            if after is not None and after.type in ("bullet_list_open", "ordered_list_open"):
                if after.map is not None:
                    out.append(NonNewsRange(start, after.map[1], kind))
                continue
            # A run of link paragraphs (``1、[文章](url)``), up to the first other block or a
            # number that does not continue the run's numbering.
            end = start
            previous: int | None = None
            for follower in blocks[n + 1 :]:
                if follower.kind != "paragraph" or tokens[follower.index - 1].level != 0:
                    break
                lead = analyse_lead(follower.children)
                if lead.link_child < 0:
                    break
                if lead.marker is not None:
                    if previous is not None and lead.marker.value != previous + 1:
                        break
                    previous = lead.marker.value
                end = follower.map[1]
            if end > start:
                out.append(NonNewsRange(start, end, kind))
        return out

    def _settle_glued(self, cands: list[_Candidate]) -> list[_Candidate]:
        """Keep a glued marker (``4.DeepSeek``) only where a neighbouring number continues it.

        ``[4.DeepSeek 发布](url)`` after item 3 is item 4; a lone ``3.NET`` is a name, and the
        candidate keeps its link without a number (or, with neither, is dropped).
        """
        if not any(c.lead.marker is not None and c.lead.marker.glued for c in cands):
            return cands
        numbered = [
            (k, c.lead.marker.value)
            for k, c in enumerate(cands)
            if c.lead.marker is not None and STYLE_FAMILY.get(c.lead.marker.style) == "arabic"
        ]
        at = {k: n for n, (k, _) in enumerate(numbered)}
        out: list[_Candidate] = []
        for k, c in enumerate(cands):
            m = c.lead.marker
            if m is None or not m.glued:
                out.append(c)
                continue
            n = at[k]
            value = m.value
            if (n > 0 and numbered[n - 1][1] == value - 1) or (
                n + 1 < len(numbered) and numbered[n + 1][1] == value + 1
            ):
                out.append(c)
                continue
            if c.lead.link_child < 0:
                continue  # neither a number nor a link: no item
            c.lead = _Lead(None, -1, c.lead.link_child, _full_link_text(c))
            out.append(c)
        return out

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
        current: tuple[Heading, ...] = ()
        for h in self.headings:
            # A heading with no text (an image underlined by "-" becomes one) opens no section.
            for t in h.block.children:
                if (t.type == "text" or t.type == "code_inline") and t.content.strip():
                    while stack and stack[-1].level >= h.level:
                        stack.pop()
                    stack.append(h)
                    current = tuple(stack)
                    break
            chains.append(current)
        return chains

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
    def _link_at(self) -> dict[tuple[int, int], Link]:
        """Links by (block, child)."""
        link_at: dict[tuple[int, int], Link] = {}
        for found in index(self.doc).links:
            block = found.block
            if block is None or found.is_image or found.kind == "html":
                continue
            key = (block.index, found.child)
            if key not in link_at:
                link_at[key] = found
        return link_at

    @cached_property
    def _body_links(self) -> tuple[list[Link], list[int]]:
        """Links in document order with their block indexes (only heading items need them)."""
        ordered: list[tuple[int, int, int, Link]] = []
        for n, found in enumerate(index(self.doc).links):
            if found.block is None or found.is_image or found.kind == "html":
                continue
            # Bare URLs of one text node are listed in text order: ``n`` keeps that order.
            ordered.append((found.block.index, found.child, n, found))
        ordered.sort(key=lambda t: (t[0], t[1], t[2]))
        return [t[3] for t in ordered], [t[0] for t in ordered]

    def _build(self, chosen: list[_Candidate]) -> list[Item]:
        if not chosen:
            return []
        doc = self.doc
        starts = [c.block.map[0] for c in chosen]
        starts.append(doc.line_count)
        heading_lines = self._heading_lines
        n_headings = len(heading_lines)
        chains = self._chains if n_headings else []
        link_at = self._link_at
        out: list[Item] = []
        for n, cand in enumerate(chosen):
            block = cand.block
            first = starts[n]
            next_item = starts[n + 1]
            shape = cand.shape
            level = cand.level if shape == "heading" else 0
            # The body ends at the next item or at the next heading of the same or a higher
            # level (any level for paragraphs); a list item's body is the list item.
            if shape == "list-item":
                end = min(cand.list_end_line, next_item)
            else:
                end = self._end_of_section(first, next_item, level)
            # The open-heading stack filtered by level is the stack of the filtered
            # headings, because levels strictly increase along it.
            k = bisect.bisect_left(heading_lines, first)
            chain = chains[k - 1] if k else ()
            if level and chain:
                chain = tuple(h for h in chain if h.level < level)
            lead = cand.lead
            link: Link | None = None
            if lead.link_child >= 0:
                link = link_at.get((block.index, lead.link_child))
            in_title = link is not None
            if link is None and shape == "heading":
                body_links, link_blocks = self._body_links
                k = bisect.bisect_right(link_blocks, block.index)
                if k < len(body_links):
                    candidate = body_links[k]
                    assert candidate.block is not None
                    if candidate.block.map[0] < end:
                        link = candidate
            out.append(
                Item(
                    shape=shape,
                    block=block,
                    first_line=first,
                    end_line=max(end, first + 1),
                    marker=self._marker(cand),
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
        m = lead.marker
        if m is not None:
            child = lead.marker_child
            separator = cand.block.children[child].content[m.digits_end : m.end]
            return NumberMarker(
                m.style, m.value, m.digits, separator, _locate_marker, cand.block, child, m
            )
        token = cand.list_token
        if token is not None and token.info and token.info.isdigit():
            info = str(token.info)
            return NumberMarker(
                "list", int(info), info, str(token.markup), _locate_list_marker, cand.block
            )
        return None


def _locate_marker(block: InlineBlock, child: int, m: MarkerMatch) -> tuple[Span, Span]:
    digits = block.text_span(child, m.digits_start, m.digits_end)
    whole = block.text_span(child, m.start, m.end)
    return digits, whole


def _locate_list_marker(block: InlineBlock) -> tuple[Span, Span]:
    doc = block.doc
    line = block.map[0]
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
    """Host patterns normalised for :func:`host_in` (lower case, no ``www.``)."""
    out = set()
    for p in patterns:
        p = p.lower().strip()
        out.add(p[4:] if p.startswith("www.") else p)
    return frozenset(out)


def host_in(host: str, wanted: frozenset[str]) -> bool:
    """``host`` equals one of the :func:`host_set` patterns ``wanted`` or is a subdomain of
    one (the set is built once per option value, the test runs per link)."""
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
    if url[:4].lower() == "www.":
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
        if slash < 0:
            return host
        path = rest[slash:]
        if "%" in path:
            path = unquote(path)
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
