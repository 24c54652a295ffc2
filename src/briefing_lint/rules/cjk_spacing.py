"""BL017 cjk-spacing: ``使用GPT-4o模型`` -> ``使用 GPT-4o 模型`` (or the other way round).

A boundary is a CJK character (Han, Hiragana, Katakana; never full-width punctuation) next
to an ASCII letter or digit inside one text node. Boundaries across inline markup
(``**粗体**GPT``, ``[链接](u)GPT``, `` `code`中文 ``) fall between two nodes and are never
seen, so the fix cannot break markup; code, HTML, link destinations and front matter are
not text nodes at all. Bare URLs, which GitHub extends over glued CJK text, and text that
only looks like one (``和www.example.com``) are skipped together with the boundaries touching
them: a space before ``www.`` would make a link of text that is not one, and one removed
would unmake it.

Each boundary is one finding with one insertion (or deletion) of an ASCII space, offered
only where the two characters are written as themselves in the source (no entity or
escape between them), so fixes never overlap and a second run finds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..autolink import find_bare_urls
from ..diagnostics import Diagnostic, Edit, Span
from ..document import TextNode
from ..rule import Rule, RuleContext

#: Han (with 々 and 〇), Hiragana, Katakana (without the middle dot ・): letters, not marks.
_CJK = (
    "\u3005\u3007\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_LATIN = "A-Za-z0-9"
_HAS_CJK = re.compile(f"[{_CJK}]")
_MISSING = re.compile(f"(?<=[{_CJK}])(?=[{_LATIN}])|(?<=[{_LATIN}])(?=[{_CJK}])")
_EXTRA = re.compile(f"(?<=[{_CJK}]) (?=[{_LATIN}])|(?<=[{_LATIN}]) (?=[{_CJK}])")
#: Text that looks like an address whether or not GitHub links it (``和www.example.com`` is
#: not a link; with a space before it, it is one).
_URL_LIKE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<]*", re.IGNORECASE)
#: A date reads as one word: ``2024年3月5日``, ``15号`` (numbers and units, no space inside).
_DATE = re.compile(r"(?<![A-Za-z0-9.])(?:[0-9]+[年月日号])+")


class CjkSpacing(Rule):
    code = "BL017"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        if _HAS_CJK.search(ctx.doc.source) is None:
            return
        space = ctx.options["style"] == "space"
        exceptions = tuple(ctx.options["exceptions"] or ())
        keep = tuple(ctx.options["keep"] or ())
        for node in ctx.index.text_nodes:
            text = node.content
            if text.isascii() or _HAS_CJK.search(text) is None or _is_autolink(node):
                continue
            guarded = _guarded(text, keep, dates=space)
            if space:
                for m in _MISSING.finditer(text):
                    at = m.start()
                    if at in guarded or text.startswith(exceptions, at):
                        continue
                    yield _report(ctx, node, at, at, "missing")
            else:
                for m in _EXTRA.finditer(text):
                    at = m.start()
                    if at in guarded or at + 1 in guarded:
                        continue
                    yield _report(ctx, node, at, at + 1, "extra")


def _is_autolink(node: TextNode) -> bool:
    children = node.block.children
    return node.in_link and node.child > 0 and children[node.child - 1].markup == "autolink"


def _guarded(text: str, keep: tuple[str, ...], *, dates: bool) -> set[int]:
    """Offsets of ``text`` where no boundary may be reported: inside or touching a bare URL,
    inside a ``keep`` name, between a number and its date unit (``dates``)."""
    out: set[int] = set()
    if "://" in text or "www." in text.lower():
        urls = find_bare_urls(text) + [m.span() for m in _URL_LIKE.finditer(text)]
        for a, b in urls:
            out.update(range(a, b + 1))
    for name in keep:
        start = text.find(name)
        while start >= 0:
            out.update(range(start + 1, start + len(name)))
            start = text.find(name, start + 1)
    if dates:
        for m in _DATE.finditer(text):
            out.update(range(m.start() + 1, m.end()))
    return out


def _report(ctx: RuleContext, node: TextNode, start: int, end: int, kind: str) -> Diagnostic:
    """A finding at the boundary between ``content[start - 1]`` and ``content[end]``."""
    text = node.content
    left, right = text[start - 1], text[end]
    # The two characters and what lies between them, exactly as written in the source.
    span = node.substring_span(start - 1, end + 1)
    fix = None
    if ctx.doc.source[span.start : span.end] == text[start - 1 : end + 1]:
        where = Span(span.start + 1, span.end - 1)
        new = " " if kind == "missing" else ""
        fix = ctx.fix([Edit(where, new)], title=ctx.message(f"fix_{kind}"))
    message = ctx.message(kind, left=left, right=right)
    return ctx.report(span, message, kind=kind, fix=fix)
