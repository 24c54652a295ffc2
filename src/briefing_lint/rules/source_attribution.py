"""BL002 source-attribution: every news item names where it came from.

A WeChat article link says nothing about the account that published it, so a briefing that
links one must name the source (``| 机器之心``). Items, their primary links and their bodies
come from :mod:`briefing_lint.briefing`.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from markdown_it.token import Token

from ..briefing import (
    Item,
    host_in,
    host_of,
    host_set,
    items_for,
    link_close_index,
    plain_text,
)
from ..diagnostics import Diagnostic, Edit, Span
from ..document import Document, InlineBlock, Link
from ..rule import Rule, RuleContext
from ..safe_regex import compile_user_regex

_SPACE = " \t\u3000"
_AFTER_PIPE = re.compile(r"([ \t\u3000]*)([|｜])([ \t\u3000]*)")
#: The pipe is an attribution separator only when the rest of the line is one short name:
#: ``)| Closes 2024-06-03 | Vienna`` is a row of fields, not a source.
_ATTRIBUTION_AFTER = re.compile(r"^[ \t\u3000]*[|｜][ \t\u3000]*[^|｜\s][^|｜]{0,39}$")
_ATTRIBUTION_BEFORE = re.compile(r"^[^|｜]{0,39}[^|｜\s][ \t\u3000]*[|｜][ \t\u3000]*$")
_BEFORE_PIPE = re.compile(r"(?<=[^\s|｜])([ \t\u3000]*)([|｜])([ \t\u3000]*)$")
_TRIM = " \t\u3000:：·-—–|｜,，.。;；!！?？\"'“”‘’「」『』()（）[]【】<>《》*_"
#: A short label in front of the name: ``公众号：机器之心``, ``博客园：俊华``.
_LABEL = re.compile(r"^[^:：]{1,8}[:：]\s*(?=\S)")
_BIZ = re.compile(r"[?&](?:__biz|%5f%5fbiz)=([^&#]+)", re.IGNORECASE)


def normalize_name(name: str) -> str:
    """Casefolded, trimmed, inner whitespace removed: how names are compared."""
    return re.sub(r"\s+", "", name.strip(_TRIM)).casefold()


def clean_name(raw: str) -> str:
    """The source name a pattern captured, without punctuation or a ``label：`` prefix."""
    name = raw.strip(_TRIM)
    label = _LABEL.match(name)
    if label is not None:
        name = name[label.end() :].strip(_TRIM)
    return name


@dataclass(frozen=True)
class _Settings:
    """The rule's options, parsed once per document."""

    require: str
    opaque: frozenset[str]
    patterns: list[re.Pattern[str]]
    title_patterns: list[re.Pattern[str]]
    generic: frozenset[str]
    max_lines: int
    separator: str
    biz_map: dict[str, list[str]]

    @staticmethod
    def of(options: Mapping[str, Any]) -> _Settings:
        return _Settings(
            require=str(options["require"]),
            opaque=host_set(tuple(str(h) for h in options["opaque_hosts"])),
            patterns=[compile_user_regex(str(p)) for p in options["patterns"]],
            title_patterns=[compile_user_regex(str(p)) for p in options["title_patterns"]],
            generic=_generic(tuple(str(n) for n in options["generic_names"])),
            max_lines=max(0, int(options["max_lines"])),
            separator=str(options["separator"]),
            biz_map=_biz_map(options["wechat_biz"]),
        )


class SourceAttribution(Rule):
    code = "BL002"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        briefing = items_for(ctx.doc, ctx.options)
        if not briefing.items:
            return
        settings = _Settings.of(ctx.options)
        opaque_host: dict[str, bool] = {}  # links of a file share few hosts
        for item in briefing.items:
            yield from self._item(ctx, item, settings, opaque_host)

    def _item(
        self, ctx: RuleContext, item: Item, settings: _Settings, opaque_host: dict[str, bool]
    ) -> Iterator[Diagnostic]:
        link = item.link
        host = ""
        if link is not None:
            if settings.separator and _may_have_pipe(link):
                yield from self._separator(ctx, item, settings.separator)
            host = host_of(link.href)
        needs = settings.require == "always"
        if settings.require == "opaque-hosts" and host:
            known = opaque_host.get(host)
            if known is None:
                known = opaque_host[host] = host_in(host, settings.opaque)
            needs = known
        if not needs and not settings.biz_map:
            return
        names = _names(item, settings.patterns, settings.generic, settings.max_lines)
        if not names and link is not None and settings.title_patterns:
            names = _matched_names([_own_text(link)], settings.title_patterns, settings.generic)
        if not names:
            if needs:
                span = link.span if link is not None else item.title_span
                message = (
                    ctx.message("missing", host=host)
                    if host and host_in(host, settings.opaque)
                    else ctx.message("missing_always")
                )
                yield ctx.report(span, message, kind="missing")
            return
        if settings.biz_map and link is not None:
            yield from self._mismatch(ctx, link, names, settings.biz_map)

    def _mismatch(
        self, ctx: RuleContext, link: Link, names: list[str], biz_map: dict[str, list[str]]
    ) -> Iterator[Diagnostic]:
        m = _BIZ.search(link.href)
        if m is None:
            return
        expected = biz_map.get(unquote(m.group(1)).strip())
        if not expected:
            return
        wanted = [normalize_name(e) for e in expected]
        for name in names:
            have = normalize_name(name)
            if any(w and (w in have or have in w) for w in wanted):
                return
        yield ctx.report(
            link.span,
            ctx.message("mismatch", name=names[0], expected="、".join(expected)),
            kind="mismatch",
        )

    def _separator(self, ctx: RuleContext, item: Item, expected: str) -> Iterator[Diagnostic]:
        """``)| 机器之心`` / ``量子位  | [阅读原文](…)``: the pipe between link and name."""
        link = item.link
        if link is None or link.block is None or link.kind not in ("inline", "reference"):
            return
        block = link.block
        children = block.children
        close = link_close_index(children, link.child)
        after = close + 1
        if after < len(children) and children[after].type == "text":
            content = children[after].content
            m = _AFTER_PIPE.match(content)
            if (
                m is not None
                and m.group(0) != expected
                and _ATTRIBUTION_AFTER.match(_line_text(children, after, 1))
            ):
                start = link.span.end
                end = block.text_offset(after, m.end()) if m.end() < len(content) else None
                if end is None:
                    end = block.child_span(after).end
                yield from self._report_separator(ctx, Span(start, end), m.group(0), expected)
        before = link.child - 1
        if before >= 0 and children[before].type == "text":
            content = children[before].content
            m = _BEFORE_PIPE.search(content)
            if (
                m is not None
                and m.group(0) != expected
                and _ATTRIBUTION_BEFORE.match(_line_text(children, before, -1))
            ):
                start = block.text_offset(before, m.start())
                yield from self._report_separator(
                    ctx, Span(start, link.span.start), m.group(0), expected
                )

    def _report_separator(
        self, ctx: RuleContext, span: Span, found: str, expected: str
    ) -> Iterator[Diagnostic]:
        raw = ctx.doc.source[span.start : span.end]
        if raw != found or raw == expected or "\n" in raw or "\r" in raw:
            return  # escapes, entities or line breaks in between: leave it to a human
        title = ctx.message("separator_title", expected=expected)
        fix = ctx.fix([Edit(span, expected)], title=title, kind="separator")
        yield ctx.report(
            span,
            ctx.message("separator", found=f"“{found}”", expected=expected),
            kind="separator",
            fix=fix,
        )


def _may_have_pipe(link: Link) -> bool:
    """Cheap test before :meth:`SourceAttribution._separator`: no pipe, no separator.

    Text children come from the block's content, changed only by escapes and entities
    (``&#124;``), so a block without a pipe and without ``&`` has no pipe in its text.
    """
    block = link.block
    if block is None:
        return False
    content = block.token.content
    return "|" in content or "｜" in content or "&" in content


@functools.lru_cache(maxsize=16)
def _generic(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_name(n) for n in names)


def _line_text(children: Sequence[Token], start: int, step: int) -> str:
    """Plain text from child ``start`` to the end (``step=1``) or start (``-1``) of its line."""
    parts: list[str] = []
    i = start
    while 0 <= i < len(children):
        token = children[i]
        if token.type in ("softbreak", "hardbreak"):
            break
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        i += step
    return "".join(parts if step > 0 else reversed(parts))


def _biz_map(value: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not isinstance(value, Mapping):
        return out
    for key, names in value.items():
        if isinstance(names, str):
            out[unquote(str(key)).strip()] = [names]
        elif isinstance(names, list):
            out[unquote(str(key)).strip()] = [str(n) for n in names]
    return out


def _names(
    item: Item, patterns: Sequence[re.Pattern[str]], generic: frozenset[str], max_lines: int
) -> list[str]:
    """Non-generic source names found near the item's primary link."""
    return _matched_names(_segments(item, max_lines), patterns, generic)


def _own_text(link: Link) -> str:
    """The plain text of a link (empty for bare URLs and HTML links, which have none)."""
    if link.block is None or link.child < 0 or link.kind == "bare":
        return ""
    children = link.block.children
    if children[link.child].type != "link_open":
        return ""
    return plain_text(children, link.child + 1, link_close_index(children, link.child))


def _matched_names(
    segments: Sequence[str], patterns: Sequence[re.Pattern[str]], generic: frozenset[str]
) -> list[str]:
    found: list[str] = []
    for segment in segments:
        for pattern in patterns:
            for m in pattern.finditer(segment):
                if "name" in pattern.groupindex:
                    raw = m.group("name")
                elif pattern.groups:
                    raw = m.group(1)
                else:
                    raw = m.group(0)
                name = clean_name(raw or "")
                if name and normalize_name(name) not in generic:
                    found.append(name)
    return found


def _segments(item: Item, max_lines: int) -> list[str]:
    """Pieces of plain text around the item's primary link (see the option docs)."""
    doc = item.doc
    link = item.link
    chosen: list[InlineBlock] = []
    budget = max_lines
    blocks = doc.inline_blocks
    starts = _block_starts(doc)
    for block in blocks[bisect.bisect_left(starts, item.first_line) :]:
        first = block.map[0]
        if first >= item.end_line:
            break
        if block.kind == "table_cell":
            continue
        if block is item.block or (link is not None and block is link.block):
            chosen.append(block)
            continue
        if budget <= 0:
            continue
        if not any(t.type == "text" and t.content.strip() for t in block.children):
            continue  # an image-only paragraph is no text line
        chosen.append(block)
        budget -= block.map[1] - block.map[0]
    out: list[str] = []
    for block in chosen:
        out.extend(
            _block_segments(block, link if link is not None and link.block is block else None)
        )
    return [s for s in out if s.strip()]


def _block_starts(doc: Document) -> list[int]:
    """First lines of the document's inline blocks (cached on the document)."""
    return doc.analysis("BL002.block-starts", lambda d: [b.map[0] for b in d.inline_blocks])


def _block_segments(block: InlineBlock, primary: Link | None) -> list[str]:
    children = block.children
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        out.append("".join(current))
        current.clear()

    i = 0
    while i < len(children):
        token = children[i]
        ttype = token.type
        if primary is not None and i == primary.child and ttype == "link_open":
            flush()
            i = link_close_index(children, i) + 1
            flush()
            continue
        if ttype == "text":
            content = token.content
            if primary is not None and primary.kind == "bare" and i == primary.child:
                raw = primary.href
                at = content.find(raw)
                if at >= 0:
                    current.append(content[:at])
                    flush()
                    current.append(content[at + len(raw) :])
                    i += 1
                    continue
            current.append(content)
        elif ttype in ("softbreak", "hardbreak", "code_inline"):
            flush()
        i += 1
    flush()
    return out
