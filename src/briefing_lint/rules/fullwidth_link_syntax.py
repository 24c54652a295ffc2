"""BL008 fullwidth-link-syntax: ``[标题]（https://…）`` -> ``[标题](https://…)``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import parser
from ..diagnostics import Diagnostic, Edit, Span
from ..document import InlineBlock
from ..rule import Rule, RuleContext

_ASCII = {"［": "[", "］": "]", "（": "(", "）": ")"}
_MIDDLE = re.compile(r"[\]］][ \t]*[（(]")
_URL_START = re.compile(r"[ \t]*(?:https?://|www\.)", re.IGNORECASE)
_SINGLE_URL = re.compile(r"https?://\S+", re.IGNORECASE)


class FullwidthLinkSyntax(Rule):
    code = "BL008"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        source = ctx.doc.source
        if "（" not in source and "［" not in source and "）" not in source:
            return
        for block in ctx.doc.inline_blocks:
            content = block.content
            if "（" not in content and "［" not in content and "）" not in content:
                continue
            for m in _MIDDLE.finditer(content):
                diagnostic = self._candidate(ctx, block, m.start(), m.end() - 1)
                if diagnostic is not None:
                    yield diagnostic

    def _candidate(
        self, ctx: RuleContext, block: InlineBlock, close: int, paren: int
    ) -> Diagnostic | None:
        content = block.content
        if _URL_START.match(content, paren + 1) is None:
            return None
        end = _closing_paren(content, paren + 1)
        if end < 0:
            return None
        if (
            content[close] == "]"
            and content[paren] == "("
            and content[end] == ")"
            and content.find("［", 0, close) < 0
        ):
            return None  # an ASCII link (the usual case): no need to find its "["
        opening = _opening_bracket(content, close)
        if opening < 0:
            return None
        positions = (opening, close, paren, end)
        marks = "".join(content[p] for p in positions)
        if all(c in "[]()" for c in marks):
            return None  # ASCII only: a link markdown-it refused for another reason
        escaped = content[max(0, opening - 2) : opening - 1] == "\\"
        image = opening >= 1 and content[opening - 1] == "!" and not escaped
        if not _in_plain_text(block, positions, image):
            return None
        return self._report(ctx, block, positions, image)

    def _report(
        self,
        ctx: RuleContext,
        block: InlineBlock,
        positions: tuple[int, int, int, int],
        image: bool,
    ) -> Diagnostic:
        """The finding for a link written with full-width marks at ``positions`` (``[``,
        ``]``, ``(``, ``)``); fixed when its destination is one URL and the fixed text
        parses as a link."""
        content = block.content
        opening, close, paren, end = positions
        marks = "".join(content[p] for p in positions)
        inner = content[paren + 1 : end]
        chars = "brackets" if ("［" in marks or "］" in marks) else "parentheses"
        if chars == "brackets" and ("（" in marks or "）" in marks):
            chars = "brackets and parentheses"
        span = block.content_span(opening, end + 1)
        message = ctx.message("fullwidth", chars=chars)
        fix = None
        if ctx.fix_applicability() is not None and _SINGLE_URL.fullmatch(inner.strip(" \t")):
            fixed = "!" * image + "[" + content[opening + 1 : close] + "](" + inner + ")"
            if _parses_as_link(fixed):
                edits = _edits(block, opening, close, paren, end)
                fix = ctx.fix(edits, title=ctx.message("fix_title"))
        return ctx.report(span, message, fix=fix)


_PAREN_STOP = re.compile("[\n（）()]")


def _closing_paren(content: str, start: int) -> int:
    """Index of the ``)``/``）`` that ends the destination starting at ``start`` (-1: none)."""
    depth = 0
    stop = _PAREN_STOP.search(content, start)
    while stop is not None:
        c = stop.group()
        i = stop.start()
        if c == "\n" or c == "（":
            return -1
        if c == "）":
            return i
        if c == "(":
            depth += 1
        elif depth == 0:
            return i
        else:
            depth -= 1
        stop = _PAREN_STOP.search(content, i + 1)
    return -1


def _opening_bracket(content: str, close: int) -> int:
    """Index of the ``[``/``［`` matching the bracket at ``close`` (-1: none)."""
    depth = 0
    for i in range(close - 1, -1, -1):
        c = content[i]
        if c in "]］" and (i == 0 or content[i - 1] != "\\"):
            depth += 1
        elif c in "[［" and (i == 0 or content[i - 1] != "\\"):
            if depth == 0:
                return i
            depth -= 1
    return -1


def _in_plain_text(block: InlineBlock, positions: tuple[int, ...], image: bool) -> bool:
    """Every structural character sits in a text token (not code or HTML), outside links
    unless it is an image (``[![徽章]（https://…）](https://…)`` is a fine image once fixed)."""
    ranges = [
        block.recorded[i].meta["pos"]
        for i, _, in_link in block.text_children()
        if not in_link or image
    ]
    return all(any(a <= p < b for a, b in ranges) for p in positions)


def _parses_as_link(snippet: str) -> bool:
    """The fixed text is one link (or one image) and nothing else."""
    tokens = parser.markdown().parseInline(snippet, {})
    children = (tokens[0].children or []) if tokens else []
    if snippet.startswith("!"):
        return len(children) == 1 and children[0].type == "image"
    return (
        len(children) >= 2
        and children[0].type == "link_open"
        and children[-1].type == "link_close"
        and sum(1 for t in children if t.type == "link_open") == 1
    )


def _edits(block: InlineBlock, opening: int, close: int, paren: int, end: int) -> tuple[Edit, ...]:
    content = block.content
    edits: list[Edit] = []

    def replace(a: int, b: int, text: str) -> None:
        if content[a:b] != text:
            span: Span = block.content_span(a, b)
            edits.append(Edit(span, text))

    replace(opening, opening + 1, "[")
    replace(close, paren + 1, "](")
    replace(end, end + 1, ")")
    return tuple(edits)
