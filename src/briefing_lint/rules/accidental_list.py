"""BL009 accidental-list: ``2024. 年度回顾`` is an ``<ol start="2024">``, not a paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.token import Token

from ..diagnostics import Diagnostic, Edit, Fix, Span
from ..document import Document, InlineBlock
from ..rule import Rule, RuleContext

#: From here on a list start is never a continuation worth exempting.
_ALWAYS = 1000
_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$")
_BLANKISH = re.compile(r"^[ \t>]*$")


@dataclass
class _Item:
    index: int
    open: Token
    single_paragraph: bool
    marker: Span | None


class AccidentalList(Rule):
    code = "BL009"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        tokens = ctx.doc.tokens
        if not any(t.type == "ordered_list_open" for t in tokens):
            return
        minimum = int(ctx.options["min_number"])
        blocks = {b.index: b for b in ctx.doc.inline_blocks}
        ended: set[int] = set()  # last numbers of the ordered lists seen so far
        for i, token in enumerate(tokens):
            if token.type != "ordered_list_open":
                continue
            start = int(token.attrs.get("start", 1) or 1)
            items, close = _items(tokens, i)
            continues = (start - 1) in ended
            ended.add(start + len(items) - 1)
            if start < max(minimum, 2) or (continues and start < _ALWAYS):
                continue
            for item in items:
                item.marker = _marker_span(ctx.doc, tokens, item, blocks)
            first = items[0]
            if first.marker is None:
                continue
            marker = ctx.doc.source[first.marker.start : first.marker.end]
            number, punct = marker[:-1], marker[-1]
            message = ctx.message(
                "accidental",
                marker=marker,
                number=start,
                hint=ctx.message("year_hint") if 1900 <= start <= 2100 else "",
                escaped=f"{number}\\{punct}",
            )
            fix = None
            applicability = ctx.fix_applicability()
            if applicability is not None and _fixable(ctx.doc, tokens, i, close, items):
                edits = tuple(
                    Edit(Span(it.marker.end - 1, it.marker.end - 1), "\\")
                    for it in items
                    if it.marker is not None
                )
                fix = Fix(edits, applicability, ctx.message("fix_title"))
            yield ctx.report(first.marker, message, fix=fix, data={"start": start})


def _items(tokens: list[Token], i: int) -> tuple[list[_Item], int]:
    """The items of the list opened at ``tokens[i]`` and the index of its close token."""
    level = tokens[i].level
    items: list[_Item] = []
    j = i + 1
    while j < len(tokens) and not (
        tokens[j].type == "ordered_list_close" and tokens[j].level == level
    ):
        t = tokens[j]
        if t.type == "list_item_open" and t.level == level + 1:
            k = j + 1
            children = []
            while not (tokens[k].type == "list_item_close" and tokens[k].level == t.level):
                if tokens[k].level == t.level + 1 and tokens[k].nesting >= 0:
                    children.append(tokens[k].type)
                k += 1
            items.append(_Item(j, t, children == ["paragraph_open"], None))
            j = k
        j += 1
    return items, j


def _marker_span(
    doc: Document, tokens: list[Token], item: _Item, blocks: dict[int, InlineBlock]
) -> Span | None:
    """Source span of ``2024.`` in the item's first line, found just before its text."""
    index = item.index
    nxt = tokens[index + 1] if index + 1 < len(tokens) else None
    marker = f"{item.open.info}{item.open.markup}"
    if nxt is None or nxt.type != "paragraph_open" or index + 2 not in blocks:
        return None
    block = blocks[index + 2]
    content_start = block.span.start
    line = doc.line_of(content_start)
    head = doc.source[doc.line_start(line) : content_start]
    k = head.rfind(marker)
    if k < 0 or head[k + len(marker) :].strip(" \t"):
        return None
    start = doc.line_start(line) + k
    return Span(start, start + len(marker))


def _fixable(doc: Document, tokens: list[Token], i: int, close: int, items: list[_Item]) -> bool:
    """Escaping gives the same paragraphs without the list (no merging, no new heading)."""
    if not all(it.single_paragraph and it.marker is not None for it in items):
        return False
    for item in items[1:]:
        line = (item.open.map or (0, 0))[0]
        if line == 0 or not _BLANKISH.match(doc.line_text(line - 1)):
            return False  # escaped, it would continue the previous item's paragraph
    first_line = (tokens[i].map or (0, 0))[0]
    after_paragraph = i > 0 and tokens[i - 1].type == "paragraph_close"
    if after_paragraph and (first_line == 0 or not _BLANKISH.match(doc.line_text(first_line - 1))):
        return False  # the escaped line would continue that paragraph
    last = next(t for t in reversed(tokens[i:close]) if t.type == "paragraph_open")
    after = (last.map or (0, 0))[1]
    return not (after < doc.line_count and _UNDERLINE.match(doc.line_text(after)))
