"""Item numbers as written: Arabic and Chinese numerals, marker styles, and their spans."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from ..diagnostics import Span

# -- number markers --------------------------------------------------------------------

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千]"
#: A count as written in prose: Arabic digits or Chinese numerals.
NUMBER = rf"(?:\d{{1,4}}|{CN_NUMERAL}{{1,5}})"

#: Counters and units: a number followed by one of these is a count, not an item number.
_UNIT_AFTER = "个条篇款种年月日号周天位名岁倍万亿元次期章节页张台部本集期届"

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren_both", re.compile(r"[（(][ \t]*(?P<n>\d{1,3})[ \t]*[)）]")),
    ("no", re.compile(r"(?:No\.?[ \t]*|#)(?P<n>\d{1,3})(?![\d.,])(?=[ \t:：、.]|$)[:：、.]?")),
    ("dunhao", re.compile(r"(?P<n>\d{1,3})[ \t]*、")),
    ("dot", re.compile(r"(?P<n>\d{1,3})\.(?![\d.])")),
    ("paren_r", re.compile(r"(?P<n>\d{1,3})[ \t]*[)）]")),
    ("cn_dunhao", re.compile(rf"(?P<n>{CN_NUMERAL}{{1,4}})[ \t]*、")),
    ("circled", re.compile(r"(?P<n>[\u2460-\u2473])")),
    ("bare_padded", re.compile(rf"(?P<n>\d{{2}})[ \t]+(?=[^\s{_UNIT_AFTER}])")),
)


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral (``十二`` -> 12, ``一百零五`` -> 105); None if malformed."""
    if not text:
        return None
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:  # 一〇五 style
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in text:
        if ch in CN_DIGITS:
            if digit and CN_DIGITS[ch]:
                return None  # two digits in a row: "三四"
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            if CN_UNITS[ch] >= last_unit:
                return None  # "十十", "十百"
            last_unit = CN_UNITS[ch]
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def int_to_cn(value: int) -> str:
    """``12`` -> ``十二``, ``105`` -> ``一百零五`` (the form item numbers are written in)."""
    digits = "零一二三四五六七八九"
    if value < 10:
        return digits[value]
    if value < 20:
        return "十" + (digits[value - 10] if value > 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return digits[tens] + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(value, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    if rest < 10:
        return digits[hundreds] + "百零" + digits[rest]
    tail = int_to_cn(rest)
    return digits[hundreds] + "百" + (tail if rest >= 20 else "一" + tail)


def parse_count(text: str) -> int | None:
    """A count written with digits or Chinese numerals."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    return cn_to_int(text)


class MarkerMatch(NamedTuple):
    """A number marker found at the start of a string (offsets into that string)."""

    style: str
    value: int
    digits: str
    start: int
    digits_start: int
    digits_end: int
    end: int  # end of the marker (separator included, trailing whitespace not)
    rest: int  # start of what follows, after whitespace
    #: ``4.DeepSeek``: a dot marker glued to a Latin word. Such a marker is only believed
    #: when its neighbours in the file continue the sequence (``3.NET`` alone is a name).
    glued: bool = False


#: Marker styles that number the same level; other families (``（1）`` under ``4、其他``,
#: ``一、`` sections) are separate sequences.
STYLE_FAMILY = {"dot": "arabic", "dunhao": "arabic", "no": "arabic", "bare_padded": "arabic",
                "paren_r": "paren_r", "paren_both": "paren", "cn_dunhao": "cn",
                "circled": "circled", "list": "list"}  # fmt: skip


_DIGIT = re.compile(r"\d")
_CN_NUMERAL_CHARS = frozenset(CN_DIGITS) | frozenset(CN_UNITS)
_MARKERS_BY_START: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {}


def _markers_starting(ch: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The markers (in :data:`_MARKERS` order) whose first character can be ``ch``."""
    found = _MARKERS_BY_START.get(ch)
    if found is None:
        if ch in "(（":
            styles: tuple[str, ...] = ("paren_both",)
        elif ch in "N#":
            styles = ("no",)
        elif ch in _CN_NUMERAL_CHARS:
            styles = ("cn_dunhao",)
        elif "\u2460" <= ch <= "\u2473":
            styles = ("circled",)
        elif _DIGIT.match(ch):
            styles = ("dunhao", "dot", "paren_r", "bare_padded")
        else:
            styles = ()
        found = tuple(m for m in _MARKERS if m[0] in styles)
        if len(_MARKERS_BY_START) < 4096:
            _MARKERS_BY_START[ch] = found
    return found


#: After a glued dot marker: a Latin word of two letters or more (``4.DeepSeek``, not ``1.x``).
_GLUED_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]")


def match_marker(text: str, pos: int = 0, glued: bool = False) -> MarkerMatch | None:
    """The number marker at ``text[pos:]``, if any (see the module docstring for guards).

    ``glued``: also return a dot marker glued to a Latin word (``4.DeepSeek``), flagged
    :attr:`MarkerMatch.glued`; the caller must confirm it from the neighbouring numbers.
    """
    if pos >= len(text):
        return None
    for style, pattern in _markers_starting(text[pos]):
        m = pattern.match(text, pos)
        if m is None:
            continue
        digits = m.group("n")
        if style == "circled":
            value = ord(digits) - 0x2460 + 1
        elif style == "cn_dunhao":
            parsed = cn_to_int(digits)
            if parsed is None:
                continue
            value = parsed
        else:
            value = int(digits)
        end = m.end()
        is_glued = False
        if style == "dot" and end < len(text) and text[end].isascii() and text[end].isalnum():
            # "302.AI", "1.x", "3.NET": part of a name, unless the sequence says otherwise.
            if not glued or not _GLUED_WORD.match(text, end):
                continue
            is_glued = True
        rest = end
        while rest < len(text) and text[rest] in " \t\u3000":
            rest += 1
        return MarkerMatch(
            style, value, digits, m.start(), m.start("n"), m.end("n"), end, rest, is_glued
        )
    return None


def format_number(value: int, style: str, like: str) -> str:
    """``value`` written as the marker ``like`` was (same numeral system, same padding)."""
    if style == "cn_dunhao":
        return int_to_cn(value)
    if style == "circled":
        return chr(0x2460 + value - 1) if 1 <= value <= 20 else str(value)
    text = str(value)
    if len(like) > 1 and like.startswith("0"):
        text = text.zfill(len(like))
    return text


class NumberMarker:
    """An item's number as written: style, value and exact source spans (computed lazily)."""

    __slots__ = ("_args", "_found", "_locate", "digits", "separator", "style", "value")

    def __init__(
        self,
        style: str,
        value: int,
        digits: str,
        separator: str,
        locate: Callable[..., tuple[Span, Span]],
        *args: Any,
    ) -> None:
        self.style = style
        self.value = value
        self.digits = digits
        self.separator = separator
        self._locate = locate  # called with ``args`` when a span is first asked for
        self._args = args
        self._found: tuple[Span, Span] | None = None

    def __repr__(self) -> str:
        return f"NumberMarker({self.style}, {self.value})"

    @property
    def padded(self) -> bool:
        """Written with leading zeros (``01``)."""
        return len(self.digits) > 1 and self.digits.startswith("0")

    @property
    def width(self) -> int:
        return len(self.digits)

    @property
    def _spans(self) -> tuple[Span, Span]:
        if self._found is None:
            self._found = self._locate(*self._args)
        return self._found

    @property
    def digits_span(self) -> Span:
        """Source span of the number itself (what renumbering replaces)."""
        return self._spans[0]

    @property
    def span(self) -> Span:
        """Source span of the whole marker (``1、``, ``（1）``, ``No.1``)."""
        return self._spans[1]

    def is_fixable(self) -> bool:
        """The number can be rewritten in place (not an ordered-list marker or ``①`` > 20)."""
        return self.style != "list"


# -- items -------------------------------------------------------------------------------
