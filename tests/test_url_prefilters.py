"""The URL rules' pre-filters skip only URLs the rules would not report.

Each rule tests markdown-it's href of a few candidate links; these tests check that every
URL a rule's own test accepts is among the candidates (uppercase hosts, ``www.``, ports,
user info, percent-encoding, entities, escapes), and that whole documents lint the same
with and without the pre-filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing_lint import lint_text
from briefing_lint.rule import RuleContext
from briefing_lint.rules import (
    _url_targets,
    ephemeral_link,
    redirect_wrapper,
    short_link,
)
from briefing_lint.rules import tracking_params as bl001
from briefing_lint.rules._url_targets import Hrefs, Target, has_query
from briefing_lint.rules.image_hosts import image_data
from briefing_lint.urls import (
    RuleSet,
    clean_url,
    find_redirect,
    needs_cleaning,
    ruleset,
    split_url,
)
from briefing_lint.urls import (
    short_link as short_label,
)

from .test_urls_properties import FRAGMENTS, queries

BUDGET = settings(max_examples=max(300, settings.default.max_examples), deadline=None)

SCHEMES = ["https://", "http://", "HTTP://", "Http://", "//", "", "ftp://", "mailto:"]
HOSTS = [
    "mp.weixin.qq.com", "MP.Weixin.QQ.com", "mp.weixin.qq.com.", "zhuanlan.zhihu.com",
    "www.zhihu.com", "link.zhihu.com", "LINK.ZHIHU.COM:443", "user:pw@link.zhihu.com",
    "www.google.com", "b23.tv", "WWW.B23.TV", "b23.tv:80", "a@b23.tv", "b23.tv.",
    "xhslin\u212a.com", "v.douyin.com", "t.cn", "example.org", "Example.ORG:8080",
    "www.example.org", "%65xample.org", "[::1]", "", "www.xiaohongshu.com",
    "weixin.sogou.com", "x.example",
]  # fmt: skip
PATHS = ["", "/", "/s", "/s/", "/p/1", "/abc", "/url", "/link", "/sinaurl", "/explore/1"]

urls = st.tuples(
    st.sampled_from(SCHEMES),
    st.sampled_from(HOSTS),
    st.sampled_from(PATHS),
    st.one_of(st.none(), queries),
    st.sampled_from(FRAGMENTS),
).map(
    lambda t: (
        t[0]
        + t[1]
        + t[2]
        + ("" if t[3] is None else "?" + t[3])
        + ("" if t[4] is None else "#" + t[4])
    )
)

RULESETS = [
    {},
    {"upgrade_https_hosts": ["example.org", "b23.tv"]},
    {"remove_params": ["a", "re:x.*"], "allow_params": {"*": ["utm_source"]}},
    {"extra_providers": {"ex": {"host": "example.org", "keep": ["q"]}}},
]


def _worth_a_look(url: str, rules: RuleSet) -> bool:
    cleaning = clean_url(url, rules)
    return cleaning.changed or bool(cleaning.incomplete) or cleaning.bad_token is not None


@BUDGET
@given(urls, st.sampled_from(range(len(RULESETS))))
def test_needs_cleaning_is_exact(url: str, which: int) -> None:
    rules = ruleset(RULESETS[which])
    assert needs_cleaning(url, rules) == _worth_a_look(url, rules), url


@pytest.mark.parametrize("url", ["http://mp.weixin.qq.com/x", "HTTP://Example.org/"])
def test_needs_cleaning_sees_upgrades(url: str) -> None:
    rules = ruleset({"upgrade_https_hosts": ["mp.weixin.qq.com", "example.org"]})
    assert needs_cleaning(url, rules)


# -- candidates and screens --------------------------------------------------------------


@dataclass
class _Link:
    href: str


def _hrefs(*hrefs: str) -> Hrefs:
    return Hrefs(None, [_Link(h) for h in hrefs])  # type: ignore[arg-type, list-item]


@BUDGET
@given(st.lists(urls, min_size=1, max_size=4), st.sampled_from(["", "\n", "x\ny"]))
def test_short_link_hosts_are_in_the_host_text(hrefs: list[str], other: str) -> None:
    shared = _hrefs(*hrefs, other)
    text = shared.host_text
    names = ruleset().short_links
    if "\n" in other:
        assert text is None
        return
    assert text is not None
    for href in hrefs:
        if short_label(href) is not None:
            assert any(name in text for name in names), href


@BUDGET
@given(urls, st.sampled_from(["", "[a]: ", "> [a]:\n> <", "[a]:\t"]), st.sampled_from(["", " x"]))
def test_screens_pass_text_holding_a_wanted_url(url: str, before: str, after: str) -> None:
    text = before + url + after
    if bl001._quick(url):
        assert bl001.screen(text)
    if "?" in url:
        assert has_query(text)
    if short_label(url) is not None:
        names = ruleset().short_links
        assert any(name in text.lower() for name in names)


def test_bl001_candidates_are_the_quick_ones() -> None:
    hrefs = ["https://a.example/", "https://a.example/?q", "HTTP://a.example", "Http:x", "#top"]
    shared = _hrefs(*hrefs)
    assert [link.href for link in bl001.candidates(shared)] == [h for h in hrefs if bl001._quick(h)]


def test_with_query_keeps_order() -> None:
    shared = _hrefs("a?1", "b", "c?2")
    assert [link.href for link in shared.with_query] == ["a?1", "c?2"]


@pytest.mark.parametrize(
    "url",
    [
        "https://link.zhihu.com/?target=https%3A%2F%2Fexample.org",
        "https://LINK.ZHIHU.COM:443/?target=x",
        "https://www.google.com/url?q=https://example.org",
    ],
)
def test_redirects_have_a_query(url: str) -> None:
    assert find_redirect(url) is not None and "?" in url


def test_kelvin_sign_host_is_still_a_short_link() -> None:
    url = "https://xhslin\u212a.com/abc"
    assert split_url(url).host == "xhslink.com"
    assert short_label(url) is not None
    text = _hrefs(url).host_text
    assert text is not None and "xhslink.com" in text


# -- whole documents, with and without the pre-filters -----------------------------------

DOCUMENT = """\
# Links

[one](https://b23.tv/abc) and <https://WWW.B23.TV/x> and https://u@b23.tv:80/y.
[two](HTTP://mp.weixin.qq.com/s?__biz=1&mid=2&idx=1&sn=3&chksm=4#rd)
[three](https://example.org/?utm_source=x&amp;a=1) [four](https://example.org/?%75tm_medium=y)
[five](https://link.zhihu.com/?target=https%3A%2F%2Fexample.org%2Fa)
[six](https://www.google.com/url\\?q=https://example.org/b)
[seven](https://mp.weixin.qq.com/s?src=11&timestamp=1&signature=2)
[eight](https://mp.weixin.qq.com/s?tempkey=abc)
<a href="https://v.douyin.com/abc/">html</a> <img src="http://example.org/i.png?X-Amz-Signature=1">
![](https://example.org/?Expires=1&Signature=2)
www.b23.tv/zzz and WWW.example.org/?fbclid=1

[ref1]: https://t.cn/abc
[ref2]:
  https://example.org/?gclid=1
> [ref3]: <https://LINK.juejin.cn/?target=https%3A%2F%2Fexample.org>

[r1][ref1] [r2][ref2] [r3][ref3]
"""

URL_RULES = ["BL001", "BL011", "BL012", "BL013"]
_MODULES: list[ModuleType] = [bl001, redirect_wrapper, short_link, ephemeral_link]


def _unfiltered(
    ctx: RuleContext, wanted: Callable[[str], bool], *_: Any, **__: Any
) -> Iterator[Target]:
    return _url_targets.targets(ctx, wanted)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"BL012": {"extra_hosts": ["Example.ORG"]}, "BL001": {"remove_params": ["a"]}},
        {"BL012": {"allow_hosts": ["b23.tv"]}, "BL013": {"allow_hosts": ["qq.com"]}},
    ],
)
def test_documents_lint_the_same_without_prefilters(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    config = {"select": URL_RULES, "rules": options}
    filtered = lint_text(DOCUMENT, config)
    for module in _MODULES:
        monkeypatch.setattr(module, "targets", _unfiltered)
    unfiltered = lint_text(DOCUMENT, config)
    assert filtered == unfiltered
    if not options:
        assert {d.code for d in filtered} == set(URL_RULES)


# -- image rule data -------------------------------------------------------------------

ALTS = [
    "image", "IMAGE | left", "image-20210101123456789", "Screenshot 2024", "截屏 1",
    "IMG_2024", "photo.PNG", "a cat", "图片", "未命名图片", "image-1", "x.png y", "",
]  # fmt: skip


@pytest.mark.parametrize("alt", ALTS)
def test_default_alt_pattern_is_any_of_the_list(alt: str) -> None:
    data = image_data()
    assert data.is_default_alt(alt) == any(p.fullmatch(alt) for p in data.default_alts)


LOCAL_PATHS = [
    "C:\\a.png", "c:/x", "\\\\server\\x", "FILE:///x", "/Users/a/b.png", "/home/x", "~/a",
    "https://x.example/typora-user-images/a.png", "x/AppData/y", "appdata\\y", "/tmp/",
    "https://example.org/a.png", "./a.png", "", "http://C:/x",
]  # fmt: skip


@pytest.mark.parametrize("text", LOCAL_PATHS)
def test_local_path_is_any_of_the_list(text: str) -> None:
    data = image_data()
    assert data.local_path(text) == any(p.search(text) for p in data.local_paths)
