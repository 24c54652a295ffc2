"""BL015 too-deep: content below the parser's nesting limit is reported as not checked.

markdown-it stops tokenizing inside a container once the nesting level reaches
``parser.MAX_NESTING``; the container's lines then have no tokens, so no rule sees them.
Such a container is an open token at the last level whose close follows at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import parser
from ..diagnostics import Diagnostic, Span
from ..rule import Rule, RuleContext

#: What may stand on a skipped line without there being content to check.
_MARKERS = " \t>-*+0123456789.)"


class TooDeep(Rule):
    code = "BL015"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        tokens = ctx.doc.tokens
        limit = parser.MAX_NESTING
        ranges: list[tuple[int, int]] = []
        # Only containers at the limit can have been cut off: rare, so find them first.
        deep = [i for i, token in enumerate(tokens) if token.level >= limit - 1]
        for i in deep:
            token = tokens[i]
            if i + 1 >= len(tokens) or token.nesting != 1 or token.map is None:
                continue
            if tokens[i + 1].nesting != -1:
                continue  # something was parsed inside: not cut off
            lo, hi = token.map
            hi = min(hi, ctx.doc.line_count)
            if not any(ctx.doc.line_text(n).strip(_MARKERS) for n in range(lo, hi)):
                continue  # an empty container: nothing was skipped
            if ranges and lo <= ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], max(hi, ranges[-1][1]))
            else:
                ranges.append((lo, hi))
        for lo, hi in ranges:
            span = Span(ctx.doc.line_start(lo), ctx.doc.line_end(hi - 1))
            yield ctx.report(span, ctx.message("too_deep", limit=limit))
