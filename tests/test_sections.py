"""Non-news section recognition shared by the item rules and BL001."""

from __future__ import annotations

import pytest

from briefing_lint.sections import normalise_title, section_kind, tag_kind


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
        ("岗位推荐", "jobs"),
        ("活动", "calls"),
        ("## [活动] 某某开发者大会2024", "calls"),
        ("【招聘】后端工程师", "jobs"),
        ("Call for Participation", "calls"),
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


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("【招聘】某公司招前端", "jobs"),
        ("内推｜某大厂", "jobs"),
        ("Sponsored: Foo Cloud", "sponsor"),
        ("🔥 [广告] 新品", "sponsor"),
        ("往期回顾", "promo"),
        ("Sponsors", "sponsor"),
    ],
)
def test_item_title_tags(title: str, kind: str) -> None:
    assert tag_kind(title) == kind


@pytest.mark.parametrize("title", ["广告拦截器发布新版", "Contact tracing apps", "Jobs to be done"])
def test_item_titles_that_merely_start_with_a_kind_word(title: str) -> None:
    assert tag_kind(title) is None
