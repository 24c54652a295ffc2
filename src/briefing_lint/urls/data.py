"""Loading the URL rule data: ``rules/url-providers.yaml`` merged with the rule options.

:func:`ruleset` compiles it once per process (and once per distinct set of user options).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..ruledata import load_table
from ..safe_regex import RegexError, compile_user_regex
from .model import (
    CLASS_RANK,
    CLASSES,
    HostMatcher,
    KeyMatcher,
    Marker,
    Provider,
    Redirect,
    RuleSet,
)
from .parts import normalize_key


class UrlDataError(ValueError):
    """Malformed URL rule data (built-in table or user options); names the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


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
        if cls not in CLASS_RANK:
            raise UrlDataError(f"{where}.{cls}", f"unknown class (use {', '.join(CLASSES)})")
        out[str(cls)] = keys(_strings(items, f"{where}.{cls}"), f"{where}.{cls}", trusted)
    return out


_PROVIDER_KEYS = frozenset(
    {
        "label", "host", "path", "exceptions", "keep", "require_all", "on_incomplete",
        "classes", "default_class", "remove", "remove_unverified", "never", "verified",
        "fragment", "token", "token_repair",
    }
)  # fmt: skip


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
    if default_class not in CLASS_RANK:
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
        if cls not in CLASS_RANK:
            raise UrlDataError(f"{where}.{cls}", f"unknown class (use {', '.join(CLASSES)})")
        if not isinstance(entries, dict):
            raise UrlDataError(f"{where}.{cls}", "expected a mapping of key: [values]")
        for key, values in entries.items():
            items = _strings(values, f"{where}.{cls}.{key}")
            out[normalize_key(str(key))] = (frozenset(normalize_key(v) for v in items), str(cls))
    return out


def _build(options: Mapping[str, Any]) -> RuleSet:
    """Compile the table with the options: providers, allowed keys, redirects, short and
    expiring links, then the global key lists."""
    table = load_table("url-providers")
    glob = table.get("global") or {}
    # In this order: with several errors, the first one reported stays the same.
    providers = _providers(table, options)
    allow = _allow(options)
    redirects = _redirects(table, options)
    short = _short_links(table, options)
    markers = _markers(table, options)
    return RuleSet(
        providers=providers,
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
        redirects=redirects,
        short_links=short,
        markers=markers,
    )


def _provider_specs(
    table: Mapping[str, Any], options: Mapping[str, Any]
) -> dict[str, tuple[Any, bool]]:
    """Provider entries by name, with whether the user wrote (or extended) them."""
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
    return specs


def _providers(table: Mapping[str, Any], options: Mapping[str, Any]) -> tuple[Provider, ...]:
    """The compiled providers in priority order; user errors name the ``extra_`` key."""
    providers = []
    for order, (name, (spec, user)) in enumerate(_provider_specs(table, options).items()):
        try:
            providers.append(compile_provider(name, spec, trusted=not user, user=user, order=order))
        except UrlDataError as exc:
            if user:
                raise UrlDataError("extra_" + exc.key, exc.problem) from None
            raise
    providers.sort(key=Provider.sort_key)
    return tuple(providers)


def _allow(options: Mapping[str, Any]) -> tuple[tuple[str, KeyMatcher], ...]:
    allow_spec = options.get("allow_params") or {}
    if not isinstance(allow_spec, dict):
        raise UrlDataError("allow_params", "expected a mapping of host: [keys]")
    return tuple(
        (
            str(host).lower(),
            keys(_strings(items, f"allow_params.{host}"), f"allow_params.{host}", False),
        )
        for host, items in allow_spec.items()
    )


def _redirects(table: Mapping[str, Any], options: Mapping[str, Any]) -> tuple[Redirect, ...]:
    """The user's redirects first, then the table's."""
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
    return tuple(redirects)


def _short_links(table: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, str]:
    short = {
        str(item["host"]).lower(): str(item.get("label", item["host"]))
        for item in table.get("short_links") or []
    }
    for host in _strings(options.get("extra_short_hosts"), "extra_hosts"):
        short[host.lower()] = host.lower()
    return short


def _markers(table: Mapping[str, Any], options: Mapping[str, Any]) -> tuple[Marker, ...]:
    markers = [
        _compile_marker(spec, f"ephemeral[{i}]")
        for i, spec in enumerate(table.get("ephemeral") or [])
    ]
    signed = _strings(options.get("extra_signed_params"), "extra_signed_params")
    if signed:
        markers.append(
            Marker("signed", None, None, keys(signed, "extra_signed_params", False), (), True)
        )
    return tuple(markers)


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
