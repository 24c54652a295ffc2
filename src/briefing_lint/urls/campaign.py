"""The newsletter's own campaign tags: which query keys name who sent the reader."""

from __future__ import annotations

import functools
import re

from ..ruledata import load_table
from .parts import is_cleanable, normalize_key, split_query, split_url

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
    if not parts.query or not is_cleanable(parts):
        return []
    out = []
    for seg in split_query(parts.query):
        if seg.key and seg.has_value and is_campaign_key(seg.key):
            value = name_key(seg.value)
            if value:
                out.append((seg.key, value))
    return out
