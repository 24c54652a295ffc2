"""BL001 tracking-params: strip tracking, sharer and session parameters from URLs.

The newsletter's own campaign tags are not tracking (``utm_source=<this newsletter>`` on a
partner's link is how the partner counts the readers the newsletter sends). Its names come
from the config (``newsletter.names``) or are detected: a tag value found on links to
``detect_names`` different sites or more. Detection runs twice: within each file, where it
also keeps fixes off those tags, and over the whole run (per-file :meth:`facts`, judged in
:meth:`drop_run`), where it can only drop reports, since fixes are made file by file before
the run is seen whole.

Inside a sponsor section (a heading :func:`~briefing_lint.sections.section_kind` calls
``sponsor``) the tracking tags of a third-party link are the sponsor's: reported as ``info``
without a fix. Identifying and credential keys are reported everywhere.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..diagnostics import Applicability, Diagnostic, Fix
from ..document import Document, Link, index
from ..rule import OptionError, Rule, RuleContext
from ..sections import section_kind
from ..urls import (
    CLASSES,
    Cleaning,
    Removal,
    campaign_tags,
    clean_url,
    is_campaign_key,
    name_key,
    needs_cleaning,
    plausible_name,
    site_of,
    split_query,
    split_url,
)
from ._url_targets import (
    Hrefs,
    Target,
    compiled_rules,
    edit_allowed,
    targets,
    validate_url_options,
)


def _quick(href: str) -> bool:
    """Whether ``href`` might change at all: most links have no query, fragment or http."""
    return "?" in href or "#" in href or href[:5].lower() == "http:"


def candidates(shared: Hrefs) -> list[Link]:
    """The links ``_quick`` lets through."""
    return [link for link in shared.links if _quick(link.href)]


def screen(text: str) -> bool:
    """Yes for any text containing a URL that ``_quick`` lets through."""
    return "?" in text or "#" in text or "http:" in text.lower()


def _validate(options: Mapping[str, Any]) -> None:
    validate_url_options(options)
    names = options.get("newsletter_names") or []
    if not isinstance(names, list):
        raise OptionError("newsletter_names", "expected a list of names")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not name_key(name):
            raise OptionError(f"newsletter_names[{i}]", f"{name!r} is not a name")
    threshold = options.get("detect_names", 3)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise OptionError("detect_names", "expected a number of sites, 0 or more")


#: Campaign values that say the link is a paid placement (an influencer or sponsor slot): the
#: link is the sponsor's, wherever it stands (``utm_medium=kol``, ``influencer_x``,
#: ``newsletter-sponsorship``, ``advertorial``). Matched on :func:`name_key` values.
_PLACEMENT = re.compile(r"kol(?=$|\d)|influencer|sponsor|advertorial")
#: A line that says its link is paid for: ``(ad)``, ``(sponsored)``, ``（广告）``, ``【推广】``,
#: or the 💸 many English weeklies put before a sponsor's link.
_PAID_MARK = re.compile(
    r"[(（\[【]\s*(?:ad|ads|advert|advertisement|sponsor|sponsored|paid|partner|promoted"
    r"|广告|赞助|推广|合作)\s*[)）\]】]|💸",
    re.IGNORECASE,
)


def _marked_paid(doc: Document, offset: int) -> bool:
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


def _file_tag_sites(ctx: RuleContext) -> dict[str, set[str]]:
    return ctx.doc.analysis("BL001.tag-sites", document_tag_sites)


def document_tag_sites(doc: Document) -> dict[str, set[str]]:
    """:func:`tag_sites` of a document's links and reference definitions."""
    from ..document import index

    found = index(doc)
    urls = [link.href for link in found.urls if "?" in link.href]
    urls += [d.dest for d in found.definitions if "?" in d.dest]
    return tag_sites(urls)


class _Sponsor:
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


def _section_extra(ctx: RuleContext) -> Mapping[str, Any] | None:
    items = ctx.config.items if ctx.config is not None else {}
    extra = items.get("exclude_sections")
    return extra if isinstance(extra, Mapping) else None


class TrackingParams(Rule):
    code = "BL001"
    validate_options = staticmethod(_validate)
    cross_file = True

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        rules = compiled_rules(ctx)

        def wanted(href: str) -> bool:
            # Judge markdown-it's href first: exact spans cost a re-tokenization.
            if not _quick(href):
                return False
            return needs_cleaning(href, rules)

        names: Names | None = None
        sponsor: _Sponsor | None = None
        threshold = int(ctx.options.get("detect_names", 3))
        for target in targets(ctx, wanted, candidates, screen):
            if names is None:
                names = Names(
                    configured_names(ctx.options),
                    detected_names(_file_tag_sites(ctx), threshold),
                )
                sponsor = _Sponsor(ctx.doc, _section_extra(ctx))
            assert sponsor is not None
            url = target.url
            tags = campaign_tags(url)
            # One tag naming the newsletter makes the link's whole campaign tagging its own
            # (`utm_source=weekly&utm_medium=email&utm_campaign=issue-42`).
            own = {key for key, _value in tags} if any(names.match(v) for _k, v in tags) else set()
            spare = frozenset(key for key, _value in tags) if own else frozenset()
            placement = any(_PLACEMENT.search(value) for _key, value in tags) or (
                bool(tags) and _marked_paid(ctx.doc, target.span.start)
            )
            site = site_of(split_url(url).host)
            in_sponsor = placement or sponsor.at(target.span.start, site, url)
            if in_sponsor and not names.match(name_key(site)):
                spare = spare | _all_keys(url)
            cleaning = clean_url(url, rules, spare) if spare else clean_url(url, rules)
            candidates_ = sorted({v for _k, v in tags if plausible_name(v) and not own})
            yield from _diagnostics(ctx, target, cleaning, candidates_)
            if in_sponsor and spare:
                full = clean_url(url, rules)
                yield from _sponsor_tags(ctx, target, full, cleaning, own, placement, candidates_)

    def facts(self, ctx: RuleContext) -> Any:
        """Campaign tag values of the file and the sites they tag (picklable)."""
        if int(ctx.options.get("detect_names", 3)) <= 0:
            return None
        found = _file_tag_sites(ctx)
        return {value: tuple(sorted(sites)) for value, sites in found.items()} or None

    def drop_run(
        self, facts: Mapping[str, Any], options: Mapping[str, Any]
    ) -> Callable[[Diagnostic], bool] | None:
        """Drop reports of tags whose value turns out, over the whole run, to be the
        newsletter's own name (found on links to ``detect_names`` sites or more)."""
        sites: dict[str, set[str]] = {}
        for found in facts.values():
            for value, hosts in (found or {}).items():
                sites.setdefault(value, set()).update(hosts)
        detected = detected_names(sites, int(options.get("detect_names", 3)))
        if not detected:
            return None
        names = Names(frozenset(), detected)

        def drop(diagnostic: Diagnostic) -> bool:
            tags = diagnostic.data.get("campaign_values")
            if not isinstance(tags, list) or not any(names.match(str(t)) for t in tags):
                return False
            removed = diagnostic.data.get("removed") or {}
            assert isinstance(removed, dict)
            keys = [k for found in removed.values() for k in found]
            kept = diagnostic.data.get("kept")
            if isinstance(kept, list):  # a sponsor's tags, reported as info
                keys = [str(k) for k in kept]
            return bool(keys) and all(is_campaign_key(name_key_of(k)) for k in keys)

        return drop


def name_key_of(raw_key: str) -> str:
    """A removed key as written, compared as query keys are (percent-decoded, lower case)."""
    return split_query(raw_key)[0].key


def _all_keys(url: str) -> frozenset[str]:
    """Every key of the URL's query and fragment (the sponsor's tags, whichever they are)."""
    parts = split_url(url)
    out = {s.key for s in split_query(parts.query)} if parts.query else set()
    if parts.fragment:
        out.update(s.key for s in split_query(parts.fragment))
    return frozenset(out)


def _sponsor_tags(
    ctx: RuleContext,
    target: Target,
    full: Cleaning,
    kept: Cleaning,
    own: set[str],
    placement: bool,
    campaign: list[str],
) -> Iterator[Diagnostic]:
    """One ``info`` finding for the tracking tags spared on a sponsor's link (not the
    newsletter's own, which are not reported at all)."""
    left = {(r.key, r.place) for r in kept.removed}
    spared = [
        r for r in full.removed if (r.key, r.place) not in left and name_key_of(r.key) not in own
    ]
    if not spared:
        return
    details = ", ".join(dict.fromkeys(f"`{r.key}`" for r in spared))
    yield ctx.report(
        target.span,
        ctx.message("placement" if placement else "sponsor", where=full.label, details=details),
        kind="sponsor",
        data={
            "provider": full.provider or "global",
            "kept": [r.key for r in spared],
            **({"campaign_values": campaign} if campaign else {}),
        },
    )


def _details(ctx: RuleContext, by_class: dict[str, list[str]]) -> str:
    return "; ".join(
        ctx.message(f"label_{cls}") + " " + ", ".join(f"`{k}`" for k in names)
        for cls, names in by_class.items()
    )


def _data(
    cleaning: Cleaning, safe: bool, url: str, campaign: list[str] | None = None
) -> dict[str, object]:
    data: dict[str, object] = {
        "provider": cleaning.provider or "global",
        "removed": cleaning.classes(safe),
        "url": url,
    }
    if campaign:
        data["campaign_values"] = campaign
    return data


def _fix(
    ctx: RuleContext, target: Target, new_url: str, kind: str, cap: Applicability | None = None
) -> Fix | None:
    applicability = ctx.fix_applicability(kind)
    if applicability is None or not edit_allowed(target, new_url):
        return None

    if cap is Applicability.UNSAFE and applicability is Applicability.SAFE:
        applicability = cap
    return Fix(target.edits(new_url), applicability, ctx.message("fix_title"))


def _diagnostics(
    ctx: RuleContext, target: Target, cleaning: Cleaning, campaign: list[str] | None = None
) -> Iterator[Diagnostic]:
    where = cleaning.label
    span = target.span
    if cleaning.incomplete:
        extra = ""
        severity = None
        if cleaning.present:
            extra = ctx.message(
                "incomplete_extra", details=_details(ctx, _by_class(cleaning.present))
            )
            worst = min(cleaning.present, key=lambda r: _rank(r.cls)).cls
            severity = ctx.meta.kinds.get(worst)
        missing = ", ".join(f"`{k}`" for k in cleaning.incomplete)
        yield ctx.report(
            span,
            ctx.message("incomplete", where=where, missing=missing, extra=extra),
            kind="incomplete",
            severity=severity,
            data={"provider": cleaning.provider},
        )
        return
    if cleaning.bad_token is not None:
        fix = None
        repaired = cleaning.repaired_url
        if repaired is not None:
            applicability = ctx.fix_applicability("bad_token")
            if applicability is not None and edit_allowed(target, repaired):
                fix = Fix(target.edits(repaired), applicability, ctx.message("fix_token"))
        hint = ctx.message("token_hint") if repaired is not None else ""
        yield ctx.report(
            span,
            ctx.message("bad_token", where=where, token=cleaning.bad_token, hint=hint),
            kind="bad_token",
            fix=fix,
            data={"provider": cleaning.provider},
        )
        return
    if cleaning.safe_url != cleaning.url:
        by_class = cleaning.classes(True)
        kind = cleaning.worst(True) or ("tracking" if cleaning.dropped_fragment else "insecure")
        if cleaning.dropped_fragment is not None:
            by_class.setdefault("tracking", []).append("#" + cleaning.dropped_fragment)
        details = _details(ctx, {c: by_class[c] for c in CLASSES if c in by_class})
        key = ("clean_upgrade" if cleaning.upgraded else "clean") if details else "upgrade"
        message = ctx.message(key, where=where, details=details)
        fix = None
        if cleaning.ambiguous:
            message = ctx.message("ambiguous", message=message)
        else:
            fix = _fix(ctx, target, cleaning.safe_url, kind)
        yield ctx.report(
            span,
            message,
            kind=kind,
            fix=fix,
            data=_data(cleaning, True, cleaning.safe_url, campaign),
        )
    if cleaning.unsafe_url != cleaning.url:
        kind = cleaning.worst(False) or "tracking"
        message = ctx.message(
            "unverified", where=where, details=_details(ctx, cleaning.classes(False))
        )
        fix = None
        if cleaning.ambiguous:
            message = ctx.message("ambiguous", message=message)
        else:
            fix = _fix(ctx, target, cleaning.unsafe_url, kind, Applicability.UNSAFE)
        yield ctx.report(
            span,
            message,
            kind=kind,
            fix=fix,
            data=_data(cleaning, False, cleaning.unsafe_url, campaign),
        )


def _rank(cls: str) -> int:
    return CLASSES.index(cls)


def _by_class(removals: tuple[Removal, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in sorted(removals, key=lambda r: _rank(r.cls)):
        names = out.setdefault(r.cls, [])
        if r.key not in names:
            names.append(r.key)
    return out
