"""BL006 duplicate-item: the same story featured twice, in one file or across a run.

Items and primary links come from :mod:`briefing_lint.briefing`; links are compared by
:func:`~briefing_lint.briefing.canonical_link`. The cross-file half collects small picklable
facts per file (:meth:`DuplicateItem.facts`) and judges them together in
:meth:`DuplicateItem.check_run`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from ..briefing import (
    Item,
    ItemSelector,
    canonical_link,
    first_line_span,
    items,
    plain_text,
)
from ..diagnostics import Diagnostic, Span
from ..rule import Rule, RuleContext
from ..safe_regex import compile_user_regex

#: A title that starts with a date is a calendar entry: a weekly meeting keeps its link.
_CALENDAR = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[/.月]\s*\d{1,2}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b)",
    re.IGNORECASE,
)


class ItemLink(NamedTuple):
    """One item's primary link, as kept between the per-file and the run-wide passes.

    A tuple, not a frozen dataclass: a file holds one per item and they are cheap to make.
    """

    key: str
    line: int  # 1-based
    start: int
    end: int
    rubric: str = ""  # the item's section, normalised ("工具", "new rfcs")


def _item_links(ctx: RuleContext) -> list[tuple[str, Item]]:
    """(canonical key, item) for every item with a comparable primary link.

    ``check`` and ``facts`` both need the list: it is computed once per document and
    option values (cached on the document, dropped with everything else by ``release``).
    """
    options = ctx.options
    patterns = tuple(str(p) for p in options["ignore"])
    cache: dict[tuple[ItemSelector, tuple[str, ...]], list[tuple[str, Item]]]
    cache = ctx.doc.__dict__.setdefault(_CACHE_ATTR, {})
    cache_key = (ItemSelector.from_options(options), patterns)
    found = cache.get(cache_key)
    if found is not None:
        return found
    ignore = [compile_user_regex(p) for p in patterns]
    out: list[tuple[str, Item]] = []
    calendar = _CALENDAR.match
    for item in items(ctx.doc, cache_key[0]):
        link = item.link
        if link is None or calendar(item.title):
            continue
        key = canonical_link(link.href)
        if key is None or (ignore and any(p.search(key) for p in ignore)):
            continue
        out.append((key, item))
    cache[cache_key] = out
    return out


_CACHE_ATTR = "_bl006_item_links"
_RUBRIC_DROP = re.compile(r"[\W\d_]+", re.UNICODE)


def rubric(item: Item) -> str:
    """The item's section title reduced to its words: ``## 3、工具`` -> ``工具``."""
    if item.section is None:
        return ""
    return _RUBRIC_DROP.sub("", plain_text(item.section.block.children)).casefold()


def _line_span(item: Item) -> Span:
    """The line holding the item's primary link (cheap: no inline re-tokenizing)."""
    link = item.link
    block = link.block if link is not None and link.block is not None else item.block
    if block is None or block is item.block:
        return item.title_span
    return first_line_span(block)


class DuplicateItem(Rule):
    code = "BL006"
    cross_file = True

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        first: dict[str, Item] = {}
        for key, item in _item_links(ctx):
            earlier = first.get(key)
            if earlier is None:
                first[key] = item
                continue
            assert item.link is not None and earlier.link is not None
            line = ctx.doc.line_of(earlier.link.span.start) + 1
            yield ctx.report(item.link.span, ctx.message("same_file", line=line), kind="same-file")

    def facts(self, ctx: RuleContext) -> Any:
        """The first occurrence of each item link of the file (picklable)."""
        if not ctx.options["across_files"]:
            return None
        seen: dict[str, ItemLink] = {}
        rubrics: dict[int, str] = {}  # by section heading: many items share one
        line_of = ctx.doc.line_of
        for key, item in _item_links(ctx):
            if key in seen:
                continue
            link = item.link
            block = link.block if link is not None and link.block is not None else item.block
            found = block.one_line_range() if block is not None else None
            if found is None:
                span = _line_span(item)
                found = (line_of(span.start), span.start, span.end)
            section = item.section
            name = rubrics.get(id(section))
            if name is None:
                name = rubrics[id(section)] = rubric(item)
            seen[key] = ItemLink(key, found[0] + 1, found[1], found[2], name)
        return tuple(seen.values())

    def check_run(
        self, facts: Mapping[str, Any], options: Mapping[str, Any]
    ) -> Iterable[tuple[str, Diagnostic]]:
        """A warning in every file whose item link also appears in another file of the run."""
        if not options.get("across_files", True):
            return []
        where: dict[str, list[tuple[str, ItemLink]]] = {}
        for path in sorted(facts):
            for entry in facts[path] or ():
                where.setdefault(entry.key, []).append((path, entry))
        meta = self.meta()
        severity = meta.kinds.get("cross-file", meta.severity)
        out: list[tuple[str, Diagnostic]] = []
        recurring = int(options.get("recurring_files", 3))
        same_rubric = options.get("cross_file_sections", "same") == "same"
        for occurrences in where.values():
            if len(occurrences) < 2 or (recurring and len(occurrences) >= recurring):
                continue
            for path, entry in occurrences:
                others = [
                    (p, e)
                    for p, e in occurrences
                    if p != path
                    and (
                        not same_rubric
                        or not e.rubric
                        or not entry.rubric
                        or e.rubric == entry.rubric
                    )
                ]
                if not others:
                    continue
                other_path, other = others[0]
                more = meta.message("others", count=len(others) - 1) if len(others) > 1 else ""
                diagnostic = Diagnostic(
                    code=meta.code,
                    name=meta.name,
                    span=Span(entry.start, entry.end),
                    message=meta.message(
                        "cross_file", path=other_path, line=other.line, others=more
                    ),
                    severity=severity,
                    kind="cross-file",
                    data={"other_path": other_path, "other_line": other.line},
                )
                out.append((path, diagnostic))
        out.sort(key=lambda pd: (pd[0], pd[1].span.start))
        return out
