"""What a briefing's items are: the item, its selector, the non-news blocks, the result."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ..diagnostics import Span
from ..document import Document, Heading, InlineBlock, Link
from .numbers import NumberMarker

Shape = Literal["heading", "paragraph", "list-item"]
SELECTOR_CHOICES = ("auto", "headings", "paragraphs", "list-items")


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
        hit = range_at(ranges, [r.start for r in ranges], line)
        return None if hit is None else hit.kind

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def range_at(
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
