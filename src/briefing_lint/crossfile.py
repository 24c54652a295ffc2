"""Rules that judge the whole run (BL006 duplicate items across issues; BL001 drops the
reports of tags the run shows to be the newsletter's own)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from .config import ConfigResolver
from .diagnostics import Diagnostic
from .files import FileOutcome
from .registry import rules_by_code
from .suppressions import FACTS_KEY, CrossFileSuppressions


def cross_file_diagnostics(outcomes: Sequence[FileOutcome], resolver: ConfigResolver) -> None:
    """Add each cross-file rule's run-wide diagnostics to the outcomes they belong to.

    A finding is located in one file, whose suppression comments apply to it as to any
    other; a comment that suppresses one counts as used (BL014).
    """
    by_code = _facts_by_code(outcomes)
    if not by_code:
        return
    by_path = {str(o.path): o for o in outcomes}
    used: dict[str, set[int]] = {}
    for code, facts in by_code.items():
        rule_cls = rules_by_code()[code]
        first = next(iter(facts))
        options = resolver.for_path(by_path[first].path).options_for(rule_cls.meta())
        drop = rule_cls().drop_run(facts, options)
        if drop is not None:
            for outcome in outcomes:
                outcome.diagnostics = [
                    d for d in outcome.diagnostics if d.code != code or not drop(d)
                ]
        for path, diagnostic in rule_cls().check_run(facts, options):
            target = by_path.get(path)
            if target is not None:
                _place(target, diagnostic, resolver, used.setdefault(path, set()))
    for outcome in outcomes:
        suppressions = outcome.facts.get(FACTS_KEY)
        if isinstance(suppressions, CrossFileSuppressions):
            done = used.get(str(outcome.path), set())
            outcome.diagnostics.extend(d for n, d in suppressions.pending if n not in done)
        outcome.diagnostics.sort(key=lambda d: d.sort_key())


def _facts_by_code(outcomes: Sequence[FileOutcome]) -> dict[str, dict[str, Any]]:
    """Each cross-file rule's facts, by file path."""
    by_code: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        for code, facts in outcome.facts.items():
            if code != FACTS_KEY:
                by_code.setdefault(code, {})[str(outcome.path)] = facts
    return by_code


def _place(
    target: FileOutcome, diagnostic: Diagnostic, resolver: ConfigResolver, used: set[int]
) -> None:
    """Add ``diagnostic`` to its file unless a comment there suppresses it (then that
    comment is ``used``); the file's severity override applies."""
    suppressions = target.facts.get(FACTS_KEY)
    if isinstance(suppressions, CrossFileSuppressions):
        suppressing = suppressions.suppressing(diagnostic)
        if suppressing:
            used.update(suppressing)
            return
    override = resolver.for_path(target.path).severity_for(diagnostic.code)
    if override is not None:
        diagnostic = dataclasses.replace(diagnostic, severity=override)
    target.diagnostics.append(diagnostic)
