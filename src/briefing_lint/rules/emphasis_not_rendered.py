r"""BL019 emphasis-not-rendered: ``**“重磅”**发布`` stays literal asterisks.

CommonMark (and GFM, and markdown-it) decide whether a ``*``/``_``/``~~`` run may open or
close emphasis from the characters on either side ("flanking"): a closing ``**`` preceded by
punctuation and followed by a letter cannot close, so ``这是**加粗：**文本`` keeps its
asterisks. Chinese text glues punctuation and letters together, so this hits CJK briefings
all the time, and only shows once published.

A finding is a matching pair left as literal text in one text node: same marker and run
length, non-space text just inside both runs, and the failure due to punctuation (or, for
``_``, to CJK letters on both sides). Code, URLs, snake_case, globs, math and list bullets
never reach this: they are not text nodes, fail these tests, or render already.

The safe fix writes the same emphasis as HTML (``<strong>…</strong>``), which renders the same
everywhere; it is offered only when parsing the fixed text gives exactly that emphasis
around the same rendered text and leaves the rest of the text as it rendered. Moving the
punctuation outside the markers (``fix_style: markdown``) changes what is emphasised, so
that fix is unsafe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml, isMdAsciiPunct, isPunctChar, isWhiteSpace

from .. import parser
from ..autolink import find_bare_urls
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..document import InlineBlock
from ..rule import Rule, RuleContext
from ..spans import content_offset

_MARKERS = "*_~"
#: A pair fails to render only when a marker has punctuation on its inner side, or (``_``)
#: a CJK letter: text without such a marker needs no closer look.
_SCREEN = re.compile(r"[*_~][^\w\s*_~]|[^\w\s*_~][*_~]|[^\x00-\x7f]_|_[^\x00-\x7f]")
_OPEN_TAGS = {
    ("*", 1): "<em>",
    ("*", 2): "<strong>",
    ("*", 3): "<em><strong>",
    ("_", 1): "<em>",
    ("_", 2): "<strong>",
    ("_", 3): "<em><strong>",
    ("~", 2): "<del>",
}
_WHAT = {
    "<em>": "emphasis",
    "<strong>": "bold",
    "<em><strong>": "bold italic",
    "<del>": "strikethrough",
}
#: What may follow an opening run that fails only because of it: opening brackets and
#: quotes, ``$``, a hash or at sign. Not commas, stops or dashes; nor non-ASCII symbols
#: (``¥``, emoji, ``⼀``): markdown-it counts them as punctuation but GitHub's cmark-gfm does
#: not, so the pair renders there and the finding would be half true.
_OPEN_OK_CATEGORIES = ("Ps", "Pi")
_OPEN_OK_ASCII = frozenset("\"'([#@$")
#: What may precede a closing run that fails only because of it: closing brackets and
#: quotes, stops, commas, colons, percent signs.
_CLOSE_OK_CATEGORIES = ("Pe", "Pf", "Po")
_CLOSE_NOT = frozenset("/\\&@#*_")
#: Never the first character of emphasised text (nor moved out by the markdown fix).
_NOT_FIRST = frozenset("，。、；：！？,.;:!?")
#: Around an ``_`` pair: what would make it part of an identifier, a path or a URL.
_UNDERSCORE_NEIGHBOURS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/.-:=\\"
)


def _punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def _space(ch: str) -> bool:
    return isWhiteSpace(ord(ch))


def _flanking(before: str, after: str) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) of a run between ``before`` and ``after`` (as
    markdown-it's ``scanDelims`` computes them)."""
    last_punct, next_punct = _punct(before), _punct(after)
    last_space, next_space = _space(before), _space(after)
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    return left, right


def _can_open(before: str, after: str, marker: str) -> bool:
    left, right = _flanking(before, after)
    return left and (marker != "_" or not right or _punct(before))


def _can_close(before: str, after: str, marker: str) -> bool:
    left, right = _flanking(before, after)
    return right and (marker != "_" or not left or _punct(after))


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _cjk_letter(ch: str) -> bool:
    return not ch.isascii() and unicodedata.category(ch).startswith("L")


def _plausible_open(before: str, after: str, marker: str) -> bool:
    """The opening run fails for a reason an author would not see: punctuation after it
    glued to a letter before it, or (``_``) letters on both sides, CJK before it."""
    if _punct(after):
        return after in _OPEN_OK_ASCII or unicodedata.category(after) in _OPEN_OK_CATEGORIES
    return marker == "_" and _cjk_letter(before) and not _ascii_word(after)


def _plausible_close(before: str, after: str, marker: str) -> bool:
    if _punct(before):
        return before not in _CLOSE_NOT and (
            before in "\"'" or unicodedata.category(before) in _CLOSE_OK_CATEGORIES
        )
    return marker == "_" and _cjk_letter(after) and not _ascii_word(before)


@dataclass(frozen=True)
class _Pair:
    """An opening run at ``start`` and a closing run at ``close``, ``length`` markers each
    (offsets into the block's inline content)."""

    marker: str
    length: int
    start: int
    close: int

    @property
    def end(self) -> int:
        return self.close + self.length

    @property
    def inner_start(self) -> int:
        return self.start + self.length


def _runs(content: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Maximal, unescaped marker runs inside ``content[lo:hi]``: (start, length, marker)."""
    out: list[tuple[int, int, str]] = []
    i = lo
    while i < hi:
        ch = content[i]
        if ch not in _MARKERS:
            i += 1
            continue
        j = i
        while j < hi and content[j] == ch:
            j += 1
        maximal = (i == 0 or content[i - 1] != ch) and (j >= len(content) or content[j] != ch)
        backslashes = 0
        k = i - 1
        while k >= 0 and content[k] == "\\":
            backslashes += 1
            k -= 1
        if maximal and backslashes % 2 == 0 and (ch, j - i) in _OPEN_TAGS:
            out.append((i, j - i, ch))
        i = j
    return out


def find_pairs(content: str, lo: int, hi: int) -> list[_Pair]:
    """Marker pairs in the literal text ``content[lo:hi]`` that were clearly meant as
    emphasis and do not render (``content`` is the whole inline block, as parsed)."""
    runs = _runs(content, lo, hi)
    if len(runs) < 2:
        return []
    urls = [(lo + a, lo + b) for a, b in find_bare_urls(content[lo:hi])]
    pairs: list[_Pair] = []
    taken: set[int] = set()
    for k, (start, length, marker) in enumerate(runs):
        if start in taken:
            continue
        # The inner text holds no marker of the same kind: the closing run is the next one.
        nxt = next((r for r in runs[k + 1 :] if r[2] == marker), None)
        if nxt is None or nxt[1] != length:
            continue
        pair = _Pair(marker, length, start, nxt[0])
        if _meant(content, pair) and not any(a < pair.end and pair.start < b for a, b in urls):
            pairs.append(pair)
            taken.add(pair.close)
    # Pairs of different markers may not cross (``*a_b*c_``): their tags would not nest.
    out: list[_Pair] = []
    for pair in pairs:
        if all(
            pair.end <= o.start
            or o.end <= pair.start
            or o.start < pair.start < pair.end < o.end
            or pair.start < o.start < o.end < pair.end
            for o in out
        ):
            out.append(pair)
    return out


def _meant(content: str, pair: _Pair) -> bool:
    inner = content[pair.inner_start : pair.close]
    if not inner or _space(inner[0]) or _space(inner[-1]) or "\n" in inner:
        return False
    if pair.marker in inner:
        return False
    before = content[pair.start - 1] if pair.start > 0 else " "
    after = content[pair.end] if pair.end < len(content) else " "
    return _flanking_only(before, inner, after, pair.marker) and _prose_emphasis(
        before, inner, after, pair.marker
    )


def _flanking_only(before: str, inner: str, after: str, marker: str) -> bool:
    """Whether the flanking rules alone keep the markers literal, where a writer plausibly
    meant them to open and close."""
    first, last = inner[0], inner[-1]
    opens = _can_open(before, first, marker)
    closes = _can_close(last, after, marker)
    if opens and closes:
        return False  # not a flanking problem (something else kept it literal)
    if not opens and not _plausible_open(before, first, marker):
        return False
    return closes or _plausible_close(last, after, marker)


def _prose_emphasis(before: str, inner: str, after: str, marker: str) -> bool:
    """Whether the pair reads as emphasis in prose, not as code, math or an identifier."""
    if inner[0] in _NOT_FIRST or unicodedata.category(inner[-1]) in ("Ps", "Pi"):
        return False
    if (_ascii_word(before) or _ascii_word(after)) and inner.isascii():
        return False  # ``x*(y+z)*2``: code or math glued to a Latin word, not CJK prose
    if marker == "_":
        if before in _UNDERSCORE_NEIGHBOURS or after in _UNDERSCORE_NEIGHBOURS:
            return False
        if not any(_cjk_letter(c) for c in inner):
            return False
    return True


def _render(text: str) -> str:
    md = parser.markdown()
    return str(md.renderInline(text, {}))


def renders_as(fixed: str, expected_parts: tuple[str, str, str, str, str]) -> bool:
    """Whether ``fixed`` renders as ``before`` + open tag + ``inner`` + close tag + ``after``
    each rendered alone: the emphasis is there, around the same text, and nothing else moved."""
    before, open_tag, inner, close_tag, after = expected_parts
    return _render(fixed) == _render(before) + open_tag + _render(inner) + close_tag + _render(
        after
    )


def _lead_trail(inner: str) -> tuple[int, int]:
    """Lengths of the punctuation at the start and end of ``inner`` that the markdown fix
    moves outside the markers (non-ASCII punctuation and quotes only: no escapes)."""

    def movable(ch: str) -> bool:
        return (not ch.isascii() or ch in "\"'") and unicodedata.category(ch).startswith("P")

    lead = 0
    while lead < len(inner) and movable(inner[lead]):
        lead += 1
    trail = 0
    while trail < len(inner) - lead and movable(inner[-1 - trail]):
        trail += 1
    return lead, trail


def _region(block: InlineBlock, i: int) -> tuple[int, int] | None:
    """The range of inline content that text child ``i`` was parsed from, checked: it must
    render alone as exactly that text (no marker of a neighbouring emphasis in it)."""
    recorded = block.recorded[i]
    text = str(block.children[i].content)
    start = content_offset(recorded, 0)
    end = content_offset(recorded, len(text) - 1) + 1
    if _render(block.content[start:end]) != escapeHtml(text):
        return None
    return start, end


class EmphasisNotRendered(Rule):
    code = "BL019"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        source = ctx.doc.source
        if "**" not in source and "*" not in source and "_" not in source and "~~" not in source:
            return
        markdown_style = ctx.options["fix_style"] == "markdown"
        for block in ctx.doc.inline_blocks:
            content = block.token.content
            if "*" not in content and "_" not in content and "~~" not in content:
                continue
            for i, token, _ in block.text_children():
                text = token.content
                if text.count("*") < 2 and text.count("_") < 2 and text.count("~~") < 2:
                    continue
                if _SCREEN.search(text) is None:
                    continue
                region = _region(block, i)
                if region is None:
                    continue
                start, end = region
                for pair in find_pairs(block.content, start, end):
                    yield self._report(ctx, block, pair, start, end, markdown_style)

    def _report(
        self,
        ctx: RuleContext,
        block: InlineBlock,
        pair: _Pair,
        lo: int,
        hi: int,
        markdown_style: bool,
    ) -> Diagnostic:
        content = block.content
        marker = pair.marker * pair.length
        open_tag = _OPEN_TAGS[(pair.marker, pair.length)]
        close_tag = "".join(f"</{t}" for t in reversed(open_tag.split("<")[1:]))
        inner = content[pair.inner_start : pair.close]
        before = content[lo : pair.start]
        after = content[pair.end : hi]
        fix = None
        if markdown_style:
            fix = self._markdown_fix(ctx, block, pair, lo, hi, open_tag, close_tag)
        if fix is None and ctx.fix_applicability() is not None:
            fixed = before + open_tag + inner + close_tag + after
            if renders_as(fixed, (before, open_tag, inner, close_tag, after)):
                edits = (
                    Edit(block.content_span(pair.start, pair.inner_start), open_tag),
                    Edit(block.content_span(pair.close, pair.end), close_tag),
                )
                fix = ctx.fix(edits, title=ctx.message("fix_title", tag=open_tag))
        first, last = inner[0], inner[-1]
        punctuation = _punct(first) or _punct(last)
        reason = ctx.message("reason_punctuation" if punctuation else "reason_letters")
        message = ctx.message("literal", marker=marker, what=_WHAT[open_tag], reason=reason)
        return ctx.report(
            block.content_span(pair.start, pair.end), message, fix=fix, data={"marker": marker}
        )

    def _markdown_fix(
        self,
        ctx: RuleContext,
        block: InlineBlock,
        pair: _Pair,
        lo: int,
        hi: int,
        open_tag: str,
        close_tag: str,
    ) -> Fix | None:
        """Punctuation moved outside the markers, when that renders (unsafe: what is
        emphasised changes)."""
        content = block.content
        marker = pair.marker * pair.length
        inner = content[pair.inner_start : pair.close]
        if open_tag == "<del>":  # markdown-it writes strikethrough as <s>
            open_tag, close_tag = "<s>", "</s>"
        lead, trail = _lead_trail(inner)
        if lead + trail == 0 or lead + trail >= len(inner):
            return None
        head, core, tail = (
            inner[:lead],
            inner[lead : len(inner) - trail],
            inner[len(inner) - trail :],
        )
        if core[0] in _NOT_FIRST:
            return None
        before = content[lo : pair.start] + head
        after = tail + content[pair.end : hi]
        fixed = before + marker + core + marker + after
        if not renders_as(fixed, (before, open_tag, core, close_tag, after)):
            return None
        edits = []
        if lead:
            edits.append(
                Edit(block.content_span(pair.start, pair.inner_start + lead), head + marker)
            )
        if trail:
            edits.append(Edit(block.content_span(pair.close - trail, pair.end), marker + tail))
        return Fix(tuple(edits), Applicability.UNSAFE, ctx.message("fix_title_markdown"))
