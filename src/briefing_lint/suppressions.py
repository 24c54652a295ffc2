"""Suppression comments.

``<!-- briefing-lint-disable [RULES] [-- reason] -->`` … ``<!-- briefing-lint-enable [RULES] -->``,
``-disable-next-line`` (the next block, even after one blank line), ``-disable-line`` (the
comment's own line) and ``-disable-file``. RULES are codes or kebab names separated by spaces
or commas; none means every rule. In ``.mdx`` files the same directives may be written as
``{/* briefing-lint-... */}``. Comments inside code are not directives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Span
from .document import Document

if TYPE_CHECKING:
    from .config import Config

_DIRECTIVE = re.compile(
    r"(?:<!--|\{/\*)\s*briefing-lint-(disable-next-line|disable-line|disable-file|disable|enable"
    r"|configure-file)\b(.*?)(?:-->|\*/\})",
    re.DOTALL,
)


@dataclass
class Directive:
    action: str
    codes: frozenset[str] | None  # None: every rule
    span: Span
    line: int  # 0-based line of the comment
    reason: str
    raw_args: str
    bad: tuple[str, ...] = ()
    used: bool = False


def _parse_codes(args: str) -> tuple[frozenset[str] | None, tuple[str, ...], str]:
    from .registry import UnknownRuleError, resolve

    reason = ""
    if "--" in args:
        args, reason = args.split("--", 1)
    names = [n for n in re.split(r"[\s,]+", args.strip()) if n]
    if not names:
        return None, (), reason.strip()
    codes: set[str] = set()
    bad: list[str] = []
    for name in names:
        try:
            codes.add(resolve(name))
        except UnknownRuleError:
            bad.append(name)
    return frozenset(codes), tuple(bad), reason.strip()


def find_directives(doc: Document) -> list[Directive]:
    """Every directive comment outside code."""
    source = doc.source
    if "briefing-lint-" not in source:
        return []
    verbatim = doc.verbatim_lines
    out: list[Directive] = []
    for m in _DIRECTIVE.finditer(source):
        line = doc.line_of(m.start())
        if line in verbatim:
            continue
        block = doc.block_at(m.start())
        if block is not None and any(
            s.start <= m.start() < s.end
            for s in doc.code_spans(block)
            if not source.startswith("<!--", s.start)
        ):
            continue
        if m.group(1) == "configure-file":
            out.append(
                Directive("configure-file", None, Span(m.start(), m.end()), line, "", m.group(2))
            )
            continue
        codes, bad, reason = _parse_codes(m.group(2))
        out.append(
            Directive(m.group(1), codes, Span(m.start(), m.end()), line, reason, m.group(2), bad)
        )
    return out


def _next_block_lines(doc: Document, line: int) -> range:
    """Lines of the block after ``line`` (one blank line may sit between)."""
    nxt = line + 1
    blank = 0
    while nxt < doc.line_count and not doc.line_text(nxt).strip(" \t>"):
        blank += 1
        nxt += 1
        if blank > 1:
            return range(0)
    if nxt >= doc.line_count:
        return range(0)
    end = nxt + 1
    for lo, hi in doc.block_ranges:
        if lo <= nxt < hi:
            end = max(end, hi)
            break
    return range(nxt, end)


def _matches(directive: Directive, code: str) -> bool:
    return directive.codes is None or code in directive.codes


def apply_suppressions(
    doc: Document, diagnostics: list[Diagnostic], config: Config | None = None
) -> list[Diagnostic]:
    """Drop suppressed diagnostics; mark the directives that were used."""
    directives = find_directives(doc)
    doc.directives = directives
    if not directives:
        return diagnostics
    file_wide = [d for d in directives if d.action == "disable-file"]
    by_line: dict[int, list[Directive]] = {}
    ranges: list[tuple[int, int, Directive]] = []  # regions [start_line, end_line)
    open_regions: list[Directive] = []
    for d in directives:
        if d.action == "disable-line":
            by_line.setdefault(d.line, []).append(d)
        elif d.action == "disable-next-line":
            for ln in _next_block_lines(doc, d.line):
                by_line.setdefault(ln, []).append(d)
        elif d.action == "disable":
            open_regions.append(d)
        elif d.action == "enable":
            for region in list(open_regions):
                if d.codes is None or region.codes is None or region.codes & d.codes:
                    ranges.append((region.line, d.line, region))
                    open_regions.remove(region)
    for region in open_regions:
        ranges.append((region.line, doc.line_count, region))
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        line = doc.line_of(diag.span.start)
        hit = _first(
            [d for d in file_wide if _matches(d, diag.code)]
            + [d for d in by_line.get(line, ()) if _matches(d, diag.code)]
            + [r for lo, hi, r in ranges if lo <= line < hi and _matches(r, diag.code)]
        )
        if hit is None:
            kept.append(diag)
        else:
            hit.used = True
    return kept


def _first(items: Iterable[Directive]) -> Directive | None:
    for item in items:
        item.used = True
        return item
    return None
