"""BL005 stated-count: "本期共收录 N 条资讯" must match the items the briefing has.

Counts come from :mod:`briefing_lint.briefing`, so this rule counts exactly the items the
other item rules see.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from ..briefing import (
    NUMBER,
    Briefing,
    Item,
    ItemSelector,
    int_to_cn,
    items_for,
    parse_count,
)
from ..diagnostics import Diagnostic, Edit, Fix, Span
from ..document import Document, InlineBlock
from ..rule import Rule, RuleContext
from ..safe_regex import compile_user_regex

_UNIT = "条|个|篇|款|项|则|份|部|本|家|位|种|期"
#: Cheap test before a block is searched: a count needs a digit or a Chinese numeral.
_HAS_COUNT = re.compile(r"[0-9零〇一二两三四五六七八九十百]")
#: A further part of a claim: "、3 个项目", "和 1 个工具".
_MORE = re.compile(
    rf"\s*(?:、|，|,|和|及|以及|与|还有|外加|加上|\+|＋|/)\s*(?P<count>{NUMBER})\s*"
    rf"(?P<unit>{_UNIT})(?P<kind>[A-Za-z0-9\u4e00-\u9fff]{{0,8}})"
)
#: Where a kind word ends: "项目和" -> "项目", "项目希望对你有帮助" -> "项目".
_KIND_END = re.compile(r"和|及|与|以及|等|希望|欢迎|供|给|请|，|,")
_MODIFIERS = ("相关", "精选", "最新", "热门", "优质", "重要", "有趣", "有用", "开源")


@dataclass
class _Part:
    count: int
    digits: str
    unit: str
    kind: str  # what is counted, modifiers dropped ("新闻" of "相关新闻")
    written: str  # the kind as written
    span: Span  # the whole part (number, unit, kind)
    digits_span: Span


class _Text:
    """The text children of one block joined, with a way back to source offsets."""

    def __init__(self, block: InlineBlock, text: str) -> None:
        self.block = block
        self.text = text  # from :func:`_joined`

    @cached_property
    def owners(self) -> list[tuple[int, int, int]]:
        """(joined start, child, len) of every text child: needed only for a claim found."""
        owners: list[tuple[int, int, int]] = []
        pos = 0
        for i, token in enumerate(self.block.children):
            if token.type == "text":
                owners.append((pos, i, len(token.content)))
                pos += len(token.content)
            elif token.type in _JOINED:
                pos += 1
        return owners

    def offset(self, at: int) -> int | None:
        for start, child, length in self.owners:
            if start <= at < start + length:
                return self.block.text_offset(child, at - start)
        return None

    def span(self, start: int, end: int) -> Span | None:
        a = self.offset(start)
        b = self.offset(end - 1)
        if a is None or b is None:
            return None
        return Span(a, b + 1)


def _joined(block: InlineBlock) -> str:
    """The text children of ``block`` joined (code, images and hard breaks as ``\x00``)."""
    children = block.children
    if len(children) == 1 and children[0].type == "text":
        return str(children[0].content)
    return "".join(
        [
            token.content if token.type == "text" else "\x00"
            for token in children
            if token.type in _JOINED
        ]
    )


#: Children that take part in the joined text (code, images and hard breaks as ``\x00``).
_JOINED = frozenset({"text", "code_inline", "image", "hardbreak"})


def _clean_kind(kind: str) -> str:
    m = _KIND_END.search(kind)
    if m is not None:
        kind = kind[: m.start()]
    for modifier in _MODIFIERS:
        if kind.startswith(modifier) and len(kind) > len(modifier):
            kind = kind[len(modifier) :]
    return kind


#: Units that count texts by themselves: "共 3 篇。" needs no noun after it.
_SELF_COUNTING = frozenset("篇条则")
#: How far into the kind its counting word may start ("相关新闻", "好用的工具").
_KIND_LEAD = 4


def _counts_items(match: re.Match[str], words: re.Pattern[str] | None) -> bool:
    """A unit followed by a word that names items ("条新闻", "个开源项目"), or a unit that
    counts texts alone at the end of a phrase ("共 3 篇。"); not "一个小彩蛋", "一个问题".

    Patterns without a ``unit`` group say what they count themselves.
    """
    if words is None or "unit" not in match.re.groupindex or match.group("unit") is None:
        return True
    kind = _cut(match.group("kind") or "") if "kind" in match.re.groupindex else ""
    if not kind:
        return match.group("unit") in _SELF_COUNTING
    if match.group("unit") == "部" and kind.startswith("分"):
        return False  # "3 部分内容": three parts, not three items
    found = words.search(kind)
    return found is not None and found.start() <= _KIND_LEAD


def _parts(
    text: _Text, pattern: re.Pattern[str], words: re.Pattern[str] | None = None
) -> Iterator[list[_Part]]:
    """Each claim the pattern finds, as its parts (a part that counts no items ends it)."""
    for m in pattern.finditer(text.text):
        if "count" not in pattern.groupindex or m.group("count") is None:
            continue
        parts: list[_Part] = []
        match: re.Match[str] | None = m
        start = m.start("count")
        while match is not None:
            count = parse_count(match.group("count"))
            if count is None or not _counts_items(match, words):
                break
            raw_kind = match.group("kind") if "kind" in match.re.groupindex else None
            kind = _clean_kind(raw_kind or "")
            unit = (match.group("unit") if "unit" in match.re.groupindex else "") or ""
            end = match.end()
            if raw_kind is not None:
                end = match.start("kind") + len(_cut(raw_kind))
            span = text.span(start, end)
            digits_span = text.span(match.start("count"), match.end("count"))
            if span is None or digits_span is None:
                break
            written = _cut(raw_kind or "")
            parts.append(_Part(count, match.group("count"), unit, kind, written, span, digits_span))
            match = _MORE.match(text.text, end)
            if match is not None:
                start = match.start("count")
        if len(parts) == 1 and parts[0].count == 1:
            continue  # "推荐一个工具": one item is a remark, not a count of the issue
        if parts:
            yield parts


@functools.lru_cache(maxsize=16)
def _count_words(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def _phrase(part: _Part) -> str:
    """How a claim part is quoted back: ``5 条新闻``, ``三篇文章``."""
    rest = f"{part.unit}{part.written}"
    if not rest:
        return part.digits
    return f"{part.digits} {rest}" if part.digits.isdigit() else part.digits + rest


def _cut(kind: str) -> str:
    m = _KIND_END.search(kind)
    return kind if m is None else kind[: m.start()]


def _news_sections(briefing: Briefing) -> frozenset[int]:
    """Headings (ids of their blocks) of sections that hold some items but not all of them.

    Text under such a heading speaks of that section; the intro is under the title (a
    heading around every item) or under a heading with no items (``## 唠两句``).
    """
    holding: dict[int, int] = {}
    for item in briefing.items:
        for heading in item.sections:
            key = id(heading.block)
            holding[key] = holding.get(key, 0) + 1
    total = len(briefing.items)
    return frozenset(key for key, n in holding.items() if n < total)


class StatedCount(Rule):
    code = "BL005"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        options = ctx.options
        briefing = items_for(ctx.doc, options)
        if not briefing.items:
            return
        selector = ItemSelector.from_options(options)
        kinds = ctx.doc.analysis(("BL005.kinds", selector), lambda doc: _Kinds(doc, briefing))
        patterns = [compile_user_regex(str(p)) for p in options["patterns"]]
        words = _count_words(tuple(str(w) for w in options["count_words"]))
        intro_only = bool(options["intro_only"])
        limit = briefing.items[0].first_line if intro_only else ctx.doc.line_count
        news_sections = _news_sections(briefing) if intro_only else frozenset()
        seen: set[Span] = set()
        has_count = _HAS_COUNT.search
        under: int = -1  # id of the block of the nearest heading above
        for block in ctx.doc.inline_blocks:
            if block.map[0] >= limit:
                break
            if block.kind == "heading":
                under = id(block)
                continue
            if under in news_sections:
                continue  # "this week we have 2 articles about :has" under `## React`
            if block.kind == "table_cell" or not has_count(block.token.content):
                continue
            joined = _joined(block)
            found = [p for p in patterns if p.search(joined)]
            if not found:
                continue  # the usual case: no claim at all, no generator per pattern
            text = _Text(block, joined)
            for pattern in found:
                for parts in _parts(text, pattern, words):
                    if parts[0].span in seen:
                        continue
                    seen.add(parts[0].span)
                    yield from self._judge(ctx, kinds, parts)

    def _judge(
        self, ctx: RuleContext, kinds: _Kinds, parts: Sequence[_Part]
    ) -> Iterator[Diagnostic]:
        briefing = kinds.briefing
        matched: list[tuple[_Part, list[Item], list[str]] | None] = []
        for part in parts:
            found = kinds.by_kind(part.kind)
            matched.append(None if found is None else (part, found[0], found[1]))
        if all(m is None for m in matched):
            total = sum(p.count for p in parts)
            found_n = len(briefing.items)
            if total != found_n:
                first, last = parts[0], parts[-1]
                if len(parts) > 1:
                    claim = f"{total} ({'、'.join(_phrase(p) for p in parts)})"
                else:
                    claim = _phrase(first)
                span = Span(first.span.start, last.span.end)
                fix = self._fix(ctx, first, found_n) if len(parts) == 1 else None
                yield ctx.report(
                    span,
                    ctx.message("mismatch", claim=claim, where=ctx.message("whole"), found=found_n),
                    kind="mismatch",
                    fix=fix,
                )
            return
        for entry in matched:
            if entry is None:
                continue
            part, counted, headings = entry
            if part.count == len(counted):
                continue
            key = "section" if len(headings) == 1 else "sections"
            where = ctx.message(key, section="”、“".join(headings))
            yield ctx.report(
                part.span,
                ctx.message("mismatch", claim=_phrase(part), where=where, found=len(counted)),
                kind="mismatch",
                fix=self._fix(ctx, part, len(counted)),
            )

    def _fix(self, ctx: RuleContext, part: _Part, found: int) -> Fix | None:
        if ctx.options["prefer"] != "items":
            return None
        text = str(found) if part.digits.isdigit() else int_to_cn(found)
        title = ctx.message("fix_title", found=found)
        return ctx.fix([Edit(part.digits_span, text)], title=title, kind="mismatch")


class _Kinds:
    """What BL005 matches claims against, built once per document and item selection:
    the headings above the items with their texts, and the answer for each kind word
    already asked about (a file states the same few kinds again and again), so the cost
    grows with the file, not with claims times items."""

    def __init__(self, doc: Document, briefing: Briefing) -> None:
        self.briefing = briefing
        item_headings = {id(it.heading) for it in briefing.items if it.heading is not None}
        depth = min((it.level for it in briefing.items if it.level), default=99)
        self.texts = [
            (h, h.text) for h in doc.headings if id(h) not in item_headings and h.level < depth
        ]
        self._found: dict[str, tuple[list[Item], list[str]] | None] = {}

    def by_kind(self, kind: str) -> tuple[list[Item], list[str]] | None:
        """Items under the headings that name ``kind`` (longest matching tail of the kind
        word). None when no heading of the file mentions the kind: the claim is about the
        whole file."""
        if kind not in self._found:
            self._found[kind] = self._match(kind) if len(kind) >= 2 else None
        return self._found[kind]

    def _match(self, kind: str) -> tuple[list[Item], list[str]] | None:
        for length in range(len(kind), 1, -1):
            noun = kind[-length:]
            named = [h for h, text in self.texts if noun in text]
            if not named:
                continue
            ids = {id(h) for h in named}
            counted = [
                it for it in self.briefing.items if any(id(s) in ids for s in it.sections)
            ]
            names: list[str] = []
            for it in counted:
                for s in it.sections:
                    if id(s) in ids and s.text.strip() not in names:
                        names.append(s.text.strip())
            if not names:
                names = [named[0].text.strip()]
            return counted, names
        return None
