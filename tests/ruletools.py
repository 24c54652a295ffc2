"""Test-only rules registered into the registry for one test (e.g. deliberately broken ones)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from briefing_lint import registry
from briefing_lint.diagnostics import Applicability, Diagnostic, Fix, Severity, Span
from briefing_lint.rule import Rule, RuleContext
from briefing_lint.ruledata import RuleMeta


def make_rule(
    code: str,
    pattern: str,
    replacement: str | Callable[[re.Match[str]], str],
    *,
    applicability: Applicability = Applicability.SAFE,
    fix_effect: str = "none",
    preserves_rendering: bool = False,
) -> type[Rule]:
    """A rule that reports every match of ``pattern`` and replaces it."""
    meta = RuleMeta(
        code=code,
        name=f"test-{code.lower()}",
        summary="test rule",
        severity=Severity.WARNING,
        fix=applicability.value,
        default_enabled=True,
        fix_effect=fix_effect,
        preserves_rendering=preserves_rendering,
    )
    regex = re.compile(pattern, re.MULTILINE)

    class _TestRule(Rule):
        @classmethod
        def meta(cls) -> RuleMeta:
            return meta

        def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
            for m in regex.finditer(ctx.doc.source):
                new = replacement(m) if callable(replacement) else m.expand(replacement)
                span = Span(m.start(), m.end())
                yield ctx.report(
                    span, f"{code} match", fix=Fix.replace(span, new, code, applicability)
                )

    _TestRule.code = code
    _TestRule.__name__ = f"Rule{code}"
    return _TestRule


@contextmanager
def registered(*rules: type[Rule]) -> Iterator[None]:
    """Lint with exactly ``rules`` inside the block (through the public registry API)."""
    with registry.use(registry.Registry.of(*rules)):
        yield
