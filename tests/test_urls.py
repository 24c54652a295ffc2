"""URL editing (urls.py) and the URL rules BL001/BL011-BL013 beyond their fixture files."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from briefing_lint import ConfigError, fix_text, lint_text
from briefing_lint.urls import (
    clean_url,
    decode_target,
    ephemeral_markers,
    filter_query,
    find_redirect,
    ruleset,
    short_link,
    split_query,
    split_url,
)

from . import fixturefile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"

B = "MzA3MzI4MjgzMw=="
CANONICAL = (
    f"https://mp.weixin.qq.com/s?__biz={B}&mid=2650809135&idx=3&sn=0e2849bbc389890e2e2b1577cf1ef4a7"
)
SEED = (
    CANONICAL + "&chksm=84e5e751b392aaaa&mpshare=1&scene=1&srcid=0305FmHt8hbNJq7R9ReVc7ug"
    "&sharer_sharetime=1614934599306&sharer_shareid=669d7c05c1027e01636e4b81abdf3fd0"
    "&key=b5a1aaaa&ascene=1&uin=MTIzNDU2Nzg5MA%3D%3D&devicetype=Windows+10+x64"
    "&version=63000039&lang=zh_CN&exportkey=AVJnlkB%2B9MVYVolzBQp3D6U%3D&pass_ticket=hz8haaaa"
    "&wx_header=0"
)


# -- acceptance ------------------------------------------------------------------------


def test_wechat_seed_becomes_exactly_the_four_params() -> None:
    assert clean_url(SEED).full_url == CANONICAL
    assert clean_url(SEED + "#rd").full_url == CANONICAL
    assert "==" in clean_url(SEED).full_url


def test_wechat_short_link() -> None:
    token = "https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X_XQ"
    assert clean_url(token + "?scene=1&from=timeline#rd").full_url == token


def test_zhihu_loses_every_utm() -> None:
    url = (
        "https://zhuanlan.zhihu.com/p/264468193?utm_medium=social&utm_oi=1123713438710718464"
        "&utm_psn=1737408413846585345&utm_source=wechat_session"
    )
    assert clean_url(url).full_url == "https://zhuanlan.zhihu.com/p/264468193"


def test_bilibili_keeps_part_and_time_and_case() -> None:
    url = (
        "https://www.bilibili.com/video/BV1GJ411x7h7/?spm_id_from=333.1007.tianma.1-1-1.click"
        "&vd_source=0123456789abcdef0123456789abcdef&p=2&t=30"
    )
    assert clean_url(url).full_url == "https://www.bilibili.com/video/BV1GJ411x7h7/?p=2&t=30"


def test_crlf_briefing_changes_only_inside_url_spans() -> None:
    case = fixturefile.parse(FIXTURES / "BL001-crlf.txt")[0]
    before = case.input
    config = {"select": ["BL001"]}
    spans = [d.span for d in lint_text(before, config) if d.fix is not None]
    after = fix_text(before, config).text
    assert after != before
    assert after.count("\r\n") == before.count("\r\n")
    assert "\n" not in after.replace("\r\n", "")
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            assert any(s.start <= i1 and i2 <= s.end for s in spans), (tag, before[i1:i2])
    start = before.index("```python")
    fence = before[start : before.index("```\r\n", start + 3)]
    assert fence in after
    assert fix_text(after, config).text == after


# -- raw query editing -------------------------------------------------------------------


def test_split_url_round_trips() -> None:
    for url in [SEED, "https://a.example/p?#", "www.example.org/x?y#z", "mailto:x@y", "", "?a&b"]:
        assert split_url(url).join() == url


def test_split_query_keeps_separators_and_bytes() -> None:
    segments = split_query("a=1&amp;b=%3D%3D&&c&D+E=x%20y")
    assert [s.text for s in segments] == ["a=1", "b=%3D%3D", "", "c", "D+E=x%20y"]
    assert [s.sep for s in segments] == ["", "&amp;", "&", "&", "&"]
    assert segments[3].key == "c" and not segments[3].has_value


def test_filter_query_drops_whole_segments_only() -> None:
    query, dropped = filter_query("x=1&utm_source=2&&y=%2B+", lambda s: s.key == "utm_source")
    assert query == "x=1&y=%2B+"
    assert [s.text for s in dropped] == ["utm_source=2"]
    untouched, none = filter_query("a=1&&b", lambda s: False)
    assert untouched == "a=1&&b" and none == []


def test_keys_match_after_percent_decoding_case_insensitively() -> None:
    cleaned = clean_url("https://example.org/?%75tm_SOURCE=1&UTM_medium=2&q=3")
    assert cleaned.full_url == "https://example.org/?q=3"


def test_never_html_unescaped_nor_reencoded() -> None:
    url = "https://example.org/v?id=1&timestamp=2&copy=3&lang=en&not=%3D%3D&utm_source=x"
    assert (
        clean_url(url).full_url
        == "https://example.org/v?id=1&timestamp=2&copy=3&lang=en&not=%3D%3D"
    )


def test_ampersand_entity_separators_in_html() -> None:
    url = "https://example.org/v?a=1&amp;utm_source=x&amp;b=2"
    assert clean_url(url).full_url == "https://example.org/v?a=1&amp;b=2"


def test_access_keys_are_never_removed_even_by_options() -> None:
    rules = ruleset({"remove_params": ["share_key", "xsec_token"]})
    url = "https://example.org/a?share_key=1&xsec_token=2&ref=3"
    assert clean_url(url, rules).full_url == url


def test_exceptions_and_protected_links_are_left_alone() -> None:
    oauth = (
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=x&utm_source=y#wechat_redirect"
    )
    assert clean_url(oauth).protected == "exception"
    signed = "https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc&utm_source=x"
    assert clean_url(signed).protected == "signed"
    assert not clean_url(signed).changed


def test_incomplete_and_bad_token_are_reported_not_changed() -> None:
    incomplete = clean_url(f"https://mp.weixin.qq.com/s?__biz={B}&key=abc&scene=1")
    assert incomplete.incomplete == ("mid", "idx", "sn") and not incomplete.changed
    assert [r.key for r in incomplete.present] == ["key"]
    bad = clean_url("https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X~XQ?scene=1")
    assert bad.bad_token == "JPDcvopsXemjW2uEA9X~XQ"
    assert bad.repaired_url == "https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X_XQ?scene=1"


def test_unverified_provider_global_keys_stay_safe() -> None:
    url = "https://www.toutiao.com/article/1/?utm_source=a&tt_from=b"
    cleaned = clean_url(url)
    assert cleaned.safe_url == "https://www.toutiao.com/article/1/?tt_from=b"
    assert cleaned.full_url == "https://www.toutiao.com/article/1/"


def test_redirect_targets() -> None:
    hit = find_redirect("https://link.zhihu.com/?target=https%3A//arxiv.org/abs/2406.16768v1")
    assert hit is not None and hit.target == "https://arxiv.org/abs/2406.16768v1"
    assert decode_target("https%253A%252F%252Fexample.org%252Fa") == "https://example.org/a"
    assert decode_target("javascript%3Aalert(1)") is None
    assert decode_target("/relative") is None
    assert decode_target("https%3A%2F%2Fexample.org%2Fa%20b") == "https://example.org/a b"
    baidu = find_redirect("https://www.baidu.com/link?url=AbCdEf")
    assert baidu is not None and baidu.target is None
    assert find_redirect("https://example.org/?target=https://x.org") is None


def test_short_and_ephemeral() -> None:
    assert short_link("https://b23.tv/AbCdEfG") == "bilibili"
    assert short_link("https://b23.tv/") is None
    assert short_link("https://example.org/b23.tv") is None
    assert ephemeral_markers("https://mp.weixin.qq.com/s?src=11&timestamp=1&ver=2&signature=x") == [
        "sogou_temp"
    ]
    assert ephemeral_markers("https://x.example/f?Expires=1&Signature=2") == ["signed"]
    assert ephemeral_markers("https://x.example/f?Expires=1") == []


def test_ruleset_is_cached_per_options() -> None:
    assert ruleset() is ruleset()
    assert ruleset({"remove_params": ["a"]}) is ruleset({"remove_params": ["a"]})
    assert ruleset({"remove_params": ["a"]}) is not ruleset()


# -- options validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"extra_providers": {"x": {"path": "^/"}}}, "rules.BL001.extra_providers.x"),
        ({"extra_providers": {"x": {"host": "a.example", "kep": []}}}, "extra_providers.x"),
        ({"extra_providers": {"x": {"host": "a", "remove": {"bad": ["k"]}}}}, "remove.bad"),
        ({"allow_params": {"a.example": ["re:a(?=b)"]}}, "rules.BL001.allow_params"),
        ({"disable_providers": ["nope"]}, "rules.BL001.disable_providers"),
    ],
)
def test_bad_provider_options_are_config_errors(options: dict[str, object], key: str) -> None:
    config = {"select": ["BL001"], "rules": {"BL001": options}}
    with pytest.raises(ConfigError) as err:
        lint_text("[a](https://example.org/?x=1)\n", config)
    assert key in str(err.value)


def test_option_types_are_checked_by_the_config_loader() -> None:
    with pytest.raises(ConfigError) as err:
        lint_text("x\n", {"select": ["BL001"], "rules": {"BL001": {"extra_providers": [1]}}})
    assert "rules.BL001.extra_providers" in str(err.value)
    with pytest.raises(ConfigError):
        lint_text("x\n", {"rules": {"BL001": {"remove-param": ["x"]}}})


# -- the rules together ------------------------------------------------------------------


def test_redirect_then_clean_converges() -> None:
    text = (
        "- [论文](https://link.zhihu.com/?target=https%3A%2F%2Fzhuanlan.zhihu.com%2Fp%2F1"
        "%3Futm_source%3Dx%26utm_oi%3D2)\n"
    )
    config = {"select": ["BL001", "BL011", "BL012", "BL013"]}
    result = fix_text(text, config)
    assert result.converged
    assert result.text == "- [论文](https://zhuanlan.zhihu.com/p/1)\n"
    assert fix_text(result.text, config).text == result.text


def test_bare_urls_glued_to_cjk_converge_with_bl007() -> None:
    from briefing_lint.registry import all_codes

    if "BL007" not in all_codes():
        pytest.skip("BL007 bare-url-boundary is not registered")
    short = "https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X_XQ"
    text = (
        f"详见{short}?scene=1&from=timeline）。\n\n"
        f"又见{short}?scene=1&from=timeline另见\n\n"
        "（原文https://link.zhihu.com/?target=https%3A//example.org/c?utm_source=x）。\n"
    )
    config = {"select": ["BL001", "BL007", "BL011"]}
    result = fix_text(text, config)
    assert result.converged
    assert result.text == (
        f"详见<{short}>）。\n\n又见<{short}>另见\n\n（原文<https://example.org/c>）。\n"
    )
    assert fix_text(result.text, config).text == result.text
