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

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..diagnostics import Applicability, Diagnostic, Fix
from ..document import Link
from ..rule import OptionError, Rule, RuleContext
from ..urls import (
    CLASSES,
    Cleaning,
    Removal,
    RuleSet,
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

# The newsletter's names and the sponsor sections live in a sibling module; the rule keeps
# its own short names for them (and re-exports the public ones).
from ._campaign import PLACEMENT as _PLACEMENT
from ._campaign import (
    Names,
    configured_names,
    detected_names,
    document_tag_sites,
    tag_sites,
)
from ._campaign import Sponsor as _Sponsor
from ._campaign import file_tag_sites as _file_tag_sites
from ._campaign import marked_paid as _marked_paid
from ._campaign import section_extra as _section_extra
from ._url_targets import (
    Hrefs,
    Target,
    compiled_rules,
    edit_allowed,
    targets,
    validate_url_options,
)

__all__ = [
    "Names",
    "TrackingParams",
    "candidates",
    "configured_names",
    "detected_names",
    "document_tag_sites",
    "name_key_of",
    "screen",
    "tag_sites",
]


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
            yield from self._check_target(ctx, rules, target, names, sponsor)

    @staticmethod
    def _check_target(
        ctx: RuleContext, rules: RuleSet, target: Target, names: Names, sponsor: _Sponsor
    ) -> Iterator[Diagnostic]:
        """One link: the newsletter's own tags are spared, a sponsor's are reported as info."""
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
    if cleaning.incomplete:
        yield _incomplete(ctx, target, cleaning)
        return
    if cleaning.bad_token is not None:
        yield _bad_token(ctx, target, cleaning)
        return
    if cleaning.safe_url != cleaning.url:
        yield _safe_removals(ctx, target, cleaning, campaign)
    if cleaning.unsafe_url != cleaning.url:
        yield _unverified_removals(ctx, target, cleaning, campaign)


def _incomplete(ctx: RuleContext, target: Target, cleaning: Cleaning) -> Diagnostic:
    """A keep-list link missing a required key: reported, left alone."""
    extra = ""
    severity = None
    if cleaning.present:
        extra = ctx.message("incomplete_extra", details=_details(ctx, _by_class(cleaning.present)))
        worst = min(cleaning.present, key=lambda r: _rank(r.cls)).cls
        severity = ctx.meta.kinds.get(worst)
    missing = ", ".join(f"`{k}`" for k in cleaning.incomplete)
    return ctx.report(
        target.span,
        ctx.message("incomplete", where=cleaning.label, missing=missing, extra=extra),
        kind="incomplete",
        severity=severity,
        data={"provider": cleaning.provider},
    )


def _bad_token(ctx: RuleContext, target: Target, cleaning: Cleaning) -> Diagnostic:
    """A malformed path token, with the repaired URL as a fix when one fits."""
    fix = None
    repaired = cleaning.repaired_url
    if repaired is not None:
        applicability = ctx.fix_applicability("bad_token")
        if applicability is not None and edit_allowed(target, repaired):
            fix = Fix(target.edits(repaired), applicability, ctx.message("fix_token"))
    hint = ctx.message("token_hint") if repaired is not None else ""
    return ctx.report(
        target.span,
        ctx.message("bad_token", where=cleaning.label, token=cleaning.bad_token, hint=hint),
        kind="bad_token",
        fix=fix,
        data={"provider": cleaning.provider},
    )


def _safe_removals(
    ctx: RuleContext, target: Target, cleaning: Cleaning, campaign: list[str] | None
) -> Diagnostic:
    """The verified removals (and the dropped fragment, the https upgrade): a safe fix."""
    by_class = cleaning.classes(True)
    kind = cleaning.worst(True) or ("tracking" if cleaning.dropped_fragment else "insecure")
    if cleaning.dropped_fragment is not None:
        by_class.setdefault("tracking", []).append("#" + cleaning.dropped_fragment)
    details = _details(ctx, {c: by_class[c] for c in CLASSES if c in by_class})
    key = ("clean_upgrade" if cleaning.upgraded else "clean") if details else "upgrade"
    message = ctx.message(key, where=cleaning.label, details=details)
    fix = None
    if cleaning.ambiguous:
        message = ctx.message("ambiguous", message=message)
    else:
        fix = _fix(ctx, target, cleaning.safe_url, kind)
    return ctx.report(
        target.span,
        message,
        kind=kind,
        fix=fix,
        data=_data(cleaning, True, cleaning.safe_url, campaign),
    )


def _unverified_removals(
    ctx: RuleContext, target: Target, cleaning: Cleaning, campaign: list[str] | None
) -> Diagnostic:
    """The removals nobody verified for this provider: an unsafe fix."""
    kind = cleaning.worst(False) or "tracking"
    message = ctx.message(
        "unverified", where=cleaning.label, details=_details(ctx, cleaning.classes(False))
    )
    fix = None
    if cleaning.ambiguous:
        message = ctx.message("ambiguous", message=message)
    else:
        fix = _fix(ctx, target, cleaning.unsafe_url, kind, Applicability.UNSAFE)
    return ctx.report(
        target.span,
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
