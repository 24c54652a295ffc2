"""The safety net: a fixed text must keep the original's block structure.

Before a fix is written, both texts are parsed and compared: the same sequence of block
tokens (type, tag, nesting: so heading levels, list kinds and item counts), and code blocks
and front matter byte-identical. A rule whose fix is meant to change structure declares
``fix_effect: structure`` in its YAML; then only code blocks are compared. A rule that
declares ``preserves_rendering: true`` is also checked by rendering both texts to HTML.
Text outside the edited spans cannot change: edits are applied span by span.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from . import parser
from .diagnostics import Diagnostic
from .ruledata import RuleMeta

_VERBATIM = ("fence", "code_block", "front_matter")


def _parse(text: str) -> list[Token]:
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    tokens, _ = parser.parse(normalized)
    return tokens


def _shape(tokens: list[Token]) -> list[tuple[str, str, int]]:
    return [(t.type, t.tag, t.nesting) for t in tokens if t.type != "inline"]


def _verbatim(tokens: list[Token]) -> list[tuple[str, str, str]]:
    return [(t.type, t.info, t.content) for t in tokens if t.type in _VERBATIM]


def compare_structure(before: str, after: str, *, allow_structure: bool = False) -> list[str]:
    """Reasons the fixed text is not structurally the original (empty when it is)."""
    old, new = _parse(before), _parse(after)
    reasons: list[str] = []
    if _verbatim(old) != _verbatim(new):
        reasons.append("a code block or front matter changed")
    if not allow_structure:
        old_shape, new_shape = _shape(old), _shape(new)
        if old_shape != new_shape:
            reasons.append(_describe(old_shape, new_shape))
    return reasons


def _describe(old: list[tuple[str, str, int]], new: list[tuple[str, str, int]]) -> str:
    for i, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return f"block structure changed at block {i + 1}: {a[0]} became {b[0]} ({a[1]}→{b[1]})"
    return f"block count changed from {len(old)} to {len(new)}"


def structure_guard(before: str, after: str, fixes: Sequence[Diagnostic]) -> list[str]:
    """The fixer's guard: structure always, rendering for rules that promise it."""
    metas = [m for m in (_meta(d.code) for d in fixes) if m is not None]
    allow = any(m.fix_effect == "structure" for m in metas)
    reasons = compare_structure(before, after, allow_structure=allow)
    if not reasons and any(m.preserves_rendering for m in metas):
        md = parser.markdown()
        if md.render(before.replace("\r\n", "\n")) != md.render(after.replace("\r\n", "\n")):
            reasons.append("the rendered HTML changed")
    return reasons


def _meta(code: str) -> RuleMeta | None:
    from .registry import rules_by_code

    rule = rules_by_code().get(code)
    return None if rule is None else rule.meta()
