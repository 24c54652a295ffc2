"""The compiled URL rule data (providers, redirects, expiry markers) and what cleaning finds."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .parts import host_in, normalize_key

#: Classes of removable keys, worst first.
CLASSES: tuple[str, ...] = ("credential", "identifying", "tracking", "presentation")
CLASS_RANK = {name: i for i, name in enumerate(CLASSES)}
#: Bound of the per-URL and per-host memos (the same URLs recur across a run's files).
MEMO_LIMIT = 20_000


def remember(memo: dict[str, Any], key: str, value: Any) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value


@dataclass(frozen=True)
class KeyMatcher:
    """Whole-key match against literal names and ``re:`` patterns (case-insensitive)."""

    names: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    _seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, key: str) -> bool:
        if key in self.names:
            return True
        if not self.patterns:
            return False
        hit = self._seen.get(key)
        if hit is None:
            if len(self._seen) > 4096:
                self._seen.clear()
            hit = self._seen[key] = any(p.fullmatch(key) for p in self.patterns)
        return hit

    def __bool__(self) -> bool:
        return bool(self.names or self.patterns)

    def any_of(self, keys: Collection[str]) -> bool:
        """Whether one of ``keys`` matches (a set operation when there are no patterns)."""
        if not self.patterns:
            return not self.names.isdisjoint(keys)
        return any(self(k) for k in keys)

    def __or__(self, other: KeyMatcher) -> KeyMatcher:
        return KeyMatcher(self.names | other.names, self.patterns + other.patterns)


@dataclass(frozen=True)
class HostMatcher:
    names: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()

    def __call__(self, host: str) -> bool:
        if host in self.names:
            return True
        return bool(self.patterns) and any(p.fullmatch(host) for p in self.patterns)

    @property
    def exact(self) -> bool:
        return not self.patterns


def first_class(table: Mapping[str, KeyMatcher], key: str) -> str | None:
    for cls in CLASSES:
        matcher = table.get(cls)
        if matcher is not None and matcher(key):
            return cls
    return None


@dataclass(frozen=True)
class Provider:
    """Rules for one site (host + path pattern), like a ClearURLs provider."""

    name: str
    label: str
    hosts: HostMatcher
    path: re.Pattern[str] | None = None
    exceptions: tuple[re.Pattern[str], ...] = ()
    keep: KeyMatcher | None = None  # keep-list mode when set
    require_all: tuple[str, ...] = ()
    on_incomplete: str = "fallback"  # or "report"
    classes: Mapping[str, KeyMatcher] = field(default_factory=dict)
    default_class: str = "tracking"
    remove: Mapping[str, KeyMatcher] = field(default_factory=dict)
    remove_unverified: Mapping[str, KeyMatcher] = field(default_factory=dict)
    never: KeyMatcher = KeyMatcher()
    verified: bool = True
    fragment: str | tuple[re.Pattern[str], ...] = "keep"
    token: re.Pattern[str] | None = None
    token_repair: tuple[tuple[str, str], ...] = ()
    user: bool = False
    order: int = 0

    def sort_key(self) -> tuple[int, int, int, int]:
        return (self.path is None, not self.hosts.exact, not self.user, self.order)

    def match_path(self, path: str, url: str) -> re.Match[str] | bool | None:
        """The path match (or True without a path pattern) when this provider, whose host
        test passed, applies."""
        if any(p.search(url) for p in self.exceptions):
            return None
        if self.path is None:
            return True
        return self.path.search(path)

    def classify(self, key: str) -> str | None:
        return first_class(self.classes, key)


@dataclass(frozen=True)
class Redirect:
    """A single-target redirector: the target URL is the value of ``params``."""

    hosts: HostMatcher
    path: re.Pattern[str] | None
    params: tuple[str, ...]
    opaque: bool = False


@dataclass(frozen=True)
class Marker:
    """Something that makes a link expire (BL013); ``protect`` keeps BL001 off it."""

    name: str
    hosts: HostMatcher | None
    path: re.Pattern[str] | None
    any: KeyMatcher
    all: tuple[KeyMatcher, ...]
    protect: bool = False

    def matches(self, host: str, path: str, present: Sequence[str]) -> bool:
        if self.hosts is not None and not self.hosts(host):
            return False
        if self.path is not None and not self.path.search(path):
            return False
        if self.any and not self.any.any_of(present):
            return False
        return all(m.any_of(present) for m in self.all)


@dataclass(frozen=True)
class RuleSet:
    """The compiled URL rule data (built-in table merged with user options)."""

    providers: tuple[Provider, ...]
    global_remove: Mapping[str, KeyMatcher]
    user_remove: KeyMatcher
    never: KeyMatcher
    not_global: KeyMatcher
    #: Keys removed everywhere only with certain values: key -> (values, class).
    global_values: Mapping[str, tuple[frozenset[str], str]]
    exceptions: tuple[re.Pattern[str], ...]
    allow: tuple[tuple[str, KeyMatcher], ...]
    upgrade_hosts: frozenset[str]
    strip_fragments: bool
    redirects: tuple[Redirect, ...]
    short_links: Mapping[str, str]
    markers: tuple[Marker, ...]
    #: clean_url results by URL (the same URLs recur across a run's files and passes).
    memo: dict[str, Cleaning] = field(default_factory=dict, compare=False, repr=False)
    #: Per host (a run has far fewer hosts than URLs, and most hosts match nothing): the
    #: providers, markers and redirects whose host test passes, and the allowed keys.
    _providers: dict[str, tuple[Provider, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _markers: dict[str, tuple[Marker, ...]] = field(default_factory=dict, compare=False, repr=False)
    _redirects: dict[str, tuple[Redirect, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _allowed: dict[str, KeyMatcher] = field(default_factory=dict, compare=False, repr=False)
    #: clean_url results with spared keys, by (URL, keys).
    spared_memo: dict[tuple[str, frozenset[str]], Cleaning] = field(
        default_factory=dict, compare=False, repr=False
    )
    _global_class: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    #: needs_cleaning() answers by URL
    needs_memo: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def _provider_index(self) -> tuple[dict[str, list[int]], list[int]]:
        """Positions of the providers by exact host name, and those with host patterns."""
        by_name: dict[str, list[int]] = {}
        patterned = []
        for i, provider in enumerate(self.providers):
            for name in provider.hosts.names:
                by_name.setdefault(name, []).append(i)
            if provider.hosts.patterns:
                patterned.append(i)
        return by_name, patterned

    def providers_for(self, host: str) -> tuple[Provider, ...]:
        """The providers whose host test passes, in priority order."""
        found = self._providers.get(host)
        if found is None:
            by_name, patterned = self._provider_index
            positions = set(by_name.get(host, ()))
            positions.update(i for i in patterned if self.providers[i].hosts(host))
            found = tuple(self.providers[i] for i in sorted(positions))
            remember(self._providers, host, found)
        return found

    def markers_on(self, host: str) -> tuple[Marker, ...]:
        """The markers whose host test passes (or that have none), in data order."""
        found = self._markers.get(host)
        if found is None:
            found = tuple(m for m in self.markers if m.hosts is None or m.hosts(host))
            remember(self._markers, host, found)
        return found

    def redirects_on(self, host: str) -> tuple[Redirect, ...]:
        """The redirects whose host test passes, in data order."""
        found = self._redirects.get(host)
        if found is None:
            found = tuple(r for r in self.redirects if r.hosts(host))
            remember(self._redirects, host, found)
        return found

    def provider_for(self, host: str, path: str, url: str) -> tuple[Provider | None, Any]:
        for provider in self.providers_for(host):
            m = provider.match_path(path, url)
            if m:
                return provider, m
        return None, None

    def global_class(self, key: str) -> str | None:
        memo = self._global_class
        if key in memo:
            return memo[key]
        found = None if self.not_global(key) else first_class(self.global_remove, key)
        remember(memo, key, found)
        return found

    def value_class(self, key: str, raw_value: str) -> str | None:
        """The class of ``key`` when the global value list names this value (``from=timeline``)."""
        found = self.global_values.get(key)
        if found is None or not raw_value:
            return None
        return found[1] if normalize_key(raw_value) in found[0] else None

    def allowed(self, host: str) -> KeyMatcher:
        found = self._allowed.get(host)
        if found is None:
            found = self.never
            for name, matcher in self.allow:
                if name == "*" or host_in(host, (name,)):
                    found = found | matcher
            remember(self._allowed, host, found)
        return found

    def markers_for(self, host: str, path: str, present: Sequence[str]) -> list[Marker]:
        return [m for m in self.markers_on(host) if m.matches(host, path, present)]


@dataclass(frozen=True)
class Removal:
    """One removed (or removable) key: as written, its class, and whether removal is safe."""

    key: str
    cls: str
    safe: bool = True
    place: str = "query"  # or "fragment"


@dataclass(frozen=True)
class Cleaning:
    """What :func:`clean_url` found for one URL."""

    url: str
    safe_url: str  # with the safe changes only
    unsafe_url: str  # with the unverified removals only
    full_url: str  # with every change
    provider: str = ""
    label: str = ""
    host: str = ""
    removed: tuple[Removal, ...] = ()
    dropped_fragment: str | None = None  # "rd" when "#rd" was dropped
    upgraded: bool = False  # http -> https
    incomplete: tuple[str, ...] = ()  # required keys missing: report, change nothing
    present: tuple[Removal, ...] = ()  # sensitive keys on a link left alone
    bad_token: str | None = None
    repaired_url: str | None = None
    protected: str = ""  # why nothing was looked at ("exception" or a marker name)
    #: A removed value may go on past an unencoded ``&``: report, but offer no fix.
    ambiguous: bool = False

    @property
    def changed(self) -> bool:
        return self.full_url != self.url

    def classes(self, safe: bool) -> dict[str, list[str]]:
        """Removed keys (as written, deduplicated) by class, worst class first."""
        out: dict[str, list[str]] = {}
        for r in sorted(
            (r for r in self.removed if r.safe == safe), key=lambda r: CLASS_RANK[r.cls]
        ):
            names = out.setdefault(r.cls, [])
            if r.key not in names:
                names.append(r.key)
        return out

    def worst(self, safe: bool) -> str | None:
        ranks = [CLASS_RANK[r.cls] for r in self.removed if r.safe == safe]
        return CLASSES[min(ranks)] if ranks else None
