"""Where GitHub (cmark-gfm) turns bare text into links: the GFM "extended autolink".

Follows cmark-gfm's ``autolink.c`` rather than linkify-it, because what matters to a
briefing is what GitHub renders: a scheme URL runs to the next ASCII whitespace or ``<``,
*including* CJK text and full-width punctuation glued to it, and only ASCII trailing
punctuation and unbalanced ``)`` are trimmed off.
"""

from __future__ import annotations

import re
import unicodedata

# A scheme URL may follow anything but an ASCII letter (cmark rewinds over letters to find
# the scheme); ``www.`` needs the start, whitespace or one of ``*_~(`` before it.
_START = re.compile(
    r"(?<![A-Za-z])(?:https?|ftp)://(?=[^\s<])|(?:(?<=^)|(?<=[\s*_~(]))www\.(?=[^\s<.])",
    re.IGNORECASE,
)
_END = re.compile(r"[ \t\n\r\v\f<]")
_TRAILING = frozenset("?!.,:*_~'\"")
_ENTITY_TAIL = re.compile(r"&[A-Za-z0-9]+;$")


def trim_autolink(url: str) -> str:
    """Drop what cmark-gfm leaves outside the link: trailing punctuation, unbalanced ``)``."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last == ")":
            if url.count("(") < url.count(")"):
                url = url[:-1]
            else:
                break
        elif last == ";":
            m = _ENTITY_TAIL.search(url)
            url = url[: m.start()] if m else url[:-1]
        else:
            break
    return url


def find_bare_urls(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every extended autolink in a run of plain text."""
    out: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _START.search(text, pos)
        if m is None:
            return out
        start = m.start()
        end_match = _END.search(text, m.end())
        end = end_match.start() if end_match else len(text)
        url = trim_autolink(text[start:end])
        if len(url) > len(m.group(0)):
            out.append((start, start + len(url)))
            pos = start + len(url)
        else:
            pos = m.end()


# -- where a bare URL was meant to end --------------------------------------------------------

#: CJK right after one of these may be part of the URL: a path segment or a query value
#: (``/wiki/数据库``, ``?q=中文``), so the end is not certain there.
URL_SEPARATORS = "/=?#&:+"


def is_cjk_boundary(ch: str) -> bool:
    """CJK text, full-width forms and the punctuation Chinese text uses (“” … — ·): where a
    briefing's bare URL really ends, though GitHub's autolink runs on through it."""
    code = ord(ch)
    if code < 0x2000:
        return ch == "\u00b7"
    if 0x2010 <= code <= 0x206F:  # general punctuation: “” ‘’ … —
        return True
    return unicodedata.east_asian_width(ch) in ("W", "F")


def is_fullwidth_punct(ch: str) -> bool:
    """A boundary character that is punctuation or a symbol (``）。，“``), not a letter."""
    return is_cjk_boundary(ch) and unicodedata.category(ch)[0] in "PSZ"


def first_boundary(url: str, start: int = 0) -> int:
    """Index of the first CJK/full-width character at or after ``start`` (-1 when none)."""
    if url.isascii():
        return -1
    for i in range(start, len(url)):
        if is_cjk_boundary(url[i]):
            return i
    return -1
