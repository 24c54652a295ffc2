"""BL003 item-numbering: consecutive, consistently written item numbers.

``1、`` ``一、`` ``（1）`` are not list markers: a renderer prints them as written, so a gap
or a repeated number is visible to every reader. Items and their number markers come from
:mod:`briefing_lint.briefing`; this rule only judges the sequences.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Sequence
from typing import NamedTuple
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
from ..document import Document, index
from ..rule import Rule, RuleContext

#: Prose that points at an item by its number ("见第 3 条", "item 3 above").
_PROSE_REF = re.compile(r"第\s*\d{1,3}\s*[条项则]|\bitems?\s+#?\d{1,3}\b", re.IGNORECASE)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading (lowercase, punctuation dropped, spaces to ``-``)."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


#: A break in a sequence: (position in the run, kind). Kinds: bad-start, duplicate, gap.
_Break = tuple[int, str]


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
            plan = plan_runs([_value(it) for it in family], keys, scope, start)
            for run in plan.runs:
                group = [family[k] for k in run]
                if not any(id(it) in real for it in group):
                    continue  # a numbered list of prose, not of items
                yield from self._check_run(ctx, family, keys, plan, run)
        if options["sections"]:
            for family in _families(briefing.sections, ordered):
                keys = [_scope_key(briefing, it) for it in family]
                plan = plan_runs([_value(it) for it in family], keys, "section", start)
                for run in plan.runs:
                    yield from self._check_run(ctx, family, keys, plan, run)
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
    ) -> Iterator[Diagnostic]:
        start = int(ctx.options["start"])
        src = ctx.doc.source
        group = [family[k] for k in run]
        values = [_value(it) for it in group]
        fix_given = False
        for pos, kind in run_breaks(values, start):
            marker = group[pos].marker
            assert marker is not None
            if kind == "bad-start":
                message = ctx.message(
                    "bad_start",
                    found=marker.digits,
                    expected=format_number(start, marker.style, marker.digits),
                )
            elif kind == "duplicate":
                message = ctx.message("duplicate", found=marker.digits)
            else:
                previous = values[pos - 1]
                message = ctx.message(
                    "gap",
                    found=marker.digits,
                    expected=format_number(previous + 1, marker.style, marker.digits),
                    previous=format_number(previous, marker.style, marker.digits),
                )
            fix = None
            if not fix_given:
                fix = self._renumber(ctx, family, keys, plan, run, kind)
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
                        scope=plan.scope,
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
        self,
        ctx: RuleContext,
        family: Sequence[Item],
        keys: Sequence[Hashable],
        plan: RunPlan,
        run: Sequence[int],
        kind: str,
    ) -> Fix | None:
        """Renumber one run from ``start``; offered only when the file's sequence comes out
        consistent: the run strictly consecutive and no other run of the family broken."""
        applicability = ctx.fix_applicability(kind)
        if applicability is None:
            return None
        start = int(ctx.options["start"])
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
        after = plan_runs(new_values, keys, str(ctx.options["scope"]), start)
        if after.breaks > plan.breaks - fixed:
            return None  # the renumbered run would break another run of the file
        if _referenced(ctx.doc, renamed):
            applicability = Applicability.DISPLAY
        return Fix(
            tuple(edits),
            applicability,
            ctx.message("fix_title", scope=plan.scope, start=start),
        )


class RunPlan(NamedTuple):
    """How one family of markers splits into runs (each numbered from ``start``)."""

    scope: str  # the scope that explains the numbering: "section" or "document"
    runs: list[list[int]]  # indexes into the family, in order
    breaks: int  # breaks left after every explanation


def run_breaks(values: Sequence[int], start: int) -> list[_Break]:
    """Breaks of one run: a first number other than ``start``, repeats and gaps (a run of
    repeats or a jump is one break, at its first number)."""
    out: list[_Break] = []
    for pos, value in enumerate(values):
        if pos == 0:
            if value != start:
                out.append((0, "bad-start"))
        elif value == values[pos - 1]:
            out.append((pos, "duplicate"))
        elif value != values[pos - 1] + 1:
            out.append((pos, "gap"))
    return out


def _split(
    values: Sequence[int], keys: Sequence[Hashable], scope: str, start: int, explain: bool
) -> list[list[int]]:
    """Runs under ``scope``; with ``explain``, a section boundary also follows the other
    scope where that fits the numbers: a section that continues the previous section's
    numbering stays in its run, one that starts again at ``start`` opens a new run."""
    runs: list[list[int]] = []
    for k, value in enumerate(values):
        if k == 0:
            runs.append([k])
            continue
        new_section = keys[k] != keys[k - 1]
        if not new_section:
            runs[-1].append(k)
            continue
        continues = value == values[k - 1] + 1
        restarts = value == start and not continues
        # Under section scope every section restarts unless it continues (explained);
        # under document scope none does unless it starts again at ``start`` (explained).
        split = not (explain and continues) if scope == "section" else explain and restarts
        if split:
            runs.append([k])
        else:
            runs[-1].append(k)
    return runs


def _count(values: Sequence[int], runs: Sequence[Sequence[int]], start: int) -> int:
    return sum(len(run_breaks([values[k] for k in run], start)) for run in runs)


def plan_runs(values: Sequence[int], keys: Sequence[Hashable], scope: str, start: int) -> RunPlan:
    """Split a family's numbers into runs under ``scope`` (``auto``: the scope with the
    fewest breaks, and a section boundary the other scope explains is no break)."""
    if scope in ("section", "document"):
        runs = _split(values, keys, scope, start, explain=False)
        return RunPlan(scope, runs, _count(values, runs, start))
    by_section = _count(values, _split(values, keys, "section", start, False), start)
    by_document = _count(values, _split(values, keys, "document", start, False), start)
    if by_document != by_section:
        chosen = "document" if by_document < by_section else "section"
    else:
        # A tie: sections that run on from the previous one (``1 2 3 | 4 5 | 7``) say
        # document; sections that start again, or no evidence (``1 2 3 | 5 6``), say
        # section, the reading that reports where the odd section starts.
        boundaries = [k for k in range(1, len(values)) if keys[k] != keys[k - 1]]
        runs_on = sum(1 for k in boundaries if values[k] == values[k - 1] + 1)
        starts_again = sum(1 for k in boundaries if values[k] == start)
        restarts = runs_on <= starts_again
        chosen = "section" if restarts else "document"
    runs = _split(values, keys, chosen, start, explain=True)
    return RunPlan(chosen, runs, _count(values, runs, start))


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
        group = groups.setdefault(STYLE_FAMILY.get(marker.style, marker.style), [])
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
    section = item.section
    key: tuple[int, int] = (-1 if section is None else section.block.index, -1)
    ranges = briefing.non_news_ranges
    if ranges:
        section_line = -1 if section is None else section.block.map[0]
        for r in ranges:
            if r.start > item.first_line:
                break
            if section_line < r.start < item.first_line < r.end:
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
    cached: bool | None = doc.__dict__.get("_bl003_prose_refs")
    if cached is None:
        cached = any(not doc.is_code(m.start()) for m in _PROSE_REF.finditer(doc.source))
        doc.__dict__["_bl003_prose_refs"] = cached
    return cached
