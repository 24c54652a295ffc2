"""BL003 item-numbering: consecutive, consistently written item numbers.

``1、`` ``一、`` ``（1）`` are not list markers: a renderer prints them as written, so a gap
or a repeated number is visible to every reader. Items and their number markers come from
:mod:`briefing_lint.briefing`; this rule only judges the sequences.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Hashable, Iterator, Mapping, Sequence
from itertools import pairwise
from urllib.parse import unquote

from ..briefing import (
    STYLE_FAMILY,
    Briefing,
    Item,
    NumberMarker,
    format_number,
    items_for,
    plain_text,
)
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..document import Document, Heading, index
from ..rule import Rule, RuleContext
from ._numbering_runs import RunPlan, plan_runs, run_breaks, run_findings

#: Prose that points at an item by its number ("见第 3 条", "item 3 above").
_PROSE_REF = re.compile(r"第\s*\d{1,3}\s*[条项则]|\bitems?\s+#?\d{1,3}\b", re.IGNORECASE)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading (lowercase, punctuation dropped, spaces to ``-``)."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


#: A CommonMark ordered list: (first line, line of its last item, its item numbers).
_OrderedList = tuple[int, int, list[int]]


class ItemNumbering(Rule):
    code = "BL003"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        options = ctx.options
        briefing = items_for(ctx.doc, options)
        if not briefing.items:
            return
        ordered = bool(options["ordered_lists"])
        scope = str(options["scope"])
        start = int(options["start"])
        real = {id(it) for it in briefing.items}
        participants = sorted(
            [*briefing.items, *briefing.numbered_text, *briefing.non_news],
            key=lambda it: it.first_line,
        )
        for family in _families(participants, ordered):
            keys = [_scope_key(briefing, it) for it in family]
            bases = _continued(ctx.doc, briefing, participants, family, keys, start)
            plan = plan_runs([_value(it) for it in family], keys, scope, start, bases)
            for run in plan.runs:
                group = [family[k] for k in run]
                if not any(id(it) in real for it in group):
                    continue  # a numbered list of prose, not of items
                yield from self._check_run(ctx, family, keys, plan, run, bases)
        if options["sections"]:
            for family in _families(briefing.sections, ordered):
                keys = [_scope_key(briefing, it) for it in family]
                plan = plan_runs([_value(it) for it in family], keys, "section", start)
                for run in plan.runs:
                    yield from self._check_run(ctx, family, keys, plan, run, {})
        yield from self._empty_items(ctx, briefing.items)

    def _empty_items(self, ctx: RuleContext, found: Sequence[Item]) -> Iterator[Diagnostic]:
        for item in found:
            if item.marker is not None and not item.title.strip():
                marker_text = ctx.doc.source[item.marker.span.start : item.marker.span.end]
                yield ctx.report(
                    item.marker.span,
                    ctx.message("empty_item", marker=f"“{marker_text}”"),
                    kind="empty-item",
                )

    def _check_run(
        self,
        ctx: RuleContext,
        family: Sequence[Item],
        keys: Sequence[Hashable],
        plan: RunPlan,
        run: Sequence[int],
        bases: Mapping[int, int],
    ) -> Iterator[Diagnostic]:
        start = bases.get(run[0], int(ctx.options["start"]))
        group = [family[k] for k in run]
        values = [_value(it) for it in group]
        fix_given = False
        for pos, kind, expected in run_findings(values, start):
            marker = group[pos].marker
            assert marker is not None
            message = _number_message(ctx, marker, kind, expected, start, values[pos - 1])
            fix = None
            if not fix_given:
                fix = self._renumber(ctx, family, keys, plan, run, kind, bases)
                fix_given = True
            yield ctx.report(marker.digits_span, message, kind=kind, fix=fix)
        yield from _style_findings(ctx, group, plan.scope)

    def _renumber(
        self,
        ctx: RuleContext,
        family: Sequence[Item],
        keys: Sequence[Hashable],
        plan: RunPlan,
        run: Sequence[int],
        kind: str,
        bases: Mapping[int, int],
    ) -> Fix | None:
        """Renumber one run from ``start`` (or the number it continues); offered only when
        the file's sequence comes out consistent: the run strictly consecutive and no other
        run of the family broken."""
        applicability = ctx.fix_applicability(kind)
        if applicability is None:
            return None
        first = int(ctx.options["start"])
        start = bases.get(run[0], first)
        edits: list[Edit] = []
        renamed: list[Item] = []
        new_values = [_value(it) for it in family]
        for offset, k in enumerate(run):
            item = family[k]
            marker = item.marker
            assert marker is not None
            target = start + offset
            new_values[k] = target
            if target == marker.value:
                continue
            if target < 0:
                return None
            if marker.style == "circled" and not 1 <= target <= 20:
                return None
            edits.append(
                Edit(marker.digits_span, format_number(target, marker.style, marker.digits))
            )
            renamed.append(item)
        if not edits:
            return None
        fixed = len(run_breaks([_value(family[k]) for k in run], start))
        after = plan_runs(new_values, keys, str(ctx.options["scope"]), first, bases)
        if after.breaks > plan.breaks - fixed:
            return None  # the renumbered run would break another run of the file
        if _referenced(ctx.doc, renamed):
            applicability = Applicability.DISPLAY
        return Fix(
            tuple(edits),
            applicability,
            ctx.message("fix_title", scope=plan.scope, start=start),
        )


def _number_message(
    ctx: RuleContext,
    marker: NumberMarker,
    kind: str,
    expected: int | None,
    start: int,
    previous: int,
) -> str:
    """The message of a numbering finding (``previous``: the number before, for gaps)."""
    if kind == "bad-start":
        return ctx.message(
            "bad_start",
            found=marker.digits,
            expected=format_number(start, marker.style, marker.digits),
        )
    if expected is not None:
        return ctx.message(
            "misnumbered",
            found=marker.digits,
            expected=format_number(expected, marker.style, marker.digits),
        )
    if kind == "duplicate":
        return ctx.message("duplicate", found=marker.digits)
    return ctx.message(
        "gap",
        found=marker.digits,
        expected=format_number(previous + 1, marker.style, marker.digits),
        previous=format_number(previous, marker.style, marker.digits),
    )


def _style_findings(ctx: RuleContext, group: Sequence[Item], scope: str) -> Iterator[Diagnostic]:
    """A marker style other than the run's first one, and zero-padding used for some
    numbers only (each reported once per run)."""
    src = ctx.doc.source
    first = group[0].marker
    assert first is not None
    for item in group[1:]:
        marker = item.marker
        assert marker is not None
        if marker.style != first.style:
            first_text = src[first.span.start : first.span.end]
            yield ctx.report(
                marker.span,
                ctx.message(
                    "mixed_style",
                    marker=f"“{src[marker.span.start : marker.span.end]}”",
                    first=f"“{first_text}”",
                    scope=scope,
                ),
                kind="mixed-style",
            )
            break
    padded = [it.marker for it in group if it.marker is not None and it.marker.padded]
    if padded:
        width = max(m.width for m in padded)
        for item in group:
            marker = item.marker
            assert marker is not None
            if marker.style == padded[0].style and marker.width < width:
                yield ctx.report(
                    marker.digits_span,
                    ctx.message(
                        "padding", marker=f"“{marker.digits}”", padded=f"“{padded[0].digits}”"
                    ),
                    kind="padding",
                )
                break


def _continued(
    doc: Document,
    briefing: Briefing,
    participants: Sequence[Item],
    family: Sequence[Item],
    keys: Sequence[Hashable],
    start: int,
) -> dict[int, int]:
    """Family indexes that open their section's numbering of this family at a number
    other than ``start`` because they run on from another numbering just before them in
    the same section: ``1. 2.`` as a CommonMark ordered list, then ``3、 4、`` paragraphs
    (or ``1) 2)`` then ``3、``). The style changes; the numbers do not break.

    The numbering continued is the nearest one before the item in its section: an ordered
    list, or the run of another family's markers; its numbers must be consecutive and end
    one below the item's."""
    out: dict[int, int] = {}
    lists: list[_OrderedList] | None = None
    lines = [p.first_line for p in participants]
    for k, item in enumerate(family):
        value = _value(item)
        if value == start or (k and keys[k] == keys[k - 1]):
            continue
        own = _family(item)
        floor = -1 if item.section is None else item.section.block.map[0]
        if k:
            floor = max(floor, family[k - 1].first_line)
        before = participants[: bisect_left(lines, item.first_line)]
        chain, last_line = _chain_before(briefing, before, own, floor, keys[k])
        if lists is None:
            lists = _ordered_lists(doc)
        for lo, last, numbers in reversed(lists):
            if last < item.first_line:
                same = _key_at(briefing, item.section, lo) == keys[k]
                if lo > floor and last > last_line and same:
                    chain = numbers
                break
        consecutive = all(b == a + 1 for a, b in pairwise(chain))
        if chain and consecutive and chain[-1] + 1 == value:
            out[k] = value
    return out


def _chain_before(
    briefing: Briefing, before: Sequence[Item], own: str, floor: int, key: Hashable
) -> tuple[list[int], int]:
    """The numbers of the run of another family's markers just before an item (``before``:
    the items above it) in the same numbering scope, above line ``floor``; and the line of
    that run's last item (-1: none)."""
    chain: list[int] = []
    last_line = -1
    other: str | None = None
    for p in reversed(before):
        if p.marker is None:
            continue
        if p.first_line <= floor or _scope_key(briefing, p) != key:
            break
        fam = _family(p)
        if other is None:
            if fam == own:
                break
            other, last_line = fam, p.first_line
        elif fam != other:
            break
        chain.append(p.marker.value)
    chain.reverse()
    return chain, last_line


def _ordered_lists(doc: Document) -> list[_OrderedList]:
    """Top-level CommonMark ordered lists, in document order."""
    out: list[_OrderedList] = []
    numbers: list[int] = []
    lo = last = 0
    for token in doc.tokens:
        if token.level != 0 and not (token.level == 1 and token.type == "list_item_open"):
            continue
        if token.type == "ordered_list_open" and token.map:
            lo, numbers = token.map[0], []
        elif token.type == "list_item_open" and token.info.isdigit() and token.map:
            numbers.append(int(token.info))
            last = token.map[0]
        elif token.type == "ordered_list_close" and numbers:
            out.append((lo, last, numbers))
            numbers = []
    return out


def _family(item: Item) -> str:
    assert item.marker is not None
    return STYLE_FAMILY.get(item.marker.style, item.marker.style)


def _value(item: Item) -> int:
    assert item.marker is not None
    return item.marker.value


def _families(found: Sequence[Item], ordered: bool) -> list[list[Item]]:
    """Numbered items by style family, in document order.

    ``（1）`` sub-items under ``4、其他`` and ``一、`` headings are sequences of their own;
    ``1.`` next to ``1、`` is one sequence written in mixed styles.
    """
    groups: dict[str, list[Item]] = {}
    for item in found:
        marker = item.marker
        if marker is None or (marker.style == "list" and not ordered):
            continue
        group = groups.setdefault(_family(item), [])
        if item.non_news is not None and not _takes_next_number(group, marker):
            # A job ad or sponsor block numbered its own way is no part of the news
            # numbering; one that takes the next number (sponsor 9 between 8 and 10) is.
            continue
        group.append(item)
    return list(groups.values())


def _takes_next_number(group: Sequence[Item], marker: NumberMarker) -> bool:
    """Does ``marker`` continue the sequence so far, written the same way?"""
    if not group:
        return False
    last = group[-1].marker
    return last is not None and last.style == marker.style and last.value + 1 == marker.value


def _scope_key(briefing: Briefing, item: Item) -> Hashable:
    """The section an item is numbered in: its heading, and a label block (``参考链接：``)
    inside that section when the item stands in one."""
    return _key_at(briefing, item.section, item.first_line)


def _key_at(briefing: Briefing, section: Heading | None, line: int) -> Hashable:
    key: tuple[int, int] = (-1 if section is None else section.block.index, -1)
    ranges = briefing.non_news_ranges
    if ranges:
        section_line = -1 if section is None else section.block.map[0]
        for r in ranges:
            if r.start > line:
                break
            if section_line < r.start < line < r.end:
                key = (key[0], r.start)
    return key


def _referenced(doc: Document, renamed: Sequence[Item]) -> bool:
    """Does anything in the file point at these items by number (anchors, "第 3 条")?"""
    slugs = {
        github_slug(plain_text(it.block.children)) for it in renamed if it.heading and it.block
    }
    if slugs:
        for link in index(doc).links:
            href = link.href
            if href.startswith("#") and unquote(href[1:]).lower() in slugs:
                return True
    return doc.analysis("BL003.prose-refs", _has_prose_refs)


def _has_prose_refs(doc: Document) -> bool:
    return any(not doc.is_code(m.start()) for m in _PROSE_REF.finditer(doc.source))
