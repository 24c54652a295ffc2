"""BL018 cjk-punctuation: ``中文,中文`` -> ``中文，中文``, ``a b，c d`` -> ``a b, c d``.

Only text nodes are looked at, so code, HTML, link destinations and front matter are never
touched; bare URLs inside text (which GitHub extends over CJK text and full-width marks) are
skipped with a character of margin on both sides. A half-width mark is converted only
between two CJK characters (a CJK closing quote or bracket before it, an opening one after it
also count), so numbers, versions, domains and ``...`` never qualify; a full-width mark is
converted only inside Latin prose (three words on each side, mostly lower-case), so
``支持iPhone，Android`` stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..autolink import find_bare_urls
from ..diagnostics import Diagnostic, Edit
from ..document import TextNode
from ..rule import Rule, RuleContext

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_BEFORE = f"[{_CJK}”’」』》）】]"
_AFTER = f"[{_CJK}“‘「『《（【]"
#: One half-width mark (never two: ``...``, ``!?``), optional spaces, between CJK.
_TO_FULL = re.compile(rf"{_BEFORE}([,.;:!?])[ \t]*(?={_AFTER})")
_PARENS = re.compile(r"\(([^()\n]+)\)")
_FULLWIDTH_PARENS = re.compile(r"（([^（）()\n]+)）")
_HAS_CJK = re.compile(f"[{_CJK}]")
_FULL = {",": "，", ".": "。", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_HALF = {"，": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?"}
_TO_HALF = re.compile(r"[A-Za-z0-9]([，。；：！？])(?=[ \t]*[A-Za-z])")
#: Internationalised top-level domains: ``例子.中国`` is an address, not a sentence.
_CJK_TLD = re.compile(r"(?:中国|中國|公司|网络|網絡|在线|中文网|移动|集团|我爱你|香港|台湾|台灣)")
_LOWER_WORD = re.compile(r"[a-z][a-z'’-]*")
_LATIN_RUN_STOP = re.compile(f"[{_CJK}“”‘’「」『』《》（）【】，。；：！？、]")



class CjkPunctuation(Rule):
    code = "BL018"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        if _HAS_CJK.search(ctx.doc.source) is None:
            return
        to_full = frozenset(ctx.options["to_fullwidth"])
        to_half = frozenset(ctx.options["to_halfwidth"])
        for node in ctx.index.text_nodes:
            for start, end, new, mark, kind in _findings(node.content, to_full, to_half):
                yield _report(ctx, node, start, end, new, mark, kind)


#: One finding in a text node: start, end, replacement, mark, kind.
_Found = tuple[int, int, str, str, str]


def _findings(text: str, to_full: frozenset[str], to_half: frozenset[str]) -> list[_Found]:
    """Every mark of ``text`` to convert, in text order; bare URLs (with a character of
    margin) are left alone."""
    urls = (
        [(a - 1, b + 1) for a, b in find_bare_urls(text)]
        if "://" in text or "www." in text
        else []
    )
    found: list[_Found] = []
    if to_full - {"()"} and _HAS_CJK.search(text):
        found += _to_fullwidth(text, to_full)
    if "()" in to_full and "(" in text:
        found += _parens(text)
    if to_half and not text.isascii():
        found += _to_halfwidth(text, to_half)
        if "（）" in to_half and "（" in text:
            found += _fullwidth_parens(text)
    if urls:
        found = [f for f in found if not any(a < f[1] and f[0] < b for a, b in urls)]
    return sorted(found)


def _to_fullwidth(text: str, to_full: frozenset[str]) -> list[_Found]:
    out: list[_Found] = []
    for m in _TO_FULL.finditer(text):
        mark = m.group(1)
        if mark not in to_full:
            continue
        if mark == "." and _CJK_TLD.match(text, m.end()):
            continue
        out.append((m.start(1), m.end(), _FULL[mark], mark, "fullwidth"))
    return out


def _to_halfwidth(text: str, to_half: frozenset[str]) -> list[_Found]:
    out: list[_Found] = []
    for m in _TO_HALF.finditer(text):
        mark = m.group(1)
        start = m.start(1)
        if mark in to_half and _in_latin_run(text, start):
            space = "" if text[m.end() : m.end() + 1] in (" ", "\t") else " "
            out.append((start, m.end(), _HALF[mark] + space, mark, "halfwidth"))
    return out


def _fullwidth_parens(text: str) -> list[_Found]:
    """``（…）`` holding Latin text inside Latin prose (three words before it, two of them
    lower-case, and no CJK text right after it): both parentheses, as two findings. A space
    is put before ``(`` and after ``)`` where a word touches them."""
    out: list[_Found] = []
    for m in _FULLWIDTH_PARENS.finditer(text):
        inner = m.group(1)
        if _HAS_CJK.search(inner) or inner[:1].isspace() or inner[-1:].isspace():
            continue
        before, after = text[: m.start()], text[m.end() :]
        stops = [s.end() for s in _LATIN_RUN_STOP.finditer(before)]
        if not _prose(before[stops[-1] if stops else 0 :].split()[-3:]):
            continue
        if _HAS_CJK.match(after.lstrip(" \t")) or _LATIN_RUN_STOP.match(after):
            continue
        opening = "(" if before[-1:] in ("", " ", "\t") else " ("
        closing = ") " if after[:1].isalnum() else ")"
        out.append((m.start(), m.start() + 1, opening, "（", "halfwidth"))
        out.append((m.end() - 1, m.end(), closing, "）", "halfwidth"))
    return out


def _parens(text: str) -> list[_Found]:
    """``(…)`` around CJK text next to CJK text: both parentheses, as two findings."""
    out: list[_Found] = []
    for m in _PARENS.finditer(text):
        inner = m.group(1)
        if _HAS_CJK.search(inner) is None or inner[:1].isspace() or inner[-1:].isspace():
            continue
        before = text[m.start() - 1 : m.start()]
        after = text[m.end() : m.end() + 1]
        if not (_HAS_CJK.match(before) or _HAS_CJK.match(after)):
            continue
        if "://" in inner or "www." in inner:
            continue
        out.append((m.start(), m.start() + 1, "（", "(", "fullwidth"))
        out.append((m.end() - 1, m.end(), "）", ")", "fullwidth"))
    return out


def _in_latin_run(text: str, at: int) -> bool:
    """Whether ``at`` sits inside Latin prose: three words on each side before any CJK text,
    two of them lower-case on each side (a sentence, not a list of product names such as
    ``Pixel 2 XL，Google Home``, which is Chinese punctuation in a Chinese sentence)."""
    left = text[:at]
    stops = [m.end() for m in _LATIN_RUN_STOP.finditer(left)]
    left_words = left[stops[-1] if stops else 0 :].split()[-3:]
    right = text[at + 1 :]
    nxt = _LATIN_RUN_STOP.search(right)
    right_words = right[: nxt.start() if nxt else len(right)].split()[:3]
    return _prose(left_words) and _prose(right_words)


def _prose(words: list[str]) -> bool:
    return len(words) == 3 and sum(1 for w in words if _LOWER_WORD.fullmatch(w)) >= 2


def _report(
    ctx: RuleContext, node: TextNode, start: int, end: int, new: str, mark: str, kind: str
) -> Diagnostic:
    span = node.substring_span(start, end)
    target = new.strip()
    message = ctx.message(kind, mark=mark, target=target)
    fix = None
    # An escaped mark (``\,``) is two source characters: left alone.
    source = ctx.doc.source
    escaped = source[span.start - 1 : span.start] == "\\"
    if not escaped and source[span.start : span.end] == node.content[start:end]:
        fix = ctx.fix([Edit(span, new)], title=ctx.message("fix_title", target=target))
    return ctx.report(node.substring_span(start, start + 1), message, kind=kind, fix=fix)
