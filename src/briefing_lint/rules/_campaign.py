"""BL001's view of the newsletter's own campaign tags and of sponsors' links.

Which tag values name the newsletter (configured, or detected: found on links to several
sites), and where a link is a sponsor's (a sponsor section, a section about one partner
site, a paid placement).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..document import Document, index
from ..rule import RuleContext
from ..sections import section_kind
from ..urls import campaign_tags, name_key, plausible_name, site_of, split_query, split_url

#: Campaign values that say the link is a paid placement (an influencer or sponsor slot): the
#: link is the sponsor's, wherever it stands (``utm_medium=kol``, ``influencer_x``,
#: ``newsletter-sponsorship``, ``advertorial``). Matched on :func:`name_key` values.
PLACEMENT = re.compile(r"kol(?=$|\d)|influencer|sponsor|advertorial")
#: A line that says its link is paid for: ``(ad)``, ``(sponsored)``, ``（广告）``, ``【推广】``,
#: or the 💸 many English weeklies put before a sponsor's link.
_PAID_MARK = re.compile(
    r"[(（\[【]\s*(?:ad|ads|advert|advertisement|sponsor|sponsored|paid|partner|promoted"
    r"|广告|赞助|推广|合作)\s*[)）\]】]|💸",
    re.IGNORECASE,
)


def marked_paid(doc: Document, offset: int) -> bool:
    """Whether the line holding ``offset`` marks its link as paid for."""
    return _PAID_MARK.search(doc.line_text(doc.line_of(offset))) is not None


#: Shortest name that also matches inside a longer value (``rustweekly`` in
#: ``rustweeklyissue42``): configured names are trusted more than detected ones.
_CONTAINED_CONFIGURED = 3
_CONTAINED_DETECTED = 5


class Names:
    """The newsletter's names: configured, and detected from the tags of the links."""

    def __init__(self, configured: frozenset[str], detected: frozenset[str]) -> None:
        self.exact = configured | detected
        self.inside = tuple(
            sorted(
                {n for n in configured if len(n) >= _CONTAINED_CONFIGURED}
                | {n for n in detected if len(n) >= _CONTAINED_DETECTED}
            )
        )

    def match(self, value: str) -> bool:
        """Whether a :func:`name_key` value names the newsletter (or holds one of its names)."""
        return value in self.exact or any(n in value for n in self.inside)


def configured_names(options: Mapping[str, Any]) -> frozenset[str]:
    """The newsletter's names from the options, compared as :func:`name_key` gives them."""
    return frozenset(name_key(str(n)) for n in options.get("newsletter_names") or ())


def tag_sites(links: Iterable[str]) -> dict[str, set[str]]:
    """Plausible campaign tag values (as :func:`name_key` gives them) -> the sites they tag."""
    out: dict[str, set[str]] = {}
    for href in links:
        if "?" not in href:
            continue
        tags = campaign_tags(href)
        if not tags:
            continue
        site = site_of(split_url(href).host)
        for _key, value in tags:
            if plausible_name(value) and value != name_key(site):
                out.setdefault(value, set()).add(site)
    return out


def detected_names(sites: Mapping[str, Iterable[str]], threshold: int) -> frozenset[str]:
    """Values that tag links to ``threshold`` sites or more (none when it is 0)."""
    if threshold <= 0:
        return frozenset()
    return frozenset(v for v, found in sites.items() if len(set(found)) >= threshold)


def file_tag_sites(ctx: RuleContext) -> dict[str, set[str]]:
    return ctx.doc.analysis("BL001.tag-sites", document_tag_sites)


def document_tag_sites(doc: Document) -> dict[str, set[str]]:
    """:func:`tag_sites` of a document's links and reference definitions."""
    found = index(doc)
    urls = [link.href for link in found.urls if "?" in link.href]
    urls += [d.dest for d in found.definitions if "?" in d.dest]
    return tag_sites(urls)


class Sponsor:
    """Where the sponsor sections of a document are: by the start offset of each heading.

    A section is a sponsor's when its heading says so (:func:`section_kind`), or when it is
    about one partner site: most of its links, and two tagged ones at least, go to that
    site (``## Authing 身份云`` or ``## 活动`` under which a partner's conference is linked
    three times with the newsletter's own tag). A news section links many sites.
    """

    def __init__(self, doc: Document, extra: Mapping[str, Any] | None) -> None:
        self.doc = doc
        self.starts: list[int] = []
        self.lines: list[int] = []
        self.kinds: list[str | None] = []
        stack: list[tuple[int, str | None]] = []  # (level, kind) of the enclosing headings
        for heading in doc.headings:
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            kind = section_kind(heading.text, extra)
            if kind is None and stack:
                kind = stack[-1][1]
            stack.append((heading.level, kind))
            self.starts.append(heading.block.span.start)
            self.lines.append(heading.block.map[0])
            self.kinds.append(kind)
        self._partners: list[str] | None = None

    def at(self, offset: int, site: str = "", url: str = "") -> bool:
        """Whether the link at ``offset`` is a sponsor's: in a sponsor section, in a section
        about its site, or in an event list with someone's campaign tag (the organiser's
        partner tag: ``## [活动] 开发者大会`` linking ``?utm_source=<newsletter>``)."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return False
        kind = self.kinds[i]
        if kind == "sponsor" or (bool(site) and self.partners()[i] == site):
            return True
        return kind == "calls" and bool(url) and _campaign_tagged(url)

    def partners(self) -> list[str]:
        """Per heading, the one site its section is about ("" for none)."""
        if self._partners is None:
            sites: list[list[tuple[str, bool]]] = [[] for _ in self.lines]
            for link in index(self.doc).links:
                href = link.href
                if (
                    link.block is None
                    or link.is_image
                    or not href.startswith(("http://", "https://"))
                ):
                    continue
                i = bisect.bisect_right(self.lines, link.block.map[0]) - 1
                if i >= 0:
                    sites[i].append((site_of(split_url(href).host), _campaign_tagged(href)))
            self._partners = [_partner(found) for found in sites]
        return self._partners


def _campaign_tagged(href: str) -> bool:
    """Whether a link carries someone's campaign tag: a ``utm_*``-like value naming someone
    (not a channel word such as ``rss`` or ``email``), or Baidu's ad tags (``hmsr``)."""
    if "?" not in href:
        return False
    return any(plausible_name(value) for _key, value in campaign_tags(href)) or any(
        seg.key.startswith("hm") for seg in split_query(split_url(href).query or "")
    )


def _partner(links: list[tuple[str, bool]]) -> str:
    """The site that more than half of a section's links, and two tagged ones, go to."""
    counts: dict[str, int] = {}
    tagged: dict[str, int] = {}
    for site, has_query in links:
        counts[site] = counts.get(site, 0) + 1
        tagged[site] = tagged.get(site, 0) + has_query
    for site, n in counts.items():
        if n * 2 > len(links) and tagged[site] >= 2:
            return site
    return ""


def section_extra(ctx: RuleContext) -> Mapping[str, Any] | None:
    items = ctx.config.items if ctx.config is not None else {}
    extra = items.get("exclude_sections")
    return extra if isinstance(extra, Mapping) else None
