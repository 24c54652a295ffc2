"""Exact source spans, table-driven.

Each case marks the expected span in its text with ``⟦`` and ``⟧``; the markers are removed
to make the input, and the test asserts the (line, column) of start and end that the
document reports for the selected construct. Every case runs with LF and with CRLF line
endings (and a BOM variant for a few), so positions must survive markdown-it's newline
normalisation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing_lint.diagnostics import Span
from briefing_lint.document import Document, LineIndex, index

FIXTURES = Path(__file__).parent / "fixtures"

OPEN, CLOSE = "⟦", "⟧"

# (selector, n, marked text). Selectors pick the n-th (0-based) construct of a kind.
CASES: list[tuple[str, int, str]] = [
    # inline links: whole, text, destination, title
    ("link", 0, "see ⟦[title](https://example.org/a)⟧ now\n"),
    ("text", 0, "see [⟦title⟧](https://example.org/a) now\n"),
    ("dest", 0, "see [title](⟦https://example.org/a⟧) now\n"),
    ("title", 0, 'see [t](https://e.org/a ⟦"the title"⟧) now\n'),
    ("title", 0, "see [t](https://e.org/a ⟦'single'⟧) now\n"),
    ("title", 0, "see [t](https://e.org/a ⟦(paren)⟧) now\n"),
    ("dest", 0, "[t](⟦<https://e.org/a b>⟧)\n"),
    ("dest", 0, "[t](  ⟦https://e.org/x⟧  )\n"),
    ("link", 1, "[a](u1) and ⟦[b](u2)⟧\n"),
    ("dest", 1, "[a](u1) and [b](⟦u2⟧)\n"),
    # CJK, emoji, full-width text before and inside
    ("link", 0, "😀中文⟦[ 链接 ](https://example.org)⟧\n"),
    ("text", 0, "😀中文[⟦ 链接 ⟧](https://example.org)\n"),
    ("dest", 0, "机器之心：[每帧只需9ms](⟦https://mp.weixin.qq.com/s?__biz=MzA==&mid=1⟧)。\n"),
    ("link", 0, "👩‍💻👍🏽 ⟦[表情](https://e.org/😀)⟧\n"),
    ("dest", 0, "👩‍💻👍🏽 [表情](⟦https://e.org/😀⟧)\n"),
    # escapes and nested brackets
    ("text", 0, "[⟦a \\] b⟧](https://e.org)\n"),
    ("link", 0, "x ⟦[a [nested] b](https://e.org)⟧ y\n"),
    ("text", 0, "x [⟦a [nested] b⟧](https://e.org) y\n"),
    ("dest", 0, "[t](⟦https://e.org/a\\)b⟧)\n"),
    ("link", 0, "\\[not a link\\] ⟦[real](u)⟧\n"),
    ("dest", 0, "[t](⟦https://e.org/?a=1&amp;b=2⟧)\n"),
    # emphasis around and inside links
    ("link", 0, "**bold ⟦[link](u)⟧** after\n"),
    ("text", 0, "[⟦*em* text⟧](u)\n"),
    ("link", 0, "snake_case_word ⟦[x](u)⟧ _emph_\n"),
    # links in headings
    ("link", 0, "# 1. ⟦[标题](https://e.org)⟧| 来源\n"),
    ("dest", 0, "## [t](⟦u⟧) ##\n"),
    ("heading-text", 0, "# ⟦1. [标题](https://e.org)| 来源⟧\n"),
    ("heading-marker", 0, "⟦###⟧ 标题 ###\n"),
    ("heading-text", 0, "###   ⟦标题⟧   ###  \n"),
    ("heading-text", 0, "⟦Setext 标题⟧\n===\n"),
    ("heading-marker", 0, "Setext\n⟦---⟧\n"),
    ("heading-text", 0, "> # ⟦引用里的标题⟧\n"),
    # blockquotes, lists, nesting
    ("link", 0, "> 引用 ⟦[t](u)⟧\n"),
    ("dest", 0, "> > 二层 [t](⟦https://e.org/q⟧)\n"),
    ("link", 0, "- item ⟦[t](u)⟧\n"),
    ("link", 0, "1. 第一\n   继续 ⟦[t](u)⟧\n"),
    ("dest", 0, "- a\n  - b\n    - c [t](⟦https://e.org/c⟧)\n"),
    ("link", 0, "> - quoted item ⟦[t](u)⟧\n"),
    ("link", 0, "para line one\nline two ⟦[t](u)⟧\n"),
    ("dest", 0, "> line one\n> line two [t](⟦https://e.org/2⟧)\n"),
    ("dest", 0, "> lazy\ncontinuation [t](⟦https://e.org/lazy⟧)\n"),
    ("link", 0, "\tx\n\n- \ttab ⟦[t](u)⟧\n"),
    ("link", 0, "multi ⟦[line\ntext](https://e.org)⟧ end\n"),
    ("dest", 0, "[t](\n⟦https://e.org/next-line⟧\n)\n"),
    # images
    ("link", 0, "⟦![alt](https://e.org/i.png)⟧\n"),
    ("text", 0, "![⟦图片⟧](https://e.org/i.png)\n"),
    ("dest", 0, "![](⟦https://mmbiz.qpic.cn/mmbiz_gif/X/640?wx_fmt=gif&tp=webp⟧)\n"),
    ("dest", 1, "[![logo](⟦https://e.org/i.png⟧)](https://e.org/page)\n"),
    ("dest", 0, "[![logo](https://e.org/i.png)](⟦https://e.org/page⟧)\n"),
    # angle autolinks and bare URLs
    ("link", 0, "see ⟦<https://e.org/x>⟧ now\n"),
    ("dest", 0, "see <⟦https://e.org/x⟧> now\n"),
    ("bare", 0, "详见⟦https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOpQrStUv）。另见⟧ x\n"),
    ("bare", 0, "see ⟦https://e.org/a_b⟧. Next\n"),
    ("bare", 0, "(see ⟦https://e.org/wiki/Foo_(bar)⟧)\n"),
    ("bare", 0, "visit ⟦www.example.org/path⟧, thanks\n"),
    ("bare", 0, "> 项目地址：⟦https://github.com/x/y⟧\n"),
    ("bare", 0, "| a | ⟦https://e.org/cell⟧ |\n|---|---|\n| b | c |\n"),
    # reference definitions and uses
    ("def-dest", 0, "[r]\n\n[r]: ⟦http://mp.weixin.qq.com/s?x=1#rd⟧\n"),
    ("def-dest", 0, "[R][]\n\n  [r]: ⟦<https://e.org/a b>⟧ 'T'\n"),
    ("def-title", 0, '[r]\n\n[r]: https://e.org ⟦"title"⟧\n'),
    ("def-dest", 0, "[r]\n\n[r]:\n  ⟦https://e.org/next⟧\n"),
    ("def-dest", 0, "[x]\n\n> [x]: ⟦https://e.org/quoted⟧\n"),
    ("link", 0, "use ⟦[text][label]⟧ here\n\n[label]: https://e.org/l\n"),
    ("dest", 0, "use [text][label] here\n\n[label]: ⟦https://e.org/l⟧\n"),
    ("link", 0, "use ⟦[label]⟧ here\n\n[label]: https://e.org/l\n"),
    # raw HTML
    ("html", 0, '<a href="⟦https://e.org/h⟧">x</a> inline\n'),
    ("html", 0, '<p><img src="⟦https://e.org/i.png⟧" referrerpolicy="no-referrer"></p>\n'),
    ("html", 0, "<div>\n<img src='⟦https://e.org/single.png⟧'>\n</div>\n"),
    ("html", 0, "text <img src=⟦https://e.org/bare.png⟧> more\n"),
    # tables
    ("link", 0, "| a | b |\n|---|---|\n| x | ⟦[t](u)⟧ |\n"),
    ("dest", 0, "| a | b |\n|---|---|\n| [t](⟦u1⟧) | [s](u2) |\n"),
    ("dest", 1, "| a | b |\n|---|---|\n| [t](u1) | [s](⟦u2⟧) |\n"),
    ("link", 0, "| a | b |\n|---|---|\n| x \\| y | ⟦[t](u)⟧ |\n"),
    # text nodes
    ("textnode", 0, "⟦项目地址：⟧[t](u)\n"),
    ("textnode", 1, "[t](u)⟦| 机器之心⟧\n"),
    ("textnode", 0, "> ⟦引用 a \\* b⟧\n"),
]


def _strip_markers(marked: str) -> tuple[str, int, int]:
    start = marked.index(OPEN)
    end = marked.index(CLOSE) - len(OPEN)
    return marked.replace(OPEN, "").replace(CLOSE, ""), start, end


def _select(doc: Document, selector: str, n: int) -> Span:
    idx = index(doc)
    links = [link for link in idx.links]
    if selector == "link":
        return [lk for lk in links if lk.kind != "bare"][n].span
    if selector == "text":
        span = links[n].text_span
        assert span is not None
        return span
    if selector == "dest":
        return [lk for lk in links if lk.kind != "bare"][n].dest_span
    if selector == "title":
        span = links[n].title_span
        assert span is not None
        return span
    if selector == "bare":
        return [lk for lk in links if lk.kind == "bare"][n].span
    if selector == "html":
        return [lk for lk in links if lk.kind == "html"][n].dest_span
    if selector == "def-dest":
        return idx.definitions[n].dest_span
    if selector == "def-title":
        span = idx.definitions[n].title_span
        assert span is not None
        return span
    if selector == "heading-text":
        return doc.headings[n].block.span
    if selector == "heading-marker":
        return doc.headings[n].marker_span
    if selector == "textnode":
        return idx.text_nodes[n].span
    raise AssertionError(selector)


def _variants() -> list[object]:
    params = []
    for i, (selector, n, marked) in enumerate(CASES):
        for ending in ("lf", "crlf"):
            params.append(
                pytest.param(selector, n, marked, ending, id=f"{i:02d}-{selector}-{ending}")
            )
    for i in (0, 11, 52, 58):
        selector, n, marked = CASES[i]
        params.append(pytest.param(selector, n, marked, "bom-crlf", id=f"{i:02d}-{selector}-bom"))
    return params


@pytest.mark.parametrize(("selector", "n", "marked", "ending"), _variants())
def test_span(selector: str, n: int, marked: str, ending: str) -> None:
    text, start, end = _strip_markers(marked)
    lf_doc = Document(text)
    expected = (lf_doc.position(start), lf_doc.position(end))
    expected_text = text[start:end]
    if ending != "lf":
        text = text.replace("\n", "\r\n")
    if ending == "bom-crlf":
        text = "\ufeff" + text
    doc = Document(text)
    span = _select(doc, selector, n)
    got = (doc.position(span.start), doc.position(span.end))
    assert doc.source[span.start : span.end].replace("\r\n", "\n") == expected_text
    assert got == expected


def test_case_count() -> None:
    assert len(CASES) >= 60


def test_columns_are_code_points() -> None:
    doc = Document("😀中文[ 链接 ](https://example.org)\n")
    link = index(doc).links[0]
    assert doc.position(link.span.start) == (1, 4)
    assert doc.position(link.span.end) == (1, 31)


def test_block_span_shortcut_matches_the_content_map() -> None:
    """One-line blocks get their span without a content map; it must be the same span."""
    texts = [marked.replace(OPEN, "").replace(CLOSE, "") for _, _, marked in CASES]
    texts += [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
    checked = 0
    for text in texts:
        for source in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
            doc = Document(source)
            for block in doc.inline_blocks:
                assert block.span == block.content_span(0, len(block.content)), block
                checked += 1
    assert checked > 1000


def test_recorded_children_align_with_parse() -> None:
    """The recording re-tokenization yields the same token sequence as the normal parse."""
    text = "\n\n".join(marked.replace(OPEN, "").replace(CLOSE, "") for _, _, marked in CASES)
    doc = Document(text)
    for block in doc.inline_blocks:
        normal = [(t.type, t.content) for t in block.children]
        recorded = [(t.type, t.content) for t in block.recorded]
        assert normal == recorded, block


def test_definition_continued_inside_blockquote_and_list() -> None:
    for text, dest in (
        ("> [b]\n>\n> [b]:\n> https://x.org/?utm_source=1\n", "https://x.org/?utm_source=1"),
        ("- [c]\n\n  [c]:\n    https://x.org/c 'T'\n", "https://x.org/c"),
    ):
        for ending in ("\n", "\r\n"):
            doc = Document(text.replace("\n", ending))
            (definition,) = index(doc).definitions
            assert doc.source[definition.dest_span.start : definition.dest_span.end] == dest


def test_multi_line_img_tag_in_html_block() -> None:
    for ending in ("\n", "\r\n"):
        text = '<div>\n<img\n  src="https://mmbiz.qpic.cn/a/640?wx_fmt=png" alt="x">\n</div>\n'
        doc = Document(text.replace("\n", ending))
        (link,) = index(doc).links
        assert link.is_image and doc.position(link.dest_span.start) == (3, 8)
        assert doc.source[link.dest_span.start : link.dest_span.end].startswith("https://mmbiz")


_LINE_PIECES = ["a", "中", "\n", "\r", "\r\n", "\u2028", "\x85", "😀"]


@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=30))
def test_line_index_splits_at_cr_lf_and_crlf_only(pieces: list[str]) -> None:
    text = "".join(pieces)
    lines = LineIndex(text)
    breaks = list(re.finditer(r"\r\n|\r|\n", text))
    assert lines.starts == [0] + [m.end() for m in breaks]
    assert lines.ends == [m.start() for m in breaks] + [len(text)]
