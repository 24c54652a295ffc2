"""The non-news blocks of a file: sponsor, jobs, share, references and promo."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence

from markdown_it.token import Token

from ..document import Document, Heading, InlineBlock
from ..sections import section_kind, tag_kind
from .candidates import Candidate
from .lead import analyse_lead, plain_text
from .model import NonNewsRange


def _emphasised(children: Sequence[Token]) -> bool:
    """The whole block is one emphasised run (``**References**``)."""
    meaningful = [t for t in children if not (t.type == "text" and not t.content.strip())]
    return (
        len(meaningful) >= 3
        and meaningful[0].type in ("strong_open", "em_open")
        and meaningful[-1].type in ("strong_close", "em_close")
    )


def non_news_ranges(
    doc: Document,
    headings: Sequence[Heading],
    exclude: Mapping[str, Sequence[str]],
    end_of_section: Callable[[int, int, int], int],
    heading_cands: list[Candidate],
    other_cands: list[Candidate],
) -> list[NonNewsRange]:
    """Where the sponsor, jobs, share, references and promo blocks of the file are.

    A heading opens one when its text names such a section (an item heading with a link
    only when its title starts with a tag: ``[招聘｜…](url)``, ``Sponsor: …``); a lone
    label paragraph (``参考链接：``, ``**References:**``) opens one over the list or the
    run of link paragraphs right after it. ``end_of_section(first, end, level)`` is the
    first heading line in ``(first, end)`` of a level <= ``level``.
    """
    extra = dict(exclude)
    linked = {c.block.index for c in heading_cands if c.lead.link_child >= 0}
    out: list[NonNewsRange] = []
    for h in headings:
        title = plain_text(h.block.children).strip()
        if not title:
            continue
        # An item heading with a link is news prose: only a tag makes it non-news.
        judge = tag_kind if h.block.index in linked else section_kind
        kind = judge(title, extra)
        if kind is None:
            continue
        start = h.block.map[0]
        out.append(NonNewsRange(start, end_of_section(start, doc.line_count, h.level), kind))
    out.extend(_label_ranges(doc, extra))
    if not out:
        return out
    return _without_titles(out, [*heading_cands, *other_cands])


def _without_titles(out: list[NonNewsRange], cands: list[Candidate]) -> list[NonNewsRange]:
    """A heading that names a non-news kind but holds most of the file's items is the
    file's title (``# Sponsored by …: issue 12``), not a block to leave out."""
    lines = sorted(c.block.map[0] for c in cands)
    total = len(lines)
    kept = []
    for r in out:
        inside = bisect.bisect_left(lines, r.end) - bisect.bisect_right(lines, r.start)
        if inside >= 4 and inside * 2 > total:
            continue
        kept.append(r)
    kept.sort()
    return kept


def _label_ranges(doc: Document, extra: Mapping[str, Sequence[str]]) -> list[NonNewsRange]:
    """A lone label paragraph (``参考链接：``) and the list or link paragraphs after it."""
    tokens = doc.tokens
    blocks = doc.inline_blocks
    out: list[NonNewsRange] = []
    for n, block in enumerate(blocks):
        kind = _label_kind(block, tokens, extra)
        if kind is None:
            continue
        after = tokens[block.index + 2] if block.index + 2 < len(tokens) else None
        start = block.map[0]
        if after is not None and after.type in ("bullet_list_open", "ordered_list_open"):
            if after.map is not None:
                out.append(NonNewsRange(start, after.map[1], kind))
            continue
        end = _link_run_end(blocks[n + 1 :], tokens, start)
        if end > start:
            out.append(NonNewsRange(start, end, kind))
    return out


def _label_kind(
    block: InlineBlock, tokens: Sequence[Token], extra: Mapping[str, Sequence[str]]
) -> str | None:
    """The non-news kind a short top-level label paragraph names (``参考链接：``)."""
    if block.kind != "paragraph" or tokens[block.index - 1].level != 0:
        return None
    content = block.token.content
    if len(content) > 40 or "\n" in content.strip() or "](" in content:
        return None
    stripped = content.strip().strip("*_ \t")
    if not stripped.endswith((":", "：")) and not _emphasised(block.children):
        return None
    return section_kind(stripped, extra)


def _link_run_end(followers: Sequence[InlineBlock], tokens: Sequence[Token], start: int) -> int:
    """End of a run of link paragraphs (``1、[文章](url)``), up to the first other block or
    a number that does not continue the run's numbering (``start``: no run)."""
    end = start
    previous: int | None = None
    for follower in followers:
        if follower.kind != "paragraph" or tokens[follower.index - 1].level != 0:
            break
        lead = analyse_lead(follower.children)
        if lead.link_child < 0:
            break
        if lead.marker is not None:
            if previous is not None and lead.marker.value != previous + 1:
                break
            previous = lead.marker.value
        end = follower.map[1]
    return end
