"""BL007 bare-url-boundary: ``详见https://x.org/a）。`` -> ``详见<https://x.org/a>）。``.

GitHub's extended autolinks (cmark-gfm, see :mod:`briefing_lint.autolink`) end only at
ASCII whitespace or ``<``, so CJK text and full-width punctuation glued to a bare URL become
part of the link. The rule finds where the URL was meant to end, the first CJK or
full-width character, and marks that end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..autolink import find_bare_urls, trim_autolink
from ..diagnostics import Diagnostic, Edit, Fix, Span
from ..document import TextNode
from ..rule import Rule, RuleContext

_CJK_TEXT = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
# CJK symbols and punctuation, full-width forms, vertical/compatibility forms, and the
# curly quotes, dashes and ellipsis that Chinese text uses as full-width punctuation.
_FULLWIDTH = (
    "\u3000-\u303f\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
    "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
)
_BOUNDARY = re.compile(f"[{_CJK_TEXT}{_FULLWIDTH}]")
_FULLWIDTH_CHAR = re.compile(f"[{_FULLWIDTH}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# CJK right after these may be a path segment or query value (``/wiki/数据库``, ``?q=中文``).
_SEPARATORS = "/=?#&:+"
# ``[text]（url）`` and friends belong to BL008.
_BL008_BEFORE = re.compile(r"[\]］][ \t]*[（(][ \t]*$")
_SCHEME = re.compile(r"^(?:(?:https?|ftp)://|www\.)", re.IGNORECASE)


class BareUrlBoundary(Rule):
    code = "BL007"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for block in ctx.doc.inline_blocks:
            content = block.token.content
            if not ("://" in content or "www." in content) or _NON_ASCII.search(content) is None:
                continue
            depth = 0
            for i, child in enumerate(block.children):
                if child.type == "link_open":
                    depth += 1
                elif child.type == "link_close":
                    depth -= 1
                elif child.type == "text" and depth == 0:
                    yield from self._check_text(ctx, TextNode(block, i, child.content, False))

    def _check_text(self, ctx: RuleContext, node: TextNode) -> Iterator[Diagnostic]:
        content = node.content
        if not ("://" in content or "www." in content) or _NON_ASCII.search(content) is None:
            return
        for start, end in find_bare_urls(content):
            url = content[start:end]
            if _BOUNDARY.search(url) is None or _BL008_BEFORE.search(content, 0, start):
                continue
            diagnostic = self._check_url(ctx, node, start, url)
            if diagnostic is not None:
                yield diagnostic

    def _check_url(
        self, ctx: RuleContext, node: TextNode, start: int, url: str
    ) -> Diagnostic | None:
        scheme = _SCHEME.match(url)
        if scheme is None:  # pragma: no cover - find_bare_urls only returns these
            return None
        m = _BOUNDARY.search(url, scheme.end())
        if m is None:
            return None
        cut = m.start()
        intended = trim_autolink(url[:cut])
        if len(intended) <= scheme.end():
            return None
        tail = url[cut:]
        span = node.substring_span(start, start + len(url))
        shown = tail if len(tail) <= 12 else tail[:11] + "…"
        before = url[cut - 1]
        if _FULLWIDTH_CHAR.match(url, cut) is None and before in _SEPARATORS:
            # CJK straight after a separator may belong to the URL; with no full-width
            # punctuation after it, it most likely does (``/wiki/数据库`` then a space).
            if _FULLWIDTH_CHAR.search(url, cut) is None:
                return None
            return ctx.report(
                span, ctx.message("ambiguous", tail=shown, before=before), kind="ambiguous"
            )
        message = ctx.message("glued", tail=shown)
        is_www = scheme.group(0).lower() == "www."
        style = str(ctx.options["style"])
        kind = "www" if is_www and style == "angle" else ""
        url_start = node.offset(start)
        url_end = node.offset(start + len(intended) - 1) + 1
        if style == "space" or is_www:
            edits: tuple[Edit, ...] = (Edit(Span(url_end, url_end), " "),)
            title = ctx.message("fix_space")
        else:
            if ctx.doc.source[url_start:url_end] != intended or ">" in intended:
                # Escapes or entities in the source would change meaning inside <…>.
                return ctx.report(span, message, kind=kind)
            edits = (Edit(Span(url_start, url_start), "<"), Edit(Span(url_end, url_end), ">"))
            title = ctx.message("fix_angle")
        applicability = ctx.fix_applicability(kind)
        fix = None if applicability is None else Fix(edits, applicability, title)
        return ctx.report(span, message, kind=kind, fix=fix)
