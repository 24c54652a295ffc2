"""Redirect wrappers (BL011), share short links (BL012) and expiring links (BL013)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .data import ruleset
from .model import RuleSet
from .parts import split_query, split_url

_ABSOLUTE = re.compile(r"https?://[^/?#\s\\]*[A-Za-z0-9][^/?#\s\\]*(?:[/?#].*)?\Z", re.I | re.S)
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_ENCODED_SCHEME = re.compile(r"https?%3A", re.IGNORECASE)


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
