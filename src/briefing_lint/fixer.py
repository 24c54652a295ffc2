"""Apply fixes as minimal text edits, re-lint, repeat until nothing applies.

One pass takes fixes in source order and skips any fix that overlaps one already taken (it
gets its turn on the next pass, against the new text). Identical edits from different
diagnostics are applied once. The loop stops when no applicable fix is left; if it has not
settled after :data:`MAX_PASSES`, nothing is returned as changed and the rules involved are
named (exit 3 in the CLI). The BOM, line endings and final newline are never touched
because only the edited spans change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .diagnostics import Applicability, Diagnostic, Edit, Fix

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
    #: Rules whose fixes kept the text from settling, or were refused by the guard.
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


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits in one pass over ``text``."""
    parts: list[str] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if edit.span.start < pos:
            raise ValueError(f"overlapping edit at {edit.span.start}")
        parts.append(text[pos : edit.span.start])
        parts.append(edit.replacement)
        pos = edit.span.end
    parts.append(text[pos:])
    return "".join(parts)


def select_fixes(
    diagnostics: Sequence[Diagnostic], unsafe: bool
) -> tuple[list[Diagnostic], list[Edit]]:
    """Pick a non-overlapping set of fixes in source order; return them and their edits."""
    chosen: list[Diagnostic] = []
    taken: list[Edit] = []
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
        if any(e.span.overlaps(t.span) for e in new_edits for t in taken):
            continue
        if any(
            a.span.overlaps(b.span) for i, a in enumerate(new_edits) for b in new_edits[i + 1 :]
        ):
            continue  # a malformed fix never applies
        chosen.append(diag)
        taken.extend(new_edits)
        seen_edits.update(new_edits)
    return chosen, taken


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
    """Fix ``text`` to a fixed point using ``lint`` (text -> diagnostics)."""
    original = text
    applied: list[Diagnostic] = []
    refused: list[str] = []
    blocked: set[tuple[str, int, int]] = set()
    recent: list[set[str]] = []  # codes applied per pass
    diagnostics = lint(text)
    for _ in range(max_passes):
        candidates = [d for d in diagnostics if (d.code, d.span.start, d.span.end) not in blocked]
        chosen, edits = select_fixes(candidates, unsafe)
        if not edits:
            return FixResult(text, tuple(applied), tuple(diagnostics), True, (), tuple(refused))
        new_text = apply_edits(text, edits)
        if guard is not None:
            reasons = guard(text, new_text, chosen)
            if reasons:
                # Refuse this batch; try each fix alone so good ones still land.
                accepted_any = False
                for diag in chosen:
                    assert diag.fix is not None
                    single = apply_edits(text, diag.fix.edits)
                    why = guard(text, single, [diag])
                    if why:
                        blocked.add((diag.code, diag.span.start, diag.span.end))
                        refused.extend(f"{diag.code} ({diag.name}): {r}" for r in why)
                    elif not accepted_any:
                        new_text, chosen, accepted_any = single, [diag], True
                if not accepted_any:
                    continue
        if new_text == text:
            blocked.update((d.code, d.span.start, d.span.end) for d in chosen)
            continue
        applied.extend(chosen)
        recent.append({d.code for d in chosen})
        text = new_text
        diagnostics = lint(text)
    # Did not settle: report the rules still offering fixes, change nothing.
    _, still = select_fixes(
        [d for d in diagnostics if (d.code, d.span.start, d.span.end) not in blocked], unsafe
    )
    if not still:
        return FixResult(text, tuple(applied), tuple(diagnostics), True, (), tuple(refused))
    pending = {d.code for d in diagnostics if applicable(d.fix, unsafe)}
    rules = sorted(pending.union(*recent[-2:]))
    return FixResult(original, (), tuple(lint(original)), False, tuple(rules), tuple(refused))
