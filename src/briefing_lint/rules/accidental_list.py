"""BL009 accidental-list: ``2024. 年度回顾`` is an ``<ol start="2024">``, not a paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.token import Token

from .. import parser
from ..diagnostics import Diagnostic, Edit, Span
from ..document import Document
from ..edits import apply_edits
from ..rule import Rule, RuleContext

#: From here on a list start is never a continuation worth exempting.
_ALWAYS = 1000
_BLANKISH = re.compile(r"^[ \t>]*$")
# What may stand before a list marker on its line: blockquote markers and outer list markers.
_PREFIX = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)*$")


@dataclass
class _Item:
    open: Token
    first_line: int
    end_line: int  # one past the last non-blank line
    marker: Span | None = None


class AccidentalList(Rule):
    code = "BL009"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        tokens = ctx.doc.tokens
        if not any(t.type == "ordered_list_open" for t in tokens):
            return
        minimum = max(int(ctx.options["min_number"]), 2)
        ended: set[int] = set()  # last numbers of the ordered lists seen so far
        for i, token in enumerate(tokens):
            if token.type != "ordered_list_open":
                continue
            start = int(token.attrs.get("start", 1) or 1)
            items = _items(ctx.doc, tokens, i)
            if not items:  # pragma: no cover - a list has at least one item
                continue
            continues = (start - 1) in ended
            ended.add(start + len(items) - 1)
            if start >= minimum and not (continues and start < _ALWAYS):
                yield from self._report(ctx, items, items, fixable=True)
                continue
            # A big number written inside a list (``4.`` … ``2020. 11. 02``) joins it too.
            for k in range(1, len(items)):
                number = _number(items[k])
                if number >= minimum and number != _number(items[k - 1]) + 1:
                    # Escaping it would split the list; the guard refuses that (see the
                    # engine request in the issue notes), so this one is reported only.
                    yield from self._report(ctx, items, [items[k]], fixable=False)

    def _report(
        self,
        ctx: RuleContext,
        items: list[_Item],
        escape: list[_Item],
        *,
        fixable: bool,
    ) -> Iterator[Diagnostic]:
        """One diagnostic at the first of ``escape``, whose fix escapes all of them."""
        for item in escape:
            item.marker = _marker_span(ctx.doc, item)
        first = escape[0]
        if first.marker is None:  # pragma: no cover - markdown-it found it there
            return
        marker = ctx.doc.source[first.marker.start : first.marker.end]
        number, punct = marker[:-1], marker[-1]
        values = {
            "marker": marker,
            "number": int(number),
            "hint": ctx.message("year_hint") if 1900 <= int(number) <= 2100 else "",
            "escaped": f"{number}\\{punct}",
        }
        if first is items[0]:
            message = ctx.message("accidental", **values)
        else:
            previous = items[items.index(first) - 1].open
            message = ctx.message("in_list", previous=previous.info + previous.markup, **values)
        fix = None
        edits = tuple(
            Edit(Span(it.marker.end - 1, it.marker.end - 1), "\\")
            for it in escape
            if it.marker is not None
        )
        if fixable and _fixable(ctx.doc, escape, edits):
            fix = ctx.fix(edits, title=ctx.message("fix_title"))
        yield ctx.report(first.marker, message, fix=fix, data={"number": int(number)})


def _number(item: _Item) -> int:
    return int(item.open.info or 0)


def _items(doc: Document, tokens: list[Token], i: int) -> list[_Item]:
    """The items of the ordered list opened at ``tokens[i]``."""
    level = tokens[i].level
    items: list[_Item] = []
    j = i + 1
    while j < len(tokens) and not (
        tokens[j].type == "ordered_list_close" and tokens[j].level == level
    ):
        t = tokens[j]
        if t.type == "list_item_open" and t.level == level + 1:
            k = j + 1
            while not (tokens[k].type == "list_item_close" and tokens[k].level == t.level):
                k += 1
            first, end = t.map or (0, 1)
            while end - 1 > first and _BLANKISH.match(doc.line_text(end - 1)):
                end -= 1
            items.append(_Item(t, first, end))
            j = k
        j += 1
    return items


def _marker_span(doc: Document, item: _Item) -> Span | None:
    """Source span of ``2024.`` on the item's first line (after container markers only)."""
    marker = f"{item.open.info}{item.open.markup}"
    text = doc.line_text(item.first_line)
    k = text.find(marker)
    while k >= 0:
        after = text[k + len(marker) : k + len(marker) + 1]
        if after in ("", " ", "\t") and _PREFIX.match(text[:k]):
            start = doc.line_start(item.first_line) + k
            return Span(start, start + len(marker))
        k = text.find(marker, k + 1)
    return None


def _fixable(doc: Document, items: list[_Item], edits: tuple[Edit, ...]) -> bool:
    """Escaping turns each item into exactly one paragraph over the item's own lines.

    Checked by parsing the escaped text: an escaped line must not continue a paragraph
    before it, swallow the line after it (``2)`` cannot interrupt a paragraph) or gain a
    setext underline, and code or HTML blocks inside an item must stay what they are.
    """
    if any(item.marker is None for item in items):
        return False
    fixed = apply_edits(doc.source, edits)
    tokens, _ = parser.parse(fixed.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = {tuple(t.map) for t in tokens if t.type == "paragraph_open" and t.map}
    if not all((item.first_line, item.end_line) in paragraphs for item in items):
        return False
    return _verbatim(tokens) == _verbatim(doc.tokens)  # e.g. code indented after ``1.``


def _verbatim(tokens: list[Token]) -> list[tuple[str, str]]:
    return [(t.type, t.content) for t in tokens if t.type in ("fence", "code_block", "html_block")]
