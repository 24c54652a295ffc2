"""A parsed Markdown file with exact source positions.

* :mod:`.lines`: line tables of the original text and where inline content sits in them;
* :mod:`.core`: the :class:`Document` itself, its inline blocks (paragraphs, headings,
  table cells) and headings, which point back at it;
* :mod:`.index`: links, images, definitions and text nodes, built once per document.

Positions inside inline content come from the parsed children (:func:`briefing_lint.spans.align`)
or, for the few blocks the walk cannot place, a recording re-tokenization of that block.
"""

from __future__ import annotations

from .core import BlockKind, Document, Heading, InlineBlock
from .index import Definition, DocumentIndex, Link, LinkKind, TextNode, index
from .lines import BOM, LineIndex, split_bom

__all__ = [
    "BOM",
    "BlockKind",
    "Definition",
    "Document",
    "DocumentIndex",
    "Heading",
    "InlineBlock",
    "LineIndex",
    "Link",
    "LinkKind",
    "TextNode",
    "index",
    "split_bom",
]
