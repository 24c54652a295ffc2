"""Inline positions placed by walking the parsed children (``spans.align``) must be exactly
what the recording re-tokenization records, wherever the walk places a block at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from markdown_it.token import Token

from briefing_lint import parser
from briefing_lint.api import lint_text
from briefing_lint.document import Document, index
from briefing_lint.spans import Pieces, align, content_offset

from .test_properties import documents, inline

FIXTURES = Path(__file__).parent / "fixtures"


def _offsets(pos: tuple[int, int], pieces: Pieces | None, length: int) -> list[int]:
    probe = Token("text", "", 0)
    probe.meta = {"pos": pos, "pieces": pieces} if pieces is not None else {"pos": pos}
    return [content_offset(probe, k) for k in range(length + 1)]


def _check(text: str) -> int:
    """Compare walk and recording on every block the walk places; count those blocks."""
    doc = Document(text)
    placed_blocks = 0
    for block in doc.inline_blocks:
        placed = align(block.content, block.children)
        if placed is None:
            continue
        placed_blocks += 1
        recorded, _ = parser.tokenize_inline_recording(block.content, doc.env)
        assert [t.type for t in recorded] == [t.type for t in block.children]
        for token, (pos, pieces) in zip(recorded, placed, strict=True):
            assert token.meta["pos"] == pos, (block.content, token.type)
            if token.type == "text":
                want = _offsets(token.meta["pos"], token.meta["pieces"], len(token.content))
                assert _offsets(pos, pieces, len(token.content)) == want, block.content
    return placed_blocks


PLACED = [
    "plain text",
    "x [a](u) y and ![i](p.png) z",
    "x **a** y",
    "**a** **b**",
    "**a**  \nnext",
    "*a* and _b_ and __c__",
    "trailing  \nhard break and soft \nbreak\\\nand backslash",
    "`code` and `` a`b `` and <span>html</span>",
    "<https://example.org/a> and <me@example.org>",
    "[**bold** link](u) [`c`](u) [![i](p)](u)",
    "[ref][r1] and [r1]\n\n[r1]: https://example.org",
    "snake_case * single & amp;",
    "中文**粗体**English",
]

FALLBACK = [
    "escaped \\* star",
    "entity &amp; here",
    "~~strike~~",
    "***both***",
    "**a*",
    "unmatched ** run",
]


@pytest.mark.parametrize("text", PLACED)
def test_walk_places_these_blocks_as_recorded(text: str) -> None:
    assert _check(text) == len(Document(text).inline_blocks)


@pytest.mark.parametrize("text", FALLBACK)
def test_walk_leaves_these_to_the_recording(text: str) -> None:
    doc = Document(text)
    block = doc.inline_blocks[0]
    assert align(block.content, block.children) is None
    # ...and the block still gets its positions, from the recording tokenizer.
    assert all("pos" in t.meta for t in block.recorded)


def test_every_fixture_block_agrees() -> None:
    placed = 0
    for path in sorted((FIXTURES / "rules").glob("*.txt")):
        placed += _check(path.read_text(encoding="utf-8"))
    assert placed > 100


@given(documents())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_documents_agree(text: str) -> None:
    _check(text)


@given(inline())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_lines_agree(text: str) -> None:
    _check(text + "\n")


@pytest.mark.skipif(not os.environ.get("BRIEFING_LINT_CORPUS"), reason="corpus not set")
def test_corpus_blocks_agree() -> None:
    root = Path(os.environ["BRIEFING_LINT_CORPUS"])
    for path in sorted(root.rglob("*.md")):
        _check(path.read_text(encoding="utf-8", errors="replace"))


def test_findings_do_not_re_tokenize(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block full of findings is placed by the walk: no re-tokenization at all."""
    calls: list[str] = []
    original = parser.tokenize_inline_recording

    def counting(content: str, env: dict[str, object]) -> object:
        calls.append(content)
        return original(content, env)

    monkeypatch.setattr(parser, "tokenize_inline_recording", counting)
    line = " ".join(
        f"[ t{i} ](https://example.org/{i}?utm_source=x) https://e.org/{i}?fbclid=1中文"
        for i in range(40)
    )
    text = f"# 1. [标题](https://example.org/?utm_medium=y)\n\n**粗体** {line}\n"
    diagnostics = lint_text(text)
    assert len(diagnostics) > 80
    spans = [link.span for link in index(Document(text)).links]
    assert len(spans) > 80
    assert calls == []
