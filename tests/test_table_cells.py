"""Table cells are placed between the pipes around them, whatever the cells before hold."""

from __future__ import annotations

import pytest

from briefing_lint.api import lint_text
from briefing_lint.document import Document, index

ROWS = [
    # (row, the cell texts as written in the source)
    ("|  | [x](https://e.org/?a=t) | 中文abc |", ["", "[x](https://e.org/?a=t)", "中文abc"]),
    ("| | y | z |", ["", "y", "z"]),
    ("|||z|", ["", "", "z"]),
    ("| a |  | a |", ["a", "", "a"]),
    ("a | | x \\| x", ["a", "", "x \\| x"]),
    ("| x | y | x", ["x", "y", "x"]),
    ("> | | q |", ["", "q"]),
]


@pytest.mark.parametrize(("row", "cells"), ROWS)
def test_cells_map_to_their_own_columns(row: str, cells: list[str]) -> None:
    quote = "> " if row.startswith(">") else ""
    header = "| " + " | ".join(f"h{i}" for i in range(len(cells))) + " |"
    delimiter = "|" + "---|" * len(cells)
    text = f"{quote}{header}\n{quote}{delimiter}\n{row}\n"
    doc = Document(text)
    row_start = doc.line_start(2)
    blocks = [b for b in doc.inline_blocks if b.kind == "table_cell" and b.map[0] == 2]
    assert len(blocks) == len(cells)
    written = [doc.source[b.span.start : b.span.end] for b in blocks]
    assert written == cells
    # Each cell lies after the one before it, an empty one included.
    starts = [b.span.start - row_start for b in blocks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_finding_after_an_empty_first_cell_points_at_the_link() -> None:
    text = "| a | b |\n| --- | --- |\n|  | [x](https://example.org/p?utm_source=feed) |\n"
    doc = Document(text)
    (link,) = index(doc).links
    assert doc.source[link.span.start : link.span.end].startswith("[x](")
    diagnostics = [d for d in lint_text(text) if d.code == "BL001"]
    assert diagnostics
    line, column = doc.position(diagnostics[0].span.start)
    assert line == 3
    assert text.splitlines()[2][column - 1 :].startswith("https://example.org/p?utm_source")
