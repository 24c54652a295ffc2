"""BL012 short-link: share short links hide the target and the sharer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..diagnostics import Diagnostic
from ..document import Link
from ..rule import Rule, RuleContext
from ..urls import short_link, split_url
from ._url_targets import Hrefs, compiled_rules, targets


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

        names = rules.short_links
        plain = all(name and name.isascii() for name in names)

        def candidates(shared: Hrefs) -> Sequence[Link]:
            # Short links are rare: most documents have no host that could be one.
            hosts = shared.host_text
            if plain and hosts is not None and not any(name in hosts for name in names):
                return ()
            return shared.links

        def screen(text: str) -> bool:
            if not plain:
                return True
            lowered = text.lower()
            return any(name in lowered for name in names)

        for target in targets(ctx, lambda href: hit(href) is not None, candidates, screen):
            label = hit(target.url)
            if label is None:
                continue
            host = split_url(target.url).host
            key = "short_plain" if label == host else "short"
            yield ctx.report(target.span, ctx.message(key, label=label, host=host))
