"""XY001 repeated-exclamation: ``!!`` (or more) in prose becomes one ``!``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from briefing_lint.diagnostics import Diagnostic, Edit
from briefing_lint.rule import Rule, RuleContext

_REPEATED = re.compile(r"!{2,}|！{2,}")


class RepeatedExclamation(Rule):
    code = "XY001"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        source = ctx.doc.source
        limit = int(ctx.options["max_marks"])
        for node in ctx.index.text_nodes:
            for m in _REPEATED.finditer(node.content):
                if len(m.group()) <= limit:
                    continue
                span = node.substring_span(m.start(), m.end())
                fix = None
                if source[span.start : span.end] == m.group():  # no escapes in between
                    edits = [Edit(span, m.group()[0])]
                    fix = ctx.fix(edits, title=ctx.message("fix_title"))
                yield ctx.report(span, ctx.message("repeated", count=len(m.group())), fix=fix)
