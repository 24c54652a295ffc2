"""The news-item model: shapes, number markers and their guards, spans, sections, caching."""

from __future__ import annotations

import pytest

from briefing_lint.briefing import (
    ItemSelector,
    canonical_link,
    cn_to_int,
    format_number,
    int_to_cn,
    items,
    match_marker,
)
from briefing_lint.document import Document

SEED = """本期将为您带来 3 条相关新闻。

# 1. [甲](https://mp.weixin.qq.com/s/AAAAAAAAAAAA)| 机器之心
![](https://example.org/p.png)

# 2. [乙](https://example.org/b) | 乙站

# 3. [丙](https://example.org/c)

# 其他

- [丁](https://example.org/d)
- [戊](https://example.org/e)
"""


@pytest.mark.parametrize(
    ("text", "style", "value", "digits"),
    [
        ("1. 标题", "dot", 1, "1"),
        ("12、标题", "dunhao", 12, "12"),
        ("3）标题", "paren_r", 3, "3"),
        ("3) title", "paren_r", 3, "3"),
        ("（4）标题", "paren_both", 4, "4"),
        ("(4) title", "paren_both", 4, "4"),
        ("十二、标题", "cn_dunhao", 12, "十二"),
        ("③ 标题", "circled", 3, "③"),
        ("No.7 标题", "no", 7, "7"),
        ("#7 标题", "no", 7, "7"),
        ("07 标题", "bare_padded", 7, "07"),
    ],
)
def test_marker_styles(text: str, style: str, value: int, digits: str) -> None:
    m = match_marker(text)
    assert m is not None
    assert (m.style, m.value, m.digits) == (style, value, digits)


@pytest.mark.parametrize(
    "text", ["3.0 版本发布", "1.1 小节", "2024 年度回顾", "2024. 年度回顾", "5G 手机", "3D 打印",
             "10 个技巧", "1.5 倍速", "标题 1、"]
)  # fmt: skip
def test_marker_guards(text: str) -> None:
    assert match_marker(text) is None


def test_chinese_numerals_round_trip() -> None:
    for n in (1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 110, 111, 999):
        assert cn_to_int(int_to_cn(n)) == n, n
    assert cn_to_int("两") == 2
    assert cn_to_int("一〇五") == 105
    assert cn_to_int("十十") is None


def test_format_number_keeps_padding_and_numeral_system() -> None:
    assert format_number(3, "dunhao", "04") == "03"
    assert format_number(10, "dunhao", "09") == "10"
    assert format_number(2, "cn_dunhao", "三") == "二"
    assert format_number(2, "circled", "③") == "②"


def test_seed_shape_counts_numbered_headings_not_the_trailing_list() -> None:
    doc = Document(SEED)
    found = items(doc)
    assert found.shape == "heading"
    assert [it.marker.value for it in found if it.marker] == [1, 2, 3]
    assert [it.title for it in found] == ["甲", "乙", "丙"]
    first = found.items[0]
    assert first.link is not None and first.link.href.startswith("https://mp.weixin.qq.com/")
    assert first.link_in_title
    # The last item's body stops at "# 其他".
    last = found.items[-1]
    assert "其他" not in doc.source[last.body.start : last.body.end]


def test_marker_spans_are_exact() -> None:
    text = '### <font color="red">12、标题</font>\n\n正文 https://example.org/x\n'
    doc = Document(text)
    (item,) = items(doc).items
    assert item.marker is not None
    assert text[item.marker.digits_span.start : item.marker.digits_span.end] == "12"
    assert text[item.marker.span.start : item.marker.span.end] == "12、"
    assert item.link is not None and item.link.href == "https://example.org/x"
    assert not item.link_in_title


def test_escaped_dot_and_link_text_marker_spans() -> None:
    text = "1\\. [甲](https://example.org/a)\n\n2\\. [乙](https://example.org/b)\n"
    doc = Document(text)
    spans = [it.marker.span for it in items(doc) if it.marker]
    assert [text[s.start : s.end] for s in spans] == ["1\\.", "2\\."]
    text = "## [1. 甲](https://example.org/a)\n\n## [2. 乙](https://example.org/b)\n"
    doc = Document(text)
    found = items(doc)
    assert [it.title for it in found] == ["甲", "乙"]
    assert [text[it.marker.digits_span.start] for it in found if it.marker] == ["1", "2"]


def test_paragraph_items_restart_per_section() -> None:
    text = (
        "## 文章\n\n1、[甲](https://example.org/a)\n\n2、[乙](https://example.org/b)\n\n"
        "## 工具\n\n1、[丙](https://example.org/c)\n"
    )
    found = items(Document(text))
    assert found.shape == "paragraph"
    assert [it.section.text if it.section else None for it in found] == ["文章", "文章", "工具"]


def test_chinese_numeral_sections_are_sections_not_items() -> None:
    text = (
        "## 一、动态\n\n1、[甲](https://example.org/a)\n\n## 二、项目\n\n"
        "1、[乙](https://example.org/b)\n"
    )
    found = items(Document(text))
    assert found.shape == "paragraph"
    assert len(found) == 2
    assert [s.marker.value for s in found.sections if s.marker] == [1, 2]


def test_link_headings_above_lists_are_sections() -> None:
    text = (
        "### [Approved](https://example.org/approved)\n\n"
        "* [one](https://example.org/1)\n* [two](https://example.org/2)\n"
    )
    found = items(Document(text))
    assert found.shape == "list-item"
    assert [it.title for it in found] == ["one", "two"]


def test_selector_forces_a_shape_and_results_are_cached() -> None:
    doc = Document(SEED)
    lists = items(doc, ItemSelector("list-items"))
    assert [it.title for it in lists] == ["丁", "戊"]
    assert items(doc, ItemSelector("list-items")) is lists
    assert items(doc) is items(doc, ItemSelector())
    assert ItemSelector.from_options({"items": "headings", "item_heading_level": 3}) == (
        ItemSelector("headings", 3)
    )


def test_items_in_code_and_tables_do_not_count() -> None:
    text = (
        "```\n1、[甲](https://example.org/a)\n```\n\n"
        "| [乙](https://example.org/b) | x |\n|---|---|\n"
    )
    assert len(items(Document(text))) == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.example.org/a/?utm_source=x#top", "http://example.org/a"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA5==&mid=1&idx=1&sn=x&chksm=y#rd",
            "https://mp.weixin.qq.com/s?__biz=MzA5%3D%3D&mid=1&idx=1&sn=x&key=abc",
        ),
        ("https://mp.weixin.qq.com/s/AbCdEfGhIj", "https://mp.weixin.qq.com/s/AbCdEfGhIj?scene=1"),
        ("https://example.org/v?b=2&a=1", "https://example.org/v?a=1&b=2"),
    ],
)
def test_canonical_link_equal(a: str, b: str) -> None:
    assert canonical_link(a) == canonical_link(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/v?id=1", "https://example.org/v?id=2"),
        ("https://example.org/Path", "https://example.org/path"),
        ("https://example.org/jobs/#berlin-a", "https://example.org/jobs/#berlin-b"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA5==&mid=1&idx=1",
            "https://mp.weixin.qq.com/s?__biz=MzA5==&mid=1&idx=2",
        ),
    ],
)
def test_canonical_link_different(a: str, b: str) -> None:
    assert canonical_link(a) != canonical_link(b)


def test_canonical_link_ignores_non_web_links() -> None:
    assert canonical_link("mailto:a@example.org") is None
    assert canonical_link("#anchor") is None


def test_decorated_links_are_items_and_labels_are_not() -> None:
    text = (
        "### 🐕 [甲](https://example.org/a)\n\n### 【工具】[乙](https://example.org/b)\n\n"
        "### ▶ [丙](https://example.org/c)\n\n### 🔥 本周要闻 [丁](https://example.org/d)\n"
    )
    found = items(Document(text))
    assert [it.title for it in found] == ["甲", "乙", "丙"]


def test_glued_marker_needs_a_neighbour_that_continues_it() -> None:
    seq = "[1. 甲](https://example.org/a)\n\n[2.DeepSeek 乙](https://example.org/b)\n"
    found = items(Document(seq))
    assert [(it.marker.value if it.marker else None) for it in found] == [1, 2]
    lone = "## 工具\n\n- [3.NET 发布](https://example.org/net)\n- [甲](https://example.org/a)\n"
    assert all(it.marker is None for it in items(Document(lone)))
    assert match_marker("1.x 版本", glued=True) is None
    assert match_marker("3.0 发布", glued=True) is None


def test_non_news_blocks_are_exposed_and_hold_no_items() -> None:
    text = (
        "## 新闻\n\n1、[甲](https://example.org/a)\n\n参考链接：\n\n- [参考](https://example.org/r)\n\n"
        "## 招聘\n\n2、[乙](https://example.org/j)\n"
    )
    found = items(Document(text))
    assert [it.title for it in found] == ["甲"]
    assert [(it.title, it.non_news) for it in found.non_news] == [("乙", "jobs")]
    assert [(r.start, r.kind) for r in found.non_news_ranges] == [(4, "references"), (8, "jobs")]
    assert found.section_kind_at(6) == "references"
    assert found.section_kind_at(10) == "jobs"
    assert found.section_kind_at(2) is None
