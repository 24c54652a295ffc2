"""BL001 tracking-params: strip tracking, sharer and session parameters from URLs."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Applicability, Diagnostic, Fix
from ..document import Link
from ..rule import Rule, RuleContext
from ..urls import CLASSES, Cleaning, Removal, clean_url, needs_cleaning
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


class TrackingParams(Rule):
    code = "BL001"
    validate_options = staticmethod(validate_url_options)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        rules = compiled_rules(ctx)

        def wanted(href: str) -> bool:
            # Judge markdown-it's href first: exact spans cost a re-tokenization.
            if not _quick(href):
                return False
            return needs_cleaning(href, rules)

        for target in targets(ctx, wanted, candidates, screen):
            cleaning = clean_url(target.url, rules)
            yield from _diagnostics(ctx, target, cleaning)


def _details(ctx: RuleContext, by_class: dict[str, list[str]]) -> str:
    return "; ".join(
        ctx.message(f"label_{cls}") + " " + ", ".join(f"`{k}`" for k in names)
        for cls, names in by_class.items()
    )


def _data(cleaning: Cleaning, safe: bool, url: str) -> dict[str, object]:
    return {
        "provider": cleaning.provider or "global",
        "removed": cleaning.classes(safe),
        "url": url,
    }


def _fix(
    ctx: RuleContext, target: Target, new_url: str, kind: str, cap: Applicability | None = None
) -> Fix | None:
    applicability = ctx.fix_applicability(kind)
    if applicability is None or not edit_allowed(target, new_url):
        return None
    if cap is Applicability.UNSAFE and applicability is Applicability.SAFE:
        applicability = cap
    return Fix(target.edits(new_url), applicability, ctx.message("fix_title"))


def _diagnostics(ctx: RuleContext, target: Target, cleaning: Cleaning) -> Iterator[Diagnostic]:
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
        yield ctx.report(
            span,
            ctx.message(key, where=where, details=details),
            kind=kind,
            fix=_fix(ctx, target, cleaning.safe_url, kind),
            data=_data(cleaning, True, cleaning.safe_url),
        )
    if cleaning.unsafe_url != cleaning.url:
        kind = cleaning.worst(False) or "tracking"
        yield ctx.report(
            span,
            ctx.message("unverified", where=where, details=_details(ctx, cleaning.classes(False))),
            kind=kind,
            fix=_fix(ctx, target, cleaning.unsafe_url, kind, Applicability.UNSAFE),
            data=_data(cleaning, False, cleaning.unsafe_url),
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
