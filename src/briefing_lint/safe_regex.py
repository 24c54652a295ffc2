"""User-supplied regular expressions: compiled once, refused when they can backtrack badly.

Config files may carry patterns (attribution names, stated-count claims, ignore lists). A
pattern with a quantified group that itself contains a quantifier, such as ``(a+)+`` or
``(\\w*)*``, can take exponential time on a short line; those are rejected with a clear
message rather than hanging a pre-commit hook.
"""

from __future__ import annotations

import functools
import re

# A group whose body contains + or * (or {n,}) and which is itself repeated.
_NESTED = re.compile(
    r"\((?:[^()\\]|\\.)*?(?:[+*]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,\d*\})"
)
_MAX_LENGTH = 500


class RegexError(ValueError):
    """A user pattern that does not compile or is unsafe."""


@functools.cache
def compile_user_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile ``pattern`` or raise :class:`RegexError` saying why not."""
    if len(pattern) > _MAX_LENGTH:
        raise RegexError(f"pattern longer than {_MAX_LENGTH} characters")
    if _NESTED.search(pattern):
        raise RegexError(
            f"pattern {pattern!r} repeats a group that itself repeats (catastrophic backtracking)"
        )
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RegexError(f"invalid pattern {pattern!r}: {exc}") from None
