"""BL012 short-link: share short links hide the target and the sharer."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..rule import Rule, RuleContext
from ..urls import short_link, split_url
from ._url_targets import compiled_rules, targets


class ShortLink(Rule):
    code = "BL012"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        rules = compiled_rules(ctx, {"extra_short_hosts": ctx.options["extra_hosts"]})
        allowed = {str(h).lower() for h in ctx.options["allow_hosts"]}

        def hit(url: str) -> str | None:
            label = short_link(url, rules)
            if label is None or split_url(url).host in allowed:
                return None
            return label

        for target in targets(ctx, lambda href: hit(href) is not None):
            label = hit(target.url)
            if label is None:
                continue
            host = split_url(target.url).host
            key = "short_plain" if label == host else "short"
            yield ctx.report(target.span, ctx.message(key, label=label, host=host))
