"""BL007 bare-url-boundary: ``详见https://x.org/a）。`` -> ``详见<https://x.org/a>）。``.

GitHub's extended autolinks (cmark-gfm, see :mod:`briefing_lint.autolink`) end only at
ASCII whitespace or ``<``, so CJK text and full-width punctuation glued to a bare URL become
part of the link. The rule finds where the URL was meant to end, the first CJK or
full-width character, and marks that end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..autolink import (
    URL_SEPARATORS,
    find_bare_urls,
    first_boundary,
    is_fullwidth_punct,
    trim_autolink,
)
from ..diagnostics import Diagnostic, Edit, Span
from ..document import TextNode
from ..rule import Rule, RuleContext

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# ``[text]（url）`` and friends belong to BL008.
_BL008_BEFORE = re.compile(r"[\]］][ \t]*[（(][ \t]*$")
_SCHEME = re.compile(r"^(?:(?:https?|ftp)://|www\.)", re.IGNORECASE)


class BareUrlBoundary(Rule):
    code = "BL007"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        # The link index already found every bare URL outside link text: only the text
        # children holding one need a look.
        seen: set[tuple[int, int]] = set()
        for link in ctx.index.links:
            if link.kind != "bare" or link.block is None:
                continue
            key = (link.block.index, link.child)
            if key in seen:
                continue
            seen.add(key)
            child = link.block.children[link.child]
            yield from self._check_text(ctx, TextNode(link.block, link.child, child.content, False))

    def _check_text(self, ctx: RuleContext, node: TextNode) -> Iterator[Diagnostic]:
        content = node.content
        if not ("://" in content or "www." in content) or _NON_ASCII.search(content) is None:
            return
        for start, end in find_bare_urls(content):
            url = content[start:end]
            if first_boundary(url) < 0 or _BL008_BEFORE.search(content, 0, start):
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
        cut = first_boundary(url, scheme.end())
        if cut < 0:
            return None
        intended = trim_autolink(url[:cut])
        if len(intended) <= scheme.end():
            return None
        tail = url[cut:]
        span = node.substring_span(start, start + len(url))
        shown = tail if len(tail) <= 12 else tail[:11] + "…"
        before = url[cut - 1]
        if not is_fullwidth_punct(url[cut]) and before in URL_SEPARATORS:
            # CJK straight after a separator may belong to the URL; with no full-width
            # punctuation after it, it most likely does (``/wiki/数据库`` then a space).
            if not any(is_fullwidth_punct(c) for c in url[cut:]):
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
        fix = ctx.fix(edits, title=title, kind=kind)
        return ctx.report(span, message, kind=kind, fix=fix)
