"""Apply fixes as minimal text edits, re-lint, repeat until nothing applies.

One pass takes fixes in source order and skips any fix that overlaps one already taken (it
gets its turn on the next pass, against the new text). Identical edits from different
diagnostics are applied once. The loop stops when no applicable fix is left; if it has not
settled after :data:`MAX_PASSES`, nothing is returned as changed and the rules involved are
named (exit 3 in the CLI). The BOM, line endings and final newline are never touched
because only the edited spans change.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .diagnostics import Applicability, Diagnostic, Edit, Fix, Span
from .edits import apply_edits as apply_edits

MAX_PASSES = 10


@dataclass(frozen=True)
class FixResult:
    """Outcome of fixing one text."""

    text: str
    #: Diagnostics whose fixes were applied (over all passes).
    applied: tuple[Diagnostic, ...]
    #: Diagnostics still present in ``text``.
    remaining: tuple[Diagnostic, ...]
    converged: bool = True
    #: Rules whose fixes kept the text from settling (not converged), or whose fixes the
    #: guard refused (converged: the text is fixed except for those).
    failing_rules: tuple[str, ...] = ()
    #: Human-readable reasons for refused fixes (guard findings).
    refused: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def select_fixes(
    diagnostics: Sequence[Diagnostic], unsafe: bool
) -> tuple[list[Diagnostic], list[Edit]]:
    """Pick a non-overlapping set of fixes in source order; return them and their edits."""
    chosen: list[Diagnostic] = []
    taken: list[Edit] = []
    placed = _Intervals()
    seen_edits: set[Edit] = set()
    candidates = sorted(
        (d for d in diagnostics if applicable(d.fix, unsafe)),
        key=lambda d: (d.fix.span.start, d.fix.span.end, d.code) if d.fix else (0, 0, ""),
    )
    for diag in candidates:
        assert diag.fix is not None
        new_edits = [e for e in diag.fix.edits if e not in seen_edits]
        if not new_edits:  # the same edit already chosen for another diagnostic
            chosen.append(diag)
            continue
        if any(placed.overlaps(e.span) for e in new_edits):
            continue
        if len(new_edits) > 1 and _overlapping(new_edits):
            continue  # a malformed fix never applies
        chosen.append(diag)
        taken.extend(new_edits)
        seen_edits.update(new_edits)
        for edit in new_edits:
            placed.add(edit.span)
    return chosen, taken


def _overlapping(edits: Sequence[Edit]) -> bool:
    """Whether two of ``edits`` overlap."""
    own = _Intervals()
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if own.overlaps(edit.span):
            return True
        own.add(edit.span)
    return False


class _Intervals:
    """Pairwise non-overlapping spans, sorted, answering :meth:`Span.overlaps` in log time.

    Sorted by start, such spans are sorted by end too, so the ones that can meet a query
    form one run found by bisection: fix selection stays O(n log n) with thousands of fixes.
    """

    def __init__(self) -> None:
        self._keys: list[tuple[int, int]] = []
        self._ends: list[int] = []
        self._spans: list[Span] = []

    def overlaps(self, span: Span) -> bool:
        i = bisect.bisect_left(self._ends, span.start)
        while i < len(self._spans) and self._spans[i].start <= span.end:
            if self._spans[i].overlaps(span):
                return True
            i += 1
        return False

    def add(self, span: Span) -> None:
        """Add ``span``, which must not overlap any span already held."""
        i = bisect.bisect_left(self._keys, (span.start, span.end))
        self._keys.insert(i, (span.start, span.end))
        self._ends.insert(i, span.end)
        self._spans.insert(i, span)


Guard = Callable[[str, str, Sequence[Diagnostic]], Sequence[str]]
"""``guard(before, after, fixes)`` returns reasons to refuse (empty list = accept)."""


def fix_loop(
    text: str,
    lint: Callable[[str], list[Diagnostic]],
    *,
    unsafe: bool = False,
    guard: Guard | None = None,
    max_passes: int = MAX_PASSES,
) -> FixResult:
    """Fix ``text`` to a fixed point using ``lint`` (text -> diagnostics).

    Each pass's batch goes through ``guard`` before it is taken. A refused batch is split
    (by rule, then by diagnostic) so good fixes still land; a refused fix is remembered by
    rule and position (shifted as other edits land) and never retried, and its reason is
    reported naming the rule.
    """
    original = text
    applied: list[Diagnostic] = []
    refusals = _Refusals()
    recent: list[set[str]] = []  # codes applied per pass
    diagnostics = lint(text)
    for _ in range(max_passes):
        candidates = [d for d in diagnostics if not refusals.blocks(d)]
        chosen, edits = select_fixes(candidates, unsafe)
        if not edits:
            return _settled(text, applied, diagnostics, refusals)
        new_text = apply_edits(text, edits)
        if new_text == text:  # fixes that change nothing: do not offer them again
            refusals.block_quietly(chosen)
            continue
        reasons = guard(text, new_text, chosen) if guard is not None else ()
        if reasons:
            assert guard is not None
            chosen = _isolate(text, chosen, guard, refusals, reasons)
            if not chosen:
                continue
            edits = _edits_of(chosen)
            new_text = apply_edits(text, edits)
        applied.extend(chosen)
        recent.append({d.code for d in chosen})
        refusals.shift(edits)
        text = new_text
        diagnostics = lint(text)
    # Did not settle: report the rules still offering fixes, change nothing.
    _, still = select_fixes([d for d in diagnostics if not refusals.blocks(d)], unsafe)
    if not still:
        return _settled(text, applied, diagnostics, refusals)
    pending = {d.code for d in diagnostics if applicable(d.fix, unsafe)}
    rules = sorted(pending.union(*recent[-2:]))
    return FixResult(
        original, (), tuple(lint(original)), False, tuple(rules), tuple(refusals.reasons)
    )


def _settled(
    text: str, applied: list[Diagnostic], diagnostics: list[Diagnostic], refusals: _Refusals
) -> FixResult:
    return FixResult(
        text,
        tuple(applied),
        tuple(diagnostics),
        True,
        tuple(sorted(refusals.codes)),
        tuple(refusals.reasons),
    )


def _edits_of(diagnostics: Sequence[Diagnostic]) -> list[Edit]:
    return sorted(
        {e for d in diagnostics if d.fix is not None for e in d.fix.edits},
        key=lambda e: (e.span.start, e.span.end, e.replacement),
    )


def _isolate(
    text: str,
    chosen: list[Diagnostic],
    guard: Guard,
    refusals: _Refusals,
    reasons: Sequence[str],
) -> list[Diagnostic]:
    """A batch of ``chosen`` the guard accepts; the culprits are refused.

    ``reasons`` is the guard's verdict on all of ``chosen``. Rules are tried one by one,
    then the fixes of a refused rule one by one, so a refusal costs a few extra parses
    only on the (rare) path where something is wrong.
    """

    def verdict(batch: Sequence[Diagnostic]) -> Sequence[str]:
        return guard(text, apply_edits(text, _edits_of(batch)), batch)

    by_rule: dict[str, list[Diagnostic]] = {}
    for diag in chosen:
        by_rule.setdefault(diag.code, []).append(diag)
    good: list[Diagnostic] = []
    for group in by_rule.values():
        why = verdict(group) if len(by_rule) > 1 else reasons
        if not why:
            good.extend(group)
            continue
        for diag in group:
            single = why if len(group) == 1 else verdict([diag])
            if single:
                refusals.refuse(text, diag, single)
            else:
                good.append(diag)
    if len(good) > 1 and verdict(good):
        # Fixes that pass alone but not together: take one now, the rest next pass.
        good = [good[0]]
    order = {id(d): i for i, d in enumerate(chosen)}
    good.sort(key=lambda d: order[id(d)])
    return good


class _Refusals:
    """Fixes the guard refused (or that change nothing), by rule and current position."""

    def __init__(self) -> None:
        self._blocked: set[tuple[str, Span]] = set()
        self.reasons: list[str] = []
        self.codes: set[str] = set()

    def blocks(self, diag: Diagnostic) -> bool:
        return (diag.code, diag.span) in self._blocked

    def block_quietly(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._blocked.update((d.code, d.span) for d in diagnostics)

    def refuse(self, text: str, diag: Diagnostic, why: Sequence[str]) -> None:
        self._blocked.add((diag.code, diag.span))
        self.codes.add(diag.code)
        line = len(_LINE_BREAK.findall(text, 0, diag.span.start)) + 1
        for reason in why:
            message = f"{diag.code} ({diag.name}) at line {line}: {reason}"
            if message not in self.reasons:
                self.reasons.append(message)

    def shift(self, edits: Sequence[Edit]) -> None:
        """Follow the blocked spans through ``edits`` (not overlapping); drop those they touch."""
        edits = sorted(edits, key=lambda e: (e.span.start, e.span.end))
        placed = _Intervals()
        for edit in edits:
            placed.add(edit.span)
        ends = [e.span.end for e in edits]
        deltas = [0, *itertools.accumulate(len(e.replacement) - len(e.span) for e in edits)]
        kept: set[tuple[str, Span]] = set()
        for code, span in self._blocked:
            if placed.overlaps(span):
                continue
            delta = deltas[bisect.bisect_right(ends, span.start)]
            kept.add((code, Span(span.start + delta, span.end + delta)))
        self._blocked = kept


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
