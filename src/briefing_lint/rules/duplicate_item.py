"""BL006 duplicate-item: the same story featured twice, in one file or across a run.

Items and primary links come from :mod:`briefing_lint.briefing`; links are compared by
:func:`~briefing_lint.briefing.canonical_link`. The cross-file half collects small picklable
facts per file (:meth:`DuplicateItem.facts`) and judges them together in
:meth:`DuplicateItem.check_run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..briefing import ItemSelector, canonical_link, items
from ..diagnostics import Diagnostic, Span
from ..rule import Rule, RuleContext
from ..safe_regex import compile_user_regex


@dataclass(frozen=True)
class ItemLink:
    """One item's primary link, as kept between the per-file and the run-wide passes."""

    key: str
    line: int  # 1-based
    start: int
    end: int


def _item_links(ctx: RuleContext) -> list[ItemLink]:
    options = ctx.options
    ignore = [compile_user_regex(str(p)) for p in options["ignore"]]
    out: list[ItemLink] = []
    for item in items(ctx.doc, ItemSelector.from_options(options)):
        link = item.link
        if link is None:
            continue
        key = canonical_link(link.href)
        if key is None or any(p.search(key) for p in ignore):
            continue
        span = link.span
        out.append(ItemLink(key, ctx.doc.position(span.start)[0], span.start, span.end))
    return out


class DuplicateItem(Rule):
    code = "BL006"
    cross_file = True

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        first: dict[str, ItemLink] = {}
        for entry in _item_links(ctx):
            earlier = first.get(entry.key)
            if earlier is None:
                first[entry.key] = entry
                continue
            yield ctx.report(
                Span(entry.start, entry.end),
                ctx.message("same_file", line=earlier.line),
                kind="same-file",
            )

    def facts(self, ctx: RuleContext) -> Any:
        """The first occurrence of each item link of the file (picklable)."""
        if not ctx.options["across_files"]:
            return None
        seen: dict[str, ItemLink] = {}
        for entry in _item_links(ctx):
            seen.setdefault(entry.key, entry)
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
        for occurrences in where.values():
            if len(occurrences) < 2:
                continue
            for path, entry in occurrences:
                others = [(p, e) for p, e in occurrences if p != path]
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
