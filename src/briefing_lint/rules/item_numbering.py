"""BL003 item-numbering: consecutive, consistently written item numbers.

``1、`` ``一、`` ``（1）`` are not list markers: a renderer prints them as written, so a gap
or a repeated number is visible to every reader. Items and their number markers come from
:mod:`briefing_lint.briefing`; this rule only judges the sequences.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from urllib.parse import unquote

from ..briefing import STYLE_FAMILY, Item, format_number, items_for, plain_text
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..document import Document, index
from ..rule import Rule, RuleContext

#: Prose that points at an item by its number ("见第 3 条", "item 3 above").
_PROSE_REF = re.compile(r"第\s*\d{1,3}\s*[条项则]|\bitems?\s+#?\d{1,3}\b", re.IGNORECASE)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading (lowercase, punctuation dropped, spaces to ``-``)."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


class ItemNumbering(Rule):
    code = "BL003"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        options = ctx.options
        briefing = items_for(ctx.doc, options)
        if not briefing.items:
            return
        ordered = bool(options["ordered_lists"])
        scope_kind = str(options["scope"])
        real = {id(it) for it in briefing.items}
        participants = sorted(
            [*briefing.items, *briefing.numbered_text], key=lambda it: it.first_line
        )
        for group in _scopes(participants, scope_kind, ordered):
            if not any(id(it) in real for it in group):
                continue  # a numbered list of prose, not of items
            yield from self._check_scope(ctx, group, scope_kind)
        if options["sections"]:
            for group in _scopes(briefing.sections, "section", ordered):
                yield from self._check_scope(ctx, group, "section")
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

    def _check_scope(
        self, ctx: RuleContext, group: Sequence[Item], scope_kind: str
    ) -> Iterator[Diagnostic]:
        start = int(ctx.options["start"])
        src = ctx.doc.source
        fix_given = False
        previous: int | None = None
        for i, item in enumerate(group):
            marker = item.marker
            assert marker is not None
            value = marker.value
            kind = ""
            if i == 0 and value != start:
                kind, message = (
                    "bad-start",
                    ctx.message(
                        "bad_start",
                        found=marker.digits,
                        expected=format_number(start, marker.style, marker.digits),
                    ),
                )
            elif previous is not None and value == previous:
                kind, message = "duplicate", ctx.message("duplicate", found=marker.digits)
            elif previous is not None and value != previous + 1:
                kind, message = (
                    "gap",
                    ctx.message(
                        "gap",
                        found=marker.digits,
                        expected=format_number(previous + 1, marker.style, marker.digits),
                        previous=format_number(previous, marker.style, marker.digits),
                    ),
                )
            previous = value
            if not kind:
                continue
            fix = None
            if not fix_given:
                fix = self._renumber(ctx, group, kind, scope_kind)
                fix_given = True
            yield ctx.report(marker.digits_span, message, kind=kind, fix=fix)

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
                        scope=scope_kind,
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

    def _renumber(
        self, ctx: RuleContext, group: Sequence[Item], kind: str, scope_kind: str
    ) -> Fix | None:
        applicability = ctx.fix_applicability(kind)
        if applicability is None:
            return None
        start = int(ctx.options["start"])
        edits: list[Edit] = []
        renamed: list[Item] = []
        for offset, item in enumerate(group):
            marker = item.marker
            assert marker is not None
            target = start + offset
            if target == marker.value:
                continue
            if marker.style == "circled" and not 1 <= target <= 20:
                return None
            if target < 0:
                return None
            edits.append(
                Edit(marker.digits_span, format_number(target, marker.style, marker.digits))
            )
            renamed.append(item)
        if not edits:
            return None
        if _referenced(ctx.doc, renamed):
            applicability = Applicability.DISPLAY
        return Fix(
            tuple(edits),
            applicability,
            ctx.message("fix_title", scope=scope_kind, start=start),
        )


def _scopes(found: Sequence[Item], scope_kind: str, ordered: bool) -> list[list[Item]]:
    """Numbered items grouped by numbering scope and style family, in document order.

    ``（1）`` sub-items under ``4、其他`` and ``一、`` headings are sequences of their own;
    ``1.`` next to ``1、`` is one sequence written in mixed styles.
    """
    groups: dict[tuple[int, str], list[Item]] = {}
    for item in found:
        marker = item.marker
        if marker is None or (marker.style == "list" and not ordered):
            continue
        key = -1
        if scope_kind == "section" and item.section is not None:
            key = item.section.block.index
        groups.setdefault((key, STYLE_FAMILY.get(marker.style, marker.style)), []).append(item)
    return list(groups.values())


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
    cached: bool | None = doc.__dict__.get("_bl003_prose_refs")
    if cached is None:
        cached = any(not doc.is_code(m.start()) for m in _PROSE_REF.finditer(doc.source))
        doc.__dict__["_bl003_prose_refs"] = cached
    return cached
