"""Non-news section recognition shared by the item rules and BL001."""

from __future__ import annotations

import pytest

from briefing_lint.sections import normalise_title, section_kind


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("## 🎯 【赞助】：", "sponsor"),
        ("本期赞助商", "sponsor"),
        ("This Week's Sponsors", "sponsor"),
        ("**招聘**", "jobs"),
        ("Rust Jobs", "jobs"),
        ("参考链接：", "references"),
        ("Further reading", "references"),
        ("往期回顾", "promo"),
        ("分享", "share"),
    ],
)
def test_non_news_headings(title: str, kind: str) -> None:
    assert section_kind(title) == kind


@pytest.mark.parametrize("title", ["1. 工具", "新闻", "Source code", "分享会", "Shared memory", ""])
def test_news_headings(title: str) -> None:
    assert section_kind(title) is None


def test_user_patterns_extend_a_kind() -> None:
    assert section_kind("鸣谢") is None
    assert section_kind("鸣谢", {"sponsor": ["鸣谢"]}) == "sponsor"


def test_normalise_drops_decoration() -> None:
    assert normalise_title("### 3、 【工具】：") == "工具"
