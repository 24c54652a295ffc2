"""User-supplied regular expressions: compiled once, refused when they can backtrack badly.

Config files may carry patterns (attribution names, stated-count claims, ignore lists, ``re:``
entries of URL options). Python's ``re`` backtracks, and some patterns take exponential time
on a short line that does not match, which would hang a pre-commit hook. Such patterns are
rejected when the config is read, with a message the config loader prefixes with the key.

The check works on the parsed pattern (``re``'s own parser), not on its text:

* **nested repetition**: inside an unbounded repetition, a variable repetition (``(a+)+``,
  ``((\\w*))*``, ``(x{1,3})+``) is refused unless the repeated part also holds a mandatory
  character the inner repetition cannot match, which pins each round down (``(\\d+\\.)+``
  and ``(-[a-z]+)*`` are fine);
* **overlapping alternatives** inside an unbounded repetition (``(a|ab)*``, ``(x|xy)+``),
  or an alternative that can match nothing (``re`` turns ``(a|b)`` into the class ``[ab]``,
  which is fine);
* **long runs of repetitions over the same characters** (``.*.*.*.*x``: polynomial, but of a
  degree that hangs on a long line); three in a row are allowed;
* more than 500 characters.

Possessive repetitions and atomic groups do not backtrack and are accepted. Character sets
are compared on a sample of ASCII, Latin, CJK and emoji characters.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable, Iterator
from typing import Any


def _module(new: str, old: str) -> Any:
    try:
        return importlib.import_module(new)  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        return importlib.import_module(old)


_c = _module("re._constants", "sre_constants")
_p = _module("re._parser", "sre_parse")

_MAX_LENGTH = 500
#: Unbounded repetitions over overlapping characters allowed one after another.
_MAX_RUN = 3

_UNIVERSE = frozenset(
    [chr(c) for c in range(32, 127)]
    + list("\t\n\u00e9\u00df\u4e2d\u6587\u3002\uff0c\uff08\u3010\u3000\U0001f600")
)
_CATEGORIES = {
    "DIGIT": r"\d",
    "NOT_DIGIT": r"\D",
    "SPACE": r"\s",
    "NOT_SPACE": r"\S",
    "WORD": r"\w",
    "NOT_WORD": r"\W",
    "LINEBREAK": r"\n",
    "NOT_LINEBREAK": r"[^\n]",
}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_NO_BACKTRACK = {
    getattr(_c, name) for name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP") if hasattr(_c, name)
}


class RegexError(ValueError):
    """A user pattern that does not compile or is unsafe."""


@functools.cache
def compile_user_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile ``pattern`` or raise :class:`RegexError` saying why not (cached: once each)."""
    if len(pattern) > _MAX_LENGTH:
        raise RegexError(f"pattern longer than {_MAX_LENGTH} characters")
    try:
        compiled = re.compile(pattern, flags)
        tree = _p.parse(pattern, flags)
    except re.error as exc:
        raise RegexError(f"invalid pattern {pattern!r}: {exc}") from None
    problem = _Analysis(bool(flags & re.IGNORECASE)).problem(tree)
    if problem:
        raise RegexError(f"pattern {pattern!r} {problem} (catastrophic backtracking)")
    return compiled


class _Unsafe(Exception):
    pass


class _Analysis:
    def __init__(self, ignore_case: bool) -> None:
        self.ignore_case = ignore_case

    def problem(self, tree: Any) -> str:
        try:
            self._walk(list(tree))
        except _Unsafe as exc:
            return str(exc)
        return ""

    # -- the walk --------------------------------------------------------------------

    def _walk(self, seq: list[tuple[Any, Any]]) -> None:
        self._check_run(seq)
        for op, av in seq:
            if op in _NO_BACKTRACK:
                continue
            if op in _REPEATS:
                _, high, body = av
                if high == _c.MAXREPEAT:
                    self._check_loop(list(body))
                self._walk(list(body))
            else:
                for child in self._children(op, av):
                    self._walk(child)

    @staticmethod
    def _children(op: Any, av: Any) -> list[list[tuple[Any, Any]]]:
        if op == _c.SUBPATTERN:
            return [list(av[-1])]
        if op == _c.BRANCH:
            return [list(alt) for alt in av[1]]
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            return [list(av[1])]
        if op == _c.GROUPREF_EXISTS:
            return [list(b) for b in av[1:] if b is not None]
        return []

    def _check_loop(self, body: list[tuple[Any, Any]]) -> None:
        """The body of an unbounded repetition: no ambiguity between rounds."""
        inner = list(self._variable_repeats(body))
        if inner:
            inner_chars = frozenset().union(*(self._chars(list(r)) for r in inner))
            pins = [self._single(op, av) for op, av in self._mandatory(body)]
            if not any(p is not None and p.isdisjoint(inner_chars) for p in pins):
                raise _Unsafe("repeats a group that itself repeats")
        for alternatives in self._branches(body):
            firsts: list[frozenset[str]] = []
            for alt in alternatives:
                first = self._first(alt)
                if self._nullable(alt) or any(not first.isdisjoint(f) for f in firsts):
                    raise _Unsafe("repeats a choice whose alternatives can match the same text")
                firsts.append(first)
        if self._nullable(body) and self._chars(body):
            raise _Unsafe("repeats a group that can match nothing")

    def _check_run(self, seq: list[tuple[Any, Any]]) -> None:
        """Too many unbounded repetitions in a row that can take the same characters."""
        run: list[frozenset[str]] = []
        for op, av in seq:
            if op in _REPEATS and av[1] == _c.MAXREPEAT:
                chars = self._chars(list(av[2]))
                if run and all(chars.isdisjoint(r) for r in run):
                    run = []
                run.append(chars)
                if len(run) > _MAX_RUN:
                    shared = frozenset.intersection(*run[-_MAX_RUN - 1 :]) if run else frozenset()
                    if shared:
                        raise _Unsafe(
                            f"has more than {_MAX_RUN} repetitions in a row over the same text"
                        )
            elif self._nullable([(op, av)]):
                continue
            else:
                chars = self._chars([(op, av)])
                if any(chars.isdisjoint(r) for r in run):
                    run = []

    # -- structure helpers -------------------------------------------------------------

    def _variable_repeats(self, seq: Iterable[tuple[Any, Any]]) -> Iterator[Any]:
        for op, av in seq:
            if op in _NO_BACKTRACK:
                continue
            if op in _REPEATS:
                low, high, body = av
                if low != high:
                    yield body
                yield from self._variable_repeats(body)
            else:
                for child in self._children(op, av):
                    yield from self._variable_repeats(child)

    def _branches(self, seq: Iterable[tuple[Any, Any]]) -> Iterator[list[list[tuple[Any, Any]]]]:
        for op, av in seq:
            if op == _c.BRANCH:
                yield [list(alt) for alt in av[1]]
            if op in _REPEATS:
                yield from self._branches(av[2])
            elif op not in _NO_BACKTRACK:
                for child in self._children(op, av):
                    yield from self._branches(child)

    def _mandatory(self, seq: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
        """Single-character elements every match of ``seq`` goes through."""
        for op, av in seq:
            if op == _c.SUBPATTERN:
                yield from self._mandatory(av[-1])
            elif op in _REPEATS and av[0] >= 1:
                yield from self._mandatory(av[2])
            elif self._single(op, av) is not None:
                yield op, av

    def _nullable(self, seq: Iterable[tuple[Any, Any]]) -> bool:
        for op, av in seq:
            if op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
                if av[0] > 0 and not self._nullable(av[2]):
                    return False
            elif op == _c.SUBPATTERN:
                if not self._nullable(av[-1]):
                    return False
            elif op == _c.BRANCH:
                if not any(self._nullable(alt) for alt in av[1]):
                    return False
            elif op == getattr(_c, "ATOMIC_GROUP", None):
                if not self._nullable(av):
                    return False
            elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT, _c.GROUPREF, _c.GROUPREF_EXISTS):
                continue
            else:
                return False
        return True

    def _first(self, seq: list[tuple[Any, Any]]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for op, av in seq:
            out |= self._first_of(op, av)
            if not self._nullable([(op, av)]):
                break
        return out

    def _first_of(self, op: Any, av: Any) -> frozenset[str]:
        single = self._single(op, av)
        if single is not None:
            return single
        if op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
            return self._first(list(av[2]))
        if op == getattr(_c, "ATOMIC_GROUP", None):
            return self._first(list(av))
        return frozenset().union(*(self._first(c) for c in self._children(op, av)))

    def _chars(self, seq: Iterable[tuple[Any, Any]]) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for op, av in seq:
            single = self._single(op, av)
            if single is not None:
                out |= single
            elif op in _REPEATS or op == getattr(_c, "POSSESSIVE_REPEAT", None):
                out |= self._chars(av[2])
            elif op == getattr(_c, "ATOMIC_GROUP", None):
                out |= self._chars(av)
            else:
                for child in self._children(op, av):
                    out |= self._chars(child)
        return out

    # -- character sets ----------------------------------------------------------------

    def _single(self, op: Any, av: Any) -> frozenset[str] | None:
        """The sample characters a one-character element matches (None: not one)."""
        if op == _c.LITERAL:
            return self._cased(chr(av))
        if op == _c.NOT_LITERAL:
            return _UNIVERSE - self._cased(chr(av))
        if op == _c.ANY:
            return _UNIVERSE - {"\n"}
        if op == _c.IN:
            negate = False
            chars: frozenset[str] = frozenset()
            for item_op, item_av in av:
                if item_op == _c.NEGATE:
                    negate = True
                elif item_op == _c.LITERAL:
                    chars |= self._cased(chr(item_av))
                elif item_op == _c.RANGE:
                    lo, hi = item_av
                    chars |= frozenset(
                        c for c in _UNIVERSE if lo <= ord(c) <= hi or self._in_range(c, lo, hi)
                    )
                elif item_op == _c.CATEGORY:
                    chars |= _category(str(item_av))
                else:  # CHARSET / BIGCHARSET never appear before compiling; be safe
                    chars |= _UNIVERSE
            return _UNIVERSE - chars if negate else chars
        return None

    def _cased(self, char: str) -> frozenset[str]:
        if self.ignore_case:
            return frozenset({char, char.lower(), char.upper()}) & (_UNIVERSE | {char})
        return frozenset({char})

    def _in_range(self, char: str, lo: int, hi: int) -> bool:
        return self.ignore_case and any(lo <= ord(v) <= hi for v in (char.lower(), char.upper()))


@functools.cache
def _category(name: str) -> frozenset[str]:
    key = re.sub(r"^CATEGORY_(UNI_|LOC_)?", "", name)
    regex = re.compile(_CATEGORIES.get(key, r"[\s\S]"))
    return frozenset(c for c in _UNIVERSE if regex.fullmatch(c))
