"""How a heading or paragraph starts: decoration, a number marker, a leading link."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it.token import Token

from .numbers import MarkerMatch, match_marker

_SKIP_LEADING = frozenset({"em_open", "strong_open", "s_open", "softbreak"})
_HTML_TAG = re.compile(r"^<(?!!--)/?[A-Za-z][^>]*>$", re.DOTALL)


class Lead(NamedTuple):
    """What a heading/paragraph starts with."""

    marker: MarkerMatch | None
    marker_child: int  # text child holding the marker (-1: none)
    link_child: int  # link_open child that comes first (after the marker), -1: none
    title: str


NO_LEAD = Lead(None, -1, -1, "")

#: Characters an item's heading/paragraph can start with (marker, link, HTML, emphasis).
LEAD_CHARS = frozenset("0123456789（([<*_#N\\" + "零〇一二两三四五六七八九十百千") | frozenset(
    chr(c) for c in range(0x2460, 0x2474)
)


def _is_skippable(token: Token) -> bool:
    ttype = token.type
    if ttype == "text":
        return not token.content.strip()
    if ttype == "html_inline":
        return bool(_HTML_TAG.match(token.content.strip()))
    return ttype in _SKIP_LEADING


def plain_text(children: Sequence[Token], start: int = 0, stop: int | None = None) -> str:
    """Plain text of inline children (HTML tags dropped, code kept, breaks as spaces)."""
    out: list[str] = []
    for token in children[start:stop]:
        ttype = token.type
        if ttype == "text" or ttype == "code_inline" or ttype == "image":
            out.append(token.content)
        elif ttype == "softbreak" or ttype == "hardbreak":
            out.append(" ")
    return "".join(out)


def link_close_index(children: Sequence[Token], open_index: int) -> int:
    """Index of the ``link_close`` matching the ``link_open`` at ``open_index``."""
    depth = 0
    for i in range(open_index, len(children)):
        ttype = children[i].type
        if ttype == "link_open":
            depth += 1
        elif ttype == "link_close":
            depth -= 1
            if depth == 0:
                return i
    return len(children) - 1


def _next_meaningful(children: Sequence[Token], i: int) -> int:
    n = len(children)
    while i < n and _is_skippable(children[i]):
        i += 1
    return i


SPACES = " \t\u3000"


def link_text(children: Sequence[Token], open_index: int) -> tuple[int, str]:
    """(index of the matching ``link_close``, plain text of the link)."""
    if open_index + 2 < len(children) and children[open_index + 2].type == "link_close":
        inner = children[open_index + 1]
        if inner.type == "text":  # the usual ``[title](url)``
            return open_index + 2, inner.content.strip()
    close = link_close_index(children, open_index)
    return close, plain_text(children, open_index + 1, close).strip()


#: Decoration that may stand before an item's number or link: emoji and pictographs,
#: bullet symbols (``·`` ``▶`` ``•``), short bracketed tags (``【工具】`` ``[新闻]``), spaces.
_DECORATION = re.compile(
    r"(?:[ \t\u3000]"
    r"|[\U0001F000-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2B00-\u2BFF"
    r"\uFE0F\u200D\u20E3\U000E0020-\U000E007F]"
    r"|[·•‣◦∙▪▫►▸▹▶▷➤➢➔→»※]"
    r"|【[^【】\n]{1,12}】|\[[^\[\]\n]{1,12}\]|〔[^〔〕\n]{1,12}〕|［[^［］\n]{1,12}］"
    r")+"
)
#: Characters decoration can start with (a cheap test before the regular expression).
DECORATION_START = re.compile(
    r"[\U0001F000-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2B00-\u2BFF"
    r"·•‣◦∙▪▫►▸▹▶▷➤➢➔→»※【\[〔［]"
)


def _decoration_end(text: str, pos: int) -> int:
    """End of the decoration at ``text[pos:]`` (``pos`` itself when there is none)."""
    m = _DECORATION.match(text, pos)
    return m.end() if m is not None else pos


def _after_decoration(children: Sequence[Token], i: int) -> int:
    """The first child from ``i`` on that is neither skippable, a closing emphasis tag
    (``**【工具】**``) nor pure decoration."""
    n = len(children)
    while i < n:
        token = children[i]
        closing = token.type in ("em_close", "strong_close", "s_close")
        decoration = token.type == "text" and _decoration_end(token.content, 0) == len(
            token.content
        )
        if not (closing or decoration or _is_skippable(token)):
            break
        i += 1
    return i


def analyse_lead(children: Sequence[Token], in_link_text: bool = True) -> Lead:
    """Number marker and leading link of a heading/paragraph, from its tokens alone.

    ``in_link_text``: also look for the marker inside the leading link's text
    (``[1. 标题](url)``); never for zero-padding-only markers (``[24 Days of Rust](url)``).
    Decoration (emoji, bullet symbols, bracketed tags) may stand before the marker or the
    link, and between them. Without marker and leading link the block is no item and its
    title is left empty. A glued marker (``4.DeepSeek``) is returned flagged, to be settled
    against its neighbours.
    """
    i = _next_meaningful(children, 0)
    if i >= len(children):
        return NO_LEAD
    ttype = children[i].type
    if ttype == "text":
        return _text_lead(children, i)
    if ttype == "link_open":
        if in_link_text:
            found = _marker_in_link(children, i)
            if found is not None:
                return found
        return Lead(None, -1, i, link_text(children, i)[1])
    return NO_LEAD


def _text_lead(children: Sequence[Token], i: int) -> Lead:
    """A block starting with text: a marker (maybe after decoration), then words or a link;
    or decoration alone, then a link."""
    n = len(children)
    text = children[i].content
    pos = len(text) - len(text.lstrip(SPACES))
    marker = match_marker(text, pos, glued=True)
    if marker is None:
        after = _decoration_end(text, pos)
        if after == pos:
            return NO_LEAD
        marker = match_marker(text, after, glued=True)  # ``🔥 1、标题``
        if marker is None:
            if after < len(text):
                return NO_LEAD  # decoration, then words: a label, not an item
            j = _after_decoration(children, i + 1)
            if j < n and children[j].type == "link_open":
                return Lead(None, -1, j, link_text(children, j)[1])
            return NO_LEAD
    rest = text[marker.rest :]
    if rest.strip() and _decoration_end(rest, 0) < len(rest):
        return Lead(marker, i, -1, (rest + plain_text(children, i + 1)).strip())
    j = _after_decoration(children, i + 1)
    if j < n and children[j].type == "link_open":
        return Lead(marker, i, j, link_text(children, j)[1])
    return Lead(marker, i, -1, (rest + plain_text(children, i + 1)).strip())


def _marker_in_link(children: Sequence[Token], i: int) -> Lead | None:
    """A number marker at the start of the leading link's text (``[1. 标题](url)``), never a
    zero-padding-only one (``[24 Days of Rust](url)``)."""
    n = len(children)
    k = _next_meaningful(children, i + 1)
    if k < n and children[k].type == "text":
        inner = children[k].content
        marker = match_marker(inner, len(inner) - len(inner.lstrip()), glued=True)
        if marker is not None and marker.style != "bare_padded" and inner[marker.rest :].strip():
            close = link_close_index(children, i)
            if k < close:
                rest = (inner[marker.rest :] + plain_text(children, k + 1, close)).strip()
                return Lead(marker, k, i, rest)
    return None
