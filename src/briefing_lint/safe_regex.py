"""User-supplied regular expressions, compiled with RE2: linear time by construction.

Config files may carry patterns (attribution names, stated-count claims, ignore lists, ``re:``
entries of URL and image-host options). Python's ``re`` backtracks, and some patterns take
exponential or high-polynomial time on a short line that does not match, which would hang a
pre-commit hook; no checker of pattern shapes catches them all. RE2 matches in time linear in
the text for every pattern, so every user pattern goes through :func:`compile_user_regex`.

RE2 has no lookaround (``(?=``, ``(?<!``…), backreferences (``\\1``, ``(?P=name)``),
possessive repetitions or atomic groups: such a pattern is refused with RE2's reason, and the
config loader names the key (exit 2). The rest of Python's syntax is kept, with its meaning:

* ``\\d``, ``\\s``, ``\\w`` (and ``\\D``, ``\\S``, ``\\W``) are Unicode classes as in ``re``
  (RE2's own are ASCII), so ``\\s`` still takes an ideographic space and ``\\w`` a Han
  character;
* ``\\Z`` is the end of the text, ``\\uXXXX``, ``\\UXXXXXXXX`` and ``\\N{name}`` name a
  character, ``{,n}`` is ``{0,n}``.

Two differences remain: ``\\b`` and ``\\B`` are ASCII word boundaries, and ``$`` without
``(?m)`` matches only at the very end (``re`` also matches before a final newline).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, cast

import re2

_MAX_LENGTH = 500

# Python's Unicode classes for str patterns, in RE2 syntax (class members, no brackets).
# tests/test_user_regex.py compares them with ``re`` over every code point.
_SPACE = r"\t-\r\x1c-\x1f\x85\p{Z}"
_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_OUTSIDE = {
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
}
_INSIDE = {"d": _DIGIT, "D": r"\P{Nd}", "s": _SPACE, "w": _WORD}
_FLAGS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"))
_NAMED = re.compile(r"\{([^}]*)\}")
_LOW_BOUND = re.compile(r"\{,(\d+)\}")


class RegexError(ValueError):
    """A user pattern that does not compile, or that RE2 cannot run."""


@functools.cache
def compile_user_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile ``pattern`` with RE2 or raise :class:`RegexError` saying why not (cached).

    The result has ``re``'s API for what the rules use (``search``, ``match``,
    ``fullmatch``, ``finditer``, ``groups``, ``groupindex``, match groups and spans).
    """
    if len(pattern) > _MAX_LENGTH:
        raise RegexError(f"pattern longer than {_MAX_LENGTH} characters")
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        raise RegexError(f"invalid pattern {pattern!r}: {exc}") from None
    prefix = "".join(letter for flag, letter in _FLAGS if flags & flag)
    if flags & ~sum(flag for flag, _ in _FLAGS):
        raise RegexError(f"pattern {pattern!r}: unsupported flags")
    translated = _translate(pattern, flags)
    if prefix:
        translated = f"(?{prefix}){translated}"
    options = re2.Options()
    options.log_errors = False
    try:
        compiled = re2.compile(translated, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(
            f"pattern {pattern!r} is not supported ({reason}): user patterns run on RE2,"
            " which has no lookaround, backreferences, possessive or atomic groups"
        ) from None
    # Typed as ``re``'s pattern: callers hold built-in (``re``) and user patterns alike.
    return cast("re.Pattern[str]", UserPattern(compiled, pattern))


class UserPattern:
    """An RE2 pattern behind ``re``'s API, as far as the rules use it.

    ``re2``'s own match objects take group numbers only in ``start``/``end``/``span`` and
    recompute ``groupindex`` on each use; these take names and keep it.
    """

    __slots__ = ("_regex", "groupindex", "groups", "pattern")

    def __init__(self, regex: Any, pattern: str) -> None:
        self._regex = regex
        self.pattern = pattern
        self.groups: int = regex.groups
        self.groupindex: dict[str, int] = dict(regex.groupindex)

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> UserMatch | None:
        found = self._regex.search(string, pos, endpos)
        return None if found is None else UserMatch(found, self)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> UserMatch | None:
        found = self._regex.match(string, pos, endpos)
        return None if found is None else UserMatch(found, self)

    def fullmatch(self, string: str, pos: int = 0, endpos: int | None = None) -> UserMatch | None:
        found = self._regex.fullmatch(string, pos, endpos)
        return None if found is None else UserMatch(found, self)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[UserMatch]:
        for found in self._regex.finditer(string, pos, endpos):
            yield UserMatch(found, self)

    def __repr__(self) -> str:
        return f"compile_user_regex({self.pattern!r})"


class UserMatch:
    """One match of a :class:`UserPattern`, with ``re.Match``'s accessors."""

    __slots__ = ("_match", "re")

    def __init__(self, match: Any, pattern: UserPattern) -> None:
        self._match = match
        self.re = pattern

    def _index(self, group: int | str) -> int:
        if isinstance(group, str):
            try:
                return self.re.groupindex[group]
            except KeyError:
                raise IndexError("no such group") from None
        return group

    def group(self, *groups: int | str) -> Any:
        return self._match.group(*groups)

    def __getitem__(self, group: int | str) -> str | None:
        found: str | None = self._match[group]
        return found

    def groups(self, default: Any = None) -> tuple[Any, ...]:
        return tuple(self._match.groups(default))

    def groupdict(self, default: Any = None) -> dict[str, Any]:
        found = {name: self[index] for name, index in self.re.groupindex.items()}
        return {name: default if value is None else value for name, value in found.items()}

    def start(self, group: int | str = 0) -> int:
        start: int = self._match.start(self._index(group))
        return start

    def end(self, group: int | str = 0) -> int:
        end: int = self._match.end(self._index(group))
        return end

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self.start(group), self.end(group)

    @property
    def string(self) -> str:
        text: str = self._match.string
        return text


def _translate(pattern: str, flags: int) -> str:
    """``pattern`` (valid for ``re``) in RE2 syntax with ``re``'s meaning."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            text, i = _escape(pattern, i + 1, inside=False)
            out.append(text)
        elif char == "[":
            text, i = _char_class(pattern, i, flags)
            out.append(text)
        elif char == "{" and (low := _LOW_BOUND.match(pattern, i)) is not None:
            out.append(f"{{0,{low.group(1)}}}")
            i = low.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _escape(pattern: str, i: int, *, inside: bool) -> tuple[str, int]:
    """Translate the escape whose letter is at ``pattern[i]``; return it and the next index."""
    letter = pattern[i]
    table = _INSIDE if inside else _OUTSIDE
    if letter in table:
        return table[letter], i + 1
    if letter == "Z" and not inside:
        return r"\z", i + 1
    if letter in "uU":
        width = 4 if letter == "u" else 8
        digits = pattern[i + 1 : i + 1 + width]
        return _code_point(int(digits, 16)), i + 1 + width
    if letter == "N":
        name = _NAMED.match(pattern, i + 1)
        assert name is not None  # re.compile accepted the pattern
        return _code_point(ord(unicodedata.lookup(name.group(1)))), name.end()
    if not letter.isascii():
        return _code_point(ord(letter)), i + 1
    return "\\" + letter, i + 1


def _code_point(value: int) -> str:
    return f"\\x{{{value:x}}}"


def _char_class(pattern: str, start: int, flags: int) -> tuple[str, int]:
    """Translate the character set starting at ``pattern[start]`` (``[``)."""
    i = start + 1
    negate = pattern.startswith("^", i)
    if negate:
        i += 1
    members: list[str] = []
    first = True
    complement = False  # holds \S or \W: no union of RE2 classes says it
    while True:
        char = pattern[i]
        if char == "]" and not first:
            break
        first = False
        if char == "\\":
            if pattern[i + 1] in "SW":
                complement = True
                members.append("\\" + pattern[i + 1])
                i += 2
                continue
            text, i = _escape(pattern, i + 1, inside=True)
            members.append(text)
        elif char in "[]":
            members.append("\\" + char)  # literal in re; RE2 reads "[:" as a POSIX class
            i += 1
        else:
            members.append(char)
            i += 1
    end = i + 1
    if complement:
        return _explicit_class(pattern[start:end], flags), end
    return "[" + ("^" if negate else "") + "".join(members) + "]", end


@functools.cache
def _explicit_class(text: str, flags: int) -> str:
    """A set holding ``\\S`` or ``\\W``, spelt out as the ranges ``re`` itself matches."""
    matcher: Any = re.compile(text, flags & re.IGNORECASE).fullmatch
    ranges: list[tuple[int, int]] = []
    for value in range(0x110000):
        if 0xD800 <= value <= 0xDFFF or not matcher(chr(value)):
            continue
        if ranges and ranges[-1][1] == value - 1:
            ranges[-1] = (ranges[-1][0], value)
        else:
            ranges.append((value, value))
    if not ranges:
        return r"[^\x00-\x{10ffff}]"
    body = "".join(
        _code_point(lo) if lo == hi else f"{_code_point(lo)}-{_code_point(hi)}" for lo, hi in ranges
    )
    return f"[{body}]"
