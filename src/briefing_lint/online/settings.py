"""The ``online:`` config section, validated when the config is read (a bad value is a
config error naming the file and the key, before any file is checked)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..__about__ import __version__
from ..safe_regex import RegexError, compile_user_regex

#: ``user_agent: browser`` sends this: some sites answer tools with 403 and browsers with 200.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
DEFAULT_USER_AGENT = f"briefing-lint/{__version__} (link checker)"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


class SettingError(ValueError):
    """A bad ``online`` value; ``key`` is relative to ``online``."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    concurrency: int = 32
    per_host: int = 4
    accept: frozenset[int] = frozenset({200, 206, 429})
    exclude: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    cache_ttl: float = 7 * 86400.0
    user_agent: str = DEFAULT_USER_AGENT
    soft_404_markers: tuple[str, ...] = ()
    #: The whole online stage stops starting requests after this many seconds.
    budget: float = 300.0
    retries: int = 2

    def excluded(self, url: str) -> bool:
        return any(compile_user_regex(p).search(url) for p in self.exclude)


def parse_duration(value: object) -> float:
    """``7d``, ``12h``, ``90m``, ``30s``, ``2w`` or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 7d, 12h or 30s")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value))
        if m is None:
            raise ValueError(f"expected a duration such as 7d, 12h or 30s, not {value!r}")
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds


def _whole(value: Any, key: str, lower: int, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lower <= value <= upper:
        raise SettingError(key, f"expected a whole number from {lower} to {upper}, not {value!r}")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SettingError(key, "expected a list of non-empty strings")
    return tuple(value)


def _accept(value: Any) -> frozenset[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599 for v in value
    ):
        raise SettingError("accept", "expected a list of HTTP status codes (100-599)")
    return frozenset(value)


def _exclude(value: Any) -> tuple[str, ...]:
    patterns = _strings(value, "exclude")
    for i, pattern in enumerate(patterns):
        try:
            compile_user_regex(pattern)
        except RegexError as exc:
            raise SettingError(f"exclude[{i}]", str(exc)) from None
    return patterns


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise SettingError("headers", "expected a mapping of header: value")
    out = []
    for name, text in value.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", name):
            raise SettingError(f"headers.{name}", "not a valid header name")
        if not isinstance(text, str) or any(c in text for c in "\r\n\x00"):
            raise SettingError(f"headers.{name}", "expected a one-line string")
        out.append((name, text))
    return tuple(out)


def _seconds(value: Any, key: str, positive: bool) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise SettingError(key, str(exc)) from None
    if positive and seconds <= 0:
        raise SettingError(key, "must be more than 0")
    return seconds


def _user_agent(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n\x00"):
        raise SettingError("user_agent", "expected a one-line string (or `browser`)")
    return BROWSER_USER_AGENT if value == "browser" else value


_PARSERS: dict[str, Any] = {
    "timeout": lambda v: _seconds(v, "timeout", True),
    "concurrency": lambda v: _whole(v, "concurrency", 1, 512),
    "per_host": lambda v: _whole(v, "per_host", 1, 64),
    "accept": _accept,
    "exclude": _exclude,
    "headers": _headers,
    "cache_ttl": lambda v: _seconds(v, "cache_ttl", False),
    "user_agent": _user_agent,
    "soft_404_markers": lambda v: _strings(v, "soft_404_markers"),
    "budget": lambda v: _seconds(v, "budget", True),
    "retries": lambda v: _whole(v, "retries", 0, 10),
}
KEYS = tuple(_PARSERS)


def validate(value: Any) -> dict[str, Any]:
    """The section as given, checked: raises :class:`SettingError` on the first bad key."""
    if not isinstance(value, dict):
        raise SettingError("", "expected a mapping")
    out: dict[str, Any] = {}
    for raw, item in value.items():
        key = str(raw).replace("-", "_")
        if key not in _PARSERS:
            known = ", ".join(KEYS)
            raise SettingError(str(raw), f"unknown key (known: {known})")
        _PARSERS[key](item)
        out[key] = item
    return out


def settings(section: Mapping[str, Any]) -> Settings:
    """Settings from a validated section (defaults for what it does not set)."""
    values = {key: _PARSERS[key](item) for key, item in section.items()}
    return Settings(**values)
