"""Run the selected rules over one text: the pure core behind the CLI and the library API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import registry
from .config import Config
from .diagnostics import Diagnostic, Severity
from .document import Document
from .guard import structure_guard
from .rule import Directive, Rule, RuleContext
from .suppressions import (
    FACTS_KEY,
    apply_suppressions,
    configure,
    cross_file_suppressions,
    deferred_directives,
    find_directives,
)


@dataclass(frozen=True)
class ActiveRule:
    """A rule with the options and severity override one config gives it."""

    rule: Rule
    options: dict[str, Any]
    severity: Severity | None
    kind_severity: Mapping[str, Severity]

    @property
    def code(self) -> str:
        return self.rule.code


#: Active rules per config, registry and ignore set: the same for every file of a run, and
#: building them (option merging, rule instances) per file was a few percent of linting.
_ACTIVE: dict[int, tuple[Config, dict[tuple[registry.Registry, frozenset[str]], list[ActiveRule]]]]
_ACTIVE = {}


def active_rules(config: Config, path: str | None = None) -> list[ActiveRule]:
    """The rules ``config`` selects for ``path``, in registry order (shared: do not mutate)."""
    key = (registry.current(), frozenset(config.ignored_for(path)))
    entry = _ACTIVE.get(id(config))
    if entry is None or entry[0] is not config:
        if len(_ACTIVE) > 64:
            _ACTIVE.clear()
        entry = _ACTIVE[id(config)] = (config, {})
    found = entry[1].get(key)
    if found is None:
        found = entry[1][key] = _build_active(config, key[1])
    return found


def _build_active(config: Config, ignored: frozenset[str]) -> list[ActiveRule]:
    out = []
    known = registry.current()
    for code in config.selected_codes():
        if code in ignored:
            continue
        rule_cls = known.rule_class(code)
        meta = known.meta(code)
        out.append(
            ActiveRule(
                rule_cls(),
                config.options_for(meta),
                config.severity_for(code),
                config.kind_severities_for(code),
            )
        )
    return out


def contexts(
    doc: Document, rules: Sequence[ActiveRule], config: Config
) -> list[tuple[Rule, RuleContext]]:
    out = []
    known = registry.current()
    defaults = known.default_codes()
    for active in rules:
        ctx = RuleContext(
            doc,
            active.rule.meta(),
            active.options,
            active.severity,
            config,
            active.kind_severity,
            defaults,
            structure_guard,
        )
        out.append((active.rule, ctx))
    return out


def lint_document(
    doc: Document,
    config: Config,
    rules: Sequence[ActiveRule] | None = None,
    *,
    facts: dict[str, object] | None = None,
    cross_file: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic of every selected rule, sorted by position (suppressions applied).

    When ``facts`` is given, cross-file rules also leave their per-file facts in it, and
    with them the file's suppressions of cross-file findings
    (:class:`~briefing_lint.suppressions.CrossFileSuppressions`). Then, or with
    ``cross_file`` (one file of a run whose cross-file findings come later), a suppression
    comment that might only be used by a cross-file finding is not judged by BL014 here.
    """
    directives = find_directives(doc)
    if any(d.action == "configure-file" for d in directives):
        config = configure(config, directives, doc)
        rules = None
    if rules is None:
        rules = active_rules(config, doc.path)
    if facts is None and cross_file:
        facts = {}
    diagnostics, late = _run_rules(doc, rules, config, facts)
    diagnostics = apply_suppressions(doc, diagnostics, directives)
    selected = {active.code for active in rules}
    run_wide = set() if facts is None else {c for c, f in facts.items() if f is not None}
    pending = _judge_late(late, directives, selected, run_wide, diagnostics)
    if facts is not None and run_wide and directives:
        found = cross_file_suppressions(doc, directives, run_wide, pending)
        if found is not None:
            facts[FACTS_KEY] = found
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics


def _run_rules(
    doc: Document, rules: Sequence[ActiveRule], config: Config, facts: dict[str, object] | None
) -> tuple[list[Diagnostic], list[tuple[Rule, RuleContext]]]:
    """The diagnostics of the rules judged before suppressions, and the rules left for
    after (BL014); cross-file rules leave their facts in ``facts``."""
    diagnostics: list[Diagnostic] = []
    late: list[tuple[Rule, RuleContext]] = []
    for rule, ctx in contexts(doc, rules, config):
        if rule.after_suppressions:
            late.append((rule, ctx))
            continue
        diagnostics.extend(rule.check(ctx))
        if facts is not None and rule.cross_file:
            facts[rule.code] = rule.facts(ctx)
    return diagnostics, late


def _judge_late(
    late: Sequence[tuple[Rule, RuleContext]],
    directives: list[Directive],
    selected: set[str],
    run_wide: set[str],
    diagnostics: list[Diagnostic],
) -> list[tuple[Directive, Diagnostic]]:
    """Add the after-suppression rules' findings to ``diagnostics``; return those about
    directives only the whole run can judge (a cross-file finding may still use them)."""
    deferred = deferred_directives(directives, run_wide) if run_wide else []
    judged = [d for d in directives if all(d is not x for x in deferred)]
    pending: list[tuple[Directive, Diagnostic]] = []
    for rule, ctx in late:
        diagnostics.extend(rule.judge(ctx, judged, selected))
        for d in deferred:
            # Reported later only if no cross-file finding uses it; whether it is unused
            # depends on other files, so it is never removed automatically.
            pending.extend(
                (d, replace(found, fix=None)) for found in rule.judge(ctx, [d], selected)
            )
    return pending
