"""BL004's rule data (``rules/image-hosts.yaml``), the rule's settings and its URL view."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import Severity
from ..ruledata import RuleDataError, load_table
from ..safe_regex import RegexError, compile_user_regex
from ..urls import Segment, filter_query, host_in, split_query, split_url

_STATUSES = ("block", "unreliable", "ok")


# -- rule data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostPattern:
    """``host``, ``*.host`` (it and its subdomains), ``re:<regex>``, optionally ``host/path``."""

    text: str
    exact: str = ""
    suffix: str = ""
    regex: re.Pattern[str] | None = None
    path_prefix: str = ""

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        text = str(text).strip()
        if text.startswith("re:"):
            return cls(text, regex=compile_user_regex(text[3:], re.IGNORECASE))
        host, slash, path = text.partition("/")
        host = host.lower()
        prefix = "/" + path if slash else ""
        if host.startswith("*."):
            return cls(text, suffix=host[2:], path_prefix=prefix)
        if host.startswith("."):
            return cls(text, suffix=host[1:], path_prefix=prefix)
        return cls(text, exact=host, path_prefix=prefix)

    def matches_host(self, host: str) -> bool:
        if self.regex is not None:
            return self.regex.search(host) is not None
        if self.suffix:
            return host_in(host, (self.suffix,))
        return host == self.exact

    def matches(self, host: str, path: str = "") -> bool:
        if not self.matches_host(host):
            return False
        return not self.path_prefix or path.startswith(self.path_prefix)


@dataclass(frozen=True)
class HostPolicy:
    """One entry of ``hosts`` (or of the ``host_policies`` option)."""

    pattern: HostPattern
    status: str
    reason: str = ""
    since: str = ""
    audience: frozenset[str] = frozenset()
    alternative: str = ""
    referer: bool = False
    https: bool = False
    ok_on: frozenset[str] = frozenset()
    path: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None

    def matches(self, url: ImageUrl) -> bool:
        if not self.pattern.matches(url.host, url.path):
            return False
        if self.path is not None and self.path.search(url.path) is None:
            return False
        return self.unless is None or self.unless.search(url.text) is None

    def applies_to(self, audience: frozenset[str]) -> bool:
        return not self.audience or bool(self.audience & audience)


def str_set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value.lower()})
    return frozenset(str(v).lower() for v in value)


def _regex(value: Any) -> re.Pattern[str] | None:
    if value is None or value == "":
        return None
    text = str(value)
    if text.startswith("re:"):
        text = text[3:]
    return compile_user_regex(text, re.IGNORECASE)


def parse_policy(entry: Any, status_required: bool = True) -> HostPolicy:
    """Validate one host entry; raises ValueError naming the problem."""
    if not isinstance(entry, Mapping) or "match" not in entry:
        raise ValueError("expected a mapping with a 'match' key")
    status = str(entry.get("status", "" if status_required else "block"))
    if status not in _STATUSES:
        raise ValueError(f"status must be one of {', '.join(_STATUSES)}, got {status!r}")
    since = entry.get("since")
    try:
        return HostPolicy(
            pattern=HostPattern.parse(str(entry["match"])),
            status=status,
            reason=str(entry.get("reason") or "").strip(),
            since="" if since is None else str(since),
            audience=str_set(entry.get("audience")),
            alternative=str(entry.get("alternative") or "").strip(),
            referer=bool(entry.get("referer", False)),
            https=bool(entry.get("https", False)),
            ok_on=str_set(entry.get("ok_on")),
            path=_regex(entry.get("path")),
            unless=_regex(entry.get("unless")),
        )
    except RegexError as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class ImageData:
    """The parsed ``rules/image-hosts.yaml``."""

    hosts: tuple[HostPolicy, ...]
    https_known: tuple[HostPattern, ...]
    pages: tuple[HostPolicy, ...]
    signed_params: frozenset[str]
    signed_sets: tuple[frozenset[str], ...]
    local_paths: tuple[re.Pattern[str], ...]
    default_alts: tuple[re.Pattern[str], ...]
    wechat_images: re.Pattern[str]
    wechat_noise: tuple[str, ...]
    tracking_paths: tuple[re.Pattern[str], ...] = ()
    tracking_hosts: tuple[HostPolicy, ...] = ()
    #: ``default_alts`` as one pattern (one call per alt text), when they combine.
    default_alt: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        if not any(_UNCOMBINABLE.search(p.pattern) for p in self.default_alts):
            object.__setattr__(self, "default_alt", _either(self.default_alts))

    def is_default_alt(self, alt: str) -> bool:
        if self.default_alt is not None:
            return self.default_alt.fullmatch(alt) is not None
        return any(p.fullmatch(alt) for p in self.default_alts)

    def local_path(self, text: str) -> bool:
        return any(p.search(text) for p in self.local_paths)

    def tracking_pixel(self, url: ImageUrl) -> bool:
        """The URL is a known email open-tracking pixel."""
        if not url.host:
            return False
        if any(p.search(url.path) for p in self.tracking_paths):
            return True
        return any(p.matches(url) for p in self.tracking_hosts)


#: Group references, named groups and global flags: a pattern using them cannot be one
#: branch of a bigger pattern.
_UNCOMBINABLE = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?\(|\(\?[aiLmsux]+\)")


def _either(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` (all case-insensitive) matches."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def _entries(table: Mapping[str, Any], key: str) -> Any:
    """A list of the table (nothing when the key is missing or empty)."""
    return table.get(key) or ()


def _patterns_of(table: Mapping[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in _entries(table, key))


@functools.cache
def image_data() -> ImageData:
    """Built-in rule data, validated once."""
    table = load_table("image-hosts")
    try:
        return ImageData(
            hosts=tuple(parse_policy(e) for e in table["hosts"]),
            https_known=tuple(HostPattern.parse(h) for h in _entries(table, "https_known")),
            pages=tuple(parse_policy(e, False) for e in _entries(table, "pages")),
            signed_params=frozenset(str(p).lower() for p in _entries(table, "signed_params")),
            signed_sets=tuple(str_set(s) for s in _entries(table, "signed_sets")),
            local_paths=_patterns_of(table, "local_paths"),
            default_alts=_patterns_of(table, "default_alts"),
            wechat_images=re.compile(str(table["wechat_images"]), re.I),
            wechat_noise=tuple(str(p).lower() for p in _entries(table, "wechat_noise_params")),
            tracking_paths=_patterns_of(table, "tracking_pixel_paths"),
            tracking_hosts=tuple(
                parse_policy(e, False) for e in _entries(table, "tracking_pixel_hosts")
            ),
        )
    except (KeyError, ValueError, TypeError, re.error) as exc:
        raise RuleDataError(f"rules/image-hosts.yaml: {exc}") from None


@functools.lru_cache(maxsize=4096)
def pages_on(host: str) -> tuple[HostPolicy, ...]:
    """The ``pages`` entries whose host pattern matches ``host`` (hosts recur across files)."""
    return tuple(p for p in image_data().pages if p.pattern.matches_host(host))


@functools.lru_cache(maxsize=4096)
def wechat_host(host: str) -> bool:
    return image_data().wechat_images.search(host) is not None


# -- URL helpers ------------------------------------------------------------------------------


@dataclass(slots=True)
class ImageUrl:
    text: str
    scheme: str  # lower case, without the colon
    host: str
    path: str
    query: str

    @classmethod
    def parse(cls, text: str) -> ImageUrl:
        text = text.strip()
        parts = split_url(text)
        scheme = parts.scheme[:-1].lower()
        return cls(text, scheme, parts.host, parts.path, parts.query or "")

    def query_keys(self) -> set[str]:
        return {s.key for s in split_query(self.query) if s.text}


def drop_query_params(raw: str, drop: Sequence[str]) -> tuple[str, list[str]]:
    """Remove query segments of ``raw`` whose key (or ``key=value``) is in ``drop``.

    Edits the text as written (see :mod:`briefing_lint.urls`): kept segments, separators,
    the fragment and any percent-encoding stay byte for byte.
    """
    parts = split_url(raw)
    if parts.query is None:
        return raw, []

    def unwanted(segment: Segment) -> bool:
        return segment.key in drop or f"{segment.key}={segment.value.lower()}" in drop

    query, removed = filter_query(parts.query, unwanted)
    if not removed:
        return raw, []
    return replace(parts, query=query or None).join(), [s.text for s in removed]


# -- the rule -----------------------------------------------------------------------------------


@dataclass
class Settings:
    data: ImageData
    policies: tuple[HostPolicy, ...]
    audience: frozenset[str]
    target: str
    allow: tuple[HostPattern, ...]
    https_known: tuple[HostPattern, ...]
    alt_missing: Severity | None
    alt_default: Severity | None
    no_referrer_doc: bool
    alt_missing_message: str
    site_root: str = ""
    #: host -> the policies (audience applied) whose host pattern matches it
    by_host: dict[str, tuple[HostPolicy, ...]] = field(default_factory=dict)

    def candidates(self, host: str) -> tuple[HostPolicy, ...]:
        found = self.by_host.get(host)
        if found is None:
            found = tuple(
                p
                for p in self.policies
                if p.applies_to(self.audience) and p.pattern.matches_host(host)
            )
            self.by_host[host] = found
        return found


def alt_severity(value: Any) -> Severity | None:
    if value in (False, None, "off"):
        return None
    return Severity(str(value))
