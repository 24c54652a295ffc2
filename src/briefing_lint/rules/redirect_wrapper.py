"""BL011 redirect-wrapper: ``link.zhihu.com/?target=...`` -> the target itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

from ..diagnostics import Applicability, Diagnostic
from ..online import results
from ..rule import Rule, RuleContext
from ..urls import RuleSet, find_redirect, needs_escaping
from ._online import resolve
from ._url_targets import (
    Target,
    compiled_rules,
    edit_allowed,
    has_query,
    targets,
    validate_url_options,
    with_query,
)

_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
_MARKDOWN_TEXT = re.compile(r"[*_`\[\]\\<>!&]")
_SHOWN = 80
#: Decoded from the redirector's parameter, these go back to their percent form in the
#: message: a ``%0A`` would otherwise start a new output line (a CI log reads
#: ``::error ...`` there as a command), an ``%1B`` drive the terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _balanced(url: str) -> bool:
    depth = 0
    for ch in url:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def fits(target: Target, new: str) -> bool:
    """Whether ``new`` can replace the URL as written, with no escaping needed."""
    if needs_escaping(new) or "<" in new or ">" in new or _ENTITY.search(new):
        return False
    if target.kind == "html":
        return '"' not in new and "'" not in new
    if "\\" in new:
        return False
    if target.kind in ("inline", "definition") and not _balanced(new):
        return False
    if target.text_span is not None and _MARKDOWN_TEXT.search(new):
        return False
    return edit_allowed(target, new)


def _shown(url: str) -> str:
    url = _UNPRINTABLE.sub(lambda m: quote(m.group(), safe="", errors="surrogateescape"), url)
    return url if len(url) <= _SHOWN else url[: _SHOWN - 1] + "…"


class RedirectWrapper(Rule):
    code = "BL011"
    validate_options = staticmethod(validate_url_options)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        rules: RuleSet = compiled_rules(ctx)

        def wanted(href: str) -> bool:
            return "?" in href and find_redirect(href, rules) is not None

        for target in targets(ctx, wanted, with_query, has_query):
            hit = find_redirect(target.url, rules)
            if hit is None:
                continue
            if hit.target is None:
                yield ctx.report(target.span, ctx.message("opaque", host=hit.host), kind="opaque")
                continue
            fix = None
            ok = fits(target, hit.target)
            key = "wrapped" if ok else "unfixable"
            message = ctx.message(key, host=hit.host, target=_shown(hit.target))
            if ok:
                fix = ctx.fix(
                    target.edits(hit.target), title=ctx.message("fix_title"), kind="wrapped"
                )
            doubt = _online_doubt(hit.target, rules)
            if doubt and ctx.fix_applicability("wrapped") is not None:
                message = ctx.message("unverified", host=hit.host, chain=doubt)
                if fix is not None:  # the target may not be what readers should get
                    fix = replace(fix, applicability=Applicability.UNSAFE)
            yield ctx.report(
                target.span, message, kind="wrapped", fix=fix, data={"target": hit.target}
            )


def _online_doubt(url: str, rules: RuleSet) -> str:
    """``--online``: the target's redirect chain when it makes linking it doubtful (a login
    or consent page on the way, or an http end), else ""."""
    lookup = results.current()
    found = None if lookup is None else resolve(lookup, url, rules)
    return f"{found.chain} ({found.doubt})" if found is not None and found.doubt else ""
