"""Where GitHub (cmark-gfm) turns bare text into links: the GFM "extended autolink".

Follows cmark-gfm's ``autolink.c`` rather than linkify-it, because what matters to a
briefing is what GitHub renders: a scheme URL runs to the next ASCII whitespace or ``<``,
*including* CJK text and full-width punctuation glued to it, and only ASCII trailing
punctuation and unbalanced ``)`` are trimmed off.
"""

from __future__ import annotations

import re

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
