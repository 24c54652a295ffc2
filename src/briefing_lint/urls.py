"""Raw URL editing, and the URL rule data (providers, redirects, short and ephemeral links).

Every Python URL cleaner we tried corrupts the links a briefing carries: re-encoding ``==`` to
``%3D%3D``, HTML-unescaping ``&timestamp=`` into ``×tamp=``, lower-casing case-sensitive ids,
re-sorting or dropping the parameters that identify the page. So URLs here are edited as
text: the query is split on ``&`` (or ``&amp;``, ``&#38;``, ``&#x26;``: Markdown decodes
character references in a destination) and whole segments are dropped; what stays keeps its
bytes, its order and its separators. Keys are compared after percent-decoding,
case-insensitively, as whole keys. Nothing is ever re-encoded, unescaped or re-cased.

The rule data lives in ``rules/url-providers.yaml``; :func:`ruleset` compiles it once per
process (and once per distinct set of user options).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from .ruledata import load_table
from .safe_regex import RegexError, compile_user_regex

#: Classes of removable keys, worst first.
CLASSES: tuple[str, ...] = ("credential", "identifying", "tracking", "presentation")
_RANK = {name: i for i, name in enumerate(CLASSES)}

#: ``&#38;`` / ``&#x26;`` are an ``&`` (Markdown decodes them): their ``#`` starts no fragment.
_AMP_REF = r"&\#0*38;|&\#[xX]0*26;"
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*:)?(?P<auth>//[^/?#]*)?"
    rf"(?P<path>(?:{_AMP_REF}|[^?#])*)"
    rf"(?:\?(?P<query>(?:{_AMP_REF}|[^#])*))?(?:#(?P<fragment>.*))?\Z",
    re.DOTALL,
)
_WWW = re.compile(r"www\.[^/?#]*", re.IGNORECASE)
#: A query separator as written: ``&``, or ``&`` as an HTML character reference (``&amp;``,
#: ``&#38;``, ``&#x26;``), which Markdown decodes to ``&`` in a link destination.
_SEP = re.compile(r"&(?:amp;|AMP;|#0*38;|#[xX]0*26;)?")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ABSOLUTE = re.compile(r"https?://[^/?#\s\\]*[A-Za-z0-9][^/?#\s\\]*(?:[/?#].*)?\Z", re.I | re.S)
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_ENCODED_SCHEME = re.compile(r"https?%3A", re.IGNORECASE)
#: Bound of the per-URL and per-host memos (the same URLs recur across a run's files).
_MEMO_LIMIT = 20_000


class UrlDataError(ValueError):
    """Malformed URL rule data (built-in table or user options); names the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


# -- splitting and joining, byte for byte ------------------------------------------------


@dataclass(frozen=True)
class UrlParts:
    """A URL cut into its raw parts; :meth:`join` gives back the exact input."""

    scheme: str  # "https:" (with the colon) or ""
    authority: str  # "//host:port" as written, or "www.host" for a scheme-less bare URL
    path: str
    query: str | None  # without "?"; None when there is no "?"
    fragment: str | None  # without "#"; None when there is no "#"

    def join(self) -> str:
        out = self.scheme + self.authority + self.path
        if self.query is not None:
            out += "?" + self.query
        if self.fragment is not None:
            out += "#" + self.fragment
        return out

    @property
    def host(self) -> str:
        """Lower-cased host without user info, port or trailing dot ("" when none)."""
        return authority_host(self.authority)


@functools.lru_cache(maxsize=4096)
def authority_host(authority: str) -> str:
    """:attr:`UrlParts.host` of an authority (memoised: a run has far fewer hosts than URLs)."""
    auth = authority.lstrip("/")
    auth = auth.rpartition("@")[2]
    host = auth.partition("]")[0] + "]" if auth.startswith("[") else auth.partition(":")[0]
    return host.rstrip(".").lower()


@functools.lru_cache(maxsize=16384)
def split_url(url: str) -> UrlParts:
    """Cut ``url`` into raw parts without decoding anything (memoised: URLs repeat, and
    several rules look at every one)."""
    m = _URL.match(url)
    assert m is not None  # every part is optional
    scheme = m.group("scheme") or ""
    auth = m.group("auth") or ""
    path = m.group("path")
    if not scheme and not auth:
        www = _WWW.match(path)
        if www:
            auth, path = path[: www.end()], path[www.end() :]
    return UrlParts(scheme, auth, path, m.group("query"), m.group("fragment"))


def normalize_key(raw: str) -> str:
    """The key as rules see it: Markdown escapes and percent-escapes decoded, lower case."""
    if "\\" in raw:
        raw = _MD_ESCAPE.sub(r"\1", raw)
    if "%" in raw:
        raw = unquote(raw, errors="replace")
    return raw.lower()


@dataclass(frozen=True)
class Segment:
    """One ``key=value`` piece of a query, as written, with the separator before it."""

    sep: str  # "", "&", or "&" as a character reference ("&amp;", "&#38;", "&#x26;")
    text: str
    key: str  # normalised key (see normalize_key)

    @property
    def raw_key(self) -> str:
        return self.text.partition("=")[0]

    @property
    def has_value(self) -> bool:
        return "=" in self.text

    @property
    def value(self) -> str:
        return self.text.partition("=")[2]


def split_query(query: str) -> list[Segment]:
    """Segments of a raw query (or fragment) string, separators kept."""
    out: list[Segment] = []
    pos = 0
    sep = ""
    for m in _SEP.finditer(query):
        text = query[pos : m.start()]
        out.append(Segment(sep, text, normalize_key(text.partition("=")[0])))
        sep = m.group(0)
        pos = m.end()
    text = query[pos:]
    out.append(Segment(sep, text, normalize_key(text.partition("=")[0])))
    return out


def join_query(segments: Sequence[Segment]) -> str:
    """Join kept segments: the first loses its separator, the others keep their own."""
    parts: list[str] = []
    for i, seg in enumerate(segments):
        parts.append(seg.text if i == 0 else (seg.sep or "&") + seg.text)
    return "".join(parts)


def filter_query(query: str, drop: Callable[[Segment], bool]) -> tuple[str, list[Segment]]:
    """Drop the segments ``drop`` selects; return the new query and what was dropped.

    When nothing is dropped the query is returned as it was (empty segments included);
    otherwise empty segments (``a=1&&b=2``) go too.
    """
    segments = split_query(query)
    dropped = [s for s in segments if s.text and drop(s)]
    if not dropped:
        return query, []
    kept = [s for s in segments if s.text and not drop(s)]
    return join_query(kept), dropped


# -- compiled rule data -------------------------------------------------------------------


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


def _regex(pattern: str, where: str, trusted: bool, flags: int = 0) -> re.Pattern[str]:
    if trusted:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            raise UrlDataError(where, f"invalid pattern {pattern!r}: {exc}") from None
    try:
        return compile_user_regex(pattern, flags)
    except RegexError as exc:
        raise UrlDataError(where, str(exc)) from None


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in value
    ):
        return [str(v) for v in value]
    raise UrlDataError(where, "expected a string or a list of strings")


def keys(items: Iterable[str], where: str = "keys", trusted: bool = True) -> KeyMatcher:
    """Compile key entries: literal names, or ``re:`` full-match patterns."""
    names, patterns = _names_and_patterns(items, where, trusted, normalize_key)
    return KeyMatcher(names, patterns)


def _names_and_patterns(
    items: Iterable[str], where: str, trusted: bool, normalize: Callable[[str], str]
) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """Split rule-data entries into literal names and ``re:`` full-match patterns."""
    names: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for item in items:
        if item.startswith("re:"):
            patterns.append(_regex(item[3:], where, trusted, re.IGNORECASE))
        else:
            names.add(normalize(item))
    return frozenset(names), tuple(patterns)


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


def _hosts(value: Any, where: str, trusted: bool) -> HostMatcher:
    items = _strings(value, where)
    if not items:
        raise UrlDataError(where, "needs at least one host")
    names, patterns = _names_and_patterns(
        items, where, trusted, lambda item: item.strip().rstrip(".").lower()
    )
    return HostMatcher(names, patterns)


def _class_map(
    value: Any, where: str, default: str = "tracking", trusted: bool = True
) -> dict[str, KeyMatcher]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {default: keys(_strings(value, where), where, trusted)}
    out: dict[str, KeyMatcher] = {}
    for cls, items in value.items():
        if cls not in _RANK:
            raise UrlDataError(f"{where}.{cls}", f"unknown class (use {', '.join(CLASSES)})")
        out[str(cls)] = keys(_strings(items, f"{where}.{cls}"), f"{where}.{cls}", trusted)
    return out


def _first_class(table: Mapping[str, KeyMatcher], key: str) -> str | None:
    for cls in CLASSES:
        matcher = table.get(cls)
        if matcher is not None and matcher(key):
            return cls
    return None


_PROVIDER_KEYS = frozenset(
    {
        "label", "host", "path", "exceptions", "keep", "require_all", "on_incomplete",
        "classes", "default_class", "remove", "remove_unverified", "never", "verified",
        "fragment", "token", "token_repair",
    }
)  # fmt: skip


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
        return _first_class(self.classes, key)


def compile_provider(
    name: str, spec: Any, *, trusted: bool = True, user: bool = False, order: int = 0
) -> Provider:
    """Validate and compile one provider entry (``providers.<name>`` in the table)."""
    where = f"providers.{name}"
    if not isinstance(spec, dict):
        raise UrlDataError(where, "expected a mapping")
    unknown = set(spec) - _PROVIDER_KEYS
    if unknown:
        raise UrlDataError(where, f"unknown keys {sorted(unknown)}")
    if "host" not in spec:
        raise UrlDataError(where, "missing key 'host'")
    on_incomplete = str(spec.get("on_incomplete", "fallback"))
    if on_incomplete not in ("fallback", "report"):
        raise UrlDataError(f"{where}.on_incomplete", "expected fallback or report")
    default_class = str(spec.get("default_class", "tracking"))
    if default_class not in _RANK:
        raise UrlDataError(f"{where}.default_class", f"expected one of {', '.join(CLASSES)}")
    fragment_spec = spec.get("fragment", "keep")
    fragment: str | tuple[re.Pattern[str], ...]
    if fragment_spec in ("keep", "all"):
        fragment = str(fragment_spec)
    else:
        fragment = tuple(
            _regex(item[3:] if item.startswith("re:") else re.escape(item), where, trusted)
            for item in _strings(fragment_spec, f"{where}.fragment")
        )
    repair = spec.get("token_repair") or {}
    if not isinstance(repair, dict):
        raise UrlDataError(f"{where}.token_repair", "expected a mapping of text: replacement")
    path = spec.get("path")
    verified = spec.get("verified", True)
    if not isinstance(verified, bool):
        raise UrlDataError(f"{where}.verified", "expected true or false")
    return Provider(
        name=name,
        label=str(spec.get("label") or f"{name} link"),
        hosts=_hosts(spec["host"], f"{where}.host", trusted),
        path=None if path is None else _regex(str(path), f"{where}.path", trusted),
        exceptions=tuple(
            _regex(p, f"{where}.exceptions", trusted)
            for p in _strings(spec.get("exceptions"), f"{where}.exceptions")
        ),
        keep=None
        if "keep" not in spec
        else keys(_strings(spec["keep"], f"{where}.keep"), f"{where}.keep", trusted),
        require_all=tuple(
            normalize_key(k) for k in _strings(spec.get("require_all"), f"{where}.require_all")
        ),
        on_incomplete=on_incomplete,
        classes=_class_map(spec.get("classes"), f"{where}.classes", default_class, trusted),
        default_class=default_class,
        remove=_class_map(spec.get("remove"), f"{where}.remove", default_class, trusted),
        remove_unverified=_class_map(
            spec.get("remove_unverified"), f"{where}.remove_unverified", default_class, trusted
        ),
        never=keys(_strings(spec.get("never"), f"{where}.never"), f"{where}.never", trusted),
        verified=verified,
        fragment=fragment,
        token=None
        if spec.get("token") is None
        else _regex(str(spec["token"]), f"{where}.token", trusted),
        token_repair=tuple((str(a), str(b)) for a, b in repair.items()),
        user=user,
        order=order,
    )


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
    _spared: dict[tuple[str, frozenset[str]], Cleaning] = field(
        default_factory=dict, compare=False, repr=False
    )
    _global_class: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    #: needs_cleaning() answers by URL
    _needs: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

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
            _remember(self._providers, host, found)
        return found

    def markers_on(self, host: str) -> tuple[Marker, ...]:
        """The markers whose host test passes (or that have none), in data order."""
        found = self._markers.get(host)
        if found is None:
            found = tuple(m for m in self.markers if m.hosts is None or m.hosts(host))
            _remember(self._markers, host, found)
        return found

    def redirects_on(self, host: str) -> tuple[Redirect, ...]:
        """The redirects whose host test passes, in data order."""
        found = self._redirects.get(host)
        if found is None:
            found = tuple(r for r in self.redirects if r.hosts(host))
            _remember(self._redirects, host, found)
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
        found = None if self.not_global(key) else _first_class(self.global_remove, key)
        _remember(memo, key, found)
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
                if name == "*" or host == name or host.endswith("." + name):
                    found = found | matcher
            _remember(self._allowed, host, found)
        return found

    def markers_for(self, host: str, path: str, present: Sequence[str]) -> list[Marker]:
        return [m for m in self.markers_on(host) if m.matches(host, path, present)]


def _remember(memo: dict[str, Any], key: str, value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _compile_redirect(spec: Any, where: str, trusted: bool) -> Redirect:
    if not isinstance(spec, dict):
        raise UrlDataError(where, "expected a mapping with host, param (and path)")
    unknown = set(spec) - {"host", "path", "param", "opaque"}
    if unknown:
        raise UrlDataError(where, f"unknown keys {sorted(unknown)}")
    params = tuple(normalize_key(p) for p in _strings(spec.get("param"), f"{where}.param"))
    if not params:
        raise UrlDataError(where, "missing key 'param'")
    path = spec.get("path")
    return Redirect(
        _hosts(spec.get("host"), f"{where}.host", trusted),
        None if path is None else _regex(str(path), f"{where}.path", trusted),
        params,
        bool(spec.get("opaque", False)),
    )


def _compile_marker(spec: Any, where: str) -> Marker:
    if not isinstance(spec, dict) or "name" not in spec:
        raise UrlDataError(where, "expected a mapping with a name")
    host = spec.get("host")
    path = spec.get("path")
    return Marker(
        str(spec["name"]),
        None if host is None else _hosts(host, f"{where}.host", True),
        None if path is None else _regex(str(path), f"{where}.path", True),
        keys(_strings(spec.get("any"), f"{where}.any"), where),
        tuple(keys([k], where) for k in _strings(spec.get("all"), f"{where}.all")),
        bool(spec.get("protect", False)),
    )


def _value_map(value: Any, where: str) -> dict[str, tuple[frozenset[str], str]]:
    """``{class: {key: [values]}}`` -> key -> (normalised values, class)."""
    out: dict[str, tuple[frozenset[str], str]] = {}
    if not value:
        return out
    if not isinstance(value, dict):
        raise UrlDataError(where, "expected a mapping of class: {key: [values]}")
    for cls, entries in value.items():
        if cls not in _RANK:
            raise UrlDataError(f"{where}.{cls}", f"unknown class (use {', '.join(CLASSES)})")
        if not isinstance(entries, dict):
            raise UrlDataError(f"{where}.{cls}", "expected a mapping of key: [values]")
        for key, values in entries.items():
            items = _strings(values, f"{where}.{cls}.{key}")
            out[normalize_key(str(key))] = (frozenset(normalize_key(v) for v in items), str(cls))
    return out


def _build(options: Mapping[str, Any]) -> RuleSet:
    table = load_table("url-providers")
    glob = table.get("global") or {}
    specs: dict[str, tuple[Any, bool]] = {
        str(name): (spec, False) for name, spec in (table.get("providers") or {}).items()
    }
    extra = options.get("extra_providers") or {}
    if not isinstance(extra, dict):
        raise UrlDataError("extra_providers", "expected a mapping of name: provider")
    for name, spec in extra.items():
        name = str(name)
        if spec is None:
            specs.pop(name, None)
            continue
        if name in specs and isinstance(spec, dict) and isinstance(specs[name][0], dict):
            specs[name] = ({**specs[name][0], **spec}, True)
        else:
            specs[name] = (spec, True)
    for name in _strings(options.get("disable_providers"), "disable_providers"):
        if name not in specs:
            raise UrlDataError("disable_providers", f"no provider named {name!r}")
        specs.pop(name)
    providers = []
    for order, (name, (spec, user)) in enumerate(specs.items()):
        try:
            providers.append(compile_provider(name, spec, trusted=not user, user=user, order=order))
        except UrlDataError as exc:
            if user:
                raise UrlDataError("extra_" + exc.key, exc.problem) from None
            raise
    providers.sort(key=Provider.sort_key)

    allow_spec = options.get("allow_params") or {}
    if not isinstance(allow_spec, dict):
        raise UrlDataError("allow_params", "expected a mapping of host: [keys]")
    allow = tuple(
        (
            str(host).lower(),
            keys(_strings(items, f"allow_params.{host}"), f"allow_params.{host}", False),
        )
        for host, items in allow_spec.items()
    )
    redirects = [
        _compile_redirect(spec, f"redirects[{i}]", True)
        for i, spec in enumerate(table.get("redirects") or [])
    ]
    extra_redirects = options.get("extra_redirects") or []
    if not isinstance(extra_redirects, list):
        raise UrlDataError("extra_redirects", "expected a list of {host, path, param}")
    redirects[:0] = [
        _compile_redirect(spec, f"extra_redirects[{i}]", False)
        for i, spec in enumerate(extra_redirects)
    ]
    short = {
        str(item["host"]).lower(): str(item.get("label", item["host"]))
        for item in table.get("short_links") or []
    }
    for host in _strings(options.get("extra_short_hosts"), "extra_hosts"):
        short[host.lower()] = host.lower()
    markers = [
        _compile_marker(spec, f"ephemeral[{i}]")
        for i, spec in enumerate(table.get("ephemeral") or [])
    ]
    signed = _strings(options.get("extra_signed_params"), "extra_signed_params")
    if signed:
        markers.append(
            Marker("signed", None, None, keys(signed, "extra_signed_params", False), (), True)
        )
    return RuleSet(
        providers=tuple(providers),
        global_remove=_class_map(glob.get("remove"), "global.remove"),
        user_remove=keys(
            _strings(options.get("remove_params"), "remove_params"), "remove_params", False
        ),
        never=keys(_strings(glob.get("never"), "global.never"), "global.never"),
        not_global=keys(_strings(glob.get("not_global"), "global.not_global")),
        global_values=_value_map(glob.get("remove_values"), "global.remove_values"),
        exceptions=tuple(
            _regex(p, "global.exceptions", True)
            for p in _strings(glob.get("exceptions"), "global.exceptions")
        ),
        allow=allow,
        upgrade_hosts=frozenset(
            h.lower() for h in _strings(options.get("upgrade_https_hosts"), "upgrade_https_hosts")
        ),
        strip_fragments=bool(options.get("strip_wechat_fragments", True)),
        redirects=tuple(redirects),
        short_links=short,
        markers=tuple(markers),
    )


@functools.lru_cache(maxsize=64)
def _ruleset(key: str) -> RuleSet:
    return _build(json.loads(key))


#: Options of the URL rules that change the compiled data (others are ignored here).
DATA_OPTIONS = (
    "extra_providers", "disable_providers", "allow_params", "remove_params",
    "upgrade_https_hosts", "strip_wechat_fragments", "extra_redirects", "extra_short_hosts",
    "extra_signed_params",
)  # fmt: skip


#: ruleset() answers by the repr of the options first: every rule asks for every document,
#: and the JSON key costs several times more (option values are plain config data).
_BY_REPR: dict[str, RuleSet] = {}


def ruleset(options: Mapping[str, Any] | None = None) -> RuleSet:
    """The compiled rule data for these rule options (cached per distinct options)."""
    relevant = {k: v for k, v in (options or {}).items() if k in DATA_OPTIONS}
    relevant.setdefault("upgrade_https_hosts", ["mp.weixin.qq.com"])
    key = repr(relevant)
    found = _BY_REPR.get(key)
    if found is None:
        found = _ruleset(json.dumps(relevant, sort_keys=True, default=str))
        if len(_BY_REPR) >= 256:
            _BY_REPR.clear()
        _BY_REPR[key] = found
    return found


# -- cleaning ------------------------------------------------------------------------------


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
        for r in sorted((r for r in self.removed if r.safe == safe), key=lambda r: _RANK[r.cls]):
            names = out.setdefault(r.cls, [])
            if r.key not in names:
                names.append(r.key)
        return out

    def worst(self, safe: bool) -> str | None:
        ranks = [_RANK[r.cls] for r in self.removed if r.safe == safe]
        return CLASSES[min(ranks)] if ranks else None


def _decide(
    seg: Segment, rules: RuleSet, provider: Provider | None, mode: str, allowed: KeyMatcher
) -> Removal | None:
    key = seg.key
    if not seg.text or not key or allowed(key):
        return None
    if provider is not None and provider.never(key):
        return None
    if rules.user_remove(key):
        return Removal(seg.raw_key, "tracking")
    global_cls = rules.global_class(key) or rules.value_class(key, seg.value)
    if provider is not None and mode == "keep":
        assert provider.keep is not None
        if provider.keep(key):
            return None
        cls = provider.classify(key) or global_cls or provider.default_class
        return Removal(seg.raw_key, cls, provider.verified or global_cls is not None)
    if provider is not None and mode == "fallback":
        found = provider.classify(key) or global_cls
        if found in ("credential", "identifying"):
            return Removal(seg.raw_key, found, provider.verified or global_cls is not None)
    elif provider is not None:  # remove-list mode (also fragment parameters)
        listed = _first_class(provider.remove, key)
        if listed is not None:
            listed = provider.classify(key) or listed
            return Removal(seg.raw_key, listed, provider.verified or global_cls is not None)
        doubtful = _first_class(provider.remove_unverified, key)
        if doubtful is not None and global_cls is None:
            return Removal(seg.raw_key, provider.classify(key) or doubtful, False)
    if global_cls is not None:
        return Removal(seg.raw_key, global_cls)
    return None


def _fragment_params(fragment: str) -> bool:
    """A fragment that is a ``k=v&...`` list (not a route or an anchor)."""
    return "=" in fragment and not any(c in fragment for c in "/?#")


def needs_cleaning(url: str, rules: RuleSet | None = None) -> bool:
    """Whether :func:`clean_url` changes ``url``, or finds it incomplete or its token bad.

    Most URLs are decided without cleaning them: with no provider for their host, only a
    global or user-listed key, or an http->https upgrade, can change them.
    """
    rules = rules or ruleset()
    answer = rules._needs.get(url)
    if answer is None:
        found = rules.memo.get(url)
        if found is None and not _may_change(url, rules):
            answer = False
        else:
            found = found or clean_url(url, rules)
            answer = found.changed or bool(found.incomplete) or found.bad_token is not None
        _remember(rules._needs, url, answer)
    return answer


def _cleanable(parts: UrlParts) -> bool:
    """Only web URLs are cleaned: a host, an authority, and http(s) or no scheme."""
    return bool(parts.host and parts.authority) and parts.scheme.lower() in ("http:", "https:", "")


def _may_change(url: str, rules: RuleSet) -> bool:
    """False only where :func:`_clean` surely finds nothing (it follows its steps)."""
    parts = split_url(url)
    if not _cleanable(parts):
        return False
    host = parts.host
    if rules.providers_for(host):
        return True
    if parts.scheme.lower() == "http:" and host in rules.upgrade_hosts:
        return True
    segments = split_query(parts.query) if parts.query else []
    fragment = parts.fragment
    if fragment is not None and _fragment_params(fragment):
        segments += split_query(fragment)
    return any(
        seg.text
        and seg.key
        and (
            rules.user_remove(seg.key)
            or rules.global_class(seg.key)
            or rules.value_class(seg.key, seg.value)
        )
        for seg in segments
    )


def clean_url(
    url: str, rules: RuleSet | None = None, spare: frozenset[str] = frozenset()
) -> Cleaning:
    """Classify and strip what ``url`` should not carry; the input is never re-encoded.

    ``spare``: normalised keys whose *tracking* removals are left out (the newsletter's own
    campaign tags, a sponsor's tags); identifying and credential keys are never spared.
    """
    rules = rules or ruleset()
    if spare:
        spared = rules._spared
        key = (url, spare)
        hit = spared.get(key)
        if hit is None:
            if len(spared) >= _MEMO_LIMIT:
                spared.clear()
            hit = spared[key] = _clean(url, rules, spare)
        return hit
    memo = rules.memo
    found = memo.get(url)
    if found is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        found = memo[url] = _clean(url, rules)
    return found


def _continued(segments: Sequence[Segment], dropped: set[int]) -> bool:
    """Whether a dropped ``key=value`` is followed by a kept piece without ``=``: an
    unencoded ``&`` inside the value (``utm_source=Q&A&id=1``) or a flag; dropping the
    segment alone would leave half a value behind, so no fix can be offered."""
    for i in dropped:
        if i + 1 < len(segments) and i + 1 not in dropped:
            nxt = segments[i + 1]
            if nxt.text and "=" not in nxt.text and segments[i].has_value:
                return True
    return False


def _clean(url: str, rules: RuleSet, spare: frozenset[str] = frozenset()) -> Cleaning:
    parts = split_url(url)
    host = parts.host
    if not _cleanable(parts):
        return Cleaning(url, url, url, url, host=host)
    if any(p.search(url) for p in rules.exceptions):
        return Cleaning(url, url, url, url, host=host, protected="exception")
    segments = split_query(parts.query) if parts.query else []
    present = [s.key for s in segments if s.key]
    protect = next((m for m in rules.markers_for(host, parts.path, present) if m.protect), None)
    if protect is not None:
        return Cleaning(url, url, url, url, host=host, protected=protect.name)
    provider, match = rules.provider_for(host, parts.path, url)
    label = provider.label if provider is not None else f"`{host}` link"
    name = provider.name if provider else ""
    base = Cleaning(url, url, url, url, provider=name, label=label, host=host)
    allowed = rules.allowed(host)
    mode = "global"
    if provider is not None:
        mode = "remove" if provider.keep is None else "keep"
    if provider is not None and mode == "keep":
        if (
            provider.token is not None
            and isinstance(match, re.Match)
            and "token" in (match.re.groupindex)
        ):
            token = match.group("token")
            if not provider.token.fullmatch(token):
                fixed = token
                for old, new in provider.token_repair:
                    fixed = fixed.replace(old, new)
                repaired = None
                if fixed != token and provider.token.fullmatch(fixed):
                    start, end = match.span("token")
                    path = parts.path[:start] + fixed + parts.path[end:]
                    repaired = replace(parts, path=path).join()
                return replace(base, bad_token=token, repaired_url=repaired)
        have = {s.key for s in segments if s.value}
        missing = tuple(k for k in provider.require_all if k not in have)
        if missing:
            if provider.on_incomplete == "report":
                sensitive = []
                for seg in segments:
                    r = _decide(seg, rules, provider, "fallback", allowed)
                    if r is not None and r.cls in ("credential", "identifying"):
                        sensitive.append(r)
                return replace(base, incomplete=missing, present=tuple(sensitive))
            mode = "fallback"

    removed: list[Removal] = []
    safe_drop: set[int] = set()
    unsafe_drop: set[int] = set()
    for i, seg in enumerate(segments):
        r = _decide(seg, rules, provider, mode, allowed)
        if r is not None and spare and r.cls == "tracking" and seg.key in spare:
            r = None
        if r is not None:
            removed.append(r)
            (safe_drop if r.safe else unsafe_drop).add(i)

    # Fragment: drop it whole (keep-list providers), or strip k=v parameters from it.
    fragment = parts.fragment
    dropped: str | None = None
    frag_segments: list[Segment] = []
    frag_safe: set[int] = set()
    frag_unsafe: set[int] = set()
    if fragment is not None and provider is not None and mode == "keep":
        policy = provider.fragment
        if policy == "all" or (
            isinstance(policy, tuple)
            and rules.strip_fragments
            and any(p.fullmatch(fragment) for p in policy)
        ):
            dropped = fragment
    if fragment is not None and dropped is None and _fragment_params(fragment):
        frag_segments = split_query(fragment)
        frag_mode = "remove" if provider is not None and mode != "global" else "global"
        for i, seg in enumerate(frag_segments):
            r = _decide(seg, rules, provider, frag_mode, allowed)
            if r is not None and spare and r.cls == "tracking" and seg.key in spare:
                r = None
            if r is not None:
                removed.append(replace(r, place="fragment"))
                (frag_safe if r.safe else frag_unsafe).add(i)

    upgraded = parts.scheme.lower() == "http:" and host in rules.upgrade_hosts

    if not removed and dropped is None and not upgraded:
        return base  # nothing to drop: every variant is the URL itself

    def build(q_drop: set[int], f_drop: set[int], drop_fragment: bool, upgrade: bool) -> str:
        if not q_drop and not f_drop and not drop_fragment and not upgrade:
            return url  # what join() would give back
        query = parts.query
        if q_drop:
            kept = [s for i, s in enumerate(segments) if i not in q_drop and s.text]
            query = join_query(kept) if kept else None
        frag = None if drop_fragment else fragment
        if f_drop:
            kept = [s for i, s in enumerate(frag_segments) if i not in f_drop and s.text]
            frag = join_query(kept) if kept else None
        new_scheme = "https:" if upgrade else parts.scheme
        return UrlParts(new_scheme, parts.authority, parts.path, query, frag).join()

    return Cleaning(
        url,
        safe_url=build(safe_drop, frag_safe, dropped is not None, upgraded),
        unsafe_url=build(unsafe_drop, frag_unsafe, False, False),
        full_url=build(
            safe_drop | unsafe_drop, frag_safe | frag_unsafe, dropped is not None, upgraded
        ),
        provider=name,
        label=label,
        host=host,
        removed=tuple(removed),
        dropped_fragment=dropped,
        upgraded=upgraded,
        ambiguous=_continued(segments, safe_drop | unsafe_drop)
        or _continued(frag_segments, frag_safe | frag_unsafe),
    )


# -- redirects, short links, ephemeral links ------------------------------------------------


@dataclass(frozen=True)
class Redirection:
    """A redirector URL and the target it wraps (None when the target is not a plain URL)."""

    host: str
    param: str
    target: str | None


def decode_target(value: str) -> str | None:
    """The absolute http(s) URL a redirect parameter holds, or None (opaque, relative...).

    The result may still contain characters (spaces, quotes) that a rule cannot write back
    unescaped; :func:`needs_escaping` tells.
    """
    target = unquote(value, errors="strict") if "%" in value else value
    for _ in range(2):  # double-encoded targets: https%253A%252F%252F...
        if _ABSOLUTE.match(target) or not _ENCODED_SCHEME.match(target):
            break
        target = unquote(target)
    return target if _ABSOLUTE.match(target) else None


def needs_escaping(url: str) -> bool:
    """Whitespace or control characters: the URL cannot be written as is anywhere."""
    return bool(_CONTROL_OR_SPACE.search(url))


def find_redirect(url: str, rules: RuleSet | None = None) -> Redirection | None:
    """The redirector ``url`` goes through, if any (BL011)."""
    rules = rules or ruleset()
    parts = split_url(url)
    host = parts.host
    if not host or parts.query is None:
        return None
    for redirect in rules.redirects_on(host):
        if redirect.path is not None and not redirect.path.search(parts.path):
            continue
        segments = split_query(parts.query)
        for param in redirect.params:
            seg = next((s for s in segments if s.key == param and s.value), None)
            if seg is None:
                continue
            try:
                target = None if redirect.opaque else decode_target(seg.value)
            except UnicodeDecodeError:
                target = None
            return Redirection(host, seg.raw_key, target)
    return None


#: Scheme and plain host of an absolute URL, for pre-filters (user info or a port: look closer).
_QUICK_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://([^/?#]*)")


def short_link(url: str, rules: RuleSet | None = None) -> str | None:
    """The platform label when ``url`` is a share short link (BL012), else None."""
    rules = rules or ruleset()
    quick = _QUICK_HOST.match(url)
    if quick is not None and "@" not in quick.group(1) and ":" not in quick.group(1):
        # The common case, decided without cutting the URL up.
        plain = quick.group(1).lower().rstrip(".")
        if plain not in rules.short_links and plain.removeprefix("www.") not in rules.short_links:
            return None
    parts = split_url(url)
    host = parts.host
    if not parts.authority or parts.path.strip("/") == "":
        return None
    label = rules.short_links.get(host)
    if label is None and host.startswith("www."):
        return rules.short_links.get(host[4:])
    return label


def ephemeral_markers(url: str, rules: RuleSet | None = None) -> list[str]:
    """Names of the expiry markers ``url`` carries (BL013), deduplicated, in data order."""
    rules = rules or ruleset()
    parts = split_url(url)
    if not parts.authority:
        return []
    present = [s.key for s in split_query(parts.query)] if parts.query else []
    names: list[str] = []
    for marker in rules.markers_for(parts.host, parts.path, present):
        if marker.name not in names:
            names.append(marker.name)
    return names


# -- the newsletter's own campaign tags ------------------------------------------------------

#: Keys whose value names who sent the reader (the newsletter's own campaign tags).
_CAMPAIGN_KEY = re.compile(r"utm(?:_[a-z_]+)?|mtm_[a-z_]+|ref|source", re.IGNORECASE)
#: ``www.`` before, and a ``.com``-style suffix after, a name written as a domain.
_NAME_AFFIXES = re.compile(r"^www\.|\.(?:[a-z]{2,6})(?:\.[a-z]{2})?$")
_NAME_DROP = re.compile(r"[\s\-_.+]+")


@functools.cache
def _generic_values() -> frozenset[str]:
    """Channel words that tag links of many sites without naming anyone (rule data)."""
    table = load_table("url-providers")
    return frozenset(name_key(str(v)) for v in table.get("generic_tag_values") or ())


_SECOND_LEVEL = frozenset({"com", "co", "net", "org", "gov", "edu", "ac", "or", "ne"})


def is_campaign_key(key: str) -> bool:
    """``utm_*``, ``mtm_*``, ``ref`` and ``source`` (normalised key)."""
    return _CAMPAIGN_KEY.fullmatch(key) is not None


def name_key(text: str) -> str:
    """A newsletter name or a tag value as compared: ``This-Week-in-Rust``, ``thisweekinrust``
    and ``www.thisweekinrust.com`` are all ``thisweekinrust``."""
    text = normalize_key(text.strip())
    if "." in text:
        text = _NAME_AFFIXES.sub("", text)
    return _NAME_DROP.sub("", text)


def plausible_name(key: str) -> bool:
    """Whether a normalised tag value could name a newsletter (for detection): letters, at
    least three characters, not a channel word (``email``, ``rss``, ``twitter``)."""
    return (
        len(key) >= 3
        and any(c.isalpha() for c in key)
        and key not in _generic_values()
        and "/" not in key
        and ":" not in key
    )


def site_of(host: str) -> str:
    """The registrable part of a host, roughly: ``docs.example.co.uk`` -> ``example.co.uk``.

    Subdomains of one site count once when telling whether a tag value is spread over many
    sites (a site tagging its own pages is not a newsletter tagging its links).
    """
    labels = host.removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def campaign_tags(url: str) -> list[tuple[str, str]]:
    """``(normalised key, name_key(value))`` of the campaign tags of a web URL's query."""
    parts = split_url(url)
    if not parts.query or not _cleanable(parts):
        return []
    out = []
    for seg in split_query(parts.query):
        if seg.key and seg.has_value and is_campaign_key(seg.key):
            value = name_key(seg.value)
            if value:
                out.append((seg.key, value))
    return out
