"""BL013 ephemeral-link: links that expire (Sogou temp links, preview keys, signed URLs)."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..rule import Rule, RuleContext
from ..urls import ephemeral_markers, host_in, split_url
from ._url_targets import compiled_rules, has_query, targets, with_query


class EphemeralLink(Rule):
    code = "BL013"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        rules = compiled_rules(ctx)
        allowed = tuple(str(h).lower() for h in ctx.options["allow_hosts"])

        def found(url: str) -> list[str]:
            if "?" not in url:
                return []
            host = split_url(url).host
            if host_in(host, allowed):
                return []
            return ephemeral_markers(url, rules)

        for target in targets(ctx, lambda href: bool(found(href)), with_query, has_query):
            if target.is_image:
                continue  # expiring images are BL004 image-hosts' finding
            for name in found(target.url):
                yield ctx.report(target.span, ctx.message(name), kind=name)
