"""Choosing a file's items: candidates, section headings, non-news blocks, the item shape."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from ..diagnostics import Span
from ..document import Document, Heading, InlineBlock, Link, index
from .candidates import (
    Candidate,
    Candidates,
    drop_unpadded_bare,
    find_candidates,
    full_link_text,
    settle_glued,
)
from .lead import Lead
from .model import Briefing, Item, ItemSelector, NonNewsRange, Shape, range_at
from .numbers import MarkerMatch, NumberMarker
from .ranges import non_news_ranges


def _any_between(lines: list[int], start: int, end: int) -> bool:
    """Is any of the sorted ``lines`` strictly between ``start`` and ``end``?"""
    k = bisect.bisect_right(lines, start)
    return k < len(lines) and lines[k] < end


def _first_line(cand: Candidate) -> int:
    return cand.block.map[0]


class _Detector:
    """One file's items, in steps: find the candidates, settle their doubtful markers, tell
    section headings from item headings, set the non-news blocks aside, pick the heading
    level and the item shape, then build the items."""

    def __init__(self, doc: Document, selector: ItemSelector) -> None:
        self.doc = doc
        self.selector = selector
        self.headings = doc.headings
        self._heading_by_block = {h.block.index: h for h in self.headings}
        self._heading_lines = [h.block.map[0] for h in self.headings]

    def run(self) -> Briefing:
        found = find_candidates(self.doc, self._heading_by_block)
        _settle_markers(found)
        kept, section_cands = self._split_section_headings(found)
        ranges = non_news_ranges(
            self.doc,
            self.headings,
            dict(self.selector.exclude),
            self._end_of_section,
            found.headings,
            [*found.paragraphs, *found.lists],
        )
        kept, non_news = _set_aside(found, kept, ranges)
        level = self.selector.heading_level or _item_level(kept)
        heading_items = [c for c in kept if c.level == level]
        counts_by_shape = {
            "heading": len(heading_items),
            "paragraph": len(found.paragraphs),
            "list-item": len(found.lists),
        }
        chosen, shape = self._choose_shape(heading_items, found)
        sections = self._build(section_cands) if chosen else []
        if shape is None or not chosen:
            return Briefing([], None, counts_by_shape, sections, non_news_ranges=ranges)
        text_numbered = self._build(found.text_numbered) if shape == "paragraph" else []
        news_items, set_aside = self._items(chosen, shape, level, non_news, ranges)
        return Briefing(
            news_items,
            shape,
            counts_by_shape,
            sections,
            text_numbered,
            non_news=set_aside,
            non_news_ranges=ranges,
        )

    def _items(
        self,
        chosen: list[Candidate],
        shape: Shape,
        level: int,
        non_news: list[Candidate],
        ranges: list[NonNewsRange],
    ) -> tuple[list[Item], list[Item]]:
        """The news items, numbered in order, and the items of the chosen shape (and level)
        that stand in non-news blocks, which BL003 still sees."""
        excluded = sorted(
            (c for c in non_news if c.shape == shape and (shape != "heading" or c.level == level)),
            key=_first_line,
        )
        items = self._build(sorted([*chosen, *excluded], key=_first_line))
        if excluded:
            starts = [r.start for r in ranges]
            for item in items:
                hit = range_at(ranges, starts, item.first_line)
                if hit is not None:
                    item.non_news = hit.kind
        news_items = [it for it in items if it.non_news is None]
        for n, item in enumerate(news_items):
            item.ordinal = n
        return news_items, [it for it in items if it.non_news is not None]

    def _split_section_headings(self, found: Candidates) -> tuple[list[Candidate], list[Candidate]]:
        """The heading candidates that may be items, and the numbered section headings.

        A numbered heading whose body holds numbered paragraphs or deeper item headings is a
        section heading, not an item. An unnumbered heading that is a link (``### [Approved
        RFCs](url)``) is one too when list items with links follow it (and is dropped).
        """
        heading_cands = found.headings
        para_lines = [_first_line(c) for c in found.paragraphs]
        list_lines = [_first_line(c) for c in found.lists]
        kept: list[Candidate] = []
        section_cands: list[Candidate] = []
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
        return kept, section_cands

    def _choose_shape(
        self, heading_items: list[Candidate], found: Candidates
    ) -> tuple[list[Candidate], Shape | None]:
        """The forced shape, or by precedence: numbered shapes (the more numerous; headings
        on a tie), then unnumbered headings (if as many as the list items), then lists."""
        paras, lists = found.paragraphs, found.lists
        mode = self.selector.shapes
        if mode == "headings":
            return heading_items, "heading"
        if mode == "paragraphs":
            return paras, "paragraph"
        if mode == "list-items":
            return lists, "list-item"
        with_numbers = sum(1 for c in heading_items if c.lead.marker is not None)
        if with_numbers or paras:
            if (with_numbers, len(heading_items)) >= (len(paras), len(paras)):
                return heading_items, "heading"
            return paras, "paragraph"
        if heading_items and len(heading_items) >= len(lists):
            return heading_items, "heading"
        if lists:
            return lists, "list-item"
        return [], None

    def _section_range(self, cand: Candidate) -> tuple[int, int]:
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

    def _build(self, chosen: list[Candidate]) -> list[Item]:
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

    def _marker(self, cand: Candidate) -> NumberMarker | None:
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


def _settle_markers(found: Candidates) -> None:
    """Drop bare numbers where nothing is zero-padded, keep glued markers only where a
    neighbour continues them (headings, then paragraphs with numbered text, in line order);
    list items keep no glued marker."""
    found.headings = settle_glued(drop_unpadded_bare(found.headings))
    paras = drop_unpadded_bare(found.paragraphs)
    if found.text_numbered or any(c.lead.marker and c.lead.marker.glued for c in paras):
        settled = settle_glued(sorted([*paras, *found.text_numbered], key=_first_line))
        paras = [c for c in settled if c.lead.marker and c.lead.link_child >= 0]
        found.text_numbered = [c for c in settled if c.lead.marker and c.lead.link_child < 0]
    found.paragraphs = paras
    for c in found.lists:
        if c.lead.marker is not None and c.lead.marker.glued:
            c.lead = Lead(None, -1, c.lead.link_child, full_link_text(c))


def _set_aside(
    found: Candidates, kept: list[Candidate], ranges: list[NonNewsRange]
) -> tuple[list[Candidate], list[Candidate]]:
    """Take the candidates in non-news blocks out of the heading, paragraph and list
    candidates (and the numbered text); return the kept headings and those set aside."""
    non_news: list[Candidate] = []
    if not ranges:
        return kept, non_news
    starts = [r.start for r in ranges]

    def news(cands: list[Candidate]) -> list[Candidate]:
        out = []
        for c in cands:
            if range_at(ranges, starts, c.block.map[0]) is None:
                out.append(c)
            else:
                non_news.append(c)
        return out

    kept, found.paragraphs, found.lists = news(kept), news(found.paragraphs), news(found.lists)
    found.text_numbered = [
        c for c in found.text_numbered if range_at(ranges, starts, c.block.map[0]) is None
    ]
    return kept, non_news


def _item_level(kept: list[Candidate]) -> int:
    """The heading level with the most numbered items, then the most items, then the
    highest (0: no heading candidates)."""
    if not kept:
        return 0
    score: dict[int, tuple[int, int, int]] = {}
    for c in kept:
        num, total, _ = score.get(c.level, (0, 0, 0))
        score[c.level] = (num + (c.lead.marker is not None), total + 1, -c.level)
    return -max(score.values())[2]


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
