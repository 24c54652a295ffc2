r"""BL010 link-text-whitespace: ``[ title ](url)`` -> ``[title](url)``.

Dropping the padding must leave the same text, less the padding: a backslash before a
trailing space would then escape the ``]`` (``[C:\Users\ ](u)`` is no link without the
space), so that space becomes a second backslash; and the text is parsed again before and
after, so no emphasis or other markup appears or goes (``[*a *](u)``). When the two differ
the finding has no fix.

Padding that separates the link from a word it touches (``发布在[ FlowUs 专栏](u)``,
``[GPS ](u)传送``) is the CJK/Latin gap, put inside the brackets: it moves outside the link
(``发布在 [FlowUs 专栏](u)``) rather than going, so the text keeps its spacing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from markdown_it.token import Token

from ..diagnostics import Diagnostic, Edit, Span
from ..document import Link
from ..parser import markdown
from ..rule import Rule, RuleContext

_SPACE = " \t\u3000"
#: What padded link text must contain ("[ " or " ]"): plain substring tests are much faster
#: than a regex that starts with a character class.
_PADDING = tuple([f"[{c}" for c in _SPACE] + [f"{c}]" for c in _SPACE])


def _has_padding(text: str) -> bool:
    return any(p in text for p in _PADDING)


class LinkTextWhitespace(Rule):
    code = "BL010"

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        if not _has_padding(ctx.doc.source):
            return  # no "[ " or " ]" anywhere: most files
        for link in _candidates(ctx):
            found = _padded(ctx, link)
            if found is not None:
                yield found


def _candidates(ctx: RuleContext) -> Iterator[Link]:
    """Inline and reference links (images too, with ``images``) in blocks whose source has
    ``[ `` or `` ]``: padded text needs one, and most blocks have neither."""
    check_images = bool(ctx.options["images"])
    padded_blocks: dict[int, bool] = {}
    for link in ctx.index.links:
        if link.kind not in ("inline", "reference") or (link.is_image and not check_images):
            continue
        assert link.block is not None
        padded = padded_blocks.get(link.block.index)
        if padded is None:
            padded = padded_blocks[link.block.index] = _has_padding(link.block.content)
        if padded and _maybe_padded(link):
            yield link


def _padded(ctx: RuleContext, link: Link) -> Diagnostic | None:
    """The finding for ``link`` if its text starts or ends with whitespace."""
    text_span = link.text_span
    if text_span is None:
        return None
    source = ctx.doc.source
    text = source[text_span.start : text_span.end]
    stripped = text.strip(_SPACE)
    if stripped == text or not stripped or "\n" in text or "\r" in text:
        return None
    lead = len(text) - len(text.lstrip(_SPACE))
    trail = len(text) - len(text.rstrip(_SPACE))
    where = "leading and trailing" if lead and trail else "leading" if lead else "trailing"
    edits = []
    # Alt text is not shown next to the words: its padding is no gap to keep.
    if lead:
        if not link.is_image and _glued(source, link.span.start - 1):
            edits.append(Edit(Span(link.span.start, link.span.start), text[:lead]))
        edits.append(Edit(Span(text_span.start, text_span.start + lead), ""))
    # An odd run of backslashes before the trailing padding would escape the "]".
    backslashes = len(stripped) - len(stripped.rstrip("\\"))
    tail = "\\" if backslashes % 2 else ""
    if trail:
        edits.append(Edit(Span(text_span.end - trail, text_span.end), tail))
        if not link.is_image and _glued(source, link.span.end):
            edits.append(Edit(Span(link.span.end, link.span.end), text[-trail:]))
    fix = None
    if _same_text(text, stripped + (tail if trail else "")):
        fix = ctx.fix(edits, title=ctx.message("fix_title"))
    what = "image alt text" if link.is_image else "link text"
    return ctx.report(link.span, ctx.message("padded", where=where, what=what), fix=fix)


def _glued(source: str, at: int) -> bool:
    """Does the link touch the character at ``at`` (just outside it) with no gap?

    Then the padding is the gap itself (``发布在[ FlowUs 专栏](u)``, CJK/Latin spacing) and
    the fix moves it outside the brackets instead of dropping it. Not next to ASCII
    punctuation or symbols: those are the Markdown markup characters (a space after ``**``
    ends the emphasis); nor next to any punctuation: a space before ``，`` or after ``(``
    is no word spacing.
    """
    if at < 0 or at >= len(source):
        return False
    ch = source[at]
    if ch.isspace() or (ch.isascii() and not ch.isalnum()):
        return False
    return not unicodedata.category(ch).startswith("P")


def _inline_text(text: str) -> list[tuple[str, str]]:
    """(type, content) of the inline tokens of ``text``, adjacent text merged, padding off."""
    out: list[tuple[str, str]] = []
    # Parsed as link text, not alone: the brackets are delimiters that flanking rules see
    # (`[ **_*](u)` has emphasis, `**_*` alone does not).
    for block in markdown().parseInline(f"[{text}](x)"):
        children = block.children or []
        if not children or children[0].type != "link_open" or children[-1].type != "link_close":
            return [("not-a-link", text)]  # never equal to a link's reading
        for token in children[1:-1]:
            kind = "text" if token.type in ("text", "text_special") else token.type
            if kind == "text" and out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1] + token.content)
            else:
                out.append((kind, token.content if kind == "text" else token.markup))
    if out and out[0][0] == "text":
        out[0] = ("text", out[0][1].lstrip(_SPACE))
    if out and out[-1][0] == "text":
        out[-1] = ("text", out[-1][1].rstrip(_SPACE))
    return [t for t in out if t != ("text", "")]


#: Characters that can start or end inline markup; text without any reads the same padded
#: or not, and needs no parse.
_MARKUP = re.compile(r"[*_~`\[\]<>!&\\$:@.]")


def _same_text(old: str, new: str) -> bool:
    """Whether ``new`` reads as ``old`` without its padding (same markup, same text)."""
    if _MARKUP.search(old) is None:
        return True
    return _inline_text(old) == _inline_text(new)


def _maybe_padded(link: Link) -> bool:
    """Cheap test on the token stream before asking for exact spans."""
    assert link.block is not None
    children = link.block.children
    token = children[link.child]
    if link.is_image:
        alt = token.content
        return bool(alt) and (alt[0] in _SPACE or alt[-1] in _SPACE)
    first: Token | None = None
    last: Token | None = None
    depth = 0
    for t in children[link.child :]:
        if t.type == "link_open":
            depth += 1
        elif t.type == "link_close":
            depth -= 1
            if depth == 0:
                break
        if t is not token:
            first = first or t
            last = t
    return (first is not None and first.type == "text" and first.content[:1] in tuple(_SPACE)) or (
        last is not None and last.type == "text" and last.content[-1:] in tuple(_SPACE)
    )
