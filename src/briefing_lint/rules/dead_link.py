"""BL016 dead-link: a link or image that no longer answers (``check --online`` only)."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..online import results
from ..online.results import UNREACHABLE
from ..rule import Rule, RuleContext
from ..urls import find_redirect
from ._online import request_url, shown
from ._url_targets import compiled_rules, targets


def _web(href: str) -> bool:
    return href[:8].lower().startswith(("http://", "https://"))


class DeadLink(Rule):
    code = "BL016"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        lookup = results.current()
        if lookup is None:  # off-line: nothing is known about any page
            return
        rules = compiled_rules(ctx)
        for target in targets(ctx, _web):
            url = request_url(target)
            hit = find_redirect(url, rules) if "?" in url else None
            if hit is not None and hit.target is not None:
                url = hit.target  # the page behind the redirector is what readers get
            result = lookup.link(url)
            if result is None:
                continue
            kind = result.problem(lookup.accept)
            if kind is None:
                continue
            final = result.final_url
            via = f" (redirected to {shown(final)})" if final != url else ""
            if kind == "unreachable":
                detail = f": {result.detail}" if result.detail else ""
                what = UNREACHABLE.get(result.error, result.error)
                message = ctx.message("unreachable", error=what, detail=detail[:160])
            elif kind == "soft-404":
                message = ctx.message("soft_404", marker=result.soft_404, via=via)
            else:
                message = ctx.message(kind, status=result.status, via=via)
            data: dict[str, object] = {"url": url, "status": result.status}
            if result.error:
                data["error"] = result.error
            yield ctx.report(target.span, message, kind=kind, data=data)
