"""Applying text edits: the one primitive rules and the fix loop share (a leaf, so a rule
that checks what its own fix would do needs nothing of the fix loop)."""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Edit


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
