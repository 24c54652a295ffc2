"""What the URL rules share for ``--online``: the URL to ask for, and what a followed link
may replace a short link or a redirect wrapper with (see :mod:`briefing_lint.online`)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ..online.results import LinkResult, Lookup
from ..urls import RuleSet, clean_url
from ._url_targets import Target

_SHOWN = 100


def request_url(target: Target) -> str:
    """The URL a browser would load for ``target`` (character references decoded)."""
    return html.unescape(target.url) if "&" in target.url else target.url


def shown(url: str) -> str:
    return url if len(url) <= _SHOWN else url[: _SHOWN - 1] + "…"


@dataclass(frozen=True)
class Resolution:
    """Where a followed link ends, cleaned by BL001's rules, and whether that is safe."""

    final: str
    cleaned: str
    #: Why the replacement is not safe ("" when it is): an http end or a login page.
    doubt: str
    chain: str


def resolve(lookup: Lookup, url: str, rules: RuleSet) -> Resolution | None:
    """The end of ``url``'s redirects, when it was followed and ends on a live page."""
    result: LinkResult | None = lookup.link(url)
    if result is None or result.problem(lookup.accept) is not None or len(result.chain) < 2:
        return None
    final = result.final_url
    if result.status != 200 or final == url:
        return None
    cleaned = clean_url(final, rules).safe_url
    doubt = ""
    gate = result.gate()
    if gate is not None:
        doubt = f"the way there passes a login or consent page ({shown(gate)})"
    elif not final.startswith("https://"):
        doubt = "it ends on http://, not https://"
    chain = " -> ".join(shown(h.url) for h in result.chain)
    return Resolution(final, cleaned, doubt, chain)
