"""Property tests for raw query editing: idempotent, and kept segments keep their bytes.

Example counts stay small by default; ``pytest --long`` loads the "long" profile.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing_lint.urls import clean_url, filter_query, split_query, split_url

BUDGET = settings(max_examples=max(200, settings.default.max_examples), deadline=None)

KNOWN_KEYS = [
    "utm_source", "UTM_Medium", "utm", "%75tm_campaign", "__biz", "%5F%5Fbiz", "mid", "idx",
    "sn", "pass_ticket", "key", "uin", "scene", "from", "chksm", "lang", "fbclid", "ref",
    "xsec_token", "share_key", "tempkey", "p", "t", "vd_source", "spm", "weibo_id",
    "appuid", "q", "src", "timestamp", "signature", "X-Amz-Signature", "",
]  # fmt: skip
URL_CHARS = st.sampled_from([*"abcXYZ019_-.~%+=;:/!$'()*,@", "%3D", "%20", "中", "&amp"])
PREFIXES = [
    "https://mp.weixin.qq.com/s",
    "http://mp.weixin.qq.com/s",
    "https://mp.weixin.qq.com/s/JPDcvopsXemjW2uEA9X_XQ",
    "https://mp.weixin.qq.com/mp/appmsgalbum",
    "https://www.bilibili.com/video/BV1GJ411x7h7/",
    "https://zhuanlan.zhihu.com/p/1",
    "https://www.toutiao.com/article/1/",
    "https://weibo.com/1/x",
    "https://www.xiaohongshu.com/explore/1",
    "https://example.org/p",
    "www.example.org/p",
]
FRAGMENTS = [None, "rd", "rd#wechat_redirect", "heading-1", "utm_source=x&a=1", "/r?utm_source=1"]

keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.lists(URL_CHARS, max_size=6).map("".join))
values = st.one_of(st.none(), st.lists(URL_CHARS, max_size=8).map("".join))
segments = st.tuples(keys, values).map(lambda kv: kv[0] if kv[1] is None else f"{kv[0]}={kv[1]}")
queries = st.tuples(
    st.lists(segments, max_size=10), st.lists(st.sampled_from(["&", "&amp;"]), min_size=10)
).map(lambda t: "".join((t[1][i] if i else "") + s for i, s in enumerate(t[0])))
urls = st.tuples(st.sampled_from(PREFIXES), queries, st.sampled_from(FRAGMENTS)).map(
    lambda t: (
        t[0]
        + ("?" + t[1] if t[1] or t[0].endswith("/s") else "")
        + ("" if t[2] is None else "#" + t[2])
    )
)


def _is_subsequence(kept: list[str], original: list[str]) -> bool:
    it = iter(original)
    return all(any(piece == o for o in it) for piece in kept)


@BUDGET
@given(queries, st.sets(st.sampled_from(KNOWN_KEYS)))
def test_filter_query_keeps_bytes_and_is_idempotent(query: str, drop_keys: set[str]) -> None:
    def drop(seg: object) -> bool:
        return getattr(seg, "raw_key", None) in drop_keys

    new, dropped = filter_query(query, drop)
    original = [s.text for s in split_query(query)]
    kept = [s.text for s in split_query(new)] if new else []
    assert _is_subsequence(kept, original)
    assert all(s.raw_key in drop_keys for s in dropped)
    assert filter_query(new, drop)[0] == new


@BUDGET
@given(urls)
def test_clean_url_is_idempotent_and_keeps_segment_bytes(url: str) -> None:
    cleaning = clean_url(url)
    for result, pick in (
        (cleaning.full_url, "full_url"),
        (cleaning.safe_url, "safe_url"),
    ):
        again = getattr(clean_url(result), pick)
        assert again == result, (url, result, again)
        before, after = split_url(url), split_url(result)
        assert after.authority == before.authority and after.path == before.path
        if after.query is not None:
            assert before.query is not None
            kept = [s.text for s in split_query(after.query)]
            original = [s.text for s in split_query(before.query)]
            assert _is_subsequence(kept, original)
        if after.fragment is not None:
            assert before.fragment is not None
            kept = [s.text for s in split_query(after.fragment)]
            original = [s.text for s in split_query(before.fragment)]
            assert _is_subsequence(kept, original)


@BUDGET
@given(st.text(max_size=60))
def test_clean_url_never_crashes_on_any_text(text: str) -> None:
    for url in ("https://example.org/?" + text, "https://mp.weixin.qq.com/s?" + text, text):
        cleaning = clean_url(url)
        assert clean_url(cleaning.full_url).full_url == cleaning.full_url
