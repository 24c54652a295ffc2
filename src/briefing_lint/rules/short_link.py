"""BL012 short-link: share short links hide the target and the sharer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..diagnostics import Applicability, Diagnostic, Fix
from ..document import Link
from ..online import results
from ..rule import Rule, RuleContext
from ..urls import RuleSet, short_link, split_url
from ._online import request_url, resolve, shown
from ._url_targets import Hrefs, Target, compiled_rules, targets
from .redirect_wrapper import fits


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
            resolved = self._resolved(ctx, target, rules, label, host)
            if resolved is not None:
                yield resolved
                continue
            key = "short_plain" if label == host else "short"
            yield ctx.report(target.span, ctx.message(key, label=label, host=host))

    @staticmethod
    def _resolved(
        ctx: RuleContext, target: Target, rules: RuleSet, label: str, host: str
    ) -> Diagnostic | None:
        """``--online``: the short link followed to its page, which replaces it (cleaned)."""
        lookup = results.current()
        found = None if lookup is None else resolve(lookup, request_url(target), rules)
        if found is None or short_link(found.cleaned, rules) is not None:
            return None
        name = label if label != host else "short"
        if not fits(target, found.cleaned):
            message = ctx.message("unfixable", label=name, host=host, final=shown(found.final))
            return ctx.report(target.span, message, kind="resolved")
        if found.doubt:
            kind, applicability = "unverified", Applicability.UNSAFE
            message = ctx.message(
                "unverified", label=name, host=host, chain=found.chain, doubt=found.doubt
            )
        else:
            kind, applicability = "resolved", Applicability.SAFE
            message = ctx.message("resolved", label=name, host=host, final=shown(found.cleaned))
        fix = Fix(target.edits(found.cleaned), applicability, ctx.message("fix_title"))
        data: dict[str, object] = {"final": found.final, "chain": found.chain}
        return ctx.report(target.span, message, kind=kind, fix=fix, data=data)
