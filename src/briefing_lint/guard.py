"""The safety net: a fix is written only if the fixed text keeps the original's structure.

Before a batch of fixes is accepted, the fixed text is parsed and compared with the original:

* **outside the edits** the two texts are identical, character for character (the union of
  the edit spans is the only place allowed to differ);
* **code blocks and front matter** are identical (same token content, info string and
  fence), and no edit touches their source lines;
* **block structure** is the same: the sequence of block tokens with their type, tag and
  nesting (so heading levels, list kinds, list item counts, blockquotes, tables) and the
  tight/loose state of list paragraphs.

A rule whose fix is meant to change structure declares ``fix_effect: structure`` in its YAML
(BL009 turns an accidental list into a paragraph). For its edits the guard still checks code
blocks and front matter, and that only the top-level blocks its edits touch changed shape:
every other block keeps its exact token structure, in order.

A rule that declares ``preserves_rendering: true`` is also checked by rendering the text
before and after its edits to HTML: the two must be equal.

The guard runs only in fix mode and only for a batch that changes the text; parses are
cached by text, so the fixed text is parsed once for the guard and the original is not
parsed again when the linter has just parsed it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

from . import parser
from .diagnostics import Diagnostic, Edit, Span
from .document import LineIndex, split_bom
from .edits import apply_edits
from .ruledata import RuleMeta, meta_for

_VERBATIM = frozenset({"fence", "code_block", "front_matter"})

#: One block token as the structure comparison sees it.
Shape = tuple[str, str, int, bool]
_Block = tuple[int, tuple[Shape, ...]]


@dataclass
class _Parsed:
    """A text parsed once, with the views the guard compares."""

    text: str
    tokens: list[Token]
    env: dict[str, Any]

    @functools.cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text)

    @functools.cached_property
    def shape(self) -> list[Shape]:
        return _shapes(self.tokens)

    @functools.cached_property
    def verbatim(self) -> list[Token]:
        return [t for t in self.tokens if t.type in _VERBATIM]

    @functools.cached_property
    def top_blocks(self) -> list[tuple[int, int, tuple[Shape, ...]]]:
        """Top-level blocks as (first line, end line, shape of the whole subtree)."""
        out: list[tuple[int, int, tuple[Shape, ...]]] = []
        depth = 0
        start = 0
        for i, token in enumerate(self.tokens):
            if depth == 0:
                start = i
            depth += token.nesting
            if depth == 0:
                opener = self.tokens[start]
                lo, hi = opener.map if opener.map else (0, 0)
                subtree = tuple(_shapes(self.tokens[start : i + 1]))
                out.append((lo, hi, subtree))
        return out


def block_shape(tokens: Iterable[Token]) -> list[tuple[str, str, int]]:
    """Block tokens as (type, tag, nesting): the structure without tight/loose."""
    return [(t.type, t.tag, t.nesting) for t in tokens if t.type != "inline"]


def _shapes(tokens: Iterable[Token]) -> list[Shape]:
    """Block tokens as compared: type, tag, nesting, and whether a paragraph is hidden
    (it sits in a tight list: turning a list loose or tight changes the rendering)."""
    return [
        (t.type, t.tag, t.nesting, t.hidden and t.type.startswith("paragraph"))
        for t in tokens
        if t.type != "inline"
    ]


def parse_blocks(text: str) -> list[Token]:
    """Block tokens of ``text`` (any line endings), from the cache when possible."""
    return parsed(text).tokens


_CACHE: dict[str, _Parsed] = {}
_CACHE_SIZE = 3


def _normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def parsed(text: str) -> _Parsed:
    """``text`` parsed with the program's one grammar (cached for the last few texts)."""
    hit = _CACHE.get(text)
    if hit is None:
        tokens, env = parser.parse(_normalize(text))
        hit = remember(text, tokens, env)
    return hit


def cached(text: str) -> _Parsed | None:
    """The cached parse of ``text``, if there is one."""
    return _CACHE.get(text)


def remember(text: str, tokens: list[Token], env: dict[str, Any]) -> _Parsed:
    """Record a parse done elsewhere (the linter's), so the guard does not parse it again."""
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    entry = _Parsed(text, tokens, env)
    _CACHE[text] = entry
    return entry


def clear_cache() -> None:
    _CACHE.clear()


# -- the checks -----------------------------------------------------------------------------


def unique_edits(fixes: Iterable[Diagnostic]) -> list[Edit]:
    """The edits a batch applies: each distinct edit once, in source order."""
    edits = {e for d in fixes if d.fix is not None for e in d.fix.edits}
    return sorted(edits, key=lambda e: (e.span.start, e.span.end, e.replacement))


def check_outside_edits(before: str, after: str, edits: Sequence[Edit]) -> list[str]:
    """``after`` equals ``before`` everywhere outside the edit spans (edits in source order)."""
    pos_b = pos_a = 0
    for edit in edits:
        if edit.span.start < pos_b:
            return [f"overlapping edits at offset {edit.span.start}"]
        keep = before[pos_b : edit.span.start]
        if after[pos_a : pos_a + len(keep)] != keep:
            return [_lost(before, pos_b)]
        pos_a += len(keep)
        if after[pos_a : pos_a + len(edit.replacement)] != edit.replacement:
            return [_lost(before, edit.span.start)]
        pos_a += len(edit.replacement)
        pos_b = edit.span.end
    if after[pos_a:] != before[pos_b:]:
        return [_lost(before, pos_b)]
    return []


def _lost(before: str, offset: int) -> str:
    line = before.count("\n", 0, offset) + 1
    return f"text outside the edited spans changed (after line {line})"


def check_verbatim(old: _Parsed, new: _Parsed, edits: Sequence[Edit]) -> list[str]:
    """Code blocks and front matter: same tokens, and no edit on their source lines."""
    reasons: list[str] = []
    for token in old.verbatim:
        span = _verbatim_span(old, token)
        hit = next((e for e in edits if e.span.overlaps(span)), None)
        if hit is not None:
            what = _verbatim_name(token)
            line = old.lines.line_of(hit.span.start) + 1
            assert token.map is not None
            lines = f"{token.map[0] + 1}-{token.map[1]}"
            reasons.append(f"an edit at line {line} changes the {what} at lines {lines}")
            return reasons
    before = [(t.type, t.info, t.markup, t.content) for t in old.verbatim]
    after = [(t.type, t.info, t.markup, t.content) for t in new.verbatim]
    if before != after:
        for i, (a, b) in enumerate(zip(before, after, strict=False)):
            if a != b:
                line = _line(old.verbatim[i]) or _line(new.verbatim[i])
                reasons.append(f"the {_verbatim_name(old.verbatim[i])} at line {line} changed")
                break
        else:
            reasons.append(f"the number of code blocks changed from {len(before)} to {len(after)}")
    return reasons


def _verbatim_name(token: Token) -> str:
    return "front matter" if token.type == "front_matter" else "code block"


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _verbatim_span(doc: _Parsed, token: Token) -> Span:
    """Source span of a code block from its fence (after any container prefix) to its end."""
    assert token.map is not None
    first, end = token.map
    last = max(first, min(end, len(doc.lines.starts)) - 1)
    start = doc.lines.starts[first]
    line = doc.lines.text(first)
    marker = token.markup if token.type == "fence" else ""
    if token.type == "code_block":
        marker = token.content.split("\n", 1)[0]
    if marker:
        found = line.find(marker)
        if found > 0:
            start += found
    return Span(start, doc.lines.ends[last])


def check_shape(old: _Parsed, new: _Parsed) -> list[str]:
    """Same block token sequence: types, tags (heading levels), nesting, tight/loose."""
    if old.shape == new.shape:
        return []
    return [_describe(old, new)]


def _describe(old: _Parsed, new: _Parsed) -> str:
    old_tokens = [t for t in old.tokens if t.type != "inline"]
    common = min(len(old.shape), len(new.shape))
    i = next((k for k in range(common) if old.shape[k] != new.shape[k]), common)
    line = _nearest_line(old_tokens, min(i, len(old_tokens) - 1))
    lists_old, lists_new = _count(old.shape, _LIST_OPENS), _count(new.shape, _LIST_OPENS)
    if lists_old != lists_new:
        return f"lists merged or split near line {line} ({lists_old} lists became {lists_new})"
    items_old, items_new = (
        _count(old.shape, ("list_item_open",)),
        _count(new.shape, ("list_item_open",)),
    )
    if items_old != items_new:
        return f"list items gained or lost near line {line} ({items_old} became {items_new})"
    if i < common:
        a, b = old.shape[i], new.shape[i]
        if a[0] == b[0] and a[0].startswith("heading") and a[1] != b[1]:
            return f"the heading at line {line} changed level ({a[1]} became {b[1]})"
        if a[0] in _LIST_OPENS and b[0] in _LIST_OPENS:
            return f"the list at line {line} changed kind ({a[0][:-5]} became {b[0][:-5]})"
        if a[:3] == b[:3] and a[3] != b[3]:
            return f"the list at line {line} changed between tight and loose"
        return f"block structure changed at line {line}: {_name(a)} became {_name(b)}"
    return (
        f"block structure changed after line {line}: "
        f"{len(old.shape)} block tokens became {len(new.shape)}"
    )


_LIST_OPENS = ("bullet_list_open", "ordered_list_open")


def _count(shape: list[Shape], kinds: tuple[str, ...]) -> int:
    return sum(1 for s in shape if s[0] in kinds)


def _name(shape: Shape) -> str:
    kind, tag, _, _ = shape
    return f"{kind} ({tag})" if kind.startswith("heading") else kind


def _nearest_line(tokens: list[Token], i: int) -> int:
    for token in reversed(tokens[: max(i, 0) + 1]):
        if token.map:
            return token.map[0] + 1
    return 1


def check_region(
    old: _Parsed, new: _Parsed, edits: Sequence[Edit], all_edits: Sequence[Edit]
) -> list[str]:
    """Structure may change only in the top-level blocks that ``edits`` touch.

    ``all_edits`` (every edit of the batch, in order) maps the touched lines into the new text.
    """
    touched_old: list[tuple[int, int]] = []
    touched_new: list[tuple[int, int]] = []
    mine = set(edits)
    delta = 0
    for edit in all_edits:
        start = edit.span.start + delta
        end = start + len(edit.replacement)
        if edit in mine:
            touched_old.append(
                (old.lines.line_of(edit.span.start), old.lines.line_of(edit.span.end))
            )
            touched_new.append((new.lines.line_of(start), new.lines.line_of(end)))
        delta += len(edit.replacement) - len(edit.span)

    def untouched(doc: _Parsed, touched: list[tuple[int, int]]) -> list[_Block]:
        return [
            (lo, shape)
            for lo, hi, shape in doc.top_blocks
            if not any(a < max(hi, lo + 1) and lo <= b for a, b in touched)
        ]

    before = untouched(old, touched_old)
    after = untouched(new, touched_new)
    if [s for _, s in before] == [s for _, s in after]:
        return []
    for (line, a), (_, b) in zip(before, after, strict=False):
        if a != b:
            return [f"a block outside the fixed region changed (line {line + 1})"]
    line = before[len(after)][0] + 1 if len(before) > len(after) else 0
    where = f" (line {line})" if line else ""
    return [f"blocks outside the fixed region were merged, split or lost{where}"]


def check_rendering(before: str, after: str) -> list[str]:
    """Both texts render to the same HTML."""
    md = parser.markdown()
    old, new = parsed(before), parsed(after)
    if md.renderer.render(old.tokens, md.options, old.env) != md.renderer.render(
        new.tokens, md.options, new.env
    ):
        return ["the rendered HTML changed"]
    return []


def compare_structure(before: str, after: str, *, allow_structure: bool = False) -> list[str]:
    """Reasons ``after`` is not structurally ``before`` (empty when it is).

    Compares code blocks, front matter and, unless ``allow_structure``, the block structure.
    A leading BOM is not part of the text, as for :class:`~briefing_lint.document.Document`.
    """
    old, new = parsed(split_bom(before)[0]), parsed(split_bom(after)[0])
    reasons = check_verbatim(old, new, ())
    if not allow_structure:
        reasons += check_shape(old, new)
    return reasons


# -- the fixer's hook -----------------------------------------------------------------------


def structure_guard(before: str, after: str, fixes: Sequence[Diagnostic]) -> list[str]:
    """Reasons to refuse the batch ``fixes`` that turned ``before`` into ``after``."""
    edits = unique_edits(fixes)
    reasons = check_outside_edits(before, after, edits)
    if reasons:
        return reasons
    metas = {d.code: rule_meta(d.code) for d in fixes}
    old, new = parsed(before), parsed(after)
    reasons = check_verbatim(old, new, edits)
    if reasons:
        return reasons
    structural = [d for d in fixes if _effect(metas[d.code]) == "structure"]
    if structural:
        reasons = check_region(old, new, unique_edits(structural), edits)
    else:
        reasons = check_shape(old, new)
    if reasons:
        return reasons
    preserving = [d for d in fixes if _preserves(metas[d.code])]
    if preserving:
        partial = after
        if len(preserving) != len(fixes):
            partial = apply_edits(before, unique_edits(preserving))
        reasons = check_rendering(before, partial)
    return reasons


def _effect(meta: RuleMeta | None) -> str:
    return "none" if meta is None else meta.fix_effect


def _preserves(meta: RuleMeta | None) -> bool:
    return meta is not None and meta.preserves_rendering


def rule_meta(code: str) -> RuleMeta | None:
    """The metadata of a rule by code (built in, plugin or passed in), or None."""
    return meta_for(code)
