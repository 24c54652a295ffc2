"""BL014 unused-suppression: suppression comments that suppress nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..diagnostics import Diagnostic, Edit, Fix, Span
from ..online import results as online_results
from ..online.results import ONLINE_ONLY
from ..rule import Directive, Rule, RuleContext


class UnusedSuppression(Rule):
    """Judged after every other rule ran and suppressions were applied (see linter)."""

    code = "BL014"
    after_suppressions = True

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())

    def judge(
        self, ctx: RuleContext, directives: Iterable[Directive], selected: set[str]
    ) -> Iterator[Diagnostic]:
        defaults = ctx.default_codes
        for d in directives:
            if d.action == "configure-file":
                continue
            codes = "" if d.codes is None else " " + " ".join(sorted(d.codes))
            if d.bad:
                yield ctx.report(
                    d.span, ctx.message("unknown", names=", ".join(d.bad)), kind="unknown-rule"
                )
                continue
            if d.used:
                continue
            judged = defaults <= selected if d.codes is None else d.codes <= selected
            if not judged or self.code in (d.codes or ()):
                continue
            if d.codes and d.codes & ONLINE_ONLY and online_results.current() is None:
                continue  # only an online run can tell whether it is used
            fix = self._removal(ctx, d)
            if d.action == "enable":
                yield ctx.report(
                    d.span, ctx.message("stray", codes=codes), kind="stray-enable", fix=fix
                )
            else:
                yield ctx.report(
                    d.span,
                    ctx.message("unused", action=d.action, codes=codes),
                    kind="unused",
                    fix=fix,
                )

    def _removal(self, ctx: RuleContext, d: Directive) -> Fix | None:
        """The least edit that removes the comment without merging its neighbours.

        A comment line between two paragraphs keeps them apart; dropping the line would
        join them, so then the line is emptied instead. When neither keeps the other blocks
        as they were (a comment between two lists), there is no fix.
        """
        if ctx.fix_applicability("unused") is None:
            return None
        doc = ctx.doc
        first, last = doc.line_of(d.span.start), doc.line_of(d.span.end)
        before = doc.source[doc.line_start(first) : d.span.start]
        after = doc.source[d.span.end : doc.line_end(last)]
        candidates: list[tuple[Span, str]] = []
        if not before.strip(" \t>") and not after.strip():
            # The comment is its own line (perhaps inside a blockquote).
            end = doc.line_start(last + 1) if last + 1 < doc.line_count else doc.line_end(last)
            start = doc.line_start(first)
            if last + 1 >= doc.line_count and first > 0:
                start = doc.line_end(first - 1)  # no line after: take the break before
            candidates.append((Span(start, end), ""))
            candidates.append((Span(doc.line_start(first), doc.line_end(last)), ""))
        else:
            start = d.span.start
            while start > doc.line_start(first) and doc.source[start - 1] in " \t":
                start -= 1
            candidates.append((Span(start, d.span.end), ""))
        title = ctx.message("fix_title")
        for span, replacement in candidates:
            fix = ctx.fix([Edit(span, replacement)], title=title, kind="unused")
            if fix is not None and ctx.keeps_structure(fix, d.span):
                return fix
        return None
