"""The blocks that may be items (candidates), and settling their doubtful markers."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from markdown_it.token import Token

from ..document import Document, Heading, InlineBlock
from .lead import DECORATION_START, LEAD_CHARS, SPACES, Lead, analyse_lead, link_text
from .model import Shape
from .numbers import STYLE_FAMILY

#: How a token changes the (open list items, open blockquotes) count.
_CONTAINER_STEP = {
    "list_item_open": (1, 0),
    "list_item_close": (-1, 0),
    "blockquote_open": (0, 1),
    "blockquote_close": (0, -1),
}


@dataclass(slots=True)
class Candidate:
    shape: Shape
    block: InlineBlock
    lead: Lead
    level: int = 0
    heading: Heading | None = None
    list_token: Token | None = None  # list_item_open
    list_end_line: int = 0


def full_link_text(cand: Candidate) -> str:
    return link_text(cand.block.children, cand.lead.link_child)[1]


@dataclass
class Candidates:
    """The candidates of one file, by shape."""

    headings: list[Candidate]
    paragraphs: list[Candidate]
    lists: list[Candidate]
    #: Numbered paragraphs that do not start with a link (``1、标题`` then the link).
    text_numbered: list[Candidate]


def find_candidates(doc: Document, heading_by_block: dict[int, Heading]) -> Candidates:
    """Every heading, paragraph and top-level list item that may be an item."""
    found = Candidates([], [], [], [])
    depth_at = _Containers(doc.tokens)
    for block in doc.inline_blocks:
        kind = block.kind
        if kind != "heading" and kind != "paragraph":
            continue
        stripped = block.token.content.lstrip(SPACES)
        if not stripped or (
            stripped[0] not in LEAD_CHARS and DECORATION_START.match(stripped) is None
        ):
            continue  # no marker, link, HTML, emphasis or decoration first: no item
        if kind == "heading":
            lead = analyse_lead(block.children)
            if lead.marker is not None or lead.link_child >= 0:
                heading = heading_by_block[block.index]
                found.headings.append(
                    Candidate("heading", block, lead, heading.level, heading=heading)
                )
            continue
        _add_paragraph(found, block, stripped, depth_at)
    return found


def _add_paragraph(
    found: Candidates, block: InlineBlock, stripped: str, depth_at: _Containers
) -> None:
    """A paragraph is a list item's candidate in a top-level list item, else a numbered
    paragraph's (with a link first) or numbered text (without)."""
    item_token = depth_at.tokens[block.index - 2]
    depth, quoted = depth_at(block.index)
    if depth:
        # Only the first paragraph of a top-level list item can hold an item: later
        # paragraphs and nested lists belong to the item's body.
        if depth > 1 or item_token.type != "list_item_open":
            return
        lead = analyse_lead(block.children, in_link_text=False)
        if lead.link_child >= 0:
            end = (item_token.map or block.map)[1]
            found.lists.append(
                Candidate("list-item", block, lead, list_token=item_token, list_end_line=end)
            )
        return
    # A plain paragraph is an item only with a number, so a leading link must
    # then carry the number in its text (``[1. 标题](url)``).
    if stripped[0] == "[" and (
        len(stripped) < 2 or stripped[1] not in LEAD_CHARS or stripped[1] == "["
    ):
        return
    lead = analyse_lead(block.children)
    if lead.marker is None:
        return
    if lead.link_child >= 0:
        found.paragraphs.append(Candidate("paragraph", block, lead))
    elif lead.marker.style != "bare_padded" and not quoted:
        found.text_numbered.append(Candidate("paragraph", block, lead))


class _Containers:
    """The (open list items, open blockquotes) around a paragraph's inline token."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self._found: tuple[list[int], list[tuple[int, int]]] | None = None

    def __call__(self, i: int) -> tuple[int, int]:
        # None at level 0, one list item for the first paragraph of a top-level list's item;
        # else count them.
        tokens = self.tokens
        item_token = tokens[i - 2]
        if tokens[i - 1].level == 0:
            return 0, 0
        if item_token.type == "list_item_open" and item_token.level == 1:
            return 1, 0
        if self._found is None:
            self._found = self._containers()
        events, after = self._found
        k = bisect.bisect_left(events, i)
        return after[k - 1] if k else (0, 0)

    def _containers(self) -> tuple[list[int], list[tuple[int, int]]]:
        """Indexes of the tokens that open or close a list item or blockquote, and the
        (open list items, open blockquotes) after each: looked up by bisection."""
        tokens = self.tokens
        events = [i for i, token in enumerate(tokens) if token.type in _CONTAINER_STEP]
        after: list[tuple[int, int]] = []
        depth = quoted = 0
        for i in events:
            step_depth, step_quoted = _CONTAINER_STEP[tokens[i].type]
            depth += step_depth
            quoted += step_quoted
            after.append((depth, quoted))
        return events, after


def settle_glued(cands: list[Candidate]) -> list[Candidate]:
    """Keep a glued marker (``4.DeepSeek``) only where a neighbouring number continues it.

    ``[4.DeepSeek 发布](url)`` after item 3 is item 4; a lone ``3.NET`` is a name, and the
    candidate keeps its link without a number (or, with neither, is dropped).
    """
    if not any(c.lead.marker is not None and c.lead.marker.glued for c in cands):
        return cands
    numbered = [
        (k, c.lead.marker.value)
        for k, c in enumerate(cands)
        if c.lead.marker is not None and STYLE_FAMILY.get(c.lead.marker.style) == "arabic"
    ]
    at = {k: n for n, (k, _) in enumerate(numbered)}
    out: list[Candidate] = []
    for k, c in enumerate(cands):
        m = c.lead.marker
        if m is None or not m.glued:
            out.append(c)
            continue
        n = at[k]
        value = m.value
        if (n > 0 and numbered[n - 1][1] == value - 1) or (
            n + 1 < len(numbered) and numbered[n + 1][1] == value + 1
        ):
            out.append(c)
            continue
        if c.lead.link_child < 0:
            continue  # neither a number nor a link: no item
        c.lead = Lead(None, -1, c.lead.link_child, full_link_text(c))
        out.append(c)
    return out


def drop_unpadded_bare(cands: list[Candidate]) -> list[Candidate]:
    """``12 标题`` is a number only when some number of the file is zero-padded."""
    bare = [c for c in cands if c.lead.marker is not None and c.lead.marker.style == "bare_padded"]
    if not bare or any(c.lead.marker and c.lead.marker.digits.startswith("0") for c in bare):
        return cands
    out = []
    for c in cands:
        if c in bare:
            if c.lead.link_child < 0:
                continue  # without its number a text heading is no item
            c.lead = Lead(None, -1, c.lead.link_child, c.lead.title)
        out.append(c)
    return out
